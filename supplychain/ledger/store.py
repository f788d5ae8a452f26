"""The SQLite store: every SQL statement of the project lives in this module.

One connection, owned by one thread, in WAL mode. Callers group writes with ``transaction()``
(BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error), so a batch lands whole or not at all.

Tables:
- ``meta``: key/value facts about this node.
- ``members``, ``revocations``: the consortium directory (certificates are self-authenticating).
- ``entries``: every log's entries (the Merkle leaves' data), ``nodes``: every perfect subtree
  hash of every log (level 0 = leaf hashes), ``checkpoints``: signed checkpoints.
- Derived (rebuildable from the logs): ``events``, ``event_items``, ``pending``, ``packs``,
  ``recalls``, ``reports``, ``alerts``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from supplychain.errors import LedgerError

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    gln TEXT NOT NULL, serial TEXT NOT NULL, key_id TEXT NOT NULL, name TEXT NOT NULL,
    role TEXT NOT NULL, prefixes TEXT NOT NULL, cert_pem BLOB NOT NULL,
    PRIMARY KEY (gln, key_id));
CREATE TABLE IF NOT EXISTS revocations (
    gln TEXT PRIMARY KEY, valid_log_size INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    gln TEXT NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, event_hash TEXT NOT NULL,
    PRIMARY KEY (gln, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (
    gln TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
    PRIMARY KEY (gln, level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    gln TEXT NOT NULL, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL,
    received TEXT NOT NULL, PRIMARY KEY (gln, size));
CREATE TABLE IF NOT EXISTS events (
    event_hash TEXT PRIMARY KEY, gln TEXT NOT NULL, idx INTEGER NOT NULL, type TEXT NOT NULL,
    time TEXT NOT NULL, status TEXT NOT NULL, reason TEXT);
CREATE INDEX IF NOT EXISTS events_by_entry ON events (gln, idx);
CREATE TABLE IF NOT EXISTS event_items (
    event_hash TEXT NOT NULL, pack TEXT NOT NULL, prev TEXT, depth INTEGER NOT NULL,
    lot TEXT NOT NULL, expiry TEXT NOT NULL, status TEXT NOT NULL, custodian TEXT NOT NULL,
    recipient TEXT, PRIMARY KEY (event_hash, pack));
CREATE INDEX IF NOT EXISTS event_items_by_pack ON event_items (pack, prev);
CREATE TABLE IF NOT EXISTS pending (
    event_hash TEXT NOT NULL, waiting_on TEXT NOT NULL, PRIMARY KEY (waiting_on, event_hash));
CREATE TABLE IF NOT EXISTS pending_packs (
    event_hash TEXT NOT NULL, pack TEXT NOT NULL, PRIMARY KEY (pack, event_hash));
CREATE TABLE IF NOT EXISTS packs (
    pack TEXT PRIMARY KEY, gtin TEXT NOT NULL, serial TEXT NOT NULL, lot TEXT NOT NULL,
    expiry TEXT NOT NULL, status TEXT NOT NULL, custodian TEXT NOT NULL, recipient TEXT,
    head TEXT NOT NULL, forked INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS packs_by_lot ON packs (gtin, lot);
CREATE TABLE IF NOT EXISTS recalls (
    gtin TEXT NOT NULL, lot TEXT NOT NULL, event_hash TEXT NOT NULL,
    PRIMARY KEY (gtin, lot, event_hash));
CREATE TABLE IF NOT EXISTS reports (
    pack TEXT NOT NULL, event_hash TEXT NOT NULL, reporter TEXT NOT NULL, reason TEXT NOT NULL,
    PRIMARY KEY (pack, event_hash));
CREATE TABLE IF NOT EXISTS alerts (
    kind TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY (kind, subject, evidence));
"""

# Peer sync (supplychain.sync): not derived from the logs, never cleared by a rebuild.
SCHEMA_SYNC = """
CREATE TABLE IF NOT EXISTS peers (
    url TEXT PRIMARY KEY, gln TEXT, state TEXT NOT NULL, reason TEXT, added TEXT NOT NULL,
    last_attempt TEXT, last_success TEXT, failures INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sync_state (
    gln TEXT PRIMARY KEY, last_synced TEXT NOT NULL, peer TEXT NOT NULL, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS evidence (
    kind TEXT NOT NULL, subject TEXT NOT NULL, peer TEXT NOT NULL, detail TEXT NOT NULL,
    digest TEXT NOT NULL, evidence TEXT NOT NULL, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (kind, subject, peer, digest));
"""

DERIVED_TABLES = ("events", "event_items", "pending", "pending_packs", "packs", "recalls",
                  "reports", "alerts")

GET_META = "SELECT value FROM meta WHERE key = ?"
SET_META = """INSERT INTO meta (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value"""

PUT_MEMBER = """INSERT OR IGNORE INTO members (gln, serial, key_id, name, role, prefixes, cert_pem)
VALUES (?, ?, ?, ?, ?, ?, ?)"""
GET_MEMBER_CERTS = "SELECT cert_pem FROM members WHERE gln = ? ORDER BY key_id"
GET_MEMBER_CERT_BY_KEY = "SELECT cert_pem FROM members WHERE gln = ? AND key_id = ?"
ALL_MEMBER_CERTS = "SELECT cert_pem FROM members ORDER BY gln, key_id"
MEMBER_CERT_BY_KEY_ID = "SELECT cert_pem FROM members WHERE key_id = ? ORDER BY gln"
MEMBER_NAMES = "SELECT gln, name, role FROM members ORDER BY gln"
MANUFACTURER_PREFIXES = """SELECT gln, prefixes FROM members WHERE role = 'manufacturer'
ORDER BY gln"""

PUT_REVOCATION = """INSERT INTO revocations (gln, valid_log_size, data) VALUES (?, ?, ?)
ON CONFLICT (gln) DO UPDATE SET valid_log_size = min(valid_log_size, excluded.valid_log_size),
data = CASE WHEN excluded.valid_log_size < valid_log_size THEN excluded.data ELSE data END"""
GET_REVOCATION_SIZE = "SELECT valid_log_size FROM revocations WHERE gln = ?"
ALL_REVOCATIONS = "SELECT data FROM revocations ORDER BY gln"

LOG_SIZE = "SELECT count(*) FROM entries WHERE gln = ?"
LOG_SIZES = "SELECT gln, count(*) FROM entries GROUP BY gln ORDER BY gln"
PUT_ENTRY = "INSERT INTO entries (gln, idx, data, event_hash) VALUES (?, ?, ?, ?)"
GET_ENTRY = "SELECT data FROM entries WHERE gln = ? AND idx = ?"
GET_ENTRIES = "SELECT idx, data FROM entries WHERE gln = ? AND idx >= ? AND idx < ? ORDER BY idx"
ALL_ENTRIES = "SELECT gln, idx, data FROM entries ORDER BY gln, idx"
PUT_NODE = "INSERT INTO nodes (gln, level, idx, hash) VALUES (?, ?, ?, ?)"
GET_NODE = "SELECT hash FROM nodes WHERE gln = ? AND level = ? AND idx = ?"
ALL_NODES = "SELECT gln, level, idx, hash FROM nodes ORDER BY gln, level, idx"

PUT_CHECKPOINT = """INSERT OR IGNORE INTO checkpoints (gln, size, root, note, received)
VALUES (?, ?, ?, ?, ?)"""
GET_CHECKPOINT = "SELECT root, note FROM checkpoints WHERE gln = ? AND size = ?"
LATEST_CHECKPOINT = """SELECT size, root, note, received FROM checkpoints WHERE gln = ?
ORDER BY size DESC LIMIT 1"""
ALL_CHECKPOINTS = "SELECT gln, size, root, note FROM checkpoints ORDER BY gln, size"

PUT_EVENT = """INSERT INTO events (event_hash, gln, idx, type, time, status, reason)
VALUES (?, ?, ?, ?, ?, ?, ?)"""
SET_EVENT_STATUS = "UPDATE events SET status = ?, reason = ? WHERE event_hash = ?"
GET_EVENT = "SELECT gln, idx, type, time, status, reason FROM events WHERE event_hash = ?"
PUT_ITEM = """INSERT INTO event_items (event_hash, pack, prev, depth, lot, expiry, status,
custodian, recipient) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"""
GET_ITEM = """SELECT depth, lot, expiry, status, custodian, recipient FROM event_items
WHERE event_hash = ? AND pack = ?"""
SIBLINGS = """SELECT event_hash FROM event_items WHERE pack = ? AND prev IS ? AND event_hash != ?
ORDER BY event_hash"""
HEAD_ITEM = """SELECT event_hash, lot, expiry, status, custodian, recipient FROM event_items
WHERE pack = ? ORDER BY depth DESC, event_hash DESC LIMIT 1"""
FORKED_PREVS = """SELECT count(*) FROM (SELECT prev FROM event_items WHERE pack = ?
GROUP BY prev HAVING count(*) > 1)"""
CHAIN_OF_PACK = """SELECT i.event_hash, i.prev, i.depth, e.gln, e.idx, e.type, e.time, i.status,
i.custodian, i.recipient FROM event_items i JOIN events e ON e.event_hash = i.event_hash
WHERE i.pack = ? ORDER BY i.depth, i.event_hash"""
PUT_PENDING = "INSERT OR IGNORE INTO pending (event_hash, waiting_on) VALUES (?, ?)"
WAITING_ON = "SELECT event_hash FROM pending WHERE waiting_on = ? ORDER BY event_hash"
CLEAR_PENDING = "DELETE FROM pending WHERE event_hash = ?"
PUT_PENDING_PACK = "INSERT OR IGNORE INTO pending_packs (event_hash, pack) VALUES (?, ?)"
CLEAR_PENDING_PACKS = "DELETE FROM pending_packs WHERE event_hash = ?"
PENDING_FOR_PACK = "SELECT count(*) FROM pending_packs WHERE pack = ?"
COUNT_PENDING = "SELECT count(DISTINCT event_hash) FROM pending"
PUT_PACK = """INSERT INTO packs (pack, gtin, serial, lot, expiry, status, custodian, recipient,
head, forked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (pack) DO UPDATE SET lot = excluded.lot, expiry = excluded.expiry,
status = excluded.status, custodian = excluded.custodian, recipient = excluded.recipient,
head = excluded.head, forked = excluded.forked"""
GET_PACK = """SELECT pack, gtin, serial, lot, expiry, status, custodian, recipient, head, forked
FROM packs WHERE pack = ?"""
GTIN_KNOWN = "SELECT 1 FROM packs WHERE gtin = ? LIMIT 1"
PACKS_OF_LOT = "SELECT pack FROM packs WHERE gtin = ? AND lot = ? ORDER BY serial"
PUT_RECALL = "INSERT OR IGNORE INTO recalls (gtin, lot, event_hash) VALUES (?, ?, ?)"
GET_RECALLS = "SELECT event_hash FROM recalls WHERE gtin = ? AND lot = ? ORDER BY event_hash"
PUT_REPORT = """INSERT OR IGNORE INTO reports (pack, event_hash, reporter, reason)
VALUES (?, ?, ?, ?)"""
GET_REPORTS = "SELECT event_hash, reporter, reason FROM reports WHERE pack = ? ORDER BY event_hash"
PUT_ALERT = "INSERT OR IGNORE INTO alerts (kind, subject, detail, evidence) VALUES (?, ?, ?, ?)"
ALL_ALERTS = "SELECT kind, subject, detail, evidence FROM alerts ORDER BY kind, subject, evidence"
COUNT_EVENTS_BY_STATUS = "SELECT status, count(*) FROM events GROUP BY status ORDER BY status"

# Batched forms for ingest (one statement per batch instead of one per event; see Ledger).
MANY = 500  # host parameters per IN (...) list
EVENTS_IN = """SELECT event_hash, gln, idx, type, time, status, reason FROM events
WHERE event_hash IN ({})"""
ITEMS_OF_PACKS_IN = """SELECT pack, event_hash, prev, depth, lot, expiry, status, custodian,
recipient FROM event_items WHERE pack IN ({})"""
ITEMS_OF_PACK = """SELECT pack, event_hash, prev, depth, lot, expiry, status, custodian,
recipient FROM event_items WHERE pack = ?"""
NODES_AT = """WITH w (level, idx) AS (VALUES {}) SELECT n.level, n.idx, n.hash FROM w
JOIN nodes n ON n.gln = ? AND n.level = w.level AND n.idx = w.idx"""
WAITED_ON_IN = "SELECT DISTINCT waiting_on FROM pending WHERE waiting_on IN ({})"


class Store:
    """A node's SQLite file. Not thread-safe: one thread owns it."""

    def __init__(self, path: Path | str, *, create: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None and not create and not self.path.exists():
            raise LedgerError(f"No ledger database at {self.path}.")
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.conn = conn
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.executescript(SCHEMA)
            conn.executescript(SCHEMA_SYNC)
            if self.get_meta("schema_version") is None:
                self.set_meta("schema_version", str(SCHEMA_VERSION))
        except sqlite3.DatabaseError as exc:
            raise LedgerError(
                f"The ledger database {path} cannot be opened ({exc}); restore it from a "
                "backup or re-sync from peers."
            ) from exc
        self._depth = 0

    def close(self) -> None:
        self.conn.close()

    # --- transactions -----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic batch. Nested use joins the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise LedgerError(f"The ledger is busy or read-only ({exc}).") from exc
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            if self.conn.in_transaction:  # SQLite may have rolled back already (disk full)
                self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise LedgerError(
                f"Could not save to the ledger ({exc}). Nothing was written; free disk space "
                "and try again."
            ) from exc

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise write_error(exc) from exc

    def _in(self, sql: str, keys: Iterable[Any]) -> list[Any]:
        """Rows of ``sql`` (one ``IN ({})`` list) for every key, in chunks of MANY."""
        keys = list(keys)
        out: list[Any] = []
        for i in range(0, len(keys), MANY):
            chunk = keys[i:i + MANY]
            out.extend(self._all(sql.format(",".join("?" * len(chunk))), chunk))
        return out

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: undo only this block's writes if it raises."""
        self.conn.execute("SAVEPOINT batch")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO batch")
                self.conn.execute("RELEASE batch")
            raise
        self.conn.execute("RELEASE batch")

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        try:
            self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise write_error(exc) from exc

    # --- meta ----------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._one(GET_META, (key,))
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._run(SET_META, (key, value))

    # --- members and revocations -------------------------------------------------
    def put_member(self, gln: str, serial: int, key_id: str, name: str, role: str,
                   prefixes: str, cert_pem: bytes) -> None:
        self._run(PUT_MEMBER, (gln, str(serial), key_id, name, role, prefixes, cert_pem))

    def member_certs(self, gln: str) -> list[bytes]:
        return [_blob(r[0]) for r in self._all(GET_MEMBER_CERTS, (gln,))]

    def member_cert(self, gln: str, key_id: str) -> bytes | None:
        row = self._one(GET_MEMBER_CERT_BY_KEY, (gln, key_id))
        return None if row is None else _blob(row[0])

    def member_certs_by_key_id(self, key_id: str) -> list[bytes]:
        return [_blob(r[0]) for r in self._all(MEMBER_CERT_BY_KEY_ID, (key_id,))]

    def all_member_certs(self) -> list[bytes]:
        return [_blob(r[0]) for r in self._all(ALL_MEMBER_CERTS)]

    def manufacturer_prefixes(self) -> list[tuple[str, list[str]]]:
        return [(r[0], json.loads(r[1])) for r in self._all(MANUFACTURER_PREFIXES)]

    def member_names(self) -> list[tuple[str, str, str]]:
        return [(r[0], r[1], r[2]) for r in self._all(MEMBER_NAMES)]

    def put_revocation(self, gln: str, valid_log_size: int, data: str) -> None:
        self._run(PUT_REVOCATION, (gln, valid_log_size, data))

    def revocation_size(self, gln: str) -> int | None:
        row = self._one(GET_REVOCATION_SIZE, (gln,))
        return None if row is None else int(row[0])

    def all_revocations(self) -> list[str]:
        return [r[0] for r in self._all(ALL_REVOCATIONS)]

    # --- logs ------------------------------------------------------------------------
    def log_size(self, gln: str) -> int:
        return int(self._one(LOG_SIZE, (gln,))[0])

    def log_sizes(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self._all(LOG_SIZES)}

    def put_entry(self, gln: str, idx: int, data: bytes, event_hash: str) -> None:
        self._run(PUT_ENTRY, (gln, idx, data, event_hash))

    def entry(self, gln: str, idx: int) -> bytes:
        row = self._one(GET_ENTRY, (gln, idx))
        if row is None:
            raise LedgerError(f"Log {gln} has no entry {idx}.")
        return _blob(row[0])

    def entries(self, gln: str, start: int, end: int) -> list[bytes]:
        return [_blob(r[1]) for r in self._all(GET_ENTRIES, (gln, start, end))]

    def all_entries(self) -> Iterable[tuple[str, int, bytes]]:
        for gln, idx, data in self.conn.execute(ALL_ENTRIES):
            yield gln, int(idx), _blob(data)

    def put_entries(self, rows: Iterable[tuple[str, int, bytes, str]]) -> None:
        """Many ``(gln, idx, data, event_hash)`` entries in one statement."""
        self._many(PUT_ENTRY, rows)

    def put_nodes(self, gln: str, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        try:
            self.conn.executemany(PUT_NODE, ((gln, lv, ix, h) for lv, ix, h in nodes))
        except sqlite3.DatabaseError as exc:
            raise write_error(exc) from exc

    def node(self, gln: str, level: int, idx: int) -> bytes:
        row = self._one(GET_NODE, (gln, level, idx))
        if row is None:
            raise LedgerError(f"Log {gln} is missing Merkle node ({level}, {idx}).")
        return _blob(row[0])

    def nodes_at(self, gln: str, wanted: Iterable[tuple[int, int]]
                 ) -> dict[tuple[int, int], bytes]:
        """Many ``node`` lookups of one log in one statement (absent ones are left out)."""
        out: dict[tuple[int, int], bytes] = {}
        pairs = sorted(set(wanted))
        for i in range(0, len(pairs), MANY // 2):
            chunk = pairs[i:i + MANY // 2]
            params: list[Any] = [x for pair in chunk for x in pair]
            params.append(gln)
            sql = NODES_AT.format(",".join(["(?, ?)"] * len(chunk)))
            for level, idx, h in self._all(sql, params):
                out[(int(level), int(idx))] = _blob(h)
        return out

    def all_nodes(self) -> Iterable[tuple[str, int, int, bytes]]:
        for gln, level, idx, h in self.conn.execute(ALL_NODES):
            yield gln, int(level), int(idx), _blob(h)

    # --- checkpoints -----------------------------------------------------------------
    def put_checkpoint(self, gln: str, size: int, root: bytes, note: str, received: str) -> None:
        self._run(PUT_CHECKPOINT, (gln, size, root, note, received))

    def checkpoint_at(self, gln: str, size: int) -> tuple[bytes, str] | None:
        row = self._one(GET_CHECKPOINT, (gln, size))
        return None if row is None else (_blob(row[0]), str(row[1]))

    def latest_checkpoint(self, gln: str) -> tuple[int, bytes, str, str] | None:
        row = self._one(LATEST_CHECKPOINT, (gln,))
        return None if row is None else (int(row[0]), _blob(row[1]), str(row[2]), str(row[3]))

    def all_checkpoints(self) -> list[tuple[str, int, bytes, str]]:
        return [(r[0], int(r[1]), _blob(r[2]), r[3]) for r in self._all(ALL_CHECKPOINTS)]

    # --- derived: events -----------------------------------------------------------
    def put_event(self, event_hash: str, gln: str, idx: int, etype: str, time: str,
                  status: str, reason: str | None) -> None:
        self._run(PUT_EVENT, (event_hash, gln, idx, etype, time, status, reason))

    def set_event_status(self, event_hash: str, status: str, reason: str | None) -> None:
        self._run(SET_EVENT_STATUS, (status, reason, event_hash))

    def event_row(self, event_hash: str) -> tuple[str, int, str, str, str, str | None] | None:
        row = self._one(GET_EVENT, (event_hash,))
        return None if row is None else (row[0], int(row[1]), row[2], row[3], row[4], row[5])

    def event_rows(self, hashes: Iterable[str]
                   ) -> dict[str, tuple[str, int, str, str, str, str | None]]:
        """``event_row`` of many events at once (absent ones are left out)."""
        return {r[0]: (r[1], int(r[2]), r[3], r[4], r[5], r[6])
                for r in self._in(EVENTS_IN, hashes)}

    def put_events(self, rows: Iterable[tuple[str, str, int, str, str, str, str | None]]) -> None:
        self._many(PUT_EVENT, rows)

    def set_events_status(self, rows: Iterable[tuple[str, str | None, str]]) -> None:
        """Many ``(status, reason, event_hash)`` updates."""
        self._many(SET_EVENT_STATUS, rows)

    def items_of_packs(self, packs: Iterable[str]) -> list[tuple[Any, ...]]:
        """Every item row ``(pack, event_hash, prev, depth, lot, expiry, status, custodian,
        recipient)`` of the given packs."""
        return [(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6], r[7], r[8])
                for r in self._in(ITEMS_OF_PACKS_IN, packs)]

    def items_of_pack(self, pack: str) -> list[tuple[Any, ...]]:
        return [(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6], r[7], r[8])
                for r in self._all(ITEMS_OF_PACK, (pack,))]

    def put_items(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Many ``(event_hash, pack, prev, depth, lot, expiry, status, custodian, recipient)``."""
        self._many(PUT_ITEM, rows)

    def waited_on(self, hashes: Iterable[str]) -> set[str]:
        """Which of these events some pending event waits for."""
        return {r[0] for r in self._in(WAITED_ON_IN, hashes)}

    def put_packs(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Many ``put_pack`` rows (forked as 0/1), applied in order."""
        self._many(PUT_PACK, rows)

    def put_alerts(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        self._many(PUT_ALERT, rows)

    def put_item(self, event_hash: str, pack: str, prev: str | None, depth: int, lot: str,
                 expiry: str, status: str, custodian: str, recipient: str | None) -> None:
        self._run(PUT_ITEM, (event_hash, pack, prev, depth, lot, expiry, status, custodian,
                             recipient))

    def item_state(self, event_hash: str, pack: str) -> tuple[int, str, str, str, str,
                                                               str | None] | None:
        row = self._one(GET_ITEM, (event_hash, pack))
        return None if row is None else (int(row[0]), row[1], row[2], row[3], row[4], row[5])

    def siblings(self, pack: str, prev: str | None, event_hash: str) -> list[str]:
        return [r[0] for r in self._all(SIBLINGS, (pack, prev, event_hash))]

    def head_item(self, pack: str) -> tuple[str, str, str, str, str, str | None] | None:
        row = self._one(HEAD_ITEM, (pack,))
        return None if row is None else tuple(row)

    def pack_is_forked(self, pack: str) -> bool:
        return int(self._one(FORKED_PREVS, (pack,))[0]) > 0

    def chain_of_pack(self, pack: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._all(CHAIN_OF_PACK, (pack,))]

    def put_pending(self, event_hash: str, waiting_on: str) -> None:
        self._run(PUT_PENDING, (event_hash, waiting_on))

    def waiting_on(self, event_hash: str) -> list[str]:
        return [r[0] for r in self._all(WAITING_ON, (event_hash,))]

    def clear_pending(self, event_hash: str) -> None:
        self._run(CLEAR_PENDING, (event_hash,))
        self._run(CLEAR_PENDING_PACKS, (event_hash,))

    def put_pending_pack(self, event_hash: str, pack: str) -> None:
        self._run(PUT_PENDING_PACK, (event_hash, pack))

    def pending_for_pack(self, pack: str) -> int:
        """How many events naming this pack wait for an earlier event not held here."""
        return int(self._one(PENDING_FOR_PACK, (pack,))[0])

    def count_pending(self) -> int:
        return int(self._one(COUNT_PENDING)[0])

    def event_counts(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self._all(COUNT_EVENTS_BY_STATUS)}

    # --- derived: packs, recalls, reports, alerts -----------------------------------
    def put_pack(self, pack: str, gtin: str, serial: str, lot: str, expiry: str, status: str,
                 custodian: str, recipient: str | None, head: str, forked: bool) -> None:
        self._run(PUT_PACK, (pack, gtin, serial, lot, expiry, status, custodian, recipient,
                             head, int(forked)))

    def pack_row(self, pack: str) -> tuple[Any, ...] | None:
        row = self._one(GET_PACK, (pack,))
        return None if row is None else tuple(row)

    def gtin_known(self, gtin: str) -> bool:
        return self._one(GTIN_KNOWN, (gtin,)) is not None

    def packs_of_lot(self, gtin: str, lot: str) -> list[str]:
        return [r[0] for r in self._all(PACKS_OF_LOT, (gtin, lot))]

    def put_recall(self, gtin: str, lot: str, event_hash: str) -> None:
        self._run(PUT_RECALL, (gtin, lot, event_hash))

    def recalls(self, gtin: str, lot: str) -> list[str]:
        return [r[0] for r in self._all(GET_RECALLS, (gtin, lot))]

    def put_report(self, pack: str, event_hash: str, reporter: str, reason: str) -> None:
        self._run(PUT_REPORT, (pack, event_hash, reporter, reason))

    def reports(self, pack: str) -> list[tuple[str, str, str]]:
        return [(r[0], r[1], r[2]) for r in self._all(GET_REPORTS, (pack,))]

    def put_alert(self, kind: str, subject: str, detail: str, evidence: str) -> None:
        self._run(PUT_ALERT, (kind, subject, detail, evidence))

    def alerts(self) -> list[tuple[str, str, str, str]]:
        return [(r[0], r[1], r[2], r[3]) for r in self._all(ALL_ALERTS)]

    # --- rebuild and audit support --------------------------------------------------
    def clear_derived(self) -> None:
        for table in DERIVED_TABLES:
            self._run(f"DELETE FROM {table}")  # table names are constants above

    def derived_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every derived table, sorted: two equal snapshots mean equal state."""
        return {
            table: sorted(tuple(r) for r in self._all(f"SELECT * FROM {table}"))
            for table in DERIVED_TABLES
        }

    def copy_to_memory(self) -> Store:
        """A private in-memory copy (sqlite backup API), e.g. to rebuild and compare."""
        copy = Store(":memory:", create=True)
        self.conn.backup(copy.conn)
        return copy

    def integrity_check(self) -> str:
        return str(self._one("PRAGMA integrity_check")[0])


    # --- sync: peers, sync state, evidence ---
    def add_peer(self, url: str, now: str) -> bool:
        before = self.conn.total_changes
        self._run(PUT_PEER, (url, now))
        return self.conn.total_changes > before

    def remove_peer(self, url: str) -> bool:
        before = self.conn.total_changes
        self._run(DELETE_PEER, (url,))
        return self.conn.total_changes > before

    def peers(self) -> list[tuple[str, str | None, str, str | None, str, str | None,
                                  str | None, int]]:
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], int(r[7]))
                for r in self._all(ALL_PEERS)]

    def peer_attempt(self, url: str, now: str) -> None:
        self._run(PEER_ATTEMPT, (now, url))

    def peer_success(self, url: str, gln: str | None, now: str) -> None:
        self._run(PEER_SUCCESS, (gln, now, url))

    def peer_failure(self, url: str, reason: str) -> None:
        self._run(PEER_FAILURE, (reason, url))

    def block_peer(self, url: str, reason: str, gln: str | None = None) -> None:
        self._run(PEER_BLOCK, (reason, gln, url))

    def unblock_peer(self, url: str) -> bool:
        before = self.conn.total_changes
        self._run(PEER_UNBLOCK, (url,))
        return self.conn.total_changes > before

    def put_synced(self, gln: str, when: str, peer: str, size: int) -> None:
        self._run(PUT_SYNCED, (gln, when, peer, size))

    def synced(self) -> dict[str, tuple[str, str, int]]:
        return {r[0]: (r[1], r[2], int(r[3])) for r in self._all(ALL_SYNCED)}

    def put_evidence(self, kind: str, subject: str, peer: str, detail: str, digest: str,
                     evidence: str, now: str) -> None:
        self._run(PUT_EVIDENCE, (kind, subject, peer, detail, digest, evidence, now, now))

    def evidence(self) -> list[tuple[str, str, str, str, str, str, str, int]]:
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], int(r[7]))
                for r in self._all(ALL_EVIDENCE)]

    def data_version(self) -> int:
        """Changes whenever another connection (another process) commits to this file."""
        return int(self._one(DATA_VERSION)[0])


def write_error(exc: sqlite3.DatabaseError) -> LedgerError:
    """A plain-words error for a failed write (the transaction is rolled back by the caller)."""
    if "full" in str(exc).lower():
        return LedgerError("The disk is full: nothing was saved. Free some disk space and try "
                           "again.")
    return LedgerError(f"The ledger database refused a write ({exc}); nothing was saved.")


def _blob(value: Any) -> bytes:
    """A BLOB column's value as bytes (a tampered row may come back as TEXT)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if value is None:
        raise LedgerError("A stored value is missing (NULL): the ledger file is damaged.")
    return bytes(value)


# --- sync: peers, sync state, evidence (statements) ---
PUT_PEER = """INSERT INTO peers (url, gln, state, reason, added) VALUES (?, NULL, 'active', NULL, ?)
ON CONFLICT (url) DO NOTHING"""
DELETE_PEER = "DELETE FROM peers WHERE url = ?"
ALL_PEERS = """SELECT url, gln, state, reason, added, last_attempt, last_success, failures
FROM peers ORDER BY url"""
PEER_ATTEMPT = "UPDATE peers SET last_attempt = ? WHERE url = ?"
PEER_SUCCESS = """UPDATE peers SET gln = ?, last_success = ?, failures = 0,
state = CASE WHEN state = 'blocked' THEN state ELSE 'active' END,
reason = CASE WHEN state = 'blocked' THEN reason ELSE NULL END WHERE url = ?"""
PEER_FAILURE = """UPDATE peers SET failures = failures + 1, reason = ?,
state = CASE WHEN state = 'blocked' THEN state ELSE 'failing' END WHERE url = ?"""
PEER_BLOCK = "UPDATE peers SET state = 'blocked', reason = ?, gln = coalesce(?, gln) WHERE url = ?"
PEER_UNBLOCK = "UPDATE peers SET state = 'active', reason = NULL, failures = 0 WHERE url = ?"
PUT_SYNCED = """INSERT INTO sync_state (gln, last_synced, peer, size) VALUES (?, ?, ?, ?)
ON CONFLICT (gln) DO UPDATE SET last_synced = excluded.last_synced, peer = excluded.peer,
size = excluded.size"""
ALL_SYNCED = "SELECT gln, last_synced, peer, size FROM sync_state ORDER BY gln"
PUT_EVIDENCE = """INSERT INTO evidence (kind, subject, peer, detail, digest, evidence, first_seen,
last_seen, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
ON CONFLICT (kind, subject, peer, digest) DO UPDATE SET last_seen = excluded.last_seen,
count = count + 1, detail = excluded.detail"""
ALL_EVIDENCE = """SELECT kind, subject, peer, detail, evidence, first_seen, last_seen, count
FROM evidence ORDER BY first_seen, kind, subject"""
DATA_VERSION = "PRAGMA data_version"
