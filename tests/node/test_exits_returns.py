"""Packs leaving the chain (stolen, exported, sample) and returns, on real nodes and stores:
each exit's event and the refusals after it, the verdict a pharmacist then gets, the return
and the wholesaler's saleable-returns check with each of its outcomes."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.errors import RuleViolation
from supplychain.interchange.bundle import exchange
from supplychain.ledger.events import EventType
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.sparse import PackIndex
from supplychain.ledger.verdicts import Reason, Verdict
from supplychain.node.actions import PackAction, pack_actions
from supplychain.node.exits import export_packs, hand_over_sample, report_stolen
from supplychain.node.returns import (
    ReturnOutcome,
    check_returns,
    incoming_returns,
    receive_returns,
    return_packs,
)
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, PHARMACY, REGULATOR, Network

pytestmark = pytest.mark.both_backends
EXPIRY = date(2030, 1, 31)


def _sync(network: Network, *glns: str) -> None:
    """Everyone named holds everything the others hold."""
    for source in glns:
        for target in glns:
            if source != target:
                exchange(network[source], network[target])


def _at_pharmacy(network: Network, count: int, lot: str = "L1") -> list[PackCode]:
    """``count`` packs made by the maker, through North Wholesale, received by the pharmacy."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, lot, EXPIRY, count)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.ship(PHARMACY, codes)
    _sync(network, MAKER, DIST_A, PHARMACY)
    pharmacy.receive(codes)
    _sync(network, MAKER, DIST_A, PHARMACY)
    return codes


# --- leaving the chain ----------------------------------------------------------------------
@pytest.mark.parametrize(("leave", "status", "reason", "verdict"), [
    (report_stolen, PackStatus.STOLEN, Reason.REPORTED_STOLEN, Verdict.COUNTERFEIT),
    (export_packs, PackStatus.EXPORTED, Reason.EXPORTED, Verdict.SUSPECT),
    (hand_over_sample, PackStatus.SAMPLED, Reason.SAMPLE, Verdict.SUSPECT),
], ids=["stolen", "exported", "sample"])
def test_an_exit_takes_the_pack_out_and_a_pharmacist_is_warned(network: Network, leave,
                                                               status, reason,
                                                               verdict) -> None:
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", EXPIRY, 1)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    signed = leave(dist, codes, "by the book")
    assert signed.event.reason == "by the book"
    record = dist.ledger.pack(codes[0].key)
    assert record is not None and record.status is status and record.custodian == DIST_A
    # The pack turns up at a pharmacy: never genuine, with the exit's own reason first.
    _sync(network, MAKER, DIST_A, PHARMACY)
    report = pharmacy.verify(codes[0].to_digital_link())
    assert report.verdict is verdict
    assert report.decision.reasons == (reason,)
    assert "not for sale" in report.decision.message or "stolen" in report.decision.message
    # And it stays out: no further custody step.
    with pytest.raises(RuleViolation, match="stays decommissioned"):
        dist.ship(PHARMACY, codes)
    with pytest.raises(RuleViolation, match="stays decommissioned"):
        leave(dist, codes)


def test_a_pack_stolen_on_the_way_is_reported_by_its_shipper(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = maker.commission(GTIN, "L1", EXPIRY, 2)
    maker.ship(DIST_A, codes)
    report_stolen(maker, codes[:1], "lorry broken into")
    exchange(maker, dist)
    with pytest.raises(RuleViolation, match="stays decommissioned"):
        dist.receive(codes[:1])
    dist.receive(codes[1:])  # the other pack arrived
    assert dist.ledger.pack(codes[0].key).status is PackStatus.STOLEN  # type: ignore[union-attr]


def test_only_the_custodian_reports_a_theft_and_only_wholesalers_export(
        network: Network) -> None:
    codes = _at_pharmacy(network, 2)
    with pytest.raises(RuleViolation, match="only the custodian can report it stolen"):
        report_stolen(network[DIST_A], codes[:1])
    with pytest.raises(RuleViolation, match="only a manufacturer or a distributor exports"):
        export_packs(network[PHARMACY], codes[:1])
    exchange(network[PHARMACY], network[REGULATOR])
    with pytest.raises(RuleViolation, match="holds no stock"):
        hand_over_sample(network[REGULATOR], codes[:1])
    sample = hand_over_sample(network[PHARMACY], codes[1:], "inspector, ref 42")
    assert sample.event.type is EventType.SAMPLE


def test_a_stolen_pack_found_again_may_only_be_destroyed_by_its_custodian(
        network: Network) -> None:
    codes = _at_pharmacy(network, 1)
    pharmacy = network[PHARMACY]
    report_stolen(pharmacy, codes)
    with pytest.raises(RuleViolation, match="stays decommissioned"):
        pharmacy.dispense(codes)
    pharmacy.destroy(codes, "recovered from the thief; not resold")
    record = pharmacy.ledger.pack(codes[0].key)
    assert record is not None and record.status is PackStatus.DESTROYED


def test_the_app_offers_the_exits_the_role_allows(network: Network) -> None:
    codes = _at_pharmacy(network, 1)
    pharmacy = network[PHARMACY]
    report = pharmacy.verify(codes[0])
    actions = pack_actions(report, pharmacy.ledger.pack(codes[0].key), PHARMACY,
                           pharmacy.me.info.role)
    assert {PackAction.REPORT_STOLEN, PackAction.SAMPLE, PackAction.RETURN} <= actions
    assert PackAction.EXPORT not in actions  # a pharmacy does not export


# --- returns --------------------------------------------------------------------------------
def test_a_pharmacy_returns_packs_to_the_wholesaler_they_came_from(network: Network) -> None:
    codes = _at_pharmacy(network, 2)
    pharmacy = network[PHARMACY]
    with pytest.raises(RuleViolation, match="came to you from North Wholesale"):
        return_packs(pharmacy, DIST_B, codes)
    with pytest.raises(RuleViolation, match="is the regulator"):
        return_packs(pharmacy, REGULATOR, codes)
    pharmacy.dispense(codes[1:])
    with pytest.raises(RuleViolation, match="stays decommissioned"):
        return_packs(pharmacy, DIST_A, codes[1:])
    signed = return_packs(pharmacy, DIST_A, codes[:1], "overstock")
    assert (signed.event.type, signed.event.to) == (EventType.RETURN, DIST_A)
    record = pharmacy.ledger.pack(codes[0].key)
    assert record is not None
    assert (record.status, record.custodian, record.recipient) == (
        PackStatus.IN_TRANSIT, PHARMACY, DIST_A)
    exchange(pharmacy, network[DIST_A])
    assert [r.pack for r in incoming_returns(network[DIST_A])] == [codes[0].key]
    # A full node tells a light-node wholesaler of returns to it, as of shipments to it.
    shipped = PackIndex(network[DIST_A].store).shipments_to(DIST_A, 0, 100)
    assert (PHARMACY, codes[0].key) in {(s.gln, s.pack) for s in shipped}


def test_only_a_pharmacy_returns(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = maker.commission(GTIN, "L1", EXPIRY, 1)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    with pytest.raises(RuleViolation, match="only a pharmacy returns packs"):
        return_packs(dist, MAKER, codes)


def test_the_saleable_returns_check_gives_each_outcome(network: Network) -> None:
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = _at_pharmacy(network, 4)
    recalled = _at_pharmacy(network, 1, lot="L-RECALLED")
    kept_here = maker.commission(GTIN, "L1", EXPIRY, 1)  # never left the maker
    maker.recall(GTIN, "L-RECALLED", "sterility")
    pharmacy.dispense(codes[1:2])
    return_packs(pharmacy, DIST_A, [codes[0], codes[3], *recalled])
    _sync(network, MAKER, DIST_A, PHARMACY)
    unknown = PackCode(GTIN, "NEVERMADE1", "L1", EXPIRY)  # type: ignore[arg-type]
    scanned = [codes[0], unknown, kept_here[0], codes[1], recalled[0], codes[2]]
    checks = check_returns(dist, PHARMACY, scanned, today=date(2026, 6, 1))
    assert [c.outcome for c in checks] == [
        ReturnOutcome.ACCEPTED, ReturnOutcome.UNKNOWN, ReturnOutcome.NOT_SHIPPED_TO_PHARMACY,
        ReturnOutcome.DISPENSED, ReturnOutcome.RECALLED, ReturnOutcome.NOT_RETURNED]
    assert "High Street Pharmacy" in checks[2].message
    assert "ask the pharmacy to sign the return" in checks[5].message
    expired = check_returns(dist, PHARMACY, [codes[3]], today=date(2030, 2, 1))
    assert [c.outcome for c in expired] == [ReturnOutcome.EXPIRED]
    assert "past its expiry date" in expired[0].message


def test_receiving_returns_takes_back_only_the_packs_that_pass(network: Network) -> None:
    dist, pharmacy = network[DIST_A], network[PHARMACY]
    codes = _at_pharmacy(network, 3)
    pharmacy.dispense(codes[2:])
    return_packs(pharmacy, DIST_A, codes[:2])
    _sync(network, DIST_A, PHARMACY)
    # In the app, a return in transit to us is received through the check, not directly.
    report = dist.verify(codes[0])
    actions = pack_actions(report, dist.ledger.pack(codes[0].key), DIST_A, dist.me.info.role)
    assert PackAction.CHECK_RETURN in actions and PackAction.RECEIVE not in actions
    unknown = PackCode(GTIN, "NEVERMADE2", "L1", EXPIRY)  # type: ignore[arg-type]
    receipt = receive_returns(dist, PHARMACY, [codes[0], codes[1], codes[2], unknown],
                              quarantine=True)
    assert [c.outcome for c in receipt.checks] == [
        ReturnOutcome.ACCEPTED, ReturnOutcome.ACCEPTED, ReturnOutcome.DISPENSED,
        ReturnOutcome.UNKNOWN]
    assert receipt.received is not None
    assert {i.pack for i in receipt.received.event.items} == {codes[0].key, codes[1].key}
    for code in codes[:2]:
        record = dist.ledger.pack(code.key)
        assert record is not None
        assert (record.status, record.custodian) == (PackStatus.ACTIVE, DIST_A)
    assert dist.verify(codes[0]).verdict is Verdict.GENUINE  # back in saleable stock
    reported = {r.event.items[0].pack: r.event.reason for r in receipt.reports}
    assert set(reported) == {codes[2].key, unknown.key}
    assert "failed the saleable-returns check (dispensed)" in reported[codes[2].key]
    assert incoming_returns(dist) == []


def test_a_recalled_return_is_not_received_nor_reported(network: Network) -> None:
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = _at_pharmacy(network, 1, lot="L9")
    return_packs(pharmacy, DIST_A, codes)
    maker.recall(GTIN, "L9", "label error")
    _sync(network, MAKER, DIST_A, PHARMACY)
    receipt = receive_returns(dist, PHARMACY, codes, quarantine=True)
    assert [c.outcome for c in receipt.checks] == [ReturnOutcome.RECALLED]
    assert receipt.received is None and receipt.reports == ()
    record = dist.ledger.pack(codes[0].key)
    assert record is not None and record.status is PackStatus.IN_TRANSIT
