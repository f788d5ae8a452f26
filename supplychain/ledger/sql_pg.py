"""The PostgreSQL dialect of ``supplychain.ledger.sql``: derived mechanically, a few overrides.

Every statement of ``sql.py`` is translated on first use (``translate``), so a statement added
there works on PostgreSQL with no extra work. The mechanical rules:

- ``?`` placeholders become ``%s`` (psycopg's); a literal ``%`` is doubled;
- ``INSERT OR IGNORE INTO ...`` becomes ``INSERT INTO ... ON CONFLICT DO NOTHING``;
- in DDL, ``BLOB`` becomes ``BYTEA``, ``INTEGER`` becomes ``BIGINT`` and ``WITHOUT ROWID`` goes
  (PostgreSQL tables have no rowid; the one place that needs a position, ``events``, gets an
  identity column named ``rowid``, so ``sql.SHIPMENTS_TO`` runs as written);
- ``min(a, b)`` of two columns in an upsert becomes ``LEAST(a, b)``; bit shifts cast their
  right operand to ``int`` (PostgreSQL has no ``bigint << bigint``);
- in ``ON CONFLICT ... DO UPDATE SET``, a bare column on the right of an assignment means the
  stored row (SQLite) and is qualified with the table's name (PostgreSQL finds it ambiguous).

``OVERRIDES`` holds the statements whose meaning needs PostgreSQL's own words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from supplychain.ledger import sql

#: Server-side facts the SQLite store reads with PRAGMAs.
INTEGRITY_OK = "ok"
NOTIFY_CHANNEL = "supplychain_ledger"
#: An empty table locked before a transaction's first query (see ``store_pg``).
WRITER_LOCK_TABLE = "writer_lock"
SCHEMA_EXTRA = f"CREATE TABLE IF NOT EXISTS {WRITER_LOCK_TABLE} (unused BIGINT)"
BEGIN = "BEGIN ISOLATION LEVEL SERIALIZABLE"
#: A read-only store's transactions: a consistent snapshot, no lock (a hot standby refuses
#: SERIALIZABLE and LOCK TABLE).
BEGIN_READ_ONLY = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
#: Bytes of WAL applied: the standby's replay position, or the primary's own.
WAL_POSITION = ("SELECT COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) "
                "- '0/0'::pg_lsn")
LOCK_ONE_WRITER = f"LOCK TABLE {WRITER_LOCK_TABLE} IN EXCLUSIVE MODE"
LOCK_SHARED_WRITER = f"LOCK TABLE {WRITER_LOCK_TABLE} IN SHARE MODE"
CURRENT_SCHEMA = "SELECT current_schema()"
SHOW_SEARCH_PATH = "SHOW search_path"
SCHEMA_LOCK = "SELECT pg_advisory_lock(hashtext(current_schema()))"
SCHEMA_UNLOCK = "SELECT pg_advisory_unlock(hashtext(current_schema()))"

_EVENTS_TABLE = "CREATE TABLE IF NOT EXISTS events ("

OVERRIDES: dict[str, str] = {
    sql.TABLE_COLUMNS: """SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = %s AND column_name <> 'rowid'
ORDER BY ordinal_position""",
}


@lru_cache(maxsize=1024)
def translate(statement: str) -> str:
    """``statement`` (of sql.py, possibly with its ``IN ({})`` list filled) for PostgreSQL."""
    override = OVERRIDES.get(statement)
    if override is not None:
        return override
    text = statement.replace("%", "%%").replace("?", "%s")
    if text.lstrip().upper().startswith("INSERT OR IGNORE INTO"):
        text = re.sub(r"INSERT OR IGNORE INTO", "INSERT INTO", text, count=1,
                      flags=re.IGNORECASE) + " ON CONFLICT DO NOTHING"
    text = re.sub(r"\bmin\(([\w.]+),\s*([\w.]+)\)", r"LEAST(\1, \2)", text)
    text = _qualify_upsert(text)
    text = re.sub(r"<<\s*(\w+)\)", r"<< \1::int)", text)
    return text


_UPSERT = re.compile(r"INSERT INTO (\w+) \(([^)]*)\)(.*?DO UPDATE SET )(.*)$", re.DOTALL)


def _qualify_upsert(text: str) -> str:
    found = _UPSERT.search(text)
    if found is None:
        return text
    table, columns, middle, sets = found.groups()
    names = "|".join(c.strip() for c in columns.split(","))

    def qualify(match: re.Match[str]) -> str:
        # an assignment's target (start of the clause or after a comma, then "=") stays bare
        before = sets[:match.start()].rstrip()
        after = sets[match.end():].lstrip()
        target = (before == "" or before.endswith(",")) and after.startswith("=")
        return match.group(1) if target else f"{table}.{match.group(1)}"

    sets = re.sub(rf"(?<![\w.])({names})\b", qualify, sets)
    return text[:found.start()] + f"INSERT INTO {table} ({columns}){middle}{sets}"


def schema_statements(script: str) -> list[str]:
    """A schema script of sql.py as PostgreSQL DDL statements, one per list item."""
    out = []
    for part in script.split(";"):
        text = part.strip()
        if not text:
            continue
        text = re.sub(r"\bBLOB\b", "BYTEA", text)
        text = re.sub(r"\bINTEGER\b", "BIGINT", text)
        text = re.sub(r"\)\s*WITHOUT ROWID\s*$", ")", text)
        if text.startswith(_EVENTS_TABLE):
            text = text.replace(_EVENTS_TABLE,
                                _EVENTS_TABLE + "rowid BIGINT GENERATED ALWAYS AS IDENTITY, ", 1)
        out.append(text)
    return out


def all_schema() -> list[str]:
    return [*schema_statements(sql.SCHEMA), *schema_statements(sql.SCHEMA_SYNC),
            *schema_statements(sql.SCHEMA_PROVEN), SCHEMA_EXTRA]
