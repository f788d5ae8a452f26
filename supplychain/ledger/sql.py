"""Every SQL statement of the project: the schema and named statements with ``?`` placeholders.

Only ``supplychain.ledger.store`` runs them. Tables:
- ``meta``: key/value facts about this node.
- ``members``, ``revocations``: the consortium directory (certificates are self-authenticating).
- ``entries``: every log's entries (the Merkle leaves' data), ``nodes``: every perfect subtree
  hash of every log (level 0 = leaf hashes), ``checkpoints``: signed checkpoints.
- Derived (rebuildable from the logs): ``events``, ``event_items``, ``pending``, ``packs``,
  ``recalls``, ``reports``, ``alerts``, for cases and pallets ``containers`` (each one's
  head state) and ``container_contents`` (what is directly in each container now), and
  ``alert_steps`` (each applied step of a signed alert's life, by owner log position).
- Peer sync (never cleared by a rebuild): ``peers``, ``sync_state``, ``evidence``, and
  ``disputes`` (two conflicting signed statements of one log's author, kept as evidence, each
  with a ``rewritten_log`` row of ``evidence`` naming the author).
- Witnesses (never cleared): ``witness_state`` (what this node, as a witness, last cosigned
  per log origin), ``cosignatures`` (verified witness cosignatures of checkpoints held here).
"""

from __future__ import annotations

import re
from collections.abc import Callable

SCHEMA_VERSION = 5
SCHEMA_UPGRADES: dict[int, tuple[str, ...]] = {
    # 2: the index of events by (gln, idx) served no query and cost a B-tree insert per event.
    2: ("DROP INDEX IF EXISTS events_by_entry",),
    # 4: signed alert lives. ``alert_steps`` is created by SCHEMA, empty, which is right for an
    # older file: no version before 4 accepted an alert event into any log.
    4: (),
    # 5: rewritten logs: the ``disputes`` table (SCHEMA_SYNC) is created, empty, on opening;
    # nothing older held a dispute (a rewritten log was kept only as sync evidence).
    5: (),
}
"""Statements that bring a file of version ``v - 1`` to version ``v`` (derived tables could
also be rebuilt from the logs: ``Ledger.rebuild()``)."""
COLUMNS_ADDED: dict[int, tuple[tuple[str, str, str], ...]] = {
    # 3: cases and pallets. Items record the container they are in and a case's count of
    # contents (NULL in older rows is right: no container event existed before); the tables
    # ``containers`` and ``container_contents`` are created by SCHEMA, empty like the events.
    3: (("event_items", "container", "TEXT"), ("event_items", "contents", "BIGINT")),
}
"""``(table, column, type)`` added at version ``v`` (where the table lacks the column)."""


def upgrade_statements(stored: int, columns: Callable[[str], list[str]]) -> list[str]:
    """What brings a file of schema version ``stored`` to ``SCHEMA_VERSION``, in order;
    ``columns(table)``: the table's columns as the store holds them now."""
    out: list[str] = []
    for version in range(stored + 1, SCHEMA_VERSION + 1):
        out.extend(SCHEMA_UPGRADES.get(version, ()))
        for table, column, kind in COLUMNS_ADDED.get(version, ()):
            if column not in columns(table):  # names: the constants above
                out.append(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    return out

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
CREATE TABLE IF NOT EXISTS event_items (
    event_hash TEXT NOT NULL, pack TEXT NOT NULL, prev TEXT, depth INTEGER NOT NULL,
    lot TEXT NOT NULL, expiry TEXT NOT NULL, status TEXT NOT NULL, custodian TEXT NOT NULL,
    recipient TEXT, container TEXT, contents INTEGER, PRIMARY KEY (event_hash, pack));
CREATE INDEX IF NOT EXISTS event_items_by_pack ON event_items (pack, prev);
CREATE TABLE IF NOT EXISTS pending (
    event_hash TEXT NOT NULL, waiting_on TEXT NOT NULL, PRIMARY KEY (waiting_on, event_hash));
CREATE TABLE IF NOT EXISTS pending_packs (
    event_hash TEXT NOT NULL, pack TEXT NOT NULL, PRIMARY KEY (pack, event_hash));
-- An event that stops waiting is cleared by its hash (CLEAR_PENDING*): without these, each
-- clear read the whole table, quadratic when many events wait (logs arriving out of order).
CREATE INDEX IF NOT EXISTS pending_by_event ON pending (event_hash);
CREATE INDEX IF NOT EXISTS pending_packs_by_event ON pending_packs (event_hash);
CREATE TABLE IF NOT EXISTS packs (
    pack TEXT PRIMARY KEY, gtin TEXT NOT NULL, serial TEXT NOT NULL, lot TEXT NOT NULL,
    expiry TEXT NOT NULL, status TEXT NOT NULL, custodian TEXT NOT NULL, recipient TEXT,
    head TEXT NOT NULL, forked INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS packs_by_lot ON packs (gtin, lot);
CREATE TABLE IF NOT EXISTS containers (
    sscc TEXT PRIMARY KEY, status TEXT NOT NULL, custodian TEXT NOT NULL, recipient TEXT,
    container TEXT, contents INTEGER NOT NULL, head TEXT NOT NULL, forked INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS container_contents (
    container TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (container, item));
CREATE INDEX IF NOT EXISTS container_contents_by_item ON container_contents (item);
CREATE TABLE IF NOT EXISTS recalls (
    gtin TEXT NOT NULL, lot TEXT NOT NULL, event_hash TEXT NOT NULL,
    PRIMARY KEY (gtin, lot, event_hash));
CREATE TABLE IF NOT EXISTS reports (
    pack TEXT NOT NULL, event_hash TEXT NOT NULL, reporter TEXT NOT NULL, reason TEXT NOT NULL,
    PRIMARY KEY (pack, event_hash));
CREATE TABLE IF NOT EXISTS alerts (
    kind TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY (kind, subject, evidence));
CREATE TABLE IF NOT EXISTS alert_steps (
    owner TEXT NOT NULL, idx INTEGER NOT NULL, alert_id TEXT NOT NULL, event_hash TEXT NOT NULL,
    step TEXT NOT NULL, time TEXT NOT NULL, note TEXT, cause TEXT, subject TEXT, closing TEXT,
    notified TEXT NOT NULL, packs TEXT NOT NULL, PRIMARY KEY (owner, idx));
CREATE INDEX IF NOT EXISTS alert_steps_by_alert ON alert_steps (owner, alert_id);
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
CREATE TABLE IF NOT EXISTS disputes (
    author TEXT NOT NULL, digest TEXT NOT NULL, channel TEXT NOT NULL, relay TEXT NOT NULL,
    from_index INTEGER NOT NULL, statement_ours TEXT NOT NULL, statement_theirs TEXT NOT NULL,
    entry_index INTEGER, entry_theirs TEXT, proof_theirs TEXT, first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (author, digest, channel, relay));
CREATE TABLE IF NOT EXISTS witness_state (
    origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL,
    updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cosignatures (
    gln TEXT NOT NULL, size INTEGER NOT NULL, witness TEXT NOT NULL, root BLOB NOT NULL,
    line TEXT NOT NULL, received TEXT NOT NULL, PRIMARY KEY (gln, size, witness));
"""

# Light nodes (supplychain.ledger.proven): single entries of logs not held whole, each kept with
# the inclusion proof that ties it to a signed checkpoint of the same log (kept in
# ``checkpoints``). Not derived: a rebuild keeps them.
SCHEMA_PROVEN = """
CREATE TABLE IF NOT EXISTS proven_entries (
    gln TEXT NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, event_hash TEXT NOT NULL,
    size INTEGER NOT NULL, proof BLOB NOT NULL, PRIMARY KEY (gln, idx)) WITHOUT ROWID;
"""
PUT_PROVEN = """INSERT OR IGNORE INTO proven_entries (gln, idx, data, event_hash, size, proof)
VALUES (?, ?, ?, ?, ?, ?)"""
GET_PROVEN = "SELECT data, size, proof FROM proven_entries WHERE gln = ? AND idx = ?"
ALL_PROVEN = "SELECT gln, idx, data FROM proven_entries ORDER BY gln, idx"
COUNT_PROVEN = "SELECT count(*) FROM proven_entries"
EVENT_HELD = "SELECT 1 FROM events WHERE event_hash = ?"
# Full nodes answering light nodes: a pack's events, and shipments to a member by position
# (the events table's rowid grows with every event this node stores: a server-local position).
EVENTS_OF_PACK = """SELECT DISTINCT e.gln, e.idx FROM event_items i
JOIN events e ON e.event_hash = i.event_hash WHERE i.pack = ? ORDER BY e.gln, e.idx"""
PENDING_EVENTS_OF_PACK = """SELECT e.gln, e.idx FROM pending_packs p
JOIN events e ON e.event_hash = p.event_hash WHERE p.pack = ? ORDER BY e.gln, e.idx"""
EVENTS_OF_RECALLS = """SELECT e.gln, e.idx FROM recalls r JOIN events e
ON e.event_hash = r.event_hash WHERE r.gtin = ? AND r.lot = ? ORDER BY e.gln, e.idx"""
EVENTS_OF_REPORTS = """SELECT e.gln, e.idx FROM reports r JOIN events e
ON e.event_hash = r.event_hash WHERE r.pack = ? ORDER BY e.gln, e.idx"""
SHIPMENTS_TO = """SELECT e.rowid, e.gln, e.idx, i.pack FROM events e
JOIN event_items i ON i.event_hash = e.event_hash AND i.recipient = ?
WHERE e.rowid IN (SELECT s.rowid FROM events s WHERE s.type IN ('ship', 'return')
AND s.rowid > ?
AND EXISTS (SELECT 1 FROM event_items t WHERE t.event_hash = s.event_hash AND t.recipient = ?)
ORDER BY s.rowid LIMIT ?) ORDER BY e.rowid, i.pack"""

DERIVED_TABLES = ("events", "event_items", "pending", "pending_packs", "packs", "recalls",
                  "reports", "alerts", "containers", "container_contents", "alert_steps")
CLEAR_TABLE = {table: f"DELETE FROM {table}" for table in DERIVED_TABLES}  # names: constants
ALL_ROWS = {table: f"SELECT * FROM {table}" for table in DERIVED_TABLES}
INTEGRITY_CHECK = "PRAGMA integrity_check"
TABLE_COLUMNS = "SELECT name FROM pragma_table_info(?) ORDER BY cid"


def all_tables() -> list[str]:
    """Every table of the schema (sql.SCHEMA, SCHEMA_SYNC, SCHEMA_PROVEN), in order."""
    return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA + SCHEMA_SYNC + SCHEMA_PROVEN)


def copy_statements(table: str, columns: list[str]) -> tuple[str, str]:
    """Reading every row of ``table`` and writing one (kept rows win) for a store copy;
    ``table`` and ``columns`` are the schema's own names (``all_tables``, table_columns)."""
    names = ", ".join(columns)
    return (f"SELECT {names} FROM {table}",
            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})")

# cache_size: 64 MiB of pages (SQLite's default is 2 MiB): a batch's random-key B-tree
# inserts then stay in memory until the commit instead of spilling (docs/BENCHMARKS.md).
OPEN_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON", "PRAGMA cache_size = -65536")
BEGIN = "BEGIN IMMEDIATE"
COMMIT = "COMMIT"
ROLLBACK = "ROLLBACK"
SAVEPOINT = "SAVEPOINT batch"
ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO batch"
RELEASE_SAVEPOINT = "RELEASE batch"

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

# A log is held as a contiguous prefix (audit checks for gaps), so its size is its last index
# plus one: one primary-key lookup, where count(*) read every entry of the log on each call.
LOG_SIZE = "SELECT coalesce(max(idx) + 1, 0) FROM entries WHERE gln = ?"
LOG_SIZES = "SELECT gln, count(*) FROM entries GROUP BY gln ORDER BY gln"
PUT_ENTRY = "INSERT INTO entries (gln, idx, data, event_hash) VALUES (?, ?, ?, ?)"
GET_ENTRY = "SELECT data FROM entries WHERE gln = ? AND idx = ?"
GET_ENTRIES = "SELECT idx, data FROM entries WHERE gln = ? AND idx >= ? AND idx < ? ORDER BY idx"
ALL_ENTRIES = "SELECT gln, idx, data FROM entries ORDER BY gln, idx"
# Dropping a log's tail from index ? on (entries no signed checkpoint held here covers): a node
# at (level, idx) spans the leaves [idx << level, (idx + 1) << level).
TRUNCATE_ENTRIES = "DELETE FROM entries WHERE gln = ? AND idx >= ?"
TRUNCATE_NODES = "DELETE FROM nodes WHERE gln = ? AND ((idx + 1) << level) > ?"
PUT_NODE = "INSERT INTO nodes (gln, level, idx, hash) VALUES (?, ?, ?, ?)"
GET_NODE = "SELECT hash FROM nodes WHERE gln = ? AND level = ? AND idx = ?"
ALL_NODES = "SELECT gln, level, idx, hash FROM nodes ORDER BY gln, level, idx"

PUT_CHECKPOINT = """INSERT OR IGNORE INTO checkpoints (gln, size, root, note, received)
VALUES (?, ?, ?, ?, ?)"""
GET_CHECKPOINT = """SELECT gln, size, root, note, received FROM checkpoints
WHERE gln = ? AND size = ?"""
LATEST_CHECKPOINT = """SELECT gln, size, root, note, received FROM checkpoints WHERE gln = ?
ORDER BY size DESC LIMIT 1"""
ALL_CHECKPOINTS = """SELECT gln, size, root, note, received FROM checkpoints
ORDER BY gln, size"""

PUT_EVENT = """INSERT INTO events (event_hash, gln, idx, type, time, status, reason)
VALUES (?, ?, ?, ?, ?, ?, ?)"""
SET_EVENT_STATUS = "UPDATE events SET status = ?, reason = ? WHERE event_hash = ?"
GET_EVENT = """SELECT event_hash, gln, idx, type, time, status, reason FROM events
WHERE event_hash = ?"""
PUT_ITEM = """INSERT INTO event_items (event_hash, pack, prev, depth, lot, expiry, status,
custodian, recipient, container, contents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
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
GET_REPORTS = """SELECT event_hash, reporter, reason FROM reports WHERE pack = ?
ORDER BY event_hash"""
PUT_ALERT = "INSERT OR IGNORE INTO alerts (kind, subject, detail, evidence) VALUES (?, ?, ?, ?)"
ALL_ALERTS = "SELECT kind, subject, detail, evidence FROM alerts ORDER BY kind, subject, evidence"
# Signed alert lives (supplychain.ledger.alert_rows): steps in their owner's log order.
_ALERT_STEP_COLUMNS = """owner, idx, alert_id, event_hash, step, time, note, cause, subject,
closing, notified, packs"""
PUT_ALERT_STEP = f"""INSERT INTO alert_steps ({_ALERT_STEP_COLUMNS})
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
ALERT_STEPS_OF = f"""SELECT {_ALERT_STEP_COLUMNS} FROM alert_steps
WHERE owner = ? AND alert_id = ? ORDER BY idx"""
ALERT_STEPS_OF_OWNER = f"""SELECT {_ALERT_STEP_COLUMNS} FROM alert_steps WHERE owner = ?
ORDER BY idx"""
ALL_ALERT_STEPS = f"SELECT {_ALERT_STEP_COLUMNS} FROM alert_steps ORDER BY owner, idx"
# Cases and pallets (supplychain.ledger.container_rows).
PUT_CONTAINER = """INSERT INTO containers (sscc, status, custodian, recipient, container, contents,
head, forked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (sscc) DO UPDATE SET status = excluded.status, custodian = excluded.custodian,
recipient = excluded.recipient, container = excluded.container, contents = excluded.contents,
head = excluded.head, forked = excluded.forked"""
GET_CONTAINER = """SELECT sscc, status, custodian, recipient, container, contents, head, forked
FROM containers WHERE sscc = ?"""
CLEAR_MEMBERSHIP = "DELETE FROM container_contents WHERE item = ?"
PUT_MEMBERSHIP = "INSERT INTO container_contents (container, item) VALUES (?, ?)"
CONTENTS_OF = "SELECT item FROM container_contents WHERE container = ? ORDER BY item"
CONTAINER_OF = "SELECT container FROM container_contents WHERE item = ?"
COUNT_EVENTS_BY_STATUS = "SELECT status, count(*) FROM events GROUP BY status ORDER BY status"

# Batched forms for ingest (one statement per batch instead of one per event; see Ledger).
MANY = 500  # host parameters per IN (...) list
EVENTS_IN = """SELECT event_hash, gln, idx, type, time, status, reason FROM events
WHERE event_hash IN ({})"""
ITEMS_OF_PACKS_IN = """SELECT event_hash, pack, prev, depth, lot, expiry, status, custodian,
recipient, container, contents FROM event_items WHERE pack IN ({})"""
ITEMS_OF_PACK = """SELECT event_hash, pack, prev, depth, lot, expiry, status, custodian,
recipient, container, contents FROM event_items WHERE pack = ?"""
NODES_AT = """WITH w (level, idx) AS (VALUES {}) SELECT n.level, n.idx, n.hash FROM w
JOIN nodes n ON n.gln = ? AND n.level = w.level AND n.idx = w.idx"""
WAITED_ON_IN = "SELECT DISTINCT waiting_on FROM pending WHERE waiting_on IN ({})"

# --- peer sync: peers, sync state, evidence ---
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

# --- rewritten logs: disputes (supplychain.ledger.disputes) ---
PUT_DISPUTE = """INSERT INTO disputes (author, digest, channel, relay, from_index, statement_ours,
statement_theirs, entry_index, entry_theirs, proof_theirs, first_seen, last_seen, count)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
ON CONFLICT (author, digest, channel, relay) DO UPDATE SET last_seen = excluded.last_seen,
count = count + 1, from_index = min(from_index, excluded.from_index)"""
_DISPUTE_COLUMNS = """SELECT author, digest, channel, relay, from_index, statement_ours,
statement_theirs, entry_index, entry_theirs, proof_theirs, first_seen, last_seen, count
FROM disputes"""
ALL_DISPUTES = _DISPUTE_COLUMNS + " ORDER BY author, first_seen, digest, channel, relay"
DISPUTES_OF = (_DISPUTE_COLUMNS
               + " WHERE author = ? ORDER BY author, first_seen, digest, channel, relay")
DISPUTED_FROM = "SELECT author, min(from_index) FROM disputes GROUP BY author ORDER BY author"

# --- witnesses ---
GET_WITNESS_STATE = "SELECT origin, size, root, note, updated FROM witness_state WHERE origin = ?"
PUT_WITNESS_STATE = """INSERT INTO witness_state (origin, size, root, note, updated)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET size = excluded.size,
root = excluded.root, note = excluded.note, updated = excluded.updated"""
PUT_COSIGNATURE = """INSERT INTO cosignatures (gln, size, witness, root, line, received)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (gln, size, witness) DO UPDATE SET root = excluded.root,
line = excluded.line, received = excluded.received"""
GET_COSIGNATURES = """SELECT gln, size, witness, root, line, received FROM cosignatures
WHERE gln = ? AND size = ? ORDER BY witness"""
LATEST_COSIGNED = "SELECT max(size) FROM cosignatures WHERE gln = ? AND witness = ?"
