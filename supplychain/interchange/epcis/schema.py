"""GS1's EPCIS 2.0 JSON schema: loading it from the package, validating documents against it,
and reading a document's outer shape (JSON object, event list).

The schema ships in ``supplychain/interchange/schemas/`` and $refs only its own definitions,
so nothing is fetched from the network. Documents are read under ``MAX_DOCUMENT_BYTES`` and
``MAX_DOCUMENT_DEPTH`` (``supplychain.jsonlimits``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from supplychain.errors import EpcisError, EpcisSchemaError
from supplychain.files import read_input_file
from supplychain.i18n import _
from supplychain.jsonlimits import load_json

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "EPCIS-JSON-Schema.json"
MAX_DOCUMENT_BYTES = 512 * 1024**2
"""No EPCIS document to import is larger."""
MAX_DOCUMENT_DEPTH = 32
"""No EPCIS document nests arrays and objects deeper (GS1's examples need 7; extensions and
ILMD may add a few levels)."""
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    try:
        schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EpcisError(_("The EPCIS schema {schema_path} cannot be read ({exc}); reinstall "
                           "the package.").format(schema_path=SCHEMA_PATH, exc=exc)) from exc
    return schema


def _strict_formats() -> jsonschema.FormatChecker:
    """Draft 7 formats are annotations by default; this checker asserts the two EPCIS uses."""
    checker = jsonschema.FormatChecker()

    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _DATE_TIME.fullmatch(value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time with offset")
        datetime.fromisoformat(value.replace("z", "Z"))
        return True

    def _uri(value: object) -> bool:
        if isinstance(value, str) and not _URI.fullmatch(value):
            raise ValueError(f"{value!r} is not an absolute URI")
        return True

    checker.checks("date-time", raises=ValueError)(_date_time)
    checker.checks("uri", raises=ValueError)(_uri)
    return checker


@lru_cache(maxsize=2)
def _validator(strict_formats: bool) -> jsonschema.Draft7Validator:
    checker = _strict_formats() if strict_formats else None
    return jsonschema.Draft7Validator(_schema(), format_checker=checker)


def schema_problems(doc: Any, *, strict_formats: bool = False
                    ) -> tuple[dict[int, str], list[str]]:
    """Schema errors as (one reason per event index, document-level reasons).

    ``strict_formats`` also asserts "uri" and "date-time" formats (our exports pass it; the
    standard's own examples do not: their document id "_:document1" is a blank node).
    """
    by_event: dict[int, list[jsonschema.ValidationError]] = {}
    document: list[jsonschema.ValidationError] = []
    for error in _validator(strict_formats).iter_errors(doc):
        path = list(error.absolute_path)
        at = path.index("eventList") + 1 if "eventList" in path else len(path)
        if at < len(path) and isinstance(path[at], int):
            by_event.setdefault(path[at], []).append(error)
        else:
            document.append(error)
    return ({i: _describe(best_match(errs)) for i, errs in sorted(by_event.items())},
            [_describe(e) for e in document])


def _describe(error: jsonschema.ValidationError) -> str:
    deepest = best_match(error.context) if error.context else error
    where = "/".join(str(p) for p in deepest.absolute_path) or "(document)"
    message = deepest.message
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{where}: {message}"


def validate_document(doc: Any, *, strict_formats: bool = True) -> None:
    """Raise EpcisSchemaError unless ``doc`` validates against GS1's EPCIS 2.0 schema."""
    per_event, document = schema_problems(doc, strict_formats=strict_formats)
    problems = document + [f"event {i}: {r}" for i, r in per_event.items()]
    if problems:
        raise EpcisSchemaError("The document does not validate against the EPCIS 2.0 schema: "
                               + "; ".join(problems[:5]))


def read_document_file(path: Path) -> bytes:
    """The bytes of an EPCIS file to import; EpcisError for a missing file, a folder, a
    device or pipe, or a file over ``MAX_DOCUMENT_BYTES``."""
    return read_input_file(path, MAX_DOCUMENT_BYTES, what="EPCIS document", error=EpcisError)


def parse_document(data: bytes) -> dict[str, Any]:
    """JSON bytes to an object under the limits; EpcisError saying what is wrong (with the
    position when it is not JSON)."""
    doc = load_json(data, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DOCUMENT_DEPTH,
                    what="The file", error=EpcisError)
    if not isinstance(doc, dict):
        raise EpcisError(_("The file holds JSON but not an EPCIS document (an object)."))
    return doc


def event_list(doc: Mapping[str, Any]) -> list[Any]:
    body = doc.get("epcisBody")
    if doc.get("type") == "EPCISQueryDocument" and isinstance(body, dict):
        body = (body.get("queryResults") or {}).get("resultsBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if doc.get("type") not in ("EPCISDocument", "EPCISQueryDocument") or not isinstance(events,
                                                                                        list):
        raise EpcisError(_("This is not an EPCISDocument (or EPCISQueryDocument) with an "
                           "eventList; nothing was imported."))
    return events

