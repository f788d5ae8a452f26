"""Proven entries: a single log entry with its inclusion proof against a signed checkpoint.

What a light node receives from a full node (``supplychain.sync.questions``) and keeps
(``ledger.sparse``). ``verify_proven`` checks all a light node can check alone: the entry's
author and signature, the checkpoint's origin and signature by the log's author, and the
inclusion proof of the entry in that checkpoint's tree. ``keep_proven`` stores verified ones
and derives them with the same rules as whole logs (``derivation.derive_batch``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from supplychain.clock import now_iso
from supplychain.errors import InconsistentLog, LedgerError
from supplychain.i18n import _
from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.derivation import derive_batch
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.sparse import ProvenStore


@dataclass(frozen=True)
class ProvenEntry:
    """Entry ``index`` of log ``gln`` and its inclusion proof in the tree of ``size`` whose
    root the signed ``checkpoint`` (a C2SP note of that size) states."""

    gln: str
    index: int
    data: bytes
    size: int
    proof: tuple[bytes, ...]
    checkpoint: str


@dataclass(frozen=True)
class VerifiedEntry:
    entry: ProvenEntry
    signed: SignedEvent
    checkpoint: SignedCheckpoint


def verify_proven(ledger: Ledger, entry: ProvenEntry) -> VerifiedEntry:
    """Author, signature, checkpoint signature and inclusion; raises a SupplyChainError
    (EventError / IdentityError / CheckpointError / MerkleError) naming what failed."""
    signed = ledger.verify_entry(entry.gln, entry.index, entry.data)
    checkpoint = ledger.verify_checkpoint_note(entry.gln, entry.checkpoint)
    if checkpoint.checkpoint.size != entry.size:
        raise LedgerError(_("Entry {index} of log {gln} is proven at size {size}, but its "
                            "checkpoint is of size {other}.")
                          .format(index=entry.index, gln=entry.gln, size=entry.size,
                                  other=checkpoint.checkpoint.size))
    merkle.verify_inclusion(merkle.leaf_hash(entry.data), entry.index, entry.size,
                            entry.proof, checkpoint.checkpoint.root_hash)
    return VerifiedEntry(entry, signed, checkpoint)


def consistency_needed(ledger: Ledger, checkpoint: SignedCheckpoint) -> tuple[int, int] | None:
    """``(old, new)`` sizes of the consistency proof needed before trusting ``checkpoint``
    next to the latest checkpoint of its log held here (None: nothing to prove). Raises
    InconsistentLog for two checkpoints of one size with different roots (equivocation)."""
    cp = checkpoint.checkpoint
    gln = cp.origin.rsplit("/", 1)[-1]
    held = ledger.store.latest_checkpoint(gln)
    if held is None or held.size == 0:
        return None
    same = ledger.store.checkpoint_at(gln, cp.size)
    if same is not None:
        if same.root != cp.root_hash:
            raise InconsistentLog(_("Log {gln} has two signed checkpoints of size {size} with "
                                    "different roots (equivocation).")
                                  .format(gln=gln, size=cp.size))
        return None
    return (min(held.size, cp.size), max(held.size, cp.size))


def check_consistency(ledger: Ledger, checkpoint: SignedCheckpoint,
                      proof: Sequence[bytes]) -> None:
    """Check the proof asked for by ``consistency_needed``; raises MerkleError if it fails."""
    cp = checkpoint.checkpoint
    gln = cp.origin.rsplit("/", 1)[-1]
    held = ledger.store.latest_checkpoint(gln)
    assert held is not None
    if held.size < cp.size:
        merkle.verify_consistency(held.size, cp.size, held.root, cp.root_hash, proof)
    else:
        merkle.verify_consistency(cp.size, held.size, cp.root_hash, held.root, proof)


def keep_checkpoint(ledger: Ledger, checkpoint: SignedCheckpoint) -> None:
    """Keep a verified checkpoint of a log not held whole (its consistency with the held
    ones checked by the caller). Runs inside ``store.transaction()``."""
    cp = checkpoint.checkpoint
    gln = cp.origin.rsplit("/", 1)[-1]
    ledger.store.put_checkpoint(gln, cp.size, cp.root_hash, checkpoint.to_text(), now_iso())


def keep_proven(ledger: Ledger, verified: Sequence[VerifiedEntry]) -> int:
    """Store verified entries not held yet, with their checkpoints, and derive them, in one
    transaction; return how many were new. Entries of a log held whole are not stored twice."""
    proven = ProvenStore(ledger.store)
    new: list[VerifiedEntry] = []
    seen: set[str] = set()
    with ledger.store.transaction():
        for v in sorted(verified, key=lambda v: (v.entry.gln, v.entry.index)):
            h = v.signed.hash
            if h in seen or proven.event_held(h):
                continue
            seen.add(h)
            new.append(v)
            keep_checkpoint(ledger, v.checkpoint)
        proven.put((v.entry.gln, v.entry.index, v.entry.data, v.signed.hash, v.entry.size,
                    v.entry.proof) for v in new)
        derive_batch(ledger.store, ledger.member,
                     [(v.signed, v.signed.hash, v.entry.gln, v.entry.index) for v in new],
                     ledger.prefix_owners(), sparse=True)
    return len(new)


def check_included(ledger: Ledger, gln: str, index: int, data: bytes) -> None:
    """Check that ``data`` is entry ``index`` of log ``gln`` under a signed checkpoint held
    here: against the latest checkpoint for a log held whole, else against the stored proof
    of a proven entry. Raises LedgerError or MerkleError."""
    store = ledger.store
    if store.log_size(gln) > index:
        latest = store.latest_checkpoint(gln)
        if latest is None or latest.size <= index:
            raise LedgerError(_("Entry {index} of log {gln} is not covered by a signed "
                                "checkpoint held here.").format(index=index, gln=gln))
        proof: Sequence[bytes] = ledger.inclusion_proof(gln, index, latest.size)
        merkle.verify_inclusion(merkle.leaf_hash(data), index, latest.size, proof, latest.root)
        return
    held = ProvenStore(store).get(gln, index)
    checkpoint = store.checkpoint_at(gln, held.size) if held is not None else None
    if held is None or checkpoint is None or held.data != data:
        raise LedgerError(_("Entry {index} of log {gln} is not held here with a proof.")
                          .format(index=index, gln=gln))
    merkle.verify_inclusion(merkle.leaf_hash(data), index, held.size, held.proof,
                            checkpoint.root)
