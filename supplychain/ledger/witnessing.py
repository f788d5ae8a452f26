"""Witnessing over a node's store: the witness's add-checkpoint (C2SP tlog-witness), and the
cosignatures a node keeps, serves and shows in verdicts.

Sans-I/O: ``add_checkpoint`` takes a request body and returns the status and text to answer;
``supplychain.sync`` moves the bytes. A witness keeps, per log origin, the checkpoint it last
cosigned (``witness_state``); checking the old size and storing the new checkpoint happen in
one SQLite transaction, so concurrent requests cannot roll a log back and a kill -9 loses
nothing that was answered. A checkpoint that does not extend what it cosigned is refused (422)
and kept as evidence of kind ``witness_conflict``, with both notes and the proof.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.clock import now_iso
from supplychain.errors import (
    CheckpointError,
    CodeError,
    MerkleError,
    SupplyChainError,
    WitnessPolicyError,
)
from supplychain.i18n import _
from supplychain.identity.certificates import load_certificate
from supplychain.identity.directory import MemberDirectory
from supplychain.identity.witness_policy import (
    PolicyWitness,
    WitnessPolicy,
    member_policy,
    parse_policy,
    witness_key_name,
)
from supplychain.ids import check_gln
from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.cosignature import cosign, vouching
from supplychain.ledger.disputes import (
    Conflict,
    DisputeChannel,
    conflict_from_checkpoint,
    keep_dispute,
    refusal,
)
from supplychain.ledger.logs import Ledger
from supplychain.ledger.store import Store

WITNESS_CONFLICT = "witness_conflict"
"""Evidence kind: a log asked this witness to cosign a checkpoint inconsistent with one it
had cosigned (two histories of one log)."""
MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
_DIRECTORY_META = "member_directory"  # supplychain.ledger.membership.DIRECTORY_META


@dataclass(frozen=True)
class WitnessAnswer:
    """What to answer an add-checkpoint request: HTTP status, body, content type."""

    status: int
    body: str
    content_type: str = TEXT_CONTENT_TYPE


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed add-checkpoint request body (tlog-witness)."""

    old: int
    proof: tuple[bytes, ...]
    note: str

    def to_bytes(self) -> bytes:
        lines = [f"old {self.old}"] + [base64.b64encode(p).decode("ascii") for p in self.proof]
        return ("\n".join(lines) + "\n\n" + self.note).encode("utf-8")

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpoint:
        """CheckpointError (answered 400) if the body is not an add-checkpoint request."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError(_("the request is not UTF-8 text")) from None
        head, sep, note = text.partition("\n\n")
        lines = head.split("\n")
        if not sep or not lines[0].startswith("old "):
            raise CheckpointError(_("the request must start with 'old <size>', proof lines "
                                    "and an empty line before the checkpoint"))
        size = lines[0][4:]
        if not (size == "0" or (size.isdigit() and size.isascii() and size[0] != "0"
                                and len(size) <= 20)):
            raise CheckpointError(_("old size {size!r} is not a decimal without leading zeros")
                                  .format(size=size[:24]))
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise CheckpointError(_("more than {limit} consistency proof lines")
                                  .format(limit=MAX_PROOF_LINES))
        proof = []
        for line in lines[1:]:
            try:
                digest = base64.b64decode(line, validate=True)
            except (binascii.Error, ValueError):
                raise CheckpointError(_("a proof line is not base64")) from None
            if len(digest) != merkle.HASH_SIZE:
                raise CheckpointError(_("a proof line is not a 32-byte hash"))
            proof.append(digest)
        return cls(int(size), tuple(proof), note)


# --- the policy ---------------------------------------------------------------------------
def default_policy_text(store: Store) -> str:
    """The policy when the directory sets none: every regulator in good standing is a
    witness, and one of them makes the quorum (a consortium has one regulator)."""
    regulators = []
    for m in store.member_names():
        if m.role != "regulator" or store.revocation_size(m.gln) is not None:
            continue
        for pem in store.member_certs(m.gln):
            key = load_certificate(pem).public_key()
            regulators.append((str(m.gln), key.public_bytes(Encoding.Raw, PublicFormat.Raw)))
    return member_policy(regulators[:1] if len(regulators) == 1 else regulators, quorum=1)


def held_policy(store: Store) -> WitnessPolicy:
    """The witness policy of the member directory held here (or the default one)."""
    text = store.get_meta(_DIRECTORY_META)
    directory = None if text is None else MemberDirectory.parse(text.encode())
    if directory is not None and directory.witness_policy is not None:
        return parse_policy(directory.witness_policy)
    try:
        return parse_policy(default_policy_text(store))
    except WitnessPolicyError:  # e.g. two regulators sharing a key: nobody witnesses
        return parse_policy("quorum none\n")


# --- the witness --------------------------------------------------------------------------
def _log_of(ledger: Ledger, origin: str) -> str | None:
    gln = origin.rsplit("/", 1)[-1]
    try:
        check_gln(gln)
    except CodeError:
        return None
    if ledger.origin(gln) != origin or not ledger.store.member_certs(gln):
        return None
    return gln


def add_checkpoint(ledger: Ledger, key: Ed25519PrivateKey, gln_self: str, body: bytes, peer: str,
                   timestamp: int | None = None) -> WitnessAnswer:
    """Answer a tlog-witness add-checkpoint request as the witness of member ``gln_self``."""
    try:
        request = AddCheckpoint.parse(body)
        signed = SignedCheckpoint.parse(request.note)
    except CheckpointError as exc:
        return WitnessAnswer(400, f"{exc}\n")
    cp = signed.checkpoint
    gln = _log_of(ledger, cp.origin)
    if gln is None:
        return WitnessAnswer(404, f"unknown log origin {cp.origin!r}\n")
    try:
        author = ledger.verify_checkpoint_note(gln, request.note)
    except CheckpointError as exc:
        return WitnessAnswer(403, f"{exc}\n")
    if request.old > cp.size:
        return WitnessAnswer(400, f"old size {request.old} is above the checkpoint's {cp.size}\n")
    store = ledger.store
    conflict: Conflict | None = None
    with store.transaction():
        state = store.witness_state(cp.origin)
        held = 0 if state is None else state.size
        if request.old != held:
            return WitnessAnswer(409, f"{held}\n", SIZE_CONTENT_TYPE)
        problem = _inconsistency(request, cp.size, cp.root_hash,
                                 None if state is None else state.root)
        if problem is None:
            cosignature = cosign(cp, witness_key_name(gln_self), key,
                                 timestamp or int(time.time()))
            store.put_witness_state(cp.origin, cp.size, cp.root_hash, author.to_text(),
                                    now_iso())
            mine = store.checkpoint_at(gln, cp.size)
            if mine is not None and hmac.compare_digest(mine.root, cp.root_hash):
                # The witness holds this checkpoint too (a hub, the regulator): it serves it
                # cosigned from now on, not only after its next pull from the author.
                store.put_cosignature(gln, cp.size, cosignature.key_name, cp.root_hash,
                                      cosignature.to_line(), now_iso())
        elif state is not None:
            _keep_conflict(store, gln, peer, state.note, author.to_text(), request, problem)
            conflict = _conflict(ledger, gln, state.size, state.note, author)
    if problem is not None:
        if conflict is not None:  # the author's two signed versions: a dispute of its own
            try:
                keep_dispute(ledger, conflict, DisputeChannel.WITNESS, peer)
                problem += " " + refusal(ledger, gln, conflict.from_index)
            except SupplyChainError as exc:  # the conflict evidence above is kept anyway
                problem += f" (dispute not kept: {exc})"
        return WitnessAnswer(422, f"{problem}\n")
    return WitnessAnswer(200, cosignature.to_line() + "\n")



def _inconsistency(request: AddCheckpoint, size: int, root: bytes,
                   held_root: bytes | None) -> str | None:
    """Why the checkpoint does not extend the one cosigned (None: it does)."""
    if size == 0 and not hmac.compare_digest(root, merkle.EMPTY_ROOT):
        return "a checkpoint of size 0 must have the empty tree's root"
    if request.old == 0:
        return "the proof from size 0 must be empty" if request.proof else None
    assert held_root is not None
    try:
        merkle.verify_consistency(request.old, size, held_root, root, list(request.proof))
    except MerkleError as exc:
        return f"not consistent with the checkpoint cosigned at size {request.old}: {exc}"
    return None


def _conflict(ledger: Ledger, gln: str, cosigned_size: int, cosigned: str,
              submitted: SignedCheckpoint) -> Conflict | None:
    """The dispute a refused add-checkpoint proves by the author's signatures alone: one size
    with two roots, or a size the log held here covers with another root. A proof that fails
    for a larger size proves nothing against the author (the proof is not signed)."""
    if submitted.checkpoint.size == cosigned_size:
        return Conflict(gln, 0, cosigned, submitted.to_text())
    return conflict_from_checkpoint(ledger, gln, submitted)


def _keep_conflict(store: Store, gln: str, peer: str, cosigned: str, submitted: str,
                   request: AddCheckpoint, problem: str) -> None:
    evidence = json.dumps({"log": gln, "cosigned": cosigned, "submitted": submitted,
                           "old": request.old,
                           "proof": [base64.b64encode(p).decode("ascii") for p in request.proof]},
                          sort_keys=True)
    store.put_evidence(WITNESS_CONFLICT, gln, peer,
                       f"Log {gln} asked this witness to cosign a checkpoint that does not "
                       f"extend the one it cosigned: {problem}",
                       hashlib.sha256(evidence.encode()).hexdigest(), evidence, now_iso())


# --- a log's cosignatures -------------------------------------------------------------------
def submission(ledger: Ledger, gln: str, witness: PolicyWitness) -> AddCheckpoint | None:
    """The add-checkpoint request for log ``gln``'s latest checkpoint to ``witness``
    (None: nothing new for it). The old size is the largest one it cosigned, as known here."""
    store = ledger.store
    latest = store.latest_checkpoint(gln)
    if latest is None:
        return None
    old = store.latest_cosigned(gln, witness.vkey.key_name) or 0
    if old >= latest.size:
        return None
    return AddCheckpoint(old, tuple(ledger.consistency_proof(gln, old, latest.size)) if old
                         else (), latest.note)


def keep_cosignatures(ledger: Ledger, gln: str, note: str,
                      policy: WitnessPolicy | None = None) -> list[str]:
    """Keep the cosignatures on ``note`` (a checkpoint of log ``gln``) made by the policy's
    witnesses; return their policy names. Only for a checkpoint held here (same root), signed
    by the log's author. Raises CheckpointError (CosignatureError) for a bad note or a bad
    cosignature of a known witness; unknown signature lines are ignored."""
    store = ledger.store
    cp = ledger.verify_checkpoint_note(gln, note).checkpoint
    held = store.checkpoint_at(gln, cp.size)
    if held is None or not hmac.compare_digest(held.root, cp.root_hash):
        return []
    found = vouching(policy or held_policy(store), note)
    with store.transaction():
        for witness, cosignature in found:
            store.put_cosignature(gln, cp.size, witness.vkey.key_name, cp.root_hash,
                                  cosignature.to_line(), now_iso())
    return [w.name for w, _c in found]


def cosigned_note(store: Store, gln: str) -> str | None:
    """Log ``gln``'s latest checkpoint held here, with every cosignature kept for it."""
    latest = store.latest_checkpoint(gln)
    if latest is None:
        return None
    lines = [r.line for r in store.cosignatures(gln, latest.size)
             if hmac.compare_digest(r.root, latest.root)]
    return latest.note + "".join(f"{line}\n" for line in sorted(set(lines)))


@dataclass(frozen=True)
class LogWitnessing:
    """Who vouched for the checkpoint of log ``log`` a verdict relies on."""

    log: str
    size: int | None  # the latest checkpoint held (None: none)
    witnesses: tuple[str, ...]  # policy names of the witnesses that vouched
    names: tuple[str, ...]  # the same, as member names where the name is a member's GLN
    quorum: bool

    def to_dict(self) -> dict[str, object]:
        return {"log": self.log, "size": self.size, "witnesses": list(self.witnesses),
                "vouched_by": list(self.names), "quorum": self.quorum}


def log_witnesses(store: Store, logs: Iterable[str]) -> tuple[LogWitnessing, ...]:
    """For each log, the witnesses whose kept cosignatures vouch for its latest checkpoint."""
    policy = held_policy(store)
    members = {str(m.gln): m.name for m in store.member_names()}
    out = []
    for gln in sorted(set(logs)):
        note = cosigned_note(store, gln)
        if note is None:
            out.append(LogWitnessing(gln, None, (), (), False))
            continue
        vouched, size = _vouched(policy, note)
        out.append(LogWitnessing(gln, size, vouched,
                                 tuple(members.get(v, v) for v in vouched),
                                 policy.satisfied_by(vouched)))
    return tuple(out)



_VOUCHED: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {}
_VOUCHED_MAX = 10_000


def _vouched(policy: WitnessPolicy, note: str) -> tuple[tuple[str, ...], int]:
    """The policy names of the witnesses whose cosignatures on ``note`` verify, sorted, and
    the note's checkpoint size. A pure function of the policy text and the note, so it is
    remembered: a verdict asks again for the same few notes until a log grows."""
    key = (policy.text, note)
    found = _VOUCHED.get(key)
    if found is None:
        try:
            vouched = tuple(sorted(w.name for w, _c in vouching(policy, note)))
        except CheckpointError:
            vouched = ()
        found = (vouched, SignedCheckpoint.parse(note).checkpoint.size)
        if len(_VOUCHED) >= _VOUCHED_MAX:
            _VOUCHED.clear()
        _VOUCHED[key] = found
    return found
