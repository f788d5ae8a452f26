"""Rows to records: what both stores (SQLite, PostgreSQL) turn their rows into, and the
plain-words error for a failed SQLite write."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from supplychain.errors import LedgerError
from supplychain.i18n import _
from supplychain.ids import GLN, EventHash
from supplychain.ledger.records import CheckpointRecord, EventRecord, EventStatus, ItemRecord


def write_error(exc: sqlite3.DatabaseError) -> LedgerError:
    """A plain-words error for a failed write (the transaction is rolled back by the caller)."""
    if "full" in str(exc).lower():
        return LedgerError(_("The disk is full: nothing was saved. Free some disk space and try "
                             "again."))
    return LedgerError(_("The ledger database refused a write ({exc}); nothing was saved.")
                       .format(exc=exc))


def checkpoint_record(row: Sequence[Any]) -> CheckpointRecord:
    return CheckpointRecord(GLN(row[0]), int(row[1]), blob(row[2]), str(row[3]), str(row[4]))


def event_record(row: Sequence[Any]) -> EventRecord:
    return EventRecord(EventHash(row[0]), GLN(row[1]), int(row[2]), row[3], row[4],
                       EventStatus(row[5]), row[6])


def item_record(row: Sequence[Any]) -> ItemRecord:
    return ItemRecord(EventHash(row[0]), row[1], EventHash(row[2]) if row[2] else None,
                      int(row[3]), row[4], row[5], row[6], GLN(row[7]),
                      GLN(row[8]) if row[8] else None, row[9],
                      None if row[10] is None else int(row[10]))


def blob(value: Any) -> bytes:
    """A BLOB column's value as bytes (a tampered row may come back as TEXT)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if value is None:
        raise LedgerError(_("A stored value is missing (NULL): the ledger file is damaged."))
    return bytes(value)
