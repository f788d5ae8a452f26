"""Import of EPCIS AggregationEvents: what one asks of the ledger's cases and pallets (pure).

- action ADD, bizStep ``packing``: the children (``childEPCs``: packs' SGTINs, cases' SSCCs)
  go into the case ``parentID`` (an SSCC): a ledger ``pack`` event;
- action DELETE, bizStep ``unpacking``: the children come out of it (no ``childEPCs``: all
  that is directly inside): an ``unpack`` event;
- action OBSERVE, bizStep ``shipping`` or ``receiving``: the case was shipped or received,
  with everything inside it (as GS1's example 9.6.3 receives a case): a ``ship`` or
  ``receive`` naming the case; the children named must be inside it.

``read_aggregation`` checks all of that and returns an ``Aggregation``; ``mapping.map_event``
adds what every event shares (time, the acting organisation, the recipient).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from supplychain.codes.sscc import ContainerCode
from supplychain.errors import EpcisError
from supplychain.i18n import _
from supplychain.ids import SSCC
from supplychain.interchange.epcis.uris import EpcCode, epc_key, parse_epcs, parse_sscc_epc
from supplychain.interchange.epcis.vocabulary import (
    DISPOSITION_PREFIXES,
    STEP_PREFIXES,
    TERMINAL_DISPOSITIONS,
    cbv_word,
)
from supplychain.ledger.events import MAX_ITEMS, EventType

AGGREGATION_STEPS = {
    "ADD": {"packing": EventType.PACK},
    "DELETE": {"unpacking": EventType.UNPACK},
    "OBSERVE": {"shipping": EventType.SHIP, "receiving": EventType.RECEIVE},
}
"""The (action, bizStep) pairs of an AggregationEvent the ledger records, and as what."""
AGGREGATION_DISPOSITIONS = frozenset({None, "active", "in_progress"})
"""Dispositions of packing and unpacking (shipping and receiving: any but a terminal one)."""


@dataclass(frozen=True)
class Aggregation:
    """What one AggregationEvent asks of the ledger."""

    kind: EventType
    step: str
    parent: SSCC
    children: tuple[EpcCode, ...]
    """The childEPCs, in order (unpacking with none: everything directly inside)."""

    @property
    def codes(self) -> tuple[EpcCode, ...]:
        """Packing and unpacking: the children. Shipping and receiving: the case, then the
        children named (the case stands for everything inside it)."""
        if self.kind.is_aggregation:
            return self.children
        return (ContainerCode(self.parent), *self.children)


def read_aggregation(obj: Mapping[str, Any]) -> Aggregation:
    """Check an AggregationEvent against the ledger's model of cases; EpcisError saying why
    it cannot be recorded."""
    action = obj.get("action")
    step = cbv_word(obj.get("bizStep"), STEP_PREFIXES, "bizStep")
    disposition = cbv_word(obj.get("disposition"), DISPOSITION_PREFIXES, "disposition")
    steps = AGGREGATION_STEPS.get(str(action), {})
    if step is None:
        raise EpcisError(_("The AggregationEvent has no bizStep, so the ledger cannot tell "
                           "what happened to case {parent}.").format(parent=obj.get("parentID")))
    if step not in steps:
        raise EpcisError(_("An AggregationEvent with action {action} and bizStep {step!r} has "
                           "no equivalent in the ledger (ADD: packing; DELETE: unpacking; "
                           "OBSERVE: shipping or receiving).").format(action=action, step=step))
    kind = steps[step]
    if ((disposition not in AGGREGATION_DISPOSITIONS) if kind.is_aggregation
            else (disposition in TERMINAL_DISPOSITIONS)):
        raise EpcisError(_("Disposition {disposition!r} does not fit bizStep {step!r} in the "
                           "ledger's model of a case's life.")
                         .format(disposition=disposition, step=step))
    if obj.get("childQuantityList"):
        raise EpcisError(_("childQuantityList (class-level quantities) cannot be put into or "
                           "counted in a case of serialised packs: list each pack's SGTIN and "
                           "each inner case's SSCC in childEPCs."))
    if obj.get("parentID") is None:
        raise EpcisError(_("The AggregationEvent names no parentID: the ledger needs the "
                           "case's or pallet's SSCC."))
    try:
        parent = parse_sscc_epc(obj.get("parentID"))
    except EpcisError as exc:
        raise EpcisError(_("parentID: {exc} The ledger's containers are cases and pallets "
                           "labelled with an SSCC.").format(exc=exc)) from None
    children = _children(obj.get("childEPCs") or [], parent)
    if not children and kind is EventType.PACK:
        raise EpcisError(_("The packing event names nothing to put into case {parent} "
                           "(childEPCs is empty).").format(parent=parent))
    return Aggregation(kind, step, parent, children)


def _children(epcs: Any, parent: SSCC) -> tuple[EpcCode, ...]:
    if not isinstance(epcs, list):
        raise EpcisError(_("childEPCs is not a list."))
    if len(epcs) >= MAX_ITEMS:
        raise EpcisError(_("childEPCs names {count} packs or cases; at most {max_items} per "
                           "event with the case.").format(count=len(epcs),
                                                          max_items=MAX_ITEMS - 1))
    children = parse_epcs(epcs, "childEPCs")
    keys = [epc_key(c) for c in children]
    if parent in keys:
        raise EpcisError(_("Case {parent} is its own parent and child: a case cannot be packed "
                           "into itself.").format(parent=parent))
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise EpcisError(_("childEPCs names {dup} twice.").format(dup=dup))
    return tuple(children)
