"""Packs leaving the chain other than by dispense or destroy: reported stolen, exported out
of this market, handed to an authority as a sample (docs/ARCHITECTURE.md, "Exits and
returns"). Each is one signed chain event by the pack's custodian; the custody rules
(``ledger.rules``) decide who may, and a pack that left stays out.
"""

from __future__ import annotations

from collections.abc import Sequence

from supplychain.codes.gs1 import PackCode
from supplychain.i18n import N_
from supplychain.ledger.events import EventType, SignedEvent
from supplychain.node.operations import Node

_UNKNOWN = {
    EventType.STOLEN: N_("{key} is not known to this node; cannot report it stolen."),
    EventType.EXPORT: N_("{key} is not known to this node; cannot export it."),
    EventType.SAMPLE: N_("{key} is not known to this node; cannot hand it over as a sample."),
}


def _leave(node: Node, kind: EventType, codes: Sequence[PackCode],
           reason: str | None) -> SignedEvent:
    items = node._chain_items(codes, _UNKNOWN[kind])
    return node.append([node._event(kind, items, reason=reason or None)])[0]


def report_stolen(node: Node, codes: Sequence[PackCode], reason: str | None = None) -> SignedEvent:
    """Our packs (held, or shipped by us and not received yet) were stolen: they leave the
    chain for good; wherever one turns up, its verdict says "reported stolen"."""
    return _leave(node, EventType.STOLEN, codes, reason)


def export_packs(node: Node, codes: Sequence[PackCode], reason: str | None = None) -> SignedEvent:
    """Our packs leave this market (``reason``: e.g. the destination country); here they are
    no longer for sale."""
    return _leave(node, EventType.EXPORT, codes, reason)


def hand_over_sample(node: Node, codes: Sequence[PackCode],
                     reason: str | None = None) -> SignedEvent:
    """Our packs are handed to an authority as samples (``reason``: e.g. which authority and
    its reference); they are no longer for sale."""
    return _leave(node, EventType.SAMPLE, codes, reason)
