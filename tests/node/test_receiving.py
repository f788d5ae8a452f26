"""Receiving with exceptions on real nodes: a whole case, a case arrived in part (opened on
receipt), overage of each kind, shortage and damaged packs; what is written for each."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import ContainerCode, make_sscc, parse_sscc
from supplychain.interchange.bundle import exchange
from supplychain.ledger.audit import audit
from supplychain.ledger.container_rows import container_of, container_row, contents_of
from supplychain.ledger.events import EventType, is_container_key
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import Verdict
from supplychain.node.containers import pack
from supplychain.node.receiving import (
    OverageKind,
    cases_of,
    receive_reconciled,
    reconcile,
    scan_case,
)
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, Network

pytestmark = pytest.mark.both_backends


def case(n: int) -> ContainerCode:
    return parse_sscc(make_sscc("501234", n))


def _shipped(network: Network, cased: int, loose: int) -> tuple[ContainerCode, list[PackCode]]:
    """The maker packs ``cased`` packs into a case and ships it with ``loose`` more to DIST_A."""
    maker, dist = network[MAKER], network[DIST_A]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), cased + loose)
    box = case(1)
    pack(maker, box, codes[:cased])
    maker.ship(DIST_A, [box, *codes[cased:]])
    exchange(maker, dist)
    return box, codes


def test_a_whole_case_scanned_by_its_label_is_received_as_a_case(network: Network) -> None:
    dist = network[DIST_A]
    box, codes = _shipped(network, 3, 1)
    check = reconcile(dist, [box.sscc, codes[3]])
    assert check.clean and check.to_receive == tuple(sorted(c.key for c in codes))
    assert check.whole_cases == (box.sscc,) and not check.opened_cases
    assert [(c.sscc, len(c.packs)) for c in check.cases] == [(box.sscc, 3)]
    receipt = receive_reconciled(dist, check)
    assert receipt.received is not None and not receipt.reports
    assert len(receipt.received.event.items) == 5  # the case, its three packs, the loose one
    assert container_row(dist.store, box.sscc).custodian == DIST_A  # type: ignore[union-attr]
    assert container_of(dist.store, codes[0].key) == box.sscc  # still in its case


def test_a_case_arrived_in_part_is_opened_and_the_rest_reported_short(
        network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    box, codes = _shipped(network, 3, 1)
    check = reconcile(dist, [codes[0], codes[1], codes[3]])
    assert check.shortage == (codes[2].key,) and check.opened_cases == (box.sscc,)
    receipt = receive_reconciled(dist, check, "seal broken on arrival")
    assert receipt.received is not None
    received = {str(i.pack) for i in receipt.received.event.items}
    assert received == {box.sscc, codes[0].key, codes[1].key, codes[3].key}
    # Opened on receipt: what arrived is out of the case and ours; the missing pack stays
    # in the case, still in transit to us.
    assert container_of(dist.store, codes[0].key) is None
    assert dist.ledger.pack(codes[0].key).custodian == DIST_A  # type: ignore[union-attr]
    assert contents_of(dist.store, box.sscc) == [codes[2].key]
    missing = dist.ledger.pack(codes[2].key)
    assert missing is not None and missing.status is PackStatus.IN_TRANSIT
    [report] = receipt.reports
    assert report.event.type is EventType.REPORT
    assert "shortage" in (report.event.reason or "")
    assert "seal broken on arrival" in (report.event.reason or "")
    assert dist.verify(codes[2]).verdict is Verdict.SUSPECT  # the recipient's report counts
    exchange(dist, maker)  # the sender sees the same, and its ledger accepts the rule
    assert maker.ledger.pack(codes[0].key).custodian == DIST_A  # type: ignore[union-attr]
    assert maker.verify(codes[2]).verdict is Verdict.SUSPECT
    audit(dist.ledger)
    audit(maker.ledger)


def test_damaged_packs_are_not_received_and_are_reported(network: Network) -> None:
    dist = network[DIST_A]
    box, codes = _shipped(network, 2, 2)
    check = reconcile(dist, [box.sscc, codes[2]], damaged=[codes[3], codes[1]])
    assert check.damaged == tuple(sorted([codes[1].key, codes[3].key]))
    assert not check.shortage and check.opened_cases == (box.sscc,)
    receipt = receive_reconciled(dist, check)
    assert receipt.received is not None
    assert {str(i.pack) for i in receipt.received.event.items} == {
        box.sscc, codes[0].key, codes[2].key}
    [report] = receipt.reports
    assert "damaged" in (report.event.reason or "")
    assert {str(i.pack) for i in report.event.items} == {codes[1].key, codes[3].key}
    assert dist.ledger.pack(codes[3].key).status is PackStatus.IN_TRANSIT  # type: ignore[union-attr]


def test_overage_of_each_kind(network: Network) -> None:
    maker, dist, other = network[MAKER], network[DIST_A], network[DIST_B]
    box, codes = _shipped(network, 1, 1)
    extra = maker.commission(GTIN, "L2", date(2030, 1, 31), 4)
    maker.ship(DIST_B, extra[:1])       # shipped to someone else
    maker.ship(DIST_A, extra[1:2])      # shipped to us, but in another shipment
    # extra[2] stays with the maker: never shipped; extra[3] is destroyed
    maker.destroy(extra[3:4])
    exchange(maker, dist)
    unknown = PackCode(GTIN, "NEVERMADE", "L1", date(2030, 1, 31))
    stranger = case(77)
    check = reconcile(dist, [box.sscc, codes[1], extra[0], extra[1],
                             extra[2], extra[3], unknown.to_element_string(),
                             stranger.sscc, "not a code"],
                      sender=MAKER)
    kinds = {o.key: o.kind for o in check.overage}
    assert kinds == {
        extra[0].key: OverageKind.SHIPPED_ELSEWHERE, extra[2].key: OverageKind.NOT_SHIPPED,
        extra[3].key: OverageKind.DECOMMISSIONED, unknown.key: OverageKind.UNKNOWN,
        stranger.sscc: OverageKind.UNKNOWN, None: OverageKind.UNREADABLE}
    assert extra[1].key in check.to_receive  # every shipment from the sender is expected
    receipt = receive_reconciled(dist, check)
    [report] = receipt.reports
    reported = {str(i.pack) for i in report.event.items}
    assert reported == {extra[0].key, extra[2].key, extra[3].key, unknown.key}
    assert "overage" in (report.event.reason or "")
    # A report by someone who never held the pack makes nobody's pack suspect.
    exchange(dist, other)
    assert other.ledger.pack(extra[0].key) is not None
    assert other.verify(extra[0]).verdict is Verdict.GENUINE
    # Already received here, scanned again at the next delivery:
    again = reconcile(dist, [codes[1]])
    assert [o.kind for o in again.overage] == [OverageKind.ALREADY_HERE]


def test_another_senders_shipment_is_overage_when_receiving_from_one_sender(
        network: Network) -> None:
    maker, dist, other = network[MAKER], network[DIST_A], network[DIST_B]
    box, codes = _shipped(network, 1, 0)
    theirs = maker.commission(GTIN, "L3", date(2030, 1, 31), 1)
    maker.ship(DIST_B, theirs)
    exchange(maker, other)
    other.receive(theirs)
    other.ship(DIST_A, theirs)
    exchange(maker, dist)
    exchange(other, dist)
    check = reconcile(dist, [box.sscc, theirs[0]], sender=MAKER)
    assert [(o.key, o.kind) for o in check.overage] == [(theirs[0].key,
                                                         OverageKind.OTHER_SHIPMENT)]
    receipt = receive_reconciled(dist, check)
    assert not receipt.reports  # not reported: it is ours to receive with its own shipment


def test_shortage_of_a_whole_case_leaves_it_in_transit(network: Network) -> None:
    dist = network[DIST_A]
    box, codes = _shipped(network, 2, 1)
    check = reconcile(dist, [codes[2]])
    assert check.shortage == tuple(sorted(c.key for c in codes[:2]))
    assert not check.whole_cases and not check.opened_cases
    receipt = receive_reconciled(dist, check)
    assert receipt.received is not None
    assert not any(is_container_key(str(i.pack)) for i in receipt.received.event.items)
    assert container_row(dist.store, box.sscc).status is PackStatus.IN_TRANSIT  # type: ignore[union-attr]


def test_a_shipment_of_which_nothing_arrived_is_waiting_not_short(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    box, codes = _shipped(network, 1, 1)
    later = maker.commission(GTIN, "L4", date(2030, 1, 31), 2)
    maker.ship(DIST_A, later)
    exchange(maker, dist)
    check = reconcile(dist, [box.sscc, codes[1]])
    assert check.clean and check.waiting == tuple(sorted(c.key for c in later))
    one = reconcile(dist, [later[0]])
    assert one.shortage == (later[1].key,) and set(one.waiting) == {c.key for c in codes}


def test_a_scanned_case_label_ticks_its_packs(network: Network) -> None:
    dist = network[DIST_A]
    box, codes = _shipped(network, 2, 1)
    expected = [c.key for c in codes]
    scan = scan_case(dist, f"(00){box.sscc}", expected)
    assert scan.accepted and {c.key for c in scan.packs} == {c.key for c in codes[:2]}
    assert cases_of(dist, expected) == {codes[0].key: box.sscc, codes[1].key: box.sscc}
    stranger = scan_case(dist, case(55).sscc, expected)
    assert not stranger.accepted and "unknown to the network" in stranger.reason
