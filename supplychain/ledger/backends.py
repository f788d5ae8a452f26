"""Which store a location names: a file path (or ``:memory:``) is SQLite, a
``postgresql://`` (or ``postgres://``) URL is PostgreSQL. Both keep ``Store``'s interface."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from supplychain.errors import LedgerError
from supplychain.i18n import _
from supplychain.ledger import sql
from supplychain.ledger.store import Store

URL_SCHEMES = ("postgresql://", "postgres://")
SQLITE_FILE = "ledger.sqlite"
#: node.json: ``true`` opens ``store`` as a read-only replica (an answer node on a standby).
READ_ONLY_KEY = "store_read_only"
#: Worker processes a full node on PostgreSQL ingests different logs with (bundle import):
#: one per core but one, up to 4. Below 2 the import is serial (measured on 2 shared cores,
#: parallel ingest was slower than serial: docs/ARCHITECTURE.md).
INGEST_WORKERS = max(0, min(4, (os.cpu_count() or 1) - 1))


def is_postgres(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def open_store(location: str | Path, *, create: bool = False,
               ingest_workers: int | None = None, read_only: bool = False) -> Store:
    """The store at ``location``; ``create`` makes it (and a missing database or schema).
    ``ingest_workers``: processes a PostgreSQL store's bundle import ingests logs with
    (default ``INGEST_WORKERS``; 0: serially); SQLite has one writer. ``read_only``: a
    PostgreSQL read replica (a hot standby): no DDL, every write refused."""
    if is_postgres(location):
        from supplychain.ledger.store_pg import PgStore  # psycopg only when asked for

        workers = INGEST_WORKERS if ingest_workers is None else ingest_workers
        return PgStore(str(location), create=create, ingest_workers=workers,
                       read_only=read_only)
    if read_only:
        raise LedgerError(_("\"store_read_only\" applies to a PostgreSQL store (a read "
                            "replica); {where} is a SQLite file. Remove it from node.json or "
                            "set \"store\" to the replica's postgresql:// URL.")
                          .format(where=location))
    return Store(location, create=create)


def describe(location: str | Path) -> str:
    """``location`` fit for a message: a path, or a URL's host and database (no password)."""
    if is_postgres(location):
        from supplychain.ledger.store_pg import describe_location

        return describe_location(str(location))
    return str(location)


def store_location(home: Path, config: Mapping[str, object]) -> str | Path:
    """The store a node home's ``node.json`` names (``store``), else its SQLite file."""
    named = config.get("store")
    return str(named) if isinstance(named, str) and named else home / SQLITE_FILE


def store_read_only(config: Mapping[str, object]) -> bool:
    """Does a node home's ``node.json`` open its store as a read-only replica?"""
    return config.get(READ_ONLY_KEY) is True


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every table of ``source`` into ``target`` in one transaction (e.g. a node's
    SQLite ledger into PostgreSQL); rows ``target`` holds already are kept. Returns rows per
    table. Audit the target afterwards: it checks everything again."""
    copied: dict[str, int] = {}
    with target.transaction():
        for table in sql.all_tables():
            columns = source.table_columns(table)
            select, insert = sql.copy_statements(table, columns)
            rows = source.query_all(select)
            target.write_many(insert, rows)
            copied[table] = len(rows)
    return copied


def move_home_store(home: Path, url: str) -> None:
    """Make node home ``home`` keep its ledger at ``url`` (PostgreSQL; the database and schema
    are created if missing): everything its current store holds (its SQLite file, or another
    schema) is copied there, ``node.json`` names the URL, and the SQLite file goes. Run it
    while no process has the node open; audit the node afterwards."""
    config_file = home / "node.json"
    config = json.loads(config_file.read_text())
    source = open_store(store_location(home, config))
    try:
        target = open_store(url, create=True)
        try:
            copy_store(source, target)
        finally:
            target.close()
    finally:
        source.close()
    (home / SQLITE_FILE).unlink(missing_ok=True)
    config["store"] = url
    config_file.write_text(json.dumps(config, indent=2) + "\n")
