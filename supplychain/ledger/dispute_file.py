"""A dispute as a file a regulator can check: ``supplychain disputes show AUTHOR --out FILE``
writes it, ``supplychain disputes verify FILE`` checks it on any node of the consortium.

The file (JSON, ``supplychain.dispute.v1``) holds the author's member certificates and, per
dispute, the two signed checkpoint notes exactly as signed, and what shows that they cannot
both be the author's log:

- one size, two roots: nothing more is needed;
- an entry index ``i`` with both versions' entry ``i`` (different bytes), each with its
  inclusion proof in its version's signed tree;
- a smaller checkpoint whose root differs from the larger one's tree at that size: the
  larger tree's root at that size and the consistency proof from it to the larger one.

Verifying checks every certificate against the verifier's own consortium root, both notes
against the author's key, and that proof (RFC 6962 / RFC 9162 checks of ``merkle``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supplychain.errors import CheckpointError, DisputeError, IdentityError, MerkleError
from supplychain.files import read_input_file, write_atomically
from supplychain.i18n import _
from supplychain.identity.certificates import Member, verify_stored_certificate
from supplychain.jsonlimits import load_json
from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.disputes import get_disputes
from supplychain.ledger.logs import Ledger
from supplychain.ledger.records import DisputeRecord

FORMAT = "supplychain.dispute.v1"
MAX_FILE_BYTES = 64 * 1024**2


@dataclass(frozen=True)
class CheckedDispute:
    """One dispute of a file, verified: what proves it, in words."""

    author: str
    from_index: int
    ours_size: int
    theirs_size: int
    how: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def dispute_document(ledger: Ledger, author: str) -> dict[str, Any]:
    """Everything held about the disputes of ``author``'s log, with their proofs."""
    disputes = get_disputes(ledger, author)
    return {"format": FORMAT, "consortium": ledger.consortium, "author": author,
            "name": ledger.member_name(author), "origin": ledger.origin(author),
            "certificates": [pem.decode() for pem in ledger.store.member_certs(author)],
            "disputes": [_entry(ledger, d) for d in disputes]}


def _entry(ledger: Ledger, dispute: DisputeRecord) -> dict[str, Any]:
    ours = SignedCheckpoint.parse(dispute.statement_ours).checkpoint
    theirs = SignedCheckpoint.parse(dispute.statement_theirs).checkpoint
    out: dict[str, Any] = {
        "from_index": dispute.from_index, "channel": dispute.channel, "relay": dispute.relay,
        "first_seen": dispute.first_seen, "last_seen": dispute.last_seen,
        "count": dispute.count, "ours": dispute.statement_ours,
        "theirs": dispute.statement_theirs}
    held = ledger.store.log_size(dispute.author)
    i = dispute.entry_index
    if i is not None and dispute.entry_theirs is not None and i < min(held, ours.size):
        out |= {"entry_index": i, "entry_theirs": dispute.entry_theirs,
                "proof_theirs": json.loads(dispute.proof_theirs or "[]"),
                "entry_ours": _b64(ledger.store.entry(dispute.author, i)),
                "proof_ours": [_b64(p) for p in ledger.inclusion_proof(dispute.author, i,
                                                                       ours.size)]}
    elif theirs.size < ours.size <= held:
        out |= {"ours_root_at_their_size": _b64(ledger.root(dispute.author, theirs.size)),
                "consistency_ours": [_b64(p) for p in ledger.consistency_proof(
                    dispute.author, theirs.size, ours.size)] if theirs.size else []}
    return out


def write_dispute_file(ledger: Ledger, author: str, path: Path) -> list[CheckedDispute]:
    """Write the disputes of ``author``'s log to ``path``, checked first as a verifier would
    (DisputeError if what is held does not prove them); return the checks."""
    document = dispute_document(ledger, author)
    checked = check_dispute_document(ledger, document)
    write_atomically(path, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode(),
                     error=DisputeError)
    return checked


def verify_dispute_file(ledger: Ledger, path: Path) -> list[CheckedDispute]:
    """Check a dispute file against this node's consortium root; DisputeError if it fails."""
    data = read_input_file(path, MAX_FILE_BYTES, what="dispute file", error=DisputeError)
    document = load_json(data, max_bytes=MAX_FILE_BYTES, max_depth=6,
                         what=f"Dispute file {path}", error=DisputeError)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DisputeError(_("{path} is not a {format} file.").format(path=path, format=FORMAT))
    return check_dispute_document(ledger, document)


def check_dispute_document(ledger: Ledger, document: dict[str, Any]) -> list[CheckedDispute]:
    """Every dispute of the document, verified (DisputeError at the first that fails)."""
    try:
        author = str(document["author"])
        members = _members(ledger, author, document["certificates"])
        origin = ledger.origin(author)
        disputes = document["disputes"]
        if not isinstance(disputes, list) or not disputes:
            raise DisputeError(_("The dispute file holds no dispute."))
        return [_check(author, origin, members, d) for d in disputes]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise DisputeError(_("The dispute file is malformed ({exc}).").format(exc=exc)) from None


def _members(ledger: Ledger, author: str, pems: Sequence[str]) -> list[Member]:
    members = []
    for pem in pems:
        try:
            member = verify_stored_certificate(pem.encode(), ledger.root_cert)
        except IdentityError as exc:
            raise DisputeError(_("A certificate in the dispute file is not one of this "
                                 "consortium's ({exc}).").format(exc=exc)) from None
        if member.info.gln == author:
            members.append(member)
    if not members:
        raise DisputeError(_("The dispute file holds no certificate of {gln}.")
                           .format(gln=author))
    return members


def _signed(note: str, origin: str, members: list[Member], which: str) -> SignedCheckpoint:
    signed = SignedCheckpoint.parse(note)
    if signed.checkpoint.origin != origin:
        raise DisputeError(_("The {which} statement is not of log {origin}.")
                           .format(which=which, origin=origin))
    for member in members:
        try:
            signed.verify(member.public_key)
            return signed
        except CheckpointError:
            continue
    raise DisputeError(_("The {which} statement is not signed by the author's key.")
                       .format(which=which))


def _hashes(items: Any) -> list[bytes]:
    return [base64.b64decode(p, validate=True) for p in items]


def _check(author: str, origin: str, members: list[Member],
           d: dict[str, Any]) -> CheckedDispute:
    ours = _signed(d["ours"], origin, members, "held").checkpoint
    theirs = _signed(d["theirs"], origin, members, "conflicting").checkpoint
    from_index = int(d["from_index"])
    try:
        if ours.size == theirs.size:
            if hmac.compare_digest(ours.root_hash, theirs.root_hash):
                raise DisputeError(_("The two statements agree (same size, same root)."))
            how = _("one size ({size}), two roots").format(size=ours.size)
        elif "entry_index" in d:
            i = int(d["entry_index"])
            mine = base64.b64decode(d["entry_ours"], validate=True)
            other = base64.b64decode(d["entry_theirs"], validate=True)
            if mine == other:
                raise DisputeError(_("The two entries at {index} are the same.")
                                   .format(index=i))
            merkle.verify_inclusion(merkle.leaf_hash(mine), i, ours.size,
                                    _hashes(d["proof_ours"]), ours.root_hash)
            merkle.verify_inclusion(merkle.leaf_hash(other), i, theirs.size,
                                    _hashes(d["proof_theirs"]), theirs.root_hash)
            how = _("entry {index} differs between the two signed trees (both proven)") \
                .format(index=i)
        elif "ours_root_at_their_size" in d and theirs.size < ours.size:
            at = base64.b64decode(d["ours_root_at_their_size"], validate=True)
            merkle.verify_consistency(theirs.size, ours.size, at, ours.root_hash,
                                      _hashes(d["consistency_ours"]))
            if hmac.compare_digest(at, theirs.root_hash):
                raise DisputeError(_("The smaller statement is a prefix of the larger one."))
            how = _("the tree of size {size} is not a prefix of the one of size {big} "
                    "(consistency proven)").format(size=theirs.size, big=ours.size)
        else:
            raise DisputeError(_("The dispute file holds no proof that the two statements "
                                 "conflict."))
    except MerkleError as exc:
        raise DisputeError(_("A proof in the dispute file fails: {exc}").format(exc=exc)) \
            from None
    return CheckedDispute(author, from_index, ours.size, theirs.size, how)
