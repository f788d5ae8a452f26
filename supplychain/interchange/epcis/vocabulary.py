"""The words EPCIS 2.0 and CBV 2.0 lend us: context and namespaces, and which bizStep,
disposition and action the ledger's model of a pack's life accepts together.

Pure tables and look-ups, shared by export (``export``) and import (``mapping``); docs/EPCIS.md
has the same tables for people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from supplychain.errors import EpcisError
from supplychain.i18n import _

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
"""The standard EPCIS 2.0 JSON-LD context (named, never fetched)."""
SC_PREFIX = "sc"
SC_NAMESPACE = "https://supplychain.example/ns/epcis/"
"""Our extension namespace. A placeholder domain (RFC 2606 .example): a deployment replaces
it with an IRI under its consortium's own domain; readers match the IRI, not the prefix."""
CBVMDA = "urn:epcglobal:cbv:mda:"
"""CBV master-data attributes (ILMD lot number and expiry date) as full IRIs."""

STEP_PREFIXES = ("https://ref.gs1.org/cbv/BizStep-", "https://gs1.org/voc/BizStep-",
                 "urn:epcglobal:cbv:bizstep:")
DISPOSITION_PREFIXES = ("https://ref.gs1.org/cbv/Disp-", "https://gs1.org/voc/Disp-",
                        "urn:epcglobal:cbv:disp:")
SOURCE_DESTINATION_PREFIXES = ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:")
SUPPORTED_STEPS = ("commissioning", "shipping", "receiving", "dispensing", "decommissioning",
                   "destroying", "holding", "stocking", "sampling", "inspecting")
TERMINAL_DISPOSITIONS = frozenset({"destroyed", "dispensed", "partially_dispensed", "disposed",
                                   "retail_sold", "stolen", "encoded", "inactive"})
"""Dispositions after which a pack cannot be shipped or received."""
ALLOWED_DISPOSITIONS: dict[str, frozenset[str | None] | None] = {
    "commissioning": frozenset({None, "active"}),
    "dispensing": frozenset({None, "dispensed"}),
    "destroying": frozenset({None, "destroyed", "disposed"}),
    # stolen; inactive: exported out of this market (docs/EPCIS.md)
    "decommissioning": frozenset({"dispensed", "destroyed", "disposed", "stolen", "inactive"}),
    "sampling": frozenset({"non_sellable_other"}),  # handed to an authority as a sample
    # unavailable: held in quarantine by its custodian (docs/EPCIS.md)
    "holding": frozenset({None, "non_sellable_other", "sellable_not_accessible",
                          "unavailable"}),
    "inspecting": frozenset({"available"}),  # released from quarantine
    "stocking": frozenset({"sellable_accessible"}),  # back in stock: an undone dispense
    "shipping": None,   # any but TERMINAL_DISPOSITIONS
    "receiving": None,
}
ALLOWED_ACTIONS = {
    "commissioning": {"ADD"},
    "shipping": {"OBSERVE"},
    "receiving": {"OBSERVE"},
    "holding": {"OBSERVE"},
    "stocking": {"OBSERVE"},
    "dispensing": {"OBSERVE", "DELETE"},
    "decommissioning": {"OBSERVE", "DELETE"},
    "destroying": {"OBSERVE", "DELETE"},
    "sampling": {"OBSERVE"},
    "inspecting": {"OBSERVE"},
}


def cbv_word(value: Any, prefixes: tuple[str, ...], what: str) -> str | None:
    """The bare CBV word of ``value`` ("shipping"), whichever of ``prefixes`` it carries."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EpcisError(_("The {what} is not text.").format(what=what))
    for prefix in prefixes:
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def extension_keys(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The key prefixes under which this document writes our namespace's terms."""
    keys = [SC_NAMESPACE]
    context = doc.get("@context")
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            keys += [f"{term}:" for term, iri in entry.items() if iri == SC_NAMESPACE]
    return tuple(keys)


def extension_value(obj: Mapping[str, Any], prefixes: Sequence[str], name: str) -> Any:
    """The value of ``name`` under the first of ``prefixes`` that ``obj`` uses, else None."""
    for prefix in prefixes:
        if prefix + name in obj:
            return obj[prefix + name]
    return None
