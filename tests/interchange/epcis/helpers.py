"""Documents, events and state snapshots for the EPCIS tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from supplychain.identity.consortium import Consortium
from supplychain.identity.keys import load_private_key
from supplychain.interchange.epcis.export import Selection, export_document
from supplychain.interchange.epcis.importer import import_document
from supplychain.interchange.epcis.schema import validate_document
from supplychain.interchange.epcis.uris import pgln_uri, sgln_uri, sgtin_uri
from supplychain.interchange.epcis.vocabulary import EPCIS_CONTEXT, SC_NAMESPACE
from supplychain.node.operations import Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, TEST_DATA, Network

EPCIS_DATA = TEST_DATA / "epcis"
EXAMPLES = sorted(EPCIS_DATA.glob("Example_*.jsonld"))
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def state(node: Node) -> tuple[Any, ...]:
    """Everything an import could change: logs, checkpoints and every derived table."""
    store = node.store
    return (store.log_sizes(), store.all_checkpoints(), store.derived_snapshot())


def pack_states(node: Node, packs: list[str]) -> dict[str, tuple[Any, ...]]:
    out = {}
    for key in packs:
        record = node.ledger.pack(key)
        assert record is not None, key
        out[key] = (record.status, record.lot, record.expiry, record.custodian,
                    record.recipient, record.forked)
    return out


def export(node: Node, selection: Selection | None = None) -> dict[str, Any]:
    doc, _ = export_document(node.ledger, selection or Selection(), exporter=node.gln)
    validate_document(doc, strict_formats=True)  # every exported document, strictly
    return doc


def as_bytes(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def events_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["epcisBody"]["eventList"]


def object_event(**fields: Any) -> dict[str, Any]:
    base = {"type": "ObjectEvent", "action": "OBSERVE",
            "eventTime": "2026-03-01T10:00:00.000+01:00", "eventTimeZoneOffset": "+01:00"}
    return base | fields


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {"@context": [EPCIS_CONTEXT, {"sc": SC_NAMESPACE}], "type": "EPCISDocument",
            "schemaVersion": "2.0", "creationDate": "2026-03-01T10:00:00Z",
            "epcisBody": {"eventList": list(events)}}


def sgln(gln: str) -> dict[str, str]:
    return {"id": sgln_uri(gln, 7)}


def commission_event(serials: list[str], gtin: str = GTIN, lot: str = "L7",
                     expiry: str = "2031-05-31", at: str = MAKER,
                     time: str = "2026-03-01T10:00:00.000+01:00") -> dict[str, Any]:
    return object_event(action="ADD", bizStep="commissioning", disposition="active",
                        eventTime=time,
                        epcList=[sgtin_uri(gtin, s, 7) for s in serials],
                        readPoint=sgln(at), bizLocation=sgln(at),
                        ilmd={"cbvmda:lotNumber": lot, "cbvmda:itemExpirationDate": expiry})


def ship_event(serials: list[str], to: str, at: str = MAKER,
               time: str = "2026-03-01T11:00:00.000+01:00") -> dict[str, Any]:
    return object_event(bizStep="shipping", disposition="in_transit", eventTime=time,
                        epcList=[sgtin_uri(GTIN, s, 7) for s in serials], readPoint=sgln(at),
                        sourceList=[{"type": "possessing_party", "source": pgln_uri(at, 7)}],
                        destinationList=[{"type": "possessing_party",
                                          "destination": pgln_uri(to, 7)}])


def refused(node: Node, doc: Any) -> list[str | None]:
    before = state(node)
    report = import_document(node, doc if isinstance(doc, bytes) else as_bytes(doc))
    assert not report.ok and not report.committed
    assert state(node) == before  # nothing lost, nothing half-written
    return [o.reason for o in report.outcomes]


def fresh_same_identity(network: Network, gln: str, home: Path) -> Node:
    """A new, empty node for the same organisation: same certificate and key, no ledger."""
    old = network.homes[gln]
    consortium = Consortium.open(network.root / "consortium")
    key = load_private_key(old / "member.key", PASSPHRASE)
    return Node.initialise(home, consortium.name, consortium.root_pem,
                           (old / "member.pem").read_bytes(), key, PASSPHRASE,
                           consortium.member_pems())
