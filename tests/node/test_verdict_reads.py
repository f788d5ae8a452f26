"""A verdict's reads fetched in a few round trips (ledger/verdict_reads.py): the same verdict
report as reading one statement at a time, and on PostgreSQL no statement outside the three
pipelines."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.interchange.bundle import exchange
from supplychain.ledger import sql
from supplychain.ledger.verdict_reads import pack_reads
from supplychain.node import operations
from supplychain.node.operations import Node
from tests.conftest import DIST_A, GTIN, MAKER, PHARMACY, Network

pytestmark = pytest.mark.both_backends


def _scenario(network: Network) -> tuple[Node, list[PackCode]]:
    """Packs in every state a pharmacy meets: in its custody, dispensed, in transit to it,
    recalled, reported, unknown serial, unknown product."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 4)
    other = maker.commission(GTIN, "L2", date(2030, 1, 31), 1)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.ship(PHARMACY, codes[:3])
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes[:2])
    pharmacy.dispense(codes[1:2])
    maker.recall(GTIN, "L2", "precaution")
    exchange(maker, pharmacy)
    pharmacy.report(codes[3:4], "seal broken")
    unknown_serial = PackCode(GTIN, "NOSUCH", "L1", date(2030, 1, 31))  # type: ignore[arg-type]
    unknown_product = PackCode("09506000134352", "X1", "L1", date(2030, 1, 31))  # type: ignore[arg-type]
    return pharmacy, [*codes, *other, unknown_serial, unknown_product]


@contextlib.contextmanager
def _one_at_a_time() -> Iterator[None]:
    yield


def test_prefetched_verdicts_equal_one_read_at_a_time(network: Network,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pharmacy, codes = _scenario(network)
    fast = [pharmacy.verify(code).to_dict() for code in codes]
    monkeypatch.setattr(operations, "prefetch", lambda *a: _one_at_a_time())
    slow = [pharmacy.verify(code).to_dict() for code in codes]
    assert fast == slow
    # The pack it dispensed a moment ago is a double scan there (information, no alert).
    assert {d["verdict"] for d in fast} == {"genuine", "suspect", "counterfeit", "information"}
    assert {r for d in fast for r in d["reasons"]} >= {"recalled", "already_dispensed_here",
                                                       "unknown_serial", "unknown_product"}


def test_a_verdict_runs_no_statement_outside_its_pipelines(
        network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    pharmacy, codes = _scenario(network)
    store = pharmacy.store
    for code in codes:
        pharmacy.verify(code)  # member certificates are read once, then kept
    calls: dict[str, int] = {"statements": 0, "pipelines": 0}
    cls: Any = type(store)
    if store.prefetches:  # PostgreSQL: count what goes to the server
        real_exec, real_prefetched = cls._exec, cls.prefetched

        def counting_exec(self: Any, statement: str, params: Any = ()) -> Any:
            calls["statements"] += 1
            return real_exec(self, statement, params)

        def counting_prefetched(self: Any, reads: Any) -> Any:
            calls["pipelines"] += 1 if reads else 0
            return real_prefetched(self, reads)

        monkeypatch.setattr(cls, "_exec", counting_exec)
        monkeypatch.setattr(cls, "prefetched", counting_prefetched)
    for code in codes:
        pharmacy.verify(code)
    assert calls["statements"] == 0
    assert calls["pipelines"] <= 3 * len(codes) if store.prefetches else calls["pipelines"] == 0


def test_a_write_inside_forgets_what_was_fetched(network: Network) -> None:
    store = network[PHARMACY].store
    with store.prefetched(pack_reads("nothing", GTIN)):
        assert store.get_meta(sql_key := "sync.stale_after_seconds") is None
        with store.transaction():
            store.set_meta(sql_key, "60")
        assert store.get_meta(sql_key) == "60"
        with store.prefetched([(sql.GET_META, ("other",))]):
            with store.transaction():
                store.set_meta("other", "1")
        assert store.get_meta("other") == "1"  # the outer block forgot too
