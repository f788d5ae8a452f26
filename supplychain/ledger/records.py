"""What the store hands back: one frozen dataclass per kind of row, named by what it holds.

The store (``supplychain.ledger.store``) turns every row it reads into one of these, so no
caller indexes a positional tuple. Texts stay as stored (GLNs, hashes, ISO 8601 times);
enumerated columns come back as their enum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from supplychain.ids import GLN, EventHash
from supplychain.ledger.events import EventType
from supplychain.ledger.rules import PackStatus

__all__ = [
    "AlertRecord",
    "ChainStep",
    "CheckpointRecord",
    "EventRecord",
    "EventStatus",
    "EvidenceRecord",
    "ItemRecord",
    "LogEntry",
    "ManufacturerPrefixes",
    "MemberSummary",
    "PackRecord",
    "PeerRecord",
    "ReportRecord",
    "StoredNode",
    "SyncRecord",
]


class EventStatus(StrEnum):
    """Where derivation left a stored event."""

    APPLIED = "applied"
    PENDING = "pending"  # waits for an earlier event of one of its packs
    REJECTED = "rejected"


# --- the directory ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MemberSummary:
    """A known member organisation, as listed in the directory."""

    gln: GLN
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class ManufacturerPrefixes:
    """The GS1 company prefixes a manufacturer's certificate lets it commission under."""

    gln: GLN
    prefixes: tuple[str, ...]


# --- logs -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LogEntry:
    """One entry of a log: the signed event's bytes at ``index``."""

    log: GLN
    index: int
    data: bytes


@dataclass(frozen=True, slots=True)
class StoredNode:
    """A perfect Merkle subtree hash of a log (level 0: leaf hashes)."""

    log: GLN
    level: int
    index: int
    hash: bytes


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """A signed checkpoint held here, and when this node received (or made) it."""

    log: GLN
    size: int
    root: bytes
    note: str
    received: str


# --- derived state -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EventRecord:
    """A stored event's place in its log and what derivation made of it."""

    event_hash: EventHash
    log: GLN
    index: int
    type: str
    time: str
    status: EventStatus
    reason: str | None


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One pack of one applied event, with the pack's state after it."""

    event_hash: EventHash
    pack: str
    prev: EventHash | None
    depth: int  # 0 for commissioning, prev's depth + 1 otherwise
    lot: str
    expiry: str  # ISO date
    status: str
    custodian: GLN
    recipient: GLN | None
    container: str | None = None  # the SSCC of the case it is directly in after the event
    contents: int | None = None  # a case's row: how many packs or cases are directly inside


@dataclass(frozen=True)
class PackRecord:
    """The derived state of one pack (its head event), as the verdict needs it."""

    pack: str
    gtin: str
    serial: str
    lot: str
    expiry: date
    status: PackStatus
    custodian: GLN
    recipient: GLN | None
    head: EventHash
    forked: bool


@dataclass(frozen=True)
class ChainStep:
    """One event of a pack's custody chain, oldest first."""

    event_hash: EventHash
    prev: EventHash | None
    log: GLN
    index: int
    type: EventType
    time: str
    status: PackStatus
    custodian: GLN
    recipient: GLN | None


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A member's report that a pack is suspect."""

    event_hash: EventHash
    reporter: GLN
    reason: str


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """Something derivation flagged: a fork, a rejected or duplicate event.

    ``evidence`` names what proves it (e.g. the two event hashes of a fork, comma-separated).
    """

    kind: str
    subject: str
    detail: str
    evidence: str


# --- peer sync ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PeerRecord:
    """A peer node this node pulls from, and how the last attempts went."""

    url: str
    gln: GLN | None  # learnt from its certificate on the first successful round
    state: str  # active, failing or blocked
    reason: str | None
    added: str
    last_attempt: str | None
    last_success: str | None
    failures: int


@dataclass(frozen=True, slots=True)
class SyncRecord:
    """When a log was last brought up to date from a peer, and to which size."""

    log: GLN
    last_synced: str
    peer: str
    size: int


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """Proof that a peer lied (forged entry, rewritten history, ...), kept with its count."""

    kind: str
    subject: str
    peer: str
    detail: str
    evidence: str
    first_seen: str
    last_seen: str
    count: int


@dataclass(frozen=True, slots=True)
class DisputeRecord:
    """Two conflicting signed statements of one log's author (``supplychain.ledger.disputes``):
    the checkpoint note held here and the one that contradicts it, both exactly as signed;
    where the conflicting version's entries were at hand, its entry at ``entry_index`` (the
    first that differs, base64). Entries from ``from_index`` on are in dispute."""

    author: GLN
    digest: str  # sha256 of the two statements and the entry: the dispute's identity
    channel: str  # bundle | sync | epcis | witness
    relay: str  # the peer, file or witness it came through
    from_index: int
    statement_ours: str
    statement_theirs: str
    entry_index: int | None
    entry_theirs: str | None
    proof_theirs: str | None  # JSON: the entry's inclusion proof in theirs (base64 hashes)
    first_seen: str
    last_seen: str
    count: int


@dataclass(frozen=True, slots=True)
class WitnessStateRecord:
    """What this node, as a witness, last cosigned for the log ``origin``."""

    origin: str
    size: int
    root: bytes
    note: str
    updated: str


@dataclass(frozen=True, slots=True)
class CosignatureRecord:
    """A verified witness cosignature (one signed-note line) of log ``log`` at ``size``."""

    log: GLN
    size: int
    witness: str  # the witness's key name
    root: bytes
    line: str
    received: str
