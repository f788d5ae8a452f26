"""Clearing a pending event reads its rows by index, not the whole table (both backends)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from supplychain.ledger import sql
from supplychain.ledger.store import Store

pytestmark = pytest.mark.both_backends


def _plan(store: Store, backend: str, statement: str) -> str:
    if backend == "postgresql":
        from supplychain.ledger import sql_pg

        explain = "EXPLAIN " + sql_pg.translate(statement).replace("%s", "'h'")
        return " ".join(str(r[0]) for r in store.pg.execute(explain).fetchall())  # type: ignore[attr-defined]
    return " ".join(str(r[-1]) for r in store.conn.execute(
        "EXPLAIN QUERY PLAN " + statement, ("h",)).fetchall())


@pytest.mark.parametrize("statement, index", [(sql.CLEAR_PENDING, "pending_by_event"),
                                              (sql.CLEAR_PENDING_PACKS,
                                               "pending_packs_by_event")])
def test_clearing_a_pending_event_uses_an_index(new_store: Callable[[], Store], backend: str,
                                                statement: str, index: str) -> None:
    store = new_store()
    with store.transaction():  # enough rows that a planner prefers an index to a scan
        for i in range(2_000):
            store.put_pending(f"e{i}", f"w{i % 50}")
            store.put_pending_pack(f"e{i}", f"p{i % 50}")
    if backend == "postgresql":
        store.pg.execute("ANALYZE")  # type: ignore[attr-defined]
    assert index in _plan(store, backend, statement)
