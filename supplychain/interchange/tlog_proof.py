"""Offline proofs: one signed event, proven into its author's log, as a C2SP tlog-proof.

Format: https://c2sp.org/tlog-proof (docs/PROOFS.md)::

    c2sp.org/tlog-proof@v1
    extra <base64 of the extra data below>
    index <the entry's index in its log>
    <base64 inclusion proof hash, leaf's sibling first>
    ...
    <blank line>
    <the log's signed checkpoint note, verbatim as the node stores it>

tlog-proof leaves the leaf's contents to the application ("provided out-of-band, and the
extra line"). Ours travel in the extra data, canonical JSON (RFC 8785)::

    {"certificates":["<base64 DER>", ...],"entry":"<base64 entry bytes>",
     "format":"supplychain/event-proof@v1"}

``entry`` is the log entry exactly as stored (the Merkle leaf data: the canonical signed
event); ``certificates`` is the author's member certificate that signed the event, followed by
the one that signed the checkpoint when the author changed keys in between. The extra data is
not trusted because it is there: the entry is bound by the inclusion proof to the signed root,
and each certificate must chain to the consortium root the checker holds. So anyone holding
only the consortium root certificate can check a proof, and nothing in the file is ignored:
every byte is either checked or bound (strict, canonical encodings throughout).

This module is pure: bytes in, a verified event or ``ProofError`` out.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from supplychain.errors import (
    CheckpointError,
    EventError,
    IdentityError,
    InvalidProof,
    ProofError,
)
from supplychain.i18n import _
from supplychain.identity.certificates import (
    ConsortiumRoot,
    Member,
    load_certificate,
    verify_member_certificate,
)
from supplychain.identity.keys import verify_signature
from supplychain.jsonlimits import load_json
from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import Checkpoint, SignedCheckpoint
from supplychain.ledger.events import MAX_ENTRY_BYTES, SignedEvent
from supplychain.ledger.logs import log_origin

HEADER = "c2sp.org/tlog-proof@v1"
EXTRA_FORMAT = "supplychain/event-proof@v1"
"""The ``format`` member of our extra data: what the opaque bytes hold and how to read them."""
MAX_CERTIFICATE_BYTES = 16 * 1024
MAX_CERTIFICATES = 2
"""The event's signer and, if the author changed keys since, the checkpoint's signer."""
MAX_PROOF_HASHES = 64
"""An inclusion proof in a tree of at most 2**64 entries has at most 64 hashes."""
MAX_EXTRA_BYTES = 2 * MAX_ENTRY_BYTES
MAX_PROOF_BYTES = 3 * MAX_ENTRY_BYTES
"""The largest proof file read: an entry (at most 4 MiB) base64-encoded twice, plus change."""
_MAX_INDEX_DIGITS = 20


def _b64decode(text: str, what: str) -> bytes:
    """Strict, canonical standard base64: one text for one byte string (a changed padding
    bit is an error, never the same bytes)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise ProofError(_("{what} is not valid base64.").format(what=what)) from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ProofError(_("{what} is not canonical base64.").format(what=what))
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class ProofExtra:
    """What the verifier needs besides the tlog-proof itself: the entry and the certificates."""

    entry: bytes
    certificates: tuple[bytes, ...]  # DER: the event's signer first, then the checkpoint's

    def to_bytes(self) -> bytes:
        return rfc8785.dumps({"certificates": [_b64(c) for c in self.certificates],
                              "entry": _b64(self.entry), "format": EXTRA_FORMAT})

    @classmethod
    def from_bytes(cls, data: bytes) -> ProofExtra:
        obj = load_json(data, max_bytes=MAX_EXTRA_BYTES, max_depth=3,
                        what=_("The proof's extra data"), error=ProofError)
        if not isinstance(obj, dict) or set(obj) != {"certificates", "entry", "format"}:
            raise ProofError(_("The proof's extra data must hold exactly certificates, entry "
                               "and format."))
        if obj["format"] != EXTRA_FORMAT:
            raise ProofError(_("The proof's extra data is {found!r}, not {expected!r}.")
                             .format(found=str(obj["format"])[:60], expected=EXTRA_FORMAT))
        certs, entry = obj["certificates"], obj["entry"]
        if (not isinstance(certs, list) or not 1 <= len(certs) <= MAX_CERTIFICATES
                or not all(isinstance(c, str) for c in certs) or not isinstance(entry, str)):
            raise ProofError(_("The proof's extra data must carry one entry and one or two "
                               "certificates, as base64 text."))
        if rfc8785.dumps(obj) != data:
            raise ProofError(_("The proof's extra data is not canonical JSON."))
        ders = tuple(_b64decode(c, _("A certificate in the proof")) for c in certs)
        if any(len(d) > MAX_CERTIFICATE_BYTES for d in ders):
            raise ProofError(_("A certificate in the proof is larger than {most} bytes.")
                             .format(most=MAX_CERTIFICATE_BYTES))
        if len(set(ders)) != len(ders):
            raise ProofError(_("The proof carries the same certificate twice."))
        return cls(_b64decode(entry, _("The proof's entry")), ders)


@dataclass(frozen=True)
class TlogProof:
    """A parsed C2SP tlog-proof: extra data, leaf index, inclusion proof, signed checkpoint."""

    index: int
    inclusion: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim
    extra: bytes | None = None

    def to_text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {_b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(_b64(h) for h in self.inclusion)
        return "\n".join(lines) + "\n\n" + self.checkpoint

    def to_bytes(self) -> bytes:
        return self.to_text().encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> TlogProof:
        """Parse a tlog-proof strictly; the checkpoint must parse as a signed note. Raises
        ProofError naming the first thing wrong."""
        if len(data) > MAX_PROOF_BYTES:
            raise ProofError(_("A proof file is at most {most} bytes; this one has {size}.")
                             .format(most=MAX_PROOF_BYTES, size=len(data)))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ProofError(_("The proof is not UTF-8 text.")) from None
        if any(ch < " " and ch != "\n" for ch in text):
            raise ProofError(_("The proof contains a control character."))
        split = text.find("\n\n")
        if split < 0:
            raise ProofError(_("The proof has no blank line before its checkpoint."))
        head, note = text[:split].split("\n"), text[split + 2:]
        if head[0] != HEADER:
            raise ProofError(_("The proof does not start with {header!r}.").format(header=HEADER))
        rest = head[1:]
        extra = None
        if rest and rest[0].startswith("extra "):
            extra = _b64decode(rest.pop(0)[len("extra "):], _("The extra line"))
        if not rest or not rest[0].startswith("index "):
            raise ProofError(_("The proof has no 'index' line after its first line(s)."))
        index_text = rest.pop(0)[len("index "):]
        if len(index_text) > _MAX_INDEX_DIGITS:
            raise ProofError(_("The proof's index has {count} digits; a log index has at most "
                               "{most}.").format(count=len(index_text), most=_MAX_INDEX_DIGITS))
        if (not index_text.isascii() or not index_text.isdigit()
                or (index_text.startswith("0") and index_text != "0")):
            raise ProofError(_("The proof's index {value!r} is not a decimal without leading "
                               "zeros.").format(value=index_text[:30]))
        if len(rest) > MAX_PROOF_HASHES:
            raise ProofError(_("The inclusion proof has {count} hashes; at most {most} are "
                               "possible.").format(count=len(rest), most=MAX_PROOF_HASHES))
        hashes = tuple(_b64decode(line, _("Inclusion proof line {n}").format(n=n + 1))
                       for n, line in enumerate(rest))
        if any(len(h) != merkle.HASH_SIZE for h in hashes):
            raise ProofError(_("Each inclusion proof line must hold a {size}-byte hash.")
                             .format(size=merkle.HASH_SIZE))
        try:
            SignedCheckpoint.parse(note)
        except CheckpointError as exc:
            raise ProofError(_("The proof's checkpoint is malformed: {exc}").format(exc=exc)) \
                from exc
        proof = cls(int(index_text), hashes, note, extra)
        if proof.to_text() != text:  # belt and braces: one text per proof
            raise ProofError(_("The proof is not in canonical form."))
        return proof


@dataclass(frozen=True)
class ProvenEvent:
    """What a proof proves: this signed event is entry ``index`` of its author's log, under
    the author's signed checkpoint."""

    signed: SignedEvent
    author: Member
    index: int
    checkpoint: Checkpoint
    checkpoint_note: str

    def to_dict(self) -> dict[str, Any]:
        event = self.signed.event
        return {"valid": True, "event": self.signed.hash, "type": event.type.value,
                "time": event.time, "packs": [i.pack for i in event.items],
                "gtin": event.gtin, "lot": event.lot, "to": event.to,
                "author": event.author, "author_name": self.author.info.name,
                "author_role": self.author.info.role.value, "index": self.index,
                "log": self.checkpoint.origin, "checkpoint_size": self.checkpoint.size,
                "checkpoint_root": self.checkpoint.root_hash.hex()}


def build_event_proof(entry: bytes, index: int, inclusion: list[bytes], checkpoint_note: str,
                      certificates: list[x509.Certificate]) -> TlogProof:
    """The proof of entry ``index`` under ``checkpoint_note`` (as stored). ``certificates``:
    the event signer's, then the checkpoint signer's if it is another."""
    ders = [c.public_bytes(Encoding.DER) for c in certificates]
    unique = tuple(dict.fromkeys(ders))
    return TlogProof(index, tuple(inclusion), checkpoint_note,
                     ProofExtra(entry, unique).to_bytes())


def _member(der: bytes, root: x509.Certificate) -> Member:
    try:
        cert = load_certificate(der)
        if cert.public_bytes(Encoding.DER) != der:
            raise ProofError(_("A certificate in the proof is not in strict DER form."))
        # As the ledger does: checked as of the start of its own validity (entries outlive
        # certificates); the event's time is checked against its expiry below.
        return verify_member_certificate(cert, root, at=cert.not_valid_before_utc)
    except IdentityError as exc:
        raise ProofError(_("The author's certificate does not chain to this consortium root: "
                           "{exc}").format(exc=exc)) from exc


def verify_event_proof(data: bytes, root_cert: x509.Certificate) -> ProvenEvent:
    """Check a proof file offline against the consortium root; return what it proves.

    Raises ProofError naming the first check that failed.
    """
    proof = TlogProof.parse(data)
    if proof.extra is None:
        raise ProofError(_("The proof carries no event (no 'extra' line)."))
    extra = ProofExtra.from_bytes(proof.extra)
    try:
        root = ConsortiumRoot.from_certificate(root_cert)
    except IdentityError as exc:
        raise ProofError(_("The root certificate given is not a consortium root: {exc}")
                         .format(exc=exc)) from exc
    members = [_member(der, root_cert) for der in extra.certificates]
    signer, cp_signer = members[0], members[-1]
    gln = signer.info.gln
    if any(m.info.gln != gln for m in members):
        raise ProofError(_("The proof's certificates name different members."))
    signed_cp = SignedCheckpoint.parse(proof.checkpoint)
    cp = signed_cp.checkpoint
    origin = log_origin(root.name, gln)
    if cp.origin != origin or signed_cp.key_name != origin:
        raise ProofError(_("The checkpoint is of log {found!r}, not of {name}'s log {origin!r} "
                           "in consortium {consortium!r}.")
                         .format(found=cp.origin, name=signer.info.name, origin=origin,
                                 consortium=root.name))
    try:
        signed_cp.verify(cp_signer.public_key)
    except CheckpointError as exc:
        raise ProofError(_("The checkpoint is not signed by {name}: {exc}")
                         .format(name=cp_signer.info.name, exc=exc)) from exc
    if len(members) == 2:
        try:
            signed_cp.verify(signer.public_key)
        except CheckpointError:
            pass  # as expected: the second certificate is there because the keys differ
        else:
            raise ProofError(_("The proof carries a certificate it does not need."))
    try:
        merkle.verify_inclusion(merkle.leaf_hash(extra.entry), proof.index, cp.size,
                                proof.inclusion, cp.root_hash)
    except InvalidProof as exc:
        raise ProofError(_("The inclusion proof does not lead to the checkpoint's root: "
                           "{exc}").format(exc=exc)) from exc
    try:
        signed = SignedEvent.from_bytes(extra.entry)
    except EventError as exc:
        raise ProofError(_("The proven entry is not a valid event: {exc}").format(exc=exc)) \
            from exc
    event = signed.event
    if event.author != gln or event.key_id != signer.key_id:
        raise ProofError(_("The event names author {author} with key {key}; the certificate "
                           "is {gln}'s key {own}.")
                         .format(author=event.author, key=event.key_id, gln=gln,
                                 own=signer.key_id))
    try:
        verify_signature(signer.public_key, signed.event_bytes, signed.signature)
    except EventError as exc:
        raise ProofError(_("The event's signature is not {name}'s: {exc}")
                         .format(name=signer.info.name, exc=exc)) from exc
    if event.datetime > signer.certificate.not_valid_after_utc:
        raise ProofError(_("The event is dated {time}, after the certificate that signed it "
                           "expired.").format(time=event.time))
    return ProvenEvent(signed, signer, proof.index, cp, proof.checkpoint)
