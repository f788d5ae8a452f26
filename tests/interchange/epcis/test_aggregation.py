"""Cases and pallets in EPCIS: packing and unpacking as AggregationEvents, a case shipped,
received and destroyed as an ObjectEvent naming it and all inside it; export, schema, import
round trip byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from supplychain.codes.sscc import ContainerCode, make_sscc, parse_sscc
from supplychain.ids import GLN, EventHash, PackKey
from supplychain.interchange.bundle import exchange
from supplychain.interchange.epcis.export import ExportRecord, Selection, build_document
from supplychain.interchange.epcis.importer import import_document
from supplychain.interchange.epcis.mapping import map_event
from supplychain.interchange.epcis.schema import validate_document
from supplychain.interchange.epcis.uris import PrefixResolver, epc_key, sgtin_uri, sscc_uri
from supplychain.ledger.container_rows import container_of, container_row, contents_of
from supplychain.ledger.events import Event, EventType, Item, SignedEvent
from supplychain.ledger.rules import PackStatus
from supplychain.node.containers import pack, unpack
from tests.conftest import DIST_A, GTIN, MAKER, MEMBERS, PHARMACY, Network
from tests.interchange.epcis.helpers import (
    CSET82,
    as_bytes,
    commission_event,
    document,
    events_of,
    export,
    fresh_same_identity,
    object_event,
    pack_states,
    sgln,
    ship_event,
)

MAKER_PREFIX = "501234"  # the manufacturer's certified company prefix
DIST_PREFIX = "5012345"  # the company prefix of the distributor's GLN


def case(n: int, prefix: str = MAKER_PREFIX) -> ContainerCode:
    return parse_sscc(make_sscc(prefix, n))


@pytest.fixture
def cases(network: Network) -> dict[str, Any]:
    """Two cases packed onto a pallet, shipped and received whole; the distributor takes the
    pallet apart, repacks one case into a case of its own and sends a case on; the pharmacy
    unpacks a pack and dispenses it; the maker destroys a third case whole."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 7)
    box1, box2, pallet, box3, own = case(1), case(2), case(3), case(4), case(9, DIST_PREFIX)
    pack(maker, box1, codes[:2])
    pack(maker, box2, codes[2:4])
    pack(maker, pallet, [box1, box2])
    pack(maker, box3, codes[4:6])
    maker.destroy([box3], "crushed by a forklift")
    maker.ship(DIST_A, [pallet])
    exchange(maker, dist)
    dist.receive([pallet])
    unpack(dist, pallet)
    unpack(dist, box2)
    pack(dist, own, codes[2:4])
    dist.ship(PHARMACY, [box1])
    exchange(maker, pharmacy)
    exchange(dist, pharmacy)
    pharmacy.receive([box1])
    unpack(pharmacy, box1, codes[:1])
    pharmacy.dispense(codes[:1])
    return {"codes": codes, "box1": box1, "box2": box2, "pallet": pallet, "box3": box3,
            "own": own, "keys": [c.key for c in codes]}


def test_packing_and_unpacking_export_as_aggregation_events(network: Network,
                                                            cases: dict[str, Any]) -> None:
    codes, box1, box2, pallet = cases["codes"], cases["box1"], cases["box2"], cases["pallet"]
    doc = export(network[PHARMACY])  # schema-valid, strictly (helpers.export)
    events = events_of(doc)
    packs = [e for e in events if e["sc:type"] == "pack"]
    assert {(e["type"], e["action"], e["bizStep"], e["disposition"]) for e in packs} == {
        ("AggregationEvent", "ADD", "packing", "in_progress")}
    first = packs[0]
    assert first["parentID"] == "urn:epc:id:sscc:501234.00000000001" == sscc_uri(box1.sscc, 6)
    assert first["childEPCs"] == [sgtin_uri(GTIN, c.serial, 6) for c in codes[:2]]
    assert first["readPoint"] == first["bizLocation"] == {"id": "urn:epc:id:sgln:501234.500002.0"}
    assert "epcList" not in first
    nested = next(e for e in packs if e["parentID"] == sscc_uri(pallet.sscc, 6))
    assert nested["childEPCs"] == [sscc_uri(box1.sscc, 6), sscc_uri(box2.sscc, 6)]
    # The distributor's own case: its SSCC is split at the distributor's GLN company prefix.
    assert any(e["parentID"] == "urn:epc:id:sscc:5012345.0000000009" for e in packs)
    unpacks = [e for e in events if e["sc:type"] == "unpack"]
    assert {(e["type"], e["action"], e["bizStep"]) for e in unpacks} == {
        ("AggregationEvent", "DELETE", "unpacking")}
    whole = next(e for e in unpacks if e["parentID"] == sscc_uri(pallet.sscc, 6))
    assert whole["childEPCs"] == [sscc_uri(box1.sscc, 6), sscc_uri(box2.sscc, 6)]


def test_a_case_moves_as_an_object_event_naming_it_and_all_inside(
        network: Network, cases: dict[str, Any]) -> None:
    """Shipping, receiving and destroying a case list the case, its inner cases and packs,
    exactly the ledger event's items in their order."""
    maker = network[MAKER]
    doc = export(maker, Selection(org=GLN(MAKER)))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for e in events_of(doc):
        by_type.setdefault(e["sc:type"], []).append(e)
    ship, destroy = by_type["ship"][0], by_type["destroy"][0]
    assert ship["type"] == destroy["type"] == "ObjectEvent"
    shipped = maker.ledger.signed_event(MAKER, ship["sc:index"]).event
    assert ship["epcList"] == [_epc(str(i.pack)) for i in shipped.items]
    assert ship["epcList"][:2] == [sscc_uri(cases["pallet"].sscc, 6),
                                   sscc_uri(cases["box1"].sscc, 6)]
    assert len(ship["epcList"]) == 3 + 4  # pallet, two cases, four packs
    assert (destroy["action"], destroy["bizStep"]) == ("DELETE", "destroying")
    assert destroy["epcList"][0] == sscc_uri(cases["box3"].sscc, 6)
    assert len(destroy["epcList"]) == 3 and destroy["sc:reason"] == "crushed by a forklift"


def _epc(key: str) -> str:
    if "/" in key:
        return sgtin_uri(key[:14], key[15:], 6)
    return sscc_uri(key, 7 if key[1:8] == DIST_PREFIX else 6)


def test_export_of_one_case_selects_the_events_naming_it(network: Network,
                                                         cases: dict[str, Any]) -> None:
    doc = export(network[PHARMACY], Selection(code=cases["box1"]))
    assert [e["sc:type"] for e in events_of(doc)] == [
        "pack", "pack", "ship", "receive", "unpack", "ship", "receive", "unpack"]


def test_round_trip_rebuilds_each_log_byte_for_byte(network: Network, cases: dict[str, Any],
                                                    tmp_path: Path) -> None:
    """Each organisation's export imported into a fresh node of that organisation (same
    certificate and key), bundles passed on as the originals did: packing, unpacking, the
    nested pallet, the case shipped, received and destroyed come back byte for byte."""
    fresh = {g: fresh_same_identity(network, g, tmp_path / g) for g in (MAKER, DIST_A,
                                                                         PHARMACY)}
    try:
        for gln, feed in ((MAKER, []), (DIST_A, [MAKER]), (PHARMACY, [MAKER, DIST_A])):
            for source in feed:
                exchange(fresh[source], fresh[gln])
            report = import_document(fresh[gln], as_bytes(export(network[gln],
                                                                 Selection(org=GLN(gln)))))
            assert report.ok and report.committed, report.text()
            original = network[gln].store
            assert fresh[gln].store.entries(gln, 0, 10**6) == original.entries(gln, 0, 10**6)
        node, again = network[PHARMACY], fresh[PHARMACY]
        assert pack_states(again, cases["keys"]) == pack_states(node, cases["keys"])
        for box in ("box1", "box2", "pallet", "box3", "own"):
            sscc = cases[box].sscc
            assert container_row(again.store, sscc) == container_row(node.store, sscc)
            assert contents_of(again.store, sscc) == contents_of(node.store, sscc)
    finally:
        for fresh_node in fresh.values():
            fresh_node.close()


def _aggregation(action: str, step: str, parent: str, children: list[str],
                 at: str = MAKER, time: str = "2026-03-01T10:30:00.000+01:00",
                 **fields: Any) -> dict[str, Any]:
    event = {"type": "AggregationEvent", "action": action, "bizStep": step,
             "eventTime": time, "eventTimeZoneOffset": "+01:00", "parentID": parent,
             "readPoint": sgln(at), "bizLocation": sgln(at)}
    if children:
        event["childEPCs"] = children
    return event | fields


def test_an_object_event_on_a_case_applies_to_everything_inside(network: Network) -> None:
    """Another system's document: commission, pack (AggregationEvent ADD with a Digital Link
    parent), then ship an ObjectEvent naming only the case; the distributor receives the case
    and unpacks it without naming children (DELETE: all of them)."""
    maker, dist = network[MAKER], network[DIST_A]
    box = case(5)
    doc = document(commission_event(["S1", "S2"]),
                   _aggregation("ADD", "packing", f"https://id.gs1.org/00/{box.sscc}",
                                [sgtin_uri(GTIN, "S1", 6), sgtin_uri(GTIN, "S2", 6)]),
                   ship_event([], to=DIST_A) | {"epcList": [sscc_uri(box.sscc, 6)]})
    report = import_document(maker, as_bytes(doc))
    assert report.committed, report.text()
    shipped = maker.ledger.signed_event(MAKER, 2).event
    assert shipped.type is EventType.SHIP and shipped.to == DIST_A
    assert [str(i.pack) for i in shipped.items] == [box.sscc, f"{GTIN}/S1", f"{GTIN}/S2"]

    exchange(maker, dist)
    receive = object_event(bizStep="receiving", disposition="in_progress",
                           eventTime="2026-03-02T09:00:00.000+01:00",
                           epcList=[sscc_uri(box.sscc, 6)], readPoint=sgln(DIST_A))
    take_apart = _aggregation("DELETE", "unpacking", sscc_uri(box.sscc, 6), [], at=DIST_A,
                              time="2026-03-02T09:05:00.000+01:00")
    report = import_document(dist, as_bytes(document(receive, take_apart)))
    assert report.committed, report.text()
    assert contents_of(dist.store, box.sscc) == []
    record = dist.ledger.pack(f"{GTIN}/S1")
    assert record is not None and record.custodian == DIST_A
    assert record.status is PackStatus.ACTIVE and container_of(dist.store, f"{GTIN}/S1") is None
    unpacked = dist.ledger.signed_event(DIST_A, 1).event
    assert unpacked.type is EventType.UNPACK and unpacked.parent == box.sscc
    assert len(unpacked.children) == 2


def test_cli_exports_one_case_by_any_scanned_form(network: Network, cases: dict[str, Any],
                                                  cli, tmp_path: Path) -> None:
    home = network.homes[MAKER]
    for node in network.nodes.values():
        node.close()  # the CLI opens the homes itself
    out = tmp_path / "case.jsonld"
    code, stdout, _ = cli("--home", home, "epcis", "export", "--json", "--code",
                          f"(00){cases['box3'].sscc}", "--out", out)
    assert code == 0, stdout
    assert json.loads(stdout)["ledger_events"] == 2  # packed, then destroyed
    doc = json.loads(out.read_text())
    validate_document(doc, strict_formats=True)
    assert [e["sc:type"] for e in events_of(doc)] == ["pack", "destroy"]


_REFS = st.integers(0, 10**10 - 1)  # serial references under the maker's 6-digit prefix


@settings(max_examples=150, deadline=None)
@given(parent=_REFS, serials=st.lists(st.text(CSET82, min_size=1, max_size=20), max_size=4,
                                      unique=True),
       inner=st.lists(_REFS, max_size=3, unique=True), packing=st.booleans())
def test_any_packing_or_unpacking_exports_valid_and_maps_back(
        parent: int, serials: list[str], inner: list[int], packing: bool) -> None:
    """Pure: an event packing or unpacking any packs and cases exports schema-valid and maps
    back onto the same parent and children, in order."""
    case_key = make_sscc(MAKER_PREFIX, parent)
    children = [f"{GTIN}/{s}" for s in serials] + [
        make_sscc(MAKER_PREFIX, n) for n in inner if n != parent]
    assume(children)
    prev = EventHash("ab" * 32)
    items = (Item(PackKey(case_key), None if packing else prev),
             *(Item(PackKey(k), prev) for k in children))
    event = Event(EventType.PACK if packing else EventType.UNPACK, MAKER, "0123456789abcdef",
                  "2026-03-01T10:00:00.000+00:00", items, parent=case_key)
    doc = build_document([ExportRecord(SignedEvent(event, bytes(64)), MAKER, 0)],
                         PrefixResolver(MEMBERS), created=datetime(2026, 3, 1, tzinfo=UTC))
    validate_document(doc, strict_formats=True)
    plan = map_event(events_of(doc)[0], 0, MAKER)
    assert plan.kind is event.type and plan.parent == case_key
    assert [epc_key(c) for c in plan.codes] == children
