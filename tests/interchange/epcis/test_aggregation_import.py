"""Importing AggregationEvents: GS1's own aggregation example (section 9.6.3) among its own
example companies, and every refusal with its reason."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from supplychain.clock import now_iso
from supplychain.codes.sscc import make_sscc
from supplychain.errors import EpcisError
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.ids import GLN
from supplychain.interchange.bundle import exchange
from supplychain.interchange.epcis.importer import import_document
from supplychain.interchange.epcis.mapping import map_event
from supplychain.interchange.epcis.uris import sgtin_uri, sscc_uri
from supplychain.ledger.container_rows import container_row
from supplychain.ledger.events import EventType
from supplychain.ledger.rules import PackStatus
from supplychain.node.containers import pack
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from tests.conftest import DIST_A, GTIN, MAKER, PASSPHRASE, PHARMACY, Network
from tests.interchange.epcis.helpers import (
    EPCIS_DATA,
    as_bytes,
    commission_event,
    document,
    events_of,
    object_event,
    refused,
    sgln,
)

EXAMPLE = EPCIS_DATA / "Example_9.6.3-AggregationEvent.jsonld"
# GS1's example companies: the case's packer (GS1 company prefix 0614141) and the site that
# receives it (the example's bizLocation urn:epc:id:sgln:0614141.00888.0).
EXAMPLE_MAKER = GLN("0614141000012")
EXAMPLE_RECEIVER = GLN("0614141008889")
EXAMPLE_SSCC = "106141412345678908"  # urn:epc:id:sscc:0614141.1234567890
EXAMPLE_GTIN = "10614141073464"  # urn:epc:id:sgtin:0614141.107346.*


@pytest.fixture
def example_network(tmp_path: Path) -> Iterator[dict[str, Node]]:
    """The example's two companies in a consortium of their own; the packer's history (two
    packs commissioned, packed into the example's case, the case shipped to the receiver) is
    imported as EPCIS dated days before the example's receipt, and passed on by bundle."""
    members = [MemberInfo("GS1 Example Maker", EXAMPLE_MAKER, Role.MANUFACTURER, ("0614141",)),
               MemberInfo("GS1 Example Receiver", EXAMPLE_RECEIVER, Role.DISTRIBUTOR)]
    _, homes = build_network(tmp_path / "gs1", "GS1 Example Health", members, PASSPHRASE)
    nodes = {gln: Node(home, lambda: PASSPHRASE) for gln, home in homes.items()}
    maker, receiver = nodes[EXAMPLE_MAKER], nodes[EXAMPLE_RECEIVER]
    children = [sgtin_uri(EXAMPLE_GTIN, s, 7) for s in ("2017", "2018")]
    history = document(
        commission_event(["2017", "2018"], gtin=EXAMPLE_GTIN, at=EXAMPLE_MAKER,
                         time="2013-06-01T10:00:00.000+02:00")
        | {"eventTimeZoneOffset": "+02:00"},
        {"type": "AggregationEvent", "action": "ADD", "bizStep": "packing",
         "eventTime": "2013-06-02T10:00:00.000+02:00", "eventTimeZoneOffset": "+02:00",
         "parentID": "urn:epc:id:sscc:0614141.1234567890", "childEPCs": children,
         "readPoint": {"id": "urn:epc:id:sgln:0614141.00001.0"}},
        object_event(bizStep="shipping", disposition="in_transit",
                     eventTime="2013-06-03T10:00:00.000+02:00", eventTimeZoneOffset="+02:00",
                     epcList=["urn:epc:id:sscc:0614141.1234567890"],
                     readPoint={"id": "urn:epc:id:sgln:0614141.00001.0"},
                     destinationList=[{"type": "possessing_party",
                                       "destination": "urn:epc:id:pgln:0614141.00888"}]))
    report = import_document(maker, as_bytes(history))
    assert report.committed, report.text()
    exchange(maker, receiver)
    yield nodes
    for node in nodes.values():
        node.close()


def test_gs1_aggregation_example_receives_the_case_and_its_packs(
        example_network: dict[str, Node]) -> None:
    """GS1's example 9.6.3 (OBSERVE, bizStep receiving, parentID an SSCC, two SGTIN children,
    a childQuantityList) at the receiving site it names. As published it is refused: its
    childQuantityList counts class-level goods (10 of a product pattern, 200.5 kg of a lot)
    that a case of serialised packs cannot hold. Without the childQuantityList it imports
    as-is: one receive event of the case and both packs, dated the example's eventTime in the
    example's offset; the receiver holds the case and the packs."""
    receiver = example_network[EXAMPLE_RECEIVER]
    published = json.loads(EXAMPLE.read_bytes())
    reasons = refused(receiver, published)
    assert "childQuantityList (class-level quantities) cannot be put into or counted in a case" \
        in reasons[0]  # type: ignore[operator]

    serialised = copy.deepcopy(published)
    del events_of(serialised)[0]["childQuantityList"]
    report = import_document(receiver, as_bytes(serialised))
    assert report.committed, report.text()
    assert report.outcomes[0].summary == (
        "AggregationEvent receiving of case urn:epc:id:sscc:0614141.1234567890 and 2 pack(s) "
        "or case(s)")
    event = receiver.ledger.signed_event(EXAMPLE_RECEIVER, 0).event
    assert event.type is EventType.RECEIVE and event.parent is None
    assert [str(i.pack) for i in event.items] == [EXAMPLE_SSCC, f"{EXAMPLE_GTIN}/2017",
                                                  f"{EXAMPLE_GTIN}/2018"]
    assert event.time == "2013-06-08T16:58:56.591+02:00"
    case = container_row(receiver.store, EXAMPLE_SSCC)
    assert case is not None and case.custodian == EXAMPLE_RECEIVER and case.contents == 2
    for serial in ("2017", "2018"):
        record = receiver.ledger.pack(f"{EXAMPLE_GTIN}/{serial}")
        assert record is not None and record.custodian == EXAMPLE_RECEIVER


def test_gs1_aggregation_example_maps_for_its_receiving_site() -> None:
    """Pure mapping of the example (its childQuantityList left out): a receive of the case and
    the children observed in it; seen from the dock door it is another's action."""
    event = events_of(json.loads(EXAMPLE.read_bytes()))[0]
    event.pop("childQuantityList")
    plan = map_event(event, 0, EXAMPLE_RECEIVER)
    assert plan.kind is EventType.RECEIVE and plan.inside == EXAMPLE_SSCC
    assert plan.parent is None and len(plan.codes) == 3
    with pytest.raises(EpcisError, match="action by GLN 0614141008889 .its bizLocation"):
        map_event(event, 0, GLN("0614141007776"))


def test_the_example_ssccs_urn_names_its_18_digits() -> None:
    assert make_sscc("0614141", 234567890, extension=1) == EXAMPLE_SSCC
    assert sscc_uri(EXAMPLE_SSCC, 7) == "urn:epc:id:sscc:0614141.1234567890"


# --- refusals ---------------------------------------------------------------------------
MAKER_CASE = make_sscc("501234", 1)
DAMAGED_CASE = MAKER_CASE[:-1] + str((int(MAKER_CASE[-1]) + 1) % 10)  # a wrong check digit


def _packing(**fields: Any) -> dict[str, Any]:
    return {"type": "AggregationEvent", "action": "ADD", "bizStep": "packing",
            "eventTime": "2026-03-01T10:30:00.000+01:00", "eventTimeZoneOffset": "+01:00",
            "parentID": sscc_uri(MAKER_CASE, 6),
            "childEPCs": [sgtin_uri(GTIN, "S1", 6), sgtin_uri(GTIN, "S2", 6)],
            "readPoint": sgln(MAKER), "bizLocation": sgln(MAKER)} | fields


@pytest.mark.parametrize(("fields", "phrase"), [
    ({"childEPCs": [], "childQuantityList": [
        {"epcClass": "urn:epc:class:lgtin:501234.0500001.L7", "quantity": 2}]},
     "childQuantityList (class-level quantities)"),
    ({"childQuantityList": [{"epcClass": "urn:epc:class:lgtin:501234.0500001.L7"}]},
     "childQuantityList"),
    ({"parentID": sgtin_uri(GTIN, "S9", 6)}, "parentID: 'urn:epc:id:sgtin:501234.0500001.S9' "
                                             "names no case or pallet"),
    ({"parentID": "urn:epc:id:sscc:501234.0000000001"}, "17 digits together"),
    ({"parentID": f"https://id.gs1.org/00/{DAMAGED_CASE}"}, "check) digit"),
    ({"bizStep": "shipping"}, "action ADD and bizStep 'shipping' has no equivalent"),
    ({"action": "DELETE"}, "action DELETE and bizStep 'packing' has no equivalent"),
    ({"bizStep": None}, "has no bizStep"),
    ({"disposition": "destroyed"}, "does not fit bizStep 'packing'"),
    ({"childEPCs": [sgtin_uri(GTIN, "S1", 6)] * 2}, "childEPCs names 05012345000015/S1 twice"),
    ({"childEPCs": [sgtin_uri(GTIN, "S1", 6), f"https://id.gs1.org/01/{GTIN}/21/S1"]},
     "twice"),
    ({"childEPCs": [sgtin_uri(GTIN, "S1", 6), sscc_uri(MAKER_CASE, 6)]}, "its own parent"),
    ({"childEPCs": ["urn:epc:id:grai:0614141.12345.400"]}, "not a serialised trade item"),
    ({"readPoint": sgln(DIST_A), "bizLocation": sgln(DIST_A)}, f"action by GLN {DIST_A}"),
    ({"parentID": sscc_uri(make_sscc("950600", 1), 6)},
     "is not in the company prefix of Acme Pharma"),  # another company's case: a rule
])
def test_bad_aggregation_events_are_refused_with_a_reason(network: Network, fields: Any,
                                                          phrase: str) -> None:
    event = {k: v for k, v in _packing(**fields).items() if v is not None}
    reasons = refused(network[MAKER], document(commission_event(["S1", "S2"]), event))
    assert phrase in reasons[1]  # type: ignore[operator]


def test_what_a_case_cannot_do_is_refused(network: Network) -> None:
    """A case is not dispensed; a case nobody packed is not unpacked; a receipt observing a
    pack in a case it is not in is not the ledger's case; unpacking names only what is in the
    case (the ledger's rule)."""
    maker, dist = network[MAKER], network[DIST_A]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 3)
    box = make_sscc("501234", 7)
    pack(maker, box, codes[:2])
    maker.ship(DIST_A, [codes[2]])
    exchange(maker, dist)
    when = {"eventTime": now_iso(), "eventTimeZoneOffset": "+00:00"}
    dispense = object_event(bizStep="dispensing", epcList=[sscc_uri(box, 6)],
                            readPoint=sgln(MAKER)) | when
    assert "A dispensing event names packs, not case" in refused(maker, document(dispense))[0]  # type: ignore[operator]
    stolen = dispense | {"bizStep": "decommissioning", "disposition": "stolen"}
    assert "A decommissioning event names packs, not case" in \
        refused(maker, document(stolen))[0]  # type: ignore[operator]
    unknown = make_sscc("501234", 8)
    unpacking = _packing(action="DELETE", bizStep="unpacking", parentID=sscc_uri(unknown, 6),
                         childEPCs=[sgtin_uri(GTIN, codes[0].serial, 6)]) | when
    assert f"Case {unknown} is not known to this node; cannot unpack it" in \
        refused(maker, document(unpacking))[0]  # type: ignore[operator]
    stranger = _packing(action="DELETE", bizStep="unpacking", parentID=sscc_uri(box, 6),
                        childEPCs=[sgtin_uri(GTIN, codes[2].serial, 6)]) | when
    assert f"is not in case {box}: unpacking names only what is inside" in \
        refused(maker, document(stranger))[0]  # type: ignore[operator]
    # The distributor receives pack 3 "in" the maker's case, which it never left the maker in.
    observed = {"type": "AggregationEvent", "action": "OBSERVE", "bizStep": "receiving",
                "parentID": sscc_uri(box, 6), "childEPCs": [sgtin_uri(GTIN, codes[2].serial, 6)],
                "readPoint": sgln(DIST_A), **when}
    reasons = refused(dist, document(observed))
    assert f"{codes[2].key} is not in case {box} as this node knows it" in reasons[0]  # type: ignore[operator]


def test_an_ssccs_partial_shipment_is_the_ledgers_refusal(network: Network) -> None:
    """An ObjectEvent naming a pack inside a case but not the case: take it out first."""
    maker = network[MAKER]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 2)
    box = make_sscc("501234", 3)
    pack(maker, box, codes)
    ship = object_event(bizStep="shipping", disposition="in_transit", eventTime=now_iso(),
                        eventTimeZoneOffset="+00:00",
                        epcList=[sgtin_uri(GTIN, codes[0].serial, 6)], readPoint=sgln(MAKER),
                        destinationList=[{"type": "possessing_party",
                                          "destination": f"https://id.gs1.org/417/{PHARMACY}"}])
    assert f"is in case {box}: take it out of case {box} first" in \
        refused(maker, document(ship))[0]  # type: ignore[operator]


def test_a_case_observed_shipped_is_shipped_with_all_inside(network: Network) -> None:
    """AggregationEvent OBSERVE + shipping: the case and its packs go to the destination."""
    maker = network[MAKER]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 2)
    box = make_sscc("501234", 4)
    pack(maker, box, codes)
    observed = {"type": "AggregationEvent", "action": "OBSERVE", "bizStep": "shipping",
                "disposition": "in_transit", "eventTime": now_iso(),
                "eventTimeZoneOffset": "+00:00", "parentID": sscc_uri(box, 6),
                "childEPCs": [sgtin_uri(GTIN, codes[1].serial, 6)], "readPoint": sgln(MAKER),
                "destinationList": [{"type": "possessing_party",
                                     "destination": f"https://id.gs1.org/417/{DIST_A}"}]}
    report = import_document(maker, as_bytes(document(observed)))
    assert report.committed, report.text()
    shipped = maker.ledger.signed_event(MAKER, 2).event  # after commission and packing
    assert shipped.hash == report.outcomes[0].event_hash
    assert shipped.type is EventType.SHIP and shipped.to == DIST_A
    assert [str(i.pack) for i in shipped.items] == [box, *sorted(c.key for c in codes)]
    case = container_row(maker.store, box)
    assert case is not None and case.status is PackStatus.IN_TRANSIT and case.recipient == DIST_A
