"""Shipment candidates and the actions open on a scanned pack (supplychain.node.shipments,
supplychain.node.actions), checked on a real ledger without the app."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from supplychain import clock
from supplychain.errors import RuleViolation
from supplychain.identity.certificates import Role
from supplychain.interchange.bundle import exchange
from supplychain.node.actions import PackAction, may_undo_dispense, pack_actions, quarantine_reason
from supplychain.node.shipments import (
    incoming,
    incoming_candidate,
    outgoing_candidate,
    own_lots,
)
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, PHARMACY, REGULATOR, Network, pack


def _made(network: Network, count: int = 3, lot: str = "L1"):  # type: ignore[no-untyped-def]
    return network[MAKER].commission(GTIN, lot, date(2030, 1, 31), count)


def test_outgoing_accepts_a_pack_in_our_custody(network: Network) -> None:
    (code,) = _made(network, 1)
    candidate = outgoing_candidate(network[MAKER], code.to_digital_link(), [])
    assert candidate.accepted and candidate.code == code and candidate.reason == ""


def test_outgoing_refuses_each_case_with_its_reason(network: Network) -> None:
    maker = network[MAKER]
    first, second, third = _made(network, 3)
    link = first.to_digital_link()
    assert "Cannot read this code" in outgoing_candidate(maker, "not a code", []).reason
    twice = outgoing_candidate(maker, link, [first.key])
    assert not twice.accepted and twice.reason == "Already in this shipment (scanned twice)."
    unknown = outgoing_candidate(maker, pack("NOSUCH").to_digital_link(), [])
    assert not unknown.accepted and unknown.reason.startswith("Unknown pack")
    maker.ship(DIST_A, [second])
    away = outgoing_candidate(maker, second.to_digital_link(), [])
    assert away.reason == "Not in our custody: in transit by Acme Pharma."
    maker.destroy([third], "crushed")
    gone = outgoing_candidate(maker, third.to_digital_link(), [])
    assert gone.reason == "Decommissioned (destroyed): it must not travel again."
    maker.recall(GTIN, "L1", "sterility")
    recalled = outgoing_candidate(maker, link, [])
    assert not recalled.accepted and recalled.reason == "Lot L1 is recalled: do not ship."


def test_incoming_candidates_and_shipments(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = _made(network, 3)
    maker.ship(DIST_A, codes[:2])
    exchange(maker, dist)
    (shipment,) = incoming(dist)
    assert shipment.sender == MAKER and {p.pack for p in shipment.packs} == {
        c.key for c in codes[:2]}
    expected = [c.key for c in codes[:2]]
    ok = incoming_candidate(dist, codes[0].to_digital_link(), expected, [])
    assert ok.accepted
    again = incoming_candidate(dist, codes[0].to_digital_link(), expected, [codes[0].key])
    assert again.reason == "Already scanned."
    stray = incoming_candidate(dist, codes[2].to_digital_link(), expected, [])
    assert not stray.accepted
    assert stray.reason == ("Unexpected: the ledger shows it active with Acme Pharma, not "
                            "shipped to us.")
    never = incoming_candidate(dist, pack("NOSUCH").to_digital_link(), expected, [])
    assert never.reason.startswith("Unexpected: this pack is unknown to the network")
    dist.receive(codes[:1])
    here = incoming_candidate(dist, codes[0].to_digital_link(), [codes[1].key], [])
    assert here.reason == "Unexpected: this pack was already received here."
    other = incoming_candidate(dist, codes[1].to_digital_link(), [], [])
    assert other.reason == "Unexpected in this shipment, but shipped to us in another one."


def test_own_lots(network: Network) -> None:
    _made(network, 2, "L1")
    _made(network, 1, "L2")
    network[MAKER].recall(GTIN, "L2", "label error")
    lots = {(s.lot, s.count, s.recalled) for s in own_lots(network[MAKER])}
    assert lots == {("L1", 2, False), ("L2", 1, True)}
    assert own_lots(network[DIST_B]) == []


def test_pack_actions_follow_custody_and_role(network: Network) -> None:
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    first, second = _made(network, 2)
    maker.ship(DIST_A, [first, second])
    exchange(maker, dist)

    def actions(node, code, role):  # type: ignore[no-untyped-def]
        return pack_actions(node.verify(code), node.ledger.pack(code.key), node.gln, role)

    assert actions(dist, first, Role.DISTRIBUTOR) == {
        PackAction.RECEIVE, PackAction.REPORT, PackAction.QUARANTINE}
    dist.receive([first, second])
    dist.ship(PHARMACY, [first])
    for source in (maker, dist):
        exchange(source, pharmacy)
    pharmacy.receive([first])
    assert PackAction.DISPENSE in actions(pharmacy, first, Role.PHARMACY)
    assert PackAction.DISPENSE not in actions(dist, second, Role.DISTRIBUTOR)
    pharmacy.dispense([first])
    after = actions(pharmacy, first, Role.PHARMACY)
    assert PackAction.UNDO_DISPENSE in after and PackAction.DISPENSE not in after


def test_undo_dispense_only_within_the_window_and_only_our_own(network: Network) -> None:
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    (code,) = _made(network, 1)
    maker.ship(DIST_A, [code])
    exchange(maker, dist)
    dist.receive([code])
    dist.ship(PHARMACY, [code])
    for source in (maker, dist):
        exchange(source, pharmacy)
    pharmacy.receive([code])
    pharmacy.dispense([code])
    report = pharmacy.verify(code)
    when = clock.parse_iso(report.history[-1].time)
    assert may_undo_dispense(report, PHARMACY, Role.PHARMACY, when + timedelta(days=1))
    assert not may_undo_dispense(report, PHARMACY, Role.PHARMACY, when + timedelta(days=11))
    assert not may_undo_dispense(report, DIST_A, Role.PHARMACY, when)
    assert not may_undo_dispense(report, PHARMACY, Role.DISTRIBUTOR, when)
    assert not may_undo_dispense(maker.verify(code), MAKER, Role.PHARMACY,
                                 clock.now())


def test_quarantine_reason_names_the_site() -> None:
    assert quarantine_reason("High Street Pharmacy") == "quarantined at High Street Pharmacy"


def test_shipping_to_the_regulator_is_refused_before_anything_is_signed(network: Network) -> None:
    """The regulator holds no stock: a shipment to it could never be received."""
    (code,) = _made(network, 1)
    maker = network[MAKER]
    size = maker.ledger.log_size(MAKER)
    with pytest.raises(RuleViolation, match="is the regulator, which holds no stock"):
        maker.ship(REGULATOR, [code])
    assert maker.ledger.log_size(MAKER) == size
