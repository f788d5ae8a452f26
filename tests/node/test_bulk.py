"""Bulk work on real nodes: a lot into cases on a pallet (whole events, cancel between
them), a 10,000-pack pallet shipped, received and verified in one event each, the
batch verdict equal to one verdict at a time."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import ContainerCode, make_sscc, parse_sscc
from supplychain.errors import RuleViolation
from supplychain.interchange.bundle import exchange
from supplychain.ledger.audit import audit
from supplychain.ledger.container_rows import container_of, container_row
from supplychain.ledger.events import MAX_ITEMS, EventType
from supplychain.ledger.verdicts import Verdict
from supplychain.node.bulk import loose_stock, pack_pallet, split_evenly, sscc_series
from supplychain.node.containers import contents, verify_container
from tests.conftest import DIST_A, GTIN, MAKER, Network

PREFIX = "501234"


def _made(network: Network, count: int, lot: str = "B1") -> list[PackCode]:
    return network[MAKER].commission(GTIN, lot, date(2030, 1, 31), count)


def test_sscc_series_counts_up_with_valid_check_digits() -> None:
    first = make_sscc(PREFIX, 998)
    series = sscc_series(first, 3)
    assert series == [make_sscc(PREFIX, 998), make_sscc(PREFIX, 999), make_sscc(PREFIX, 1000)]
    assert all(parse_sscc(s).sscc == s for s in series)
    with pytest.raises(RuleViolation, match="start lower"):
        sscc_series("099999999999999992", 5)


def test_split_evenly_keeps_order_and_refuses_empty_cases() -> None:
    codes = [PackCode(GTIN, f"S{i}", "L", date(2030, 1, 31)) for i in range(10)]  # type: ignore[arg-type]
    groups = split_evenly(codes, 4)
    assert [len(g) for g in groups] == [3, 3, 2, 2]
    assert [c for g in groups for c in g] == codes
    with pytest.raises(RuleViolation, match="cannot fill 11 cases"):
        split_evenly(codes, 11)


@pytest.mark.both_backends
def test_pack_pallet_packs_every_case_then_the_pallet(network: Network) -> None:
    maker = network[MAKER]
    codes = _made(network, 30)
    assert [c.key for c in loose_stock(maker, GTIN, "B1")] == sorted(c.key for c in codes)
    seen: list[tuple[int, int]] = []
    cases = sscc_series(make_sscc(PREFIX, 1), 3)
    result = pack_pallet(maker, make_sscc(PREFIX, 100, 1),
                         list(zip(cases, split_evenly(codes, 3), strict=True)),
                         progress=lambda done, total: seen.append((done, total)))
    assert result.complete and result.cases == tuple(cases) and result.packs == 30
    assert seen == [(10, 30), (20, 30), (30, 30)]
    assert contents(maker, make_sscc(PREFIX, 100, 1)) == sorted(cases)
    assert loose_stock(maker, GTIN, "B1") == []
    audit(maker.ledger)  # derived tables match a rebuild


@pytest.mark.both_backends
def test_cancel_stops_between_events_and_leaves_whole_cases(network: Network) -> None:
    maker = network[MAKER]
    codes = _made(network, 40)
    cases = sscc_series(make_sscc(PREFIX, 11), 4)
    asked: list[int] = []

    def cancel() -> bool:  # stop once two cases are packed
        asked.append(len(asked))
        return len(asked) > 2

    before = maker.store.log_size(maker.gln)
    result = pack_pallet(maker, make_sscc(PREFIX, 200, 1),
                         list(zip(cases, split_evenly(codes, 4), strict=True)), cancel=cancel)
    assert not result.complete and result.cases == tuple(cases[:2]) and result.packs == 20
    assert maker.store.log_size(maker.gln) == before + 2  # two whole packing events
    assert [len(contents(maker, c)) for c in cases[:2]] == [10, 10]
    assert container_row(maker.store, cases[2]) is None
    assert container_row(maker.store, make_sscc(PREFIX, 200, 1)) is None
    assert all(container_of(maker.store, c.key) is None for c in codes[20:])
    assert len(loose_stock(maker, GTIN, "B1")) == 20
    audit(maker.ledger)  # derived tables match a rebuild


@pytest.mark.slow
def test_a_pallet_of_10000_packs_in_40_cases_moves_in_one_event(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = _made(network, 10_000)
    pallet = ContainerCode(make_sscc(PREFIX, 900, 1))
    cases = sscc_series(make_sscc(PREFIX, 1000), 40)
    assert pack_pallet(maker, pallet, list(zip(cases, split_evenly(codes, 40),
                                               strict=True))).complete
    shipped = maker.ship(DIST_A, [pallet])
    assert len(shipped.event.items) == 10_041 <= MAX_ITEMS
    exchange(maker, dist)
    received = dist.receive([pallet])
    assert received.event.type is EventType.RECEIVE and len(received.event.items) == 10_041
    report = verify_container(dist, pallet)
    assert report.verdict is Verdict.GENUINE and len(report.packs) == 10_000
    assert len(report.cases) == 40


@pytest.mark.both_backends
def test_verify_many_gives_the_verdicts_of_verify(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = _made(network, 6)
    maker.ship(DIST_A, codes[:3])
    exchange(maker, dist)
    many = dist.verify_many(codes)
    single = [dist.verify(c) for c in codes]
    assert [(r.decision, r.status, r.history, r.sync) for r in many] == \
        [(r.decision, r.status, r.history, r.sync) for r in single]
    assert {r.verdict for r in many[:3]} == {Verdict.GENUINE}
    assert {r.verdict for r in many[3:]} == {Verdict.SUSPECT}
