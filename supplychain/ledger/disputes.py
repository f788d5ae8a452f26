"""Rewritten logs: two conflicting signed versions of one author's log, kept as evidence.

A log's author signs checkpoints (size + root) of an append-only log. Two of its signed
checkpoints that cannot belong to one append-only log prove that the author rewrote its
history. Whichever channel meets the second version (a bundle, a sync peer, an EPCIS
document, a witness's add-checkpoint) refuses it AND keeps, in its own committed transaction:

- a row of ``disputes``: the author, the checkpoint note held here and the conflicting one,
  both exactly as signed, where the conflicting version's entries were at hand its first
  differing entry (base64) with its inclusion proof in that version, the channel, the relay
  (peer, file or witness), when first and last seen and how often;
- an alert of kind ``rewritten_log``: a row of ``evidence`` (the local detections kept apart
  from the derived tables, so a rebuild keeps it and a refused import leaves the derived state
  as it was) naming the author (subject), the relay (peer) and the dispute (its digest).

Only a conflict the author's own signatures prove is kept here (``Conflict``): the two notes
verify with the author's key and either have one size with different roots, or the smaller
one's root differs from the larger one's tree at that size (from entries held here), or the
conflicting version's entries lead to its signed root and differ from the entries held here
within what a signed checkpoint held here covers. A relay's unsigned word (a bad proof, an
entry without the checkpoint it belongs to) is evidence against the relay, not a dispute.

The disputed part of a log starts at ``from_index``: the first index where the two versions
differ when the conflicting entries were at hand; otherwise 0 (a checkpoint alone does not
say where the versions part). Every pack with an event at or after it in that log gets
``Reason.DISPUTED_LOG`` (SUSPECT), never GENUINE (``supplychain.node.facts``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from supplychain.clock import now_iso
from supplychain.errors import DisputeError
from supplychain.i18n import _
from supplychain.ledger import merkle
from supplychain.ledger.alerts import AlertKind
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.logs import Ledger
from supplychain.ledger.records import DisputeRecord

#: Entries of a log compared at a time when looking for the first that differs.
COMPARE_CHUNK = 2_000


class DisputeChannel(StrEnum):
    """Where the conflicting version came from."""

    BUNDLE = "bundle"
    SYNC = "sync"
    EPCIS = "epcis"
    WITNESS = "witness"


@dataclass(frozen=True)
class Conflict:
    """Two signed checkpoint notes of log ``author`` that cannot both be its history."""

    author: str
    from_index: int
    ours: str  # the note held here (or cosigned), exactly as signed
    theirs: str  # the conflicting note, exactly as signed
    entry_index: int | None = None  # the first entry that differs, when theirs were at hand
    entry_theirs: bytes | None = None
    proof_theirs: tuple[bytes, ...] | None = None  # its inclusion proof in theirs

    @property
    def digest(self) -> str:
        """The dispute's identity: a hash of the two statements and the entry."""
        text = json.dumps([self.ours, self.theirs, self.entry_index,
                           None if self.entry_theirs is None
                           else base64.b64encode(self.entry_theirs).decode()])
        return hashlib.sha256(text.encode()).hexdigest()


def _leaf_hashes(entries: Sequence[bytes]) -> list[bytes]:
    return [merkle.leaf_hash(e) for e in entries]


def conflict_from_entries(ledger: Ledger, gln: str, theirs: SignedCheckpoint,
                          entries: Sequence[bytes]) -> Conflict | None:
    """The conflict shown by another version's entries ``0..theirs.size`` (a bundle's log, a
    peer's pages), or None when they prove nothing against the author: they do not lead to
    its signed root (a relay's doing), or they agree with every entry a signed checkpoint
    held here covers."""
    size = theirs.checkpoint.size
    if len(entries) < size:
        return None
    leaves = _leaf_hashes(entries[:size])
    if not hmac.compare_digest(merkle.root(leaves), theirs.checkpoint.root_hash):
        return None
    store = ledger.store
    latest = store.latest_checkpoint(gln)
    if latest is None:
        return None
    end = min(size, latest.size)
    for start in range(0, end, COMPARE_CHUNK):
        mine = store.entries(gln, start, min(end, start + COMPARE_CHUNK))
        differs = next((start + i for i, data in enumerate(mine)
                        if data != entries[start + i]), None)
        if differs is not None:
            ours = _covering(ledger, gln, differs) or latest.note
            return Conflict(gln, differs, ours, theirs.to_text(), differs, entries[differs],
                            tuple(merkle.inclusion_proof(leaves, differs)))
    return None


def conflict_from_checkpoint(ledger: Ledger, gln: str,
                             theirs: SignedCheckpoint) -> Conflict | None:
    """The conflict shown by another version's signed checkpoint alone: a checkpoint of its
    size is held with another root (equivocation), or its size is within what a signed
    checkpoint held here covers and its root differs from the held tree's at that size.
    None otherwise (a larger checkpoint alone proves nothing)."""
    cp = theirs.checkpoint
    same = ledger.store.checkpoint_at(gln, cp.size)
    if same is not None and not hmac.compare_digest(same.root, cp.root_hash):
        return Conflict(gln, 0, same.note, theirs.to_text())
    if cp.size > ledger.covered_size(gln) or cp.size > ledger.store.log_size(gln):
        return None
    if hmac.compare_digest(ledger.root(gln, cp.size), cp.root_hash):
        return None
    held = ledger.store.checkpoint_at(gln, cp.size)
    ours = held.note if held is not None else _covering(ledger, gln, cp.size)
    assert ours is not None  # covered: a checkpoint of at least cp.size is held
    return Conflict(gln, 0, ours, theirs.to_text())


def _covering(ledger: Ledger, gln: str, index: int) -> str | None:
    """The note of the smallest signed checkpoint held here that covers ``index``."""
    for record in ledger.store.all_checkpoints():  # by log, then size
        if record.log == gln and record.size > index:
            return record.note
    return None


def keep_dispute(ledger: Ledger, conflict: Conflict, channel: DisputeChannel,
                 relay: str) -> DisputeRecord:
    """Keep the dispute and its ``rewritten_log`` alert (an evidence row) in a transaction of
    their own, committed whatever becomes of the import or pull that met it (call it outside
    theirs).
    Both notes are checked to be the author's before anything is kept."""
    store = ledger.store
    if store.in_transaction:
        raise DisputeError(_("A dispute must be kept outside the refused import's transaction "
                             "(it would be undone with it)."))
    for note in (conflict.ours, conflict.theirs):
        ledger.verify_checkpoint_note(conflict.author, note)
    digest = conflict.digest
    with store.transaction():
        store.put_dispute(
            conflict.author, digest, channel.value, relay, conflict.from_index, conflict.ours,
            conflict.theirs, conflict.entry_index,
            None if conflict.entry_theirs is None
            else base64.b64encode(conflict.entry_theirs).decode(),
            None if conflict.proof_theirs is None
            else json.dumps([base64.b64encode(p).decode() for p in conflict.proof_theirs]),
            now_iso())
        store.put_evidence(AlertKind.REWRITTEN_LOG.value, conflict.author, relay,
                           alert_detail(ledger, conflict, channel, relay), digest,
                           json.dumps({"dispute": digest, "channel": channel.value,
                                       "from_index": conflict.from_index}, sort_keys=True),
                           now_iso())
    (kept,) = [d for d in store.disputes(conflict.author)
               if d.digest == digest and d.channel == channel.value and d.relay == relay]
    return kept


def alert_detail(ledger: Ledger, conflict: Conflict, channel: DisputeChannel,
                 relay: str) -> str:
    return _("{name} ({gln}) signed two conflicting versions of its log (seen through "
             "{channel} {relay}); entries from {index} on are disputed.").format(
        name=ledger.member_name(conflict.author), gln=conflict.author, channel=channel.value,
        relay=relay, index=conflict.from_index)


def refusal(ledger: Ledger, author: str, from_index: int) -> str:
    """What a refused import or pull says about a rewritten log: who, and what happens next."""
    return _("{name} ({gln}) rewrote history: two conflicting signed versions of its log "
             "were seen (disputed from entry {index} on). This version was refused and the "
             "evidence was kept (`supplychain disputes`): tell the regulator. Packs in the "
             "disputed part show SUSPECT.").format(
        name=ledger.member_name(author), gln=author, index=from_index)


def get_disputes(ledger: Ledger, author: str | None = None) -> list[DisputeRecord]:
    """The disputes held (of one author); DisputeError for an author with none."""
    found = ledger.store.disputes(author)
    if author is not None and not found:
        raise DisputeError(_("No dispute about the log of {gln} is held here (see "
                             "`supplychain disputes`).").format(gln=author))
    return found
