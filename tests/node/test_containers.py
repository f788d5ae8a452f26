"""Cases and pallets on real nodes: pack, ship and receive whole cases through three nodes,
unpack and dispense at the pharmacy; nesting; one verdict and the life of a case; every
refusal a clerk can meet, on append (and the same rules on ingest: tests/ledger)."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import ContainerCode, make_sscc, parse_sscc
from supplychain.errors import RuleViolation
from supplychain.interchange.bundle import exchange
from supplychain.ledger.audit import audit
from supplychain.ledger.container_rows import container_of, container_row
from supplychain.ledger.events import EventType, Item, is_container_key
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import Verdict
from supplychain.node.containers import (
    container_history,
    contents,
    pack,
    unpack,
    verify_container,
)
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, PHARMACY, REGULATOR, Network

pytestmark = pytest.mark.both_backends

MAKER_PREFIX = "501234"  # the manufacturer's certified company prefix
DIST_PREFIX = "5012345"  # the company prefix of the distributors' GLNs


def case(n: int, prefix: str = MAKER_PREFIX) -> ContainerCode:
    return parse_sscc(make_sscc(prefix, n))


def _made(network: Network, count: int) -> list[PackCode]:
    return network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), count)


def test_a_case_travels_through_three_nodes_then_is_unpacked_and_dispensed(
        network: Network) -> None:
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = _made(network, 4)
    box = case(1)
    packed = pack(maker, box, codes[:3])
    assert packed.event.type is EventType.PACK and packed.event.parent == box.sscc
    assert contents(maker, box) == sorted(c.key for c in codes[:3])

    shipped = maker.ship(DIST_A, [box])  # one event: the case and all three packs
    assert {str(i.pack) for i in shipped.event.items} == {box.sscc, *(c.key for c in codes[:3])}
    exchange(maker, dist)
    at_dist = verify_container(dist, box)
    assert at_dist.verdict is Verdict.GENUINE and len(at_dist.packs) == 3
    received = dist.receive([box])  # the contents come from what was shipped to us
    assert len(received.event.items) == 4

    dist.ship(PHARMACY, [box])
    exchange(maker, pharmacy)
    exchange(dist, pharmacy)
    pharmacy.receive([box])
    assert container_row(pharmacy.store, box.sscc).custodian == PHARMACY  # type: ignore[union-attr]
    assert pharmacy.ledger.pack(codes[0].key).custodian == PHARMACY  # type: ignore[union-attr]

    with pytest.raises(RuleViolation, match=f"take it out of case {box.sscc} first"):
        pharmacy.dispense(codes[:1])
    report = pharmacy.verify(codes[0])
    assert report.verdict is Verdict.GENUINE
    assert f"It is in case {box.sscc}" in " ".join(report.decision.notes)

    unpack(pharmacy, box, codes[:1])
    assert container_of(pharmacy.store, codes[0].key) is None
    pharmacy.dispense(codes[:1])
    assert "It is in case" not in " ".join(pharmacy.verify(codes[0]).decision.notes)
    assert pharmacy.ledger.pack(codes[0].key).status is PackStatus.DISPENSED  # type: ignore[union-attr]
    whole = verify_container(pharmacy, box)
    assert whole.verdict is Verdict.GENUINE and len(whole.packs) == 2

    life = container_history(pharmacy, box)
    assert [(s.step.type, s.step.actor, s.contents) for s in life] == [
        (EventType.PACK, MAKER, 3), (EventType.SHIP, MAKER, 3), (EventType.RECEIVE, DIST_A, 3),
        (EventType.SHIP, DIST_A, 3), (EventType.RECEIVE, PHARMACY, 3),
        (EventType.UNPACK, PHARMACY, 2)]
    assert life[-1].children == (codes[0].key,)
    unpack(pharmacy, box)  # the rest
    assert contents(pharmacy, box) == [] and container_of(pharmacy.store, codes[1].key) is None
    pharmacy.dispense(codes[1:3])
    audit(pharmacy.ledger)  # derived tables, containers included, match a rebuild


def test_cases_on_a_pallet_move_whole_and_unpack_in_part(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = _made(network, 5)
    first, second, pallet = case(1), case(2), case(3)
    pack(maker, first, codes[:2])
    pack(maker, second, codes[2:4])
    pack(maker, pallet, [first, second])
    assert contents(maker, pallet) == sorted([first.sscc, second.sscc])
    assert contents(maker, pallet, nested=True) == [
        first.sscc, *sorted(c.key for c in codes[:2]), second.sscc,
        *sorted(c.key for c in codes[2:4])]
    with pytest.raises(RuleViolation, match=f"is in case {pallet.sscc}: take it out"):
        maker.ship(DIST_A, [first])  # a case on a pallet leaves the pallet first
    with pytest.raises(RuleViolation, match=f"is in case {first.sscc}: take it out"):
        maker.ship(DIST_A, codes[:1])
    shipped = maker.ship(DIST_A, [pallet, codes[4]])  # a pallet and a loose pack, one event
    assert len(shipped.event.items) == 3 + 4 + 1
    exchange(maker, dist)
    dist.receive([pallet])
    assert all(dist.ledger.pack(c.key).custodian == DIST_A  # type: ignore[union-attr]
               for c in codes[:4])
    unpack(dist, pallet, [second])  # partial: one case off the pallet
    assert contents(dist, pallet) == [first.sscc]
    assert container_of(dist.store, second.sscc) is None
    assert container_of(dist.store, codes[2].key) == second.sscc  # still in its case
    dist.ship(PHARMACY, [second])  # the case alone now
    assert container_row(dist.store, second.sscc).status is PackStatus.IN_TRANSIT  # type: ignore[union-attr]
    assert container_row(dist.store, first.sscc).status is PackStatus.ACTIVE  # type: ignore[union-attr]
    # A distributor packs under the company prefix of its own GLN.
    own = case(9, DIST_PREFIX)
    pack(dist, own, [pallet])
    assert container_of(dist.store, pallet.sscc) == own.sscc
    audit(dist.ledger)
    dist.ledger.rebuild()
    assert container_of(dist.store, pallet.sscc) == own.sscc


def test_destroying_a_case_destroys_everything_inside(network: Network) -> None:
    maker = network[MAKER]
    codes = _made(network, 2)
    box = case(4)
    pack(maker, box, codes)
    with pytest.raises(RuleViolation, match=f"is in case {box.sscc}: take it out"):
        maker.destroy(codes[:1], "broken")
    maker.destroy([box], "water damage")
    assert {maker.ledger.pack(c.key).status for c in codes} == {PackStatus.DESTROYED}  # type: ignore[union-attr]
    assert verify_container(maker, box).verdict is Verdict.COUNTERFEIT


def test_packing_refusals_on_append(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = _made(network, 6)
    box, other = case(1), case(2)
    with pytest.raises(RuleViolation, match="is not in the company prefix of Acme Pharma"):
        pack(maker, case(1, "950600"), codes[:1])  # another company's prefix
    with pytest.raises(RuleViolation, match="cannot be packed into itself"):
        pack(maker, box, [box])
    pack(maker, box, codes[:2])
    with pytest.raises(RuleViolation, match=f"already in case {box.sscc}: take it out"):
        pack(maker, other, codes[1:2])  # at most one container at a time
    pack(maker, other, [box])
    with pytest.raises(RuleViolation, match=f"is on pallet {other.sscc}: take it off"):
        pack(maker, box, codes[2:3])
    with pytest.raises(RuleViolation, match=f"Case {box.sscc} is on pallet {other.sscc}"):
        pack(maker, box, [other])  # a cycle: the pallet into the case it carries
    with pytest.raises(RuleViolation, match=f"is not in case {box.sscc}"):
        unpack(maker, box, codes[2:3])  # unpacking names only what is inside
    maker.ship(DIST_A, codes[3:4])
    with pytest.raises(RuleViolation, match="in_transit; only an active pack"):
        pack(maker, case(5), codes[3:4])
    maker.destroy(codes[4:5], "broken")
    with pytest.raises(RuleViolation, match="destroyed; only an active pack"):
        pack(maker, case(5), codes[4:5])
    exchange(maker, dist)
    with pytest.raises(RuleViolation, match="only the custodian can pack it"):
        pack(dist, case(6, DIST_PREFIX), codes[5:6])  # not the distributor's pack
    with pytest.raises(RuleViolation, match="only its custodian can unpack it"):
        unpack(dist, other)
    with pytest.raises(RuleViolation, match="not shipped to North Wholesale"):
        dist.receive([other])
    exchange(maker, network[REGULATOR])
    with pytest.raises(RuleViolation, match="only a member that holds stock packs"):
        pack(network[REGULATOR], case(7, DIST_PREFIX), codes[5:6])
    maker.recall(GTIN, "L1", "sterility")
    with pytest.raises(RuleViolation, match="belongs to recalled lot L1: do not pack it"):
        pack(maker, case(5), codes[5:6])


def test_shipping_or_receiving_part_of_a_case_is_refused(network: Network) -> None:
    """Altered software that leaves packs behind is refused by the rules, on append too."""
    maker = network[MAKER]
    codes = _made(network, 2)
    box = case(1)
    pack(maker, box, codes)
    head = container_row(maker.store, box.sscc).head  # type: ignore[union-attr]
    partial = [Item(box.sscc, head),  # type: ignore[arg-type]
               Item(codes[0].key, maker.ledger.pack(codes[0].key).head)]  # type: ignore[union-attr]
    with pytest.raises(RuleViolation, match="holds 2 packs or cases, but this ship names 1"):
        maker.signed_append(EventType.SHIP, partial, to=DIST_B)


def test_a_container_verdict_names_the_packs_that_are_not_genuine(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = _made(network, 3)
    box = case(1)
    pack(maker, box, codes)
    maker.report(codes[1:2], "seal broken")
    maker.ship(DIST_A, [box])
    exchange(maker, dist)
    report = verify_container(dist, box)
    assert report.verdict is Verdict.SUSPECT
    assert [r.code.key for r in report.not_genuine] == [codes[1].key]
    assert report.to_dict()["not_genuine"][0]["pack"] == codes[1].key  # type: ignore[index]
    unknown = verify_container(dist, case(42))
    assert unknown.verdict is Verdict.SUSPECT and "No packing of case" in unknown.message
    elsewhere = verify_container(network[DIST_B], box)  # nothing synced there
    assert elsewhere.verdict is not Verdict.GENUINE


def test_keys_tell_packs_from_cases() -> None:
    assert is_container_key(make_sscc(MAKER_PREFIX, 1))
    assert not is_container_key(f"{GTIN}/ABC")



def test_exits_of_a_pack_in_a_case(network: Network) -> None:
    from supplychain.node.exits import export_packs, report_stolen

    maker = network[MAKER]
    codes = _made(network, 2)
    box = case(1)
    pack(maker, box, codes)
    with pytest.raises(RuleViolation, match=f"is in case {box.sscc}: take it out"):
        export_packs(maker, codes[:1], "to Norway")
    report_stolen(maker, codes[:1], "gone from the case")  # stays counted in its case
    assert container_of(maker.store, codes[0].key) == box.sscc
    report = verify_container(maker, box)
    assert report.verdict is Verdict.COUNTERFEIT
    assert [r.code.key for r in report.not_genuine] == [codes[0].key]
    with pytest.raises(RuleViolation, match="stolen; a decommissioned pack stays"):
        maker.ship(DIST_A, [box])  # the case cannot move with a stolen pack in it
    unpack(maker, box, codes[:1])
    maker.ship(DIST_A, [box])
    audit(maker.ledger)
