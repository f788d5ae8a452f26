"""GS1's EPCIS 2.0 schema: shipped unchanged, self-contained; the standard's examples validate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from supplychain.errors import EpcisError, EpcisSchemaError
from supplychain.interchange.epcis.schema import (
    SCHEMA_PATH,
    parse_document,
    schema_problems,
    validate_document,
)
from tests.interchange.epcis.helpers import EPCIS_DATA, EXAMPLES, document, object_event


def test_schema_refs_only_its_own_definitions_and_ships_unchanged() -> None:
    shipped = SCHEMA_PATH.read_bytes()
    assert shipped == (EPCIS_DATA / "EPCIS-JSON-Schema.json").read_bytes()
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(shipped))
    assert refs and all(r.startswith("#/definitions/") for r in refs)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_standard_examples_validate(path: Path) -> None:
    per_event, document_errors = schema_problems(json.loads(path.read_bytes()))
    assert per_event == {} and document_errors == []


def test_schema_catches_a_broken_document() -> None:
    doc = document(object_event(bizStep="shipping", epcList=["urn:epc:id:sgtin:1.2.3"]))
    del doc["schemaVersion"]
    doc["epcisBody"]["eventList"][0]["action"] = "SHOUT"
    per_event, document_errors = schema_problems(doc)
    assert 0 in per_event and "SHOUT" in per_event[0]
    assert any("schemaVersion" in e for e in document_errors)
    with pytest.raises(EpcisSchemaError, match="does not validate"):
        validate_document(doc)


def test_a_document_nested_too_deeply_is_refused_plainly() -> None:
    deep = b'{"type": "EPCISDocument", "epcisBody": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(EpcisError, match="too deeply"):
        parse_document(deep)
