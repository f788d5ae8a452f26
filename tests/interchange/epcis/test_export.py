"""Export: every event type mapped, the carried evidence verifies, selections."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from supplychain.errors import EpcisError
from supplychain.identity.keys import verify_signature
from supplychain.interchange.epcis.export import Selection, build_document, extension_signed_event
from supplychain.interchange.epcis.schema import validate_document
from supplychain.interchange.epcis.uris import PrefixResolver
from supplychain.interchange.epcis.vocabulary import EPCIS_CONTEXT, SC_NAMESPACE
from tests.conftest import DIST_A, GTIN, MAKER, MEMBERS, PHARMACY, Network
from tests.interchange.epcis.helpers import events_of, export


def test_export_maps_every_event_type(network: Network, story: dict[str, Any]) -> None:
    doc = export(network[PHARMACY])  # the pharmacy holds all three logs by now
    assert doc["@context"][0] == EPCIS_CONTEXT
    assert doc["@context"][1]["sc"] == SC_NAMESPACE
    by_type: dict[str, list[dict[str, Any]]] = {}
    for e in events_of(doc):
        by_type.setdefault(e["sc:type"], []).append(e)
    assert sorted(by_type) == ["commission", "destroy", "dispense", "recall", "receive",
                               "report", "ship", "undo_dispense"]
    steps = {t: {(e.get("bizStep"), e.get("disposition"), e["action"]) for e in es}
             for t, es in by_type.items()}
    assert steps == {
        "commission": {("commissioning", "active", "ADD")},
        "ship": {("shipping", "in_transit", "OBSERVE")},
        "receive": {("receiving", "in_progress", "OBSERVE")},
        "dispense": {("dispensing", "dispensed", "OBSERVE")},
        "destroy": {("destroying", "destroyed", "DELETE")},
        "recall": {(None, "recalled", "OBSERVE")},
        "report": {("holding", "non_sellable_other", "OBSERVE")},
        "undo_dispense": {("stocking", "sellable_accessible", "OBSERVE")},
    }
    first = by_type["commission"][0]
    assert first["epcList"][0].startswith("urn:epc:id:sgtin:501234.0500001.")
    assert first["ilmd"] == {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2030-01-31"}
    assert first["readPoint"] == first["bizLocation"] == {"id": "urn:epc:id:sgln:501234.500002.0"}
    assert first["eventTimeZoneOffset"] == "+00:00" and first["eventTime"].endswith("+00:00")
    ship = next(e for e in by_type["ship"] if e["sc:log"] == MAKER)
    assert {"type": "possessing_party", "source": "urn:epc:id:pgln:501234.500002"} in \
        ship["sourceList"]
    assert {"type": "possessing_party", "destination": "urn:epc:id:pgln:5012345.00003"} in \
        ship["destinationList"]
    receive = next(e for e in by_type["receive"] if e["sc:log"] == DIST_A)
    assert {"type": "possessing_party", "source": "urn:epc:id:pgln:501234.500002"} in \
        receive["sourceList"]
    recall = by_type["recall"][0]
    assert recall["quantityList"] == [{"epcClass": "urn:epc:class:lgtin:501234.0500001.L2%2FX"}]
    assert recall["sc:reason"] == "sterility"
    assert by_type["destroy"][0]["sc:reason"] == "water damage"
    # Events come oldest first.
    times = [datetime.fromisoformat(e["eventTime"]) for e in events_of(doc)]
    assert times == sorted(times)


def test_exported_evidence_verifies_without_the_ledger(network: Network,
                                                        story: dict[str, Any]) -> None:
    node = network[PHARMACY]
    for obj in events_of(export(node)):
        signed = extension_signed_event(obj)
        assert signed.hash == obj["sc:eventHash"]
        assert signed.event.author == obj["sc:log"]
        # The reader checks the signature with the author's member certificate only.
        member = node.ledger.member(obj["sc:log"], obj["sc:keyId"])
        verify_signature(member.public_key, obj["sc:event"].encode(),
                         base64.b64decode(obj["sc:signature"]))
        assert node.ledger.signed_event(obj["sc:log"], obj["sc:index"]).hash == signed.hash
    tampered = copy.deepcopy(events_of(export(node))[0])
    tampered["sc:event"] = tampered["sc:event"].replace('"L1"', '"L9"')
    with pytest.raises(EpcisError, match="hashes to"):
        extension_signed_event(tampered)


def test_export_selections(network: Network, story: dict[str, Any]) -> None:
    node = network[PHARMACY]
    dispensed = story["lot1"][0]
    kinds = [e["sc:type"] for e in events_of(export(node, Selection(code=dispensed)))]
    assert kinds == ["commission", "ship", "receive", "ship", "receive", "dispense",
                     "undo_dispense", "dispense"]
    lot2 = events_of(export(node, Selection(gtin=GTIN, lot="L2/X")))  # type: ignore[arg-type]
    assert [e["sc:type"] for e in lot2] == ["commission", "recall"]
    assert {e["sc:log"] for e in events_of(export(node, Selection(org=DIST_A)))} == {DIST_A}
    assert events_of(export(node, Selection(since=date(2999, 1, 1)))) == []
    assert len(events_of(export(node, Selection(since=date(2000, 1, 1))))) == \
        len(events_of(export(node)))


def test_export_times_are_timezone_aware() -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    doc = build_document([], PrefixResolver(MEMBERS), created=created)
    validate_document(doc)
    assert doc["creationDate"] == "2026-01-01T00:00:00.000+00:00"
