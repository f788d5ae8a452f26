"""The SQLite store: runs the statements of ``supplychain.ledger.sql``, returns records.

One connection, owned by one thread, in WAL mode. Callers group writes with ``transaction()``
(BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error), so a batch lands whole or not at all.
Every row read comes back as a frozen dataclass of ``supplychain.ledger.records``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from supplychain.errors import LedgerError
from supplychain.i18n import _
from supplychain.ids import GLN, EventHash
from supplychain.ledger import sql
from supplychain.ledger.dispute_rows import DisputeRows
from supplychain.ledger.events import EventType
from supplychain.ledger.records import (
    AlertRecord,
    ChainStep,
    CheckpointRecord,
    CosignatureRecord,
    EventRecord,
    EvidenceRecord,
    ItemRecord,
    LogEntry,
    ManufacturerPrefixes,
    MemberSummary,
    PackRecord,
    PeerRecord,
    ReportRecord,
    StoredNode,
    SyncRecord,
    WitnessStateRecord,
)
from supplychain.ledger.rows import blob as _blob
from supplychain.ledger.rows import checkpoint_record as _checkpoint
from supplychain.ledger.rows import event_record as _event
from supplychain.ledger.rows import item_record as _item
from supplychain.ledger.rows import write_error
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.transactions import Transactions


class Store(Transactions, DisputeRows):
    """A node's SQLite file. Not thread-safe: one thread owns it."""

    parallel_ingest = read_only = False  # parallel ingest of logs? a read-only replica?
    prefetches = False  # reads worth batching into round trips (ledger/verdict_reads.py)

    def __init__(self, path: Path | str, *, create: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None and not create and not self.path.exists():
            raise LedgerError(_("No ledger database at {path}.").format(path=self.path))
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.conn = conn
            for pragma in sql.OPEN_PRAGMAS:
                conn.execute(pragma)
            conn.executescript(sql.SCHEMA)
            conn.executescript(sql.SCHEMA_SYNC)
            conn.executescript(sql.SCHEMA_PROVEN)
            stored = int(self.get_meta("schema_version") or sql.SCHEMA_VERSION)
            # An older file brought up to date:
            for statement in sql.upgrade_statements(stored, self.table_columns):
                conn.execute(statement)
            self.set_meta("schema_version", str(max(stored, sql.SCHEMA_VERSION)))
        except sqlite3.DatabaseError as exc:
            raise LedgerError(
                _("The ledger database {path} cannot be opened ({exc}); restore it from a "
                  "backup or re-sync from peers.").format(path=path, exc=exc)
            ) from exc

    def close(self) -> None:
        self.conn.close()

    # --- transactions -----------------------------------------------------------
    def _begin(self, shared: bool) -> None:
        try:
            self.conn.execute(sql.BEGIN)
        except sqlite3.OperationalError as exc:
            raise LedgerError(_("The ledger is busy or read-only ({exc}).")
                              .format(exc=exc)) from exc

    def _rollback(self) -> None:
        if self.conn.in_transaction:  # SQLite may have rolled back already (disk full)
            self.conn.execute(sql.ROLLBACK)

    def _commit(self) -> None:
        try:
            self.conn.execute(sql.COMMIT)
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise LedgerError(
                _("Could not save to the ledger ({exc}). Nothing was written; free disk space "
                  "and try again.").format(exc=exc)
            ) from exc

    def _one(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(statement, params).fetchone()

    def _all(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.conn.execute(statement, params).fetchall()

    @contextmanager
    def prefetched(self, reads: Sequence[tuple[str, Sequence[Any]]]) -> Iterator[None]:
        """Inside: ``reads`` (statement, parameters) are answered from one round trip
        (PostgreSQL); SQLite reads in-process, so nothing is done here."""
        yield

    def _many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self.conn.executemany(statement, rows)
        except sqlite3.DatabaseError as exc:
            raise write_error(exc) from exc

    def _in(self, statement: str, keys: Iterable[Any]) -> list[Any]:
        """Rows of ``statement`` (one ``IN ({})`` list) for every key, in chunks of MANY."""
        keys = list(keys)
        out: list[Any] = []
        for i in range(0, len(keys), sql.MANY):
            chunk = keys[i:i + sql.MANY]
            out.extend(self._all(statement.format(",".join("?" * len(chunk))), chunk))
        return out

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: undo only this block's writes if it raises."""
        self.conn.execute(sql.SAVEPOINT)
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute(sql.ROLLBACK_TO_SAVEPOINT)
                self.conn.execute(sql.RELEASE_SAVEPOINT)
            raise
        self.conn.execute(sql.RELEASE_SAVEPOINT)

    def _run(self, statement: str, params: Sequence[Any] = ()) -> None:
        try:
            self.conn.execute(statement, params)
        except sqlite3.DatabaseError as exc:
            raise write_error(exc) from exc

    def _changed(self, statement: str, params: Sequence[Any] = ()) -> int:
        """Run a write; how many rows it changed."""
        try:
            return int(self.conn.execute(statement, params).rowcount)
        except sqlite3.DatabaseError as exc:
            raise write_error(exc) from exc

    def _iter(self, statement: str) -> Iterator[Any]:
        """Rows of a statement read as they come (big tables)."""
        yield from self.conn.execute(statement)

    def query_one(self, statement: str, params: Sequence[Any] = ()) -> Any:  # for sparse.py
        return self._one(statement, params)

    def query_all(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._all(statement, params)

    def write_many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        self._many(statement, rows)

    # --- meta ----------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._one(sql.GET_META, (key,))
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._run(sql.SET_META, (key, value))

    # --- members and revocations -------------------------------------------------
    def put_member(self, gln: str, serial: int, key_id: str, name: str, role: str,
                   prefixes: str, cert_pem: bytes) -> None:
        self._run(sql.PUT_MEMBER, (gln, str(serial), key_id, name, role, prefixes, cert_pem))

    def member_certs(self, gln: str) -> list[bytes]:
        return [_blob(r[0]) for r in self._all(sql.GET_MEMBER_CERTS, (gln,))]

    def member_cert(self, gln: str, key_id: str) -> bytes | None:
        row = self._one(sql.GET_MEMBER_CERT_BY_KEY, (gln, key_id))
        return None if row is None else _blob(row[0])

    def member_certs_by_key_id(self, key_id: str) -> list[bytes]:
        return [_blob(r[0]) for r in self._all(sql.MEMBER_CERT_BY_KEY_ID, (key_id,))]

    def all_member_certs(self) -> list[bytes]:
        return [_blob(r[0]) for r in self._all(sql.ALL_MEMBER_CERTS)]

    def manufacturer_prefixes(self) -> list[ManufacturerPrefixes]:
        return [ManufacturerPrefixes(GLN(r[0]), tuple(json.loads(r[1])))
                for r in self._all(sql.MANUFACTURER_PREFIXES)]

    def member_names(self) -> list[MemberSummary]:
        return [MemberSummary(GLN(r[0]), r[1], r[2]) for r in self._all(sql.MEMBER_NAMES)]

    def put_revocation(self, gln: str, valid_log_size: int, data: str) -> None:
        self._run(sql.PUT_REVOCATION, (gln, valid_log_size, data))

    def revocation_size(self, gln: str) -> int | None:
        row = self._one(sql.GET_REVOCATION_SIZE, (gln,))
        return None if row is None else int(row[0])

    def all_revocations(self) -> list[str]:
        return [r[0] for r in self._all(sql.ALL_REVOCATIONS)]

    # --- logs ------------------------------------------------------------------------
    def log_size(self, gln: str) -> int:
        return int(self._one(sql.LOG_SIZE, (gln,))[0])

    def log_sizes(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self._all(sql.LOG_SIZES)}

    def put_entry(self, gln: str, idx: int, data: bytes, event_hash: str) -> None:
        self._run(sql.PUT_ENTRY, (gln, idx, data, event_hash))

    def entry(self, gln: str, idx: int) -> bytes:
        row = self._one(sql.GET_ENTRY, (gln, idx))
        if row is None:
            raise LedgerError(_("Log {gln} has no entry {idx}.").format(gln=gln, idx=idx))
        return _blob(row[0])

    def entries(self, gln: str, start: int, end: int) -> list[bytes]:
        return [_blob(r[1]) for r in self._all(sql.GET_ENTRIES, (gln, start, end))]

    def all_entries(self) -> Iterator[LogEntry]:
        for gln, idx, data in self._iter(sql.ALL_ENTRIES):
            yield LogEntry(GLN(gln), int(idx), _blob(data))

    def put_entries(self, rows: Iterable[tuple[str, int, bytes, str]]) -> None:
        """Many ``(gln, idx, data, event_hash)`` entries in one statement."""
        self._many(sql.PUT_ENTRY, rows)

    def truncate_log(self, gln: str, size: int) -> None:
        """Delete log ``gln``'s entries from index ``size`` on, and every Merkle node that
        covers one of them (the caller rebuilds the derived tables)."""
        self._run(sql.TRUNCATE_ENTRIES, (gln, size))
        self._run(sql.TRUNCATE_NODES, (gln, size))

    def put_nodes(self, gln: str, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        self._many(sql.PUT_NODE, ((gln, lv, ix, h) for lv, ix, h in nodes))

    def node(self, gln: str, level: int, idx: int) -> bytes:
        row = self._one(sql.GET_NODE, (gln, level, idx))
        if row is None:
            raise LedgerError(_("Log {gln} is missing Merkle node ({level}, {idx}).")
                              .format(gln=gln, level=level, idx=idx))
        return _blob(row[0])

    def nodes_at(self, gln: str, wanted: Iterable[tuple[int, int]]
                 ) -> dict[tuple[int, int], bytes]:
        """Many ``node`` lookups of one log in one statement (absent ones are left out)."""
        out: dict[tuple[int, int], bytes] = {}
        pairs = sorted(set(wanted))
        for i in range(0, len(pairs), sql.MANY // 2):
            chunk = pairs[i:i + sql.MANY // 2]
            params: list[Any] = [x for pair in chunk for x in pair]
            params.append(gln)
            statement = sql.NODES_AT.format(",".join(["(?, ?)"] * len(chunk)))
            for level, idx, h in self._all(statement, params):
                out[(int(level), int(idx))] = _blob(h)
        return out

    def all_nodes(self) -> Iterator[StoredNode]:
        for gln, level, idx, h in self._iter(sql.ALL_NODES):
            yield StoredNode(GLN(gln), int(level), int(idx), _blob(h))

    # --- checkpoints -----------------------------------------------------------------
    def put_checkpoint(self, gln: str, size: int, root: bytes, note: str, received: str) -> None:
        self._run(sql.PUT_CHECKPOINT, (gln, size, root, note, received))

    def checkpoint_at(self, gln: str, size: int) -> CheckpointRecord | None:
        row = self._one(sql.GET_CHECKPOINT, (gln, size))
        return None if row is None else _checkpoint(row)

    def latest_checkpoint(self, gln: str) -> CheckpointRecord | None:
        row = self._one(sql.LATEST_CHECKPOINT, (gln,))
        return None if row is None else _checkpoint(row)

    def all_checkpoints(self) -> list[CheckpointRecord]:
        return [_checkpoint(r) for r in self._all(sql.ALL_CHECKPOINTS)]

    # --- derived: events and their items -----------------------------------------------
    def event_row(self, event_hash: str) -> EventRecord | None:
        row = self._one(sql.GET_EVENT, (event_hash,))
        return None if row is None else _event(row)

    def event_rows(self, hashes: Iterable[str]) -> dict[str, EventRecord]:
        """``event_row`` of many events at once (absent ones are left out)."""
        return {r[0]: _event(r) for r in self._in(sql.EVENTS_IN, hashes)}

    def put_events(self, rows: Iterable[EventRecord]) -> None:
        self._many(sql.PUT_EVENT, ((r.event_hash, r.log, r.index, r.type, r.time,
                                    r.status.value, r.reason) for r in rows))

    def set_events_status(self, rows: Iterable[EventRecord]) -> None:
        """Store the status and reason of events already stored."""
        self._many(sql.SET_EVENT_STATUS, ((r.status.value, r.reason, r.event_hash)
                                          for r in rows))

    def items_of_packs(self, packs: Iterable[str]) -> list[ItemRecord]:
        """Every item of the given packs (in no particular order)."""
        return [_item(r) for r in self._in(sql.ITEMS_OF_PACKS_IN, packs)]

    def items_of_pack(self, pack: str) -> list[ItemRecord]:
        return [_item(r) for r in self._all(sql.ITEMS_OF_PACK, (pack,))]

    def put_items(self, rows: Iterable[ItemRecord]) -> None:
        self._many(sql.PUT_ITEM, ((r.event_hash, r.pack, r.prev, r.depth, r.lot, r.expiry,
                                   r.status, r.custodian, r.recipient, r.container, r.contents)
                                  for r in rows))

    def waited_on(self, hashes: Iterable[str]) -> set[str]:
        """Which of these events some pending event waits for."""
        return {r[0] for r in self._in(sql.WAITED_ON_IN, hashes)}

    def chain_of_pack(self, pack: str) -> list[ChainStep]:
        """Every applied event of the pack, oldest first (forks included, by depth)."""
        return [ChainStep(EventHash(r[0]), EventHash(r[1]) if r[1] else None, GLN(r[3]),
                          int(r[4]), EventType(r[5]), r[6], PackStatus(r[7]), GLN(r[8]),
                          GLN(r[9]) if r[9] else None)
                for r in self._all(sql.CHAIN_OF_PACK, (pack,))]

    def put_pending(self, event_hash: str, waiting_on: str) -> None:
        self._run(sql.PUT_PENDING, (event_hash, waiting_on))

    def waiting_on(self, event_hash: str) -> list[str]:
        return [r[0] for r in self._all(sql.WAITING_ON, (event_hash,))]

    def clear_pending(self, event_hash: str) -> None:
        self._run(sql.CLEAR_PENDING, (event_hash,))
        self._run(sql.CLEAR_PENDING_PACKS, (event_hash,))

    def put_pending_pack(self, event_hash: str, pack: str) -> None:
        self._run(sql.PUT_PENDING_PACK, (event_hash, pack))

    def pending_for_pack(self, pack: str) -> int:
        """How many events naming this pack wait for an earlier event not held here."""
        return int(self._one(sql.PENDING_FOR_PACK, (pack,))[0])

    def count_pending(self) -> int:
        return int(self._one(sql.COUNT_PENDING)[0])

    def event_counts(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self._all(sql.COUNT_EVENTS_BY_STATUS)}

    # --- derived: packs, recalls, reports, alerts -----------------------------------
    def put_packs(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Many ``(pack, gtin, serial, lot, expiry, status, custodian, recipient, head,
        forked)`` rows (forked as 0/1), applied in order."""
        self._many(sql.PUT_PACK, rows)

    def pack_row(self, pack: str) -> PackRecord | None:
        row = self._one(sql.GET_PACK, (pack,))
        if row is None:
            return None
        return PackRecord(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]),
                          PackStatus(row[5]), GLN(row[6]), GLN(row[7]) if row[7] else None,
                          EventHash(row[8]), bool(row[9]))

    def gtin_known(self, gtin: str) -> bool:
        return self._one(sql.GTIN_KNOWN, (gtin,)) is not None

    def packs_of_lot(self, gtin: str, lot: str) -> list[str]:
        return [r[0] for r in self._all(sql.PACKS_OF_LOT, (gtin, lot))]

    def put_recall(self, gtin: str, lot: str, event_hash: str) -> None:
        self._run(sql.PUT_RECALL, (gtin, lot, event_hash))

    def recalls(self, gtin: str, lot: str) -> list[str]:
        return [r[0] for r in self._all(sql.GET_RECALLS, (gtin, lot))]

    def put_report(self, pack: str, event_hash: str, reporter: str, reason: str) -> None:
        self._run(sql.PUT_REPORT, (pack, event_hash, reporter, reason))

    def reports(self, pack: str) -> list[ReportRecord]:
        return [ReportRecord(EventHash(r[0]), GLN(r[1]), r[2])
                for r in self._all(sql.GET_REPORTS, (pack,))]

    def put_alerts(self, rows: Iterable[AlertRecord]) -> None:
        self._many(sql.PUT_ALERT, ((a.kind, a.subject, a.detail, a.evidence) for a in rows))

    def alerts(self) -> list[AlertRecord]:
        return [AlertRecord(r[0], r[1], r[2], r[3]) for r in self._all(sql.ALL_ALERTS)]

    # --- rebuild and audit support --------------------------------------------------
    def clear_derived(self) -> None:
        for table in sql.DERIVED_TABLES:
            self._run(sql.CLEAR_TABLE[table])

    def derived_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every derived table, sorted: two equal snapshots mean equal state."""
        return {table: sorted(tuple(r) for r in self._all(sql.ALL_ROWS[table]))
                for table in sql.DERIVED_TABLES}

    def copy_to_memory(self) -> Store:
        """A private in-memory copy (sqlite backup API), e.g. to rebuild and compare."""
        copy = Store(":memory:", create=True)
        self.conn.backup(copy.conn)
        return copy

    @contextmanager
    def scratch(self) -> Iterator[Store]:
        """A store to change and throw away (an audit's rebuild): here, an in-memory copy."""
        with closing(self.copy_to_memory()) as copy:
            yield copy

    @contextmanager
    def settled(self) -> Iterator[None]:
        """Reads that see no writer in flight (SQLite: nothing to wait for; PgStore waits)."""
        yield

    def table_columns(self, table: str) -> list[str]:  # in order (for a store copy)
        return [str(r[0]) for r in self._all(sql.TABLE_COLUMNS, (table,))]

    def integrity_check(self) -> str:
        return str(self._one(sql.INTEGRITY_CHECK)[0])

    # --- peer sync: peers, sync state, evidence -------------------------------------
    def add_peer(self, url: str, now: str) -> bool:
        return self._changed(sql.PUT_PEER, (url, now)) > 0

    def remove_peer(self, url: str) -> bool:
        return self._changed(sql.DELETE_PEER, (url,)) > 0

    def peers(self) -> list[PeerRecord]:
        return [PeerRecord(r[0], GLN(r[1]) if r[1] else None, r[2], r[3], r[4], r[5], r[6],
                           int(r[7]))
                for r in self._all(sql.ALL_PEERS)]

    def peer_attempt(self, url: str, now: str) -> None:
        self._run(sql.PEER_ATTEMPT, (now, url))

    def peer_success(self, url: str, gln: str | None, now: str) -> None:
        self._run(sql.PEER_SUCCESS, (gln, now, url))

    def peer_failure(self, url: str, reason: str) -> None:
        self._run(sql.PEER_FAILURE, (reason, url))

    def block_peer(self, url: str, reason: str, gln: str | None = None) -> None:
        self._run(sql.PEER_BLOCK, (reason, gln, url))

    def unblock_peer(self, url: str) -> bool:
        return self._changed(sql.PEER_UNBLOCK, (url,)) > 0

    def put_synced(self, gln: str, when: str, peer: str, size: int) -> None:
        self._run(sql.PUT_SYNCED, (gln, when, peer, size))

    def synced(self) -> dict[str, SyncRecord]:
        """When each log was last synced, by log."""
        return {r[0]: SyncRecord(GLN(r[0]), r[1], r[2], int(r[3]))
                for r in self._all(sql.ALL_SYNCED)}

    def put_evidence(self, kind: str, subject: str, peer: str, detail: str, digest: str,
                     evidence: str, now: str) -> None:
        self._run(sql.PUT_EVIDENCE, (kind, subject, peer, detail, digest, evidence, now, now))

    def evidence(self) -> list[EvidenceRecord]:
        return [EvidenceRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], int(r[7]))
                for r in self._all(sql.ALL_EVIDENCE)]

    # --- witnesses ----------------------------------------------------------------------
    def witness_state(self, origin: str) -> WitnessStateRecord | None:
        r = self._one(sql.GET_WITNESS_STATE, (origin,))
        return None if r is None else WitnessStateRecord(r[0], int(r[1]), _blob(r[2]), r[3], r[4])

    def put_witness_state(self, origin: str, size: int, root: bytes, note: str,
                          now: str) -> None:
        self._run(sql.PUT_WITNESS_STATE, (origin, size, root, note, now))

    def put_cosignature(self, gln: str, size: int, witness: str, root: bytes, line: str,
                        now: str) -> None:
        self._run(sql.PUT_COSIGNATURE, (gln, size, witness, root, line, now))

    def cosignatures(self, gln: str, size: int) -> list[CosignatureRecord]:
        return [CosignatureRecord(GLN(r[0]), int(r[1]), r[2], _blob(r[3]), r[4], r[5])
                for r in self._all(sql.GET_COSIGNATURES, (gln, size))]

    def latest_cosigned(self, gln: str, witness: str) -> int | None:
        """The largest size of log ``gln`` that ``witness`` cosigned (None: never)."""
        value = self._one(sql.LATEST_COSIGNED, (gln, witness))[0]
        return None if value is None else int(value)

    def data_version(self) -> int:
        """Changes whenever another connection (another process) commits to this file."""
        return int(self._one(sql.DATA_VERSION)[0])
