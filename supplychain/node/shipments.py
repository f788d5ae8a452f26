"""Shipments at a site: may a scanned pack join an outgoing shipment, is a scanned pack one
of those expected in, which shipments are on their way to us, and the lots we made.

A refusal says why in words a person at goods-in can act on; nothing here writes (shipping
and receiving are ``Node.ship`` and ``Node.receive``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supplychain.codes.gs1 import PackCode
from supplychain.codes.scanner_text import parse_scanned
from supplychain.errors import CodeError
from supplychain.i18n import _
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import status_words
from supplychain.node.inspection import LotSummary, Shipment, incoming_shipments, lots_of
from supplychain.node.operations import Node


@dataclass(frozen=True)
class Candidate:
    """A pack scanned into a shipment (outgoing or incoming): accepted, or refused with why."""

    text: str
    code: PackCode | None
    accepted: bool
    reason: str = ""


def outgoing_candidate(node: Node, text: str, already: Iterable[str]) -> Candidate:
    """May the pack scanned as ``text`` join an outgoing shipment (``already``: the pack keys
    in it so far)? Only packs active in our custody, not forked nor recalled, may travel."""
    try:
        code = parse_scanned(text)
    except CodeError as exc:
        return Candidate(text, None, False, _("Cannot read this code: {error}").format(error=exc))
    if code.key in set(already):
        return Candidate(text, code, False, _("Already in this shipment (scanned twice)."))
    record = node.ledger.pack(code.key)
    if record is None:
        return Candidate(text, code, False, _("Unknown pack: no manufacturer commissioned "
                                              "this serial number."))
    if record.forked:
        return Candidate(text, code, False, _("Forked custody chain (a cloned code or a "
                                              "double hand-over): quarantine it."))
    if record.status.decommissioned:
        return Candidate(text, code, False, _("Decommissioned ({status}): it must not travel "
                                              "again.").format(status=status_words(record.status)))
    if record.status is PackStatus.QUARANTINED:
        return Candidate(text, code, False, _(
            "In quarantine at {holder}: it cannot be shipped until a signed release clears "
            "it.").format(holder=node.ledger.member_name(record.custodian)))
    if record.custodian != node.gln or record.status is not PackStatus.ACTIVE:
        where = node.ledger.member_name(record.custodian)
        state = (_("Not in our custody: in transit by {holder}.")
                 if record.status is PackStatus.IN_TRANSIT else
                 _("Not in our custody: held by {holder}."))
        return Candidate(text, code, False, state.format(holder=where))
    if node.lot_recalled(record.gtin, record.lot):
        return Candidate(text, code, False,
                         _("Lot {lot} is recalled: do not ship.").format(lot=record.lot))
    return Candidate(text, code, True)


def incoming_candidate(node: Node, text: str, expected: Iterable[str],
                       already: Iterable[str]) -> Candidate:
    """Is the pack scanned at goods-in one of ``expected`` (pack keys of the shipment being
    received), not scanned yet? If not, say what the ledger knows of it."""
    try:
        code = parse_scanned(text)
    except CodeError as exc:
        return Candidate(text, None, False, _("Cannot read this code: {error}").format(error=exc))
    if code.key in set(already):
        return Candidate(text, code, False, _("Already scanned."))
    if code.key in set(expected):
        return Candidate(text, code, True)
    record = node.ledger.pack(code.key)
    if record is None:
        why = _("Unexpected: this pack is unknown to the network (never commissioned).")
    elif record.status is PackStatus.IN_TRANSIT and record.recipient == node.gln:
        why = _("Unexpected in this shipment, but shipped to us in another one.")
    elif record.custodian == node.gln and record.status is PackStatus.ACTIVE:
        why = _("Unexpected: this pack was already received here.")
    else:
        why = _("Unexpected: the ledger shows it {status} with {holder}, not shipped to "
                "us.").format(status=status_words(record.status),
                              holder=node.ledger.member_name(record.custodian))
    return Candidate(text, code, False, why)


def incoming(node: Node) -> list[Shipment]:
    """Shipments to this node with packs still in transit to it, oldest first."""
    return incoming_shipments(node.ledger, node.gln)


def own_lots(node: Node) -> list[LotSummary]:
    """The lots this node commissioned, with counts and recall state."""
    return lots_of(node.ledger, node.gln)
