"""Sparse entries a light node keeps: single entries of logs it does not hold whole.

A light node holds its own log whole (``entries``) and, of every other log, only the entries
that concern it, each with the RFC 6962 inclusion proof that ties it to a signed checkpoint of
that log held in ``checkpoints``. ``ProvenStore`` runs ``sql.py``'s statements for them on the
node's ``Store`` (kept apart from ``store.py``); the node's mode (full or light) is a meta fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from supplychain.errors import LedgerError
from supplychain.i18n import _
from supplychain.ids import GLN
from supplychain.ledger import sql
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.records import LogEntry
from supplychain.ledger.store import Store

MODE_KEY = "node.mode"
HASH_BYTES = 32


class NodeMode(StrEnum):
    """Whether a node replicates every log (full) or only what concerns it (light)."""

    FULL = "full"
    LIGHT = "light"


def node_mode(store: Store) -> NodeMode:
    value = store.get_meta(MODE_KEY)
    try:
        return NodeMode(value) if value is not None else NodeMode.FULL
    except ValueError:
        raise LedgerError(_("This node's mode {value!r} is neither full nor light; set it with "
                            "`supplychain node mode full|light`.").format(value=value)) from None


def set_node_mode(store: Store, mode: NodeMode) -> None:
    with store.transaction():
        store.set_meta(MODE_KEY, mode.value)


@dataclass(frozen=True)
class StoredProof:
    """A proven entry as stored: its bytes and its inclusion proof at ``size``."""

    data: bytes
    size: int
    proof: tuple[bytes, ...]


def _split(blob: bytes) -> tuple[bytes, ...]:
    if len(blob) % HASH_BYTES:
        raise LedgerError(_("A stored inclusion proof is damaged; re-sync from peers."))
    return tuple(blob[i:i + HASH_BYTES] for i in range(0, len(blob), HASH_BYTES))


class ProvenStore:
    """The ``proven_entries`` table of one store (one thread, the store's)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, rows: Iterable[tuple[str, int, bytes, str, int, Iterable[bytes]]]) -> None:
        """``(gln, idx, data, event_hash, size, proof)`` rows; a held one is left as it is."""
        self.store.write_many(sql.PUT_PROVEN, (
            (g, i, d, h, n, b"".join(p)) for g, i, d, h, n, p in rows))

    def get(self, gln: str, idx: int) -> StoredProof | None:
        row = self.store.query_one(sql.GET_PROVEN, (gln, idx))
        if row is None:
            return None
        return StoredProof(bytes(row[0]), int(row[1]), _split(bytes(row[2])))

    def count(self) -> int:
        return int(self.store.query_one(sql.COUNT_PROVEN)[0])

    def all(self) -> Iterator[LogEntry]:
        for gln, idx, data in self.store.query_all(sql.ALL_PROVEN):
            yield LogEntry(GLN(gln), int(idx), bytes(data))

    def event_held(self, event_hash: str) -> bool:
        return self.store.query_one(sql.EVENT_HELD, (event_hash,)) is not None


def proven_batch(store: Store) -> list[tuple[SignedEvent, str, str, int]]:
    """Every proven entry held, as ``derivation.derive_batch`` takes them (a rebuild)."""
    return [(s, s.hash, e.log, e.index) for e in ProvenStore(store).all()
            for s in (SignedEvent.from_bytes(e.data),)]


def entry_bytes(store: Store, gln: str, idx: int) -> bytes:
    """Entry ``idx`` of log ``gln``: from the whole log when held, else a proven entry."""
    try:
        return store.entry(gln, idx)
    except LedgerError:
        held = ProvenStore(store).get(gln, idx)
        if held is None:
            raise
        return held.data


@dataclass(frozen=True)
class Shipment:
    """A shipment to a member, at a server-local ``position``: one pack it carries."""

    position: int
    gln: GLN
    index: int
    pack: str


class PackIndex:
    """Where a full node finds the events a light node asks about (derived tables)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _positions(self, statement: str, params: tuple[str, ...]) -> list[tuple[str, int]]:
        return [(str(g), int(i)) for g, i in self.store.query_all(statement, params)]

    def positions_of_pack(self, pack: str, gtin: str, lot: str | None) -> list[tuple[str, int]]:
        """``(log, index)`` of every event touching the pack: its chain (forks and events
        waiting for earlier history included), reports naming it, recalls of its lot."""
        found = set(self._positions(sql.EVENTS_OF_PACK, (pack,)))
        found.update(self._positions(sql.PENDING_EVENTS_OF_PACK, (pack,)))
        found.update(self._positions(sql.EVENTS_OF_REPORTS, (pack,)))
        if lot is not None:
            found.update(self._positions(sql.EVENTS_OF_RECALLS, (gtin, lot)))
        return sorted(found)

    def shipments_to(self, gln: str, since: int, limit: int) -> list[Shipment]:
        """Shipments to ``gln`` stored after position ``since`` (at most ``limit`` events)."""
        with self.store.settled():  # positions: no lower one may commit after this read
            rows = self.store.query_all(sql.SHIPMENTS_TO, (gln, since, gln, limit))
        return [Shipment(int(r[0]), GLN(r[1]), int(r[2]), str(r[3])) for r in rows]
