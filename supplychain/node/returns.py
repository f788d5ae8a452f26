"""Returns: a pharmacy sends packs back to the wholesaler it received them from, and the
wholesaler checks each one before it goes back into saleable stock (docs/ARCHITECTURE.md,
"Exits and returns").

The return is a signed chain event (``return``: in transit to the wholesaler, received with
an ordinary receive). The saleable-returns check is not a chain rule: it depends on recalls
and on today's date, which a chain rule must not (pack state is a function of the events
alone, whatever order they arrive in); like a verdict, it is decided where the pack is, when
it is. ``receive_returns`` receives only the packs that pass it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from supplychain import clock
from supplychain.codes.gs1 import PackCode, validate_gln
from supplychain.errors import IdentityError, RuleViolation, SupplyChainError
from supplychain.i18n import N_, _
from supplychain.identity.certificates import Role
from supplychain.ids import GLN
from supplychain.ledger.events import EventType, Item, SignedEvent
from supplychain.ledger.records import ChainStep, PackRecord
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import status_words
from supplychain.node.operations import Node


class ReturnOutcome(str, Enum):
    """The saleable-returns check of one returned pack."""

    ACCEPTED = "accepted"
    UNKNOWN = "unknown"
    NOT_SHIPPED_TO_PHARMACY = "not_shipped_to_pharmacy"
    DISPENSED = "dispensed"
    RECALLED = "recalled"
    EXPIRED = "expired"
    DECOMMISSIONED = "decommissioned"
    FORKED = "forked"
    NOT_RETURNED = "not_returned"

    @property
    def suspicious(self) -> bool:
        """A pack that should not exist where it is (quarantine and report it); a recalled or
        expired return is genuine, just not for sale."""
        return self in _SUSPICIOUS


_SUSPICIOUS = frozenset({ReturnOutcome.UNKNOWN, ReturnOutcome.NOT_SHIPPED_TO_PHARMACY,
                         ReturnOutcome.DISPENSED, ReturnOutcome.DECOMMISSIONED,
                         ReturnOutcome.FORKED})

_SENTENCES = {
    ReturnOutcome.ACCEPTED: N_("Passes the saleable-returns check: it may go back into "
                               "saleable stock."),
    ReturnOutcome.UNKNOWN: N_("Unknown: no manufacturer in the network commissioned this "
                              "code. Do not resell; quarantine and report it."),
    ReturnOutcome.NOT_SHIPPED_TO_PHARMACY: N_("Not shipped to {pharmacy}: the ledger shows "
                                              "that pharmacy never had this pack. Do not "
                                              "resell; quarantine and report it."),
    ReturnOutcome.DISPENSED: N_("Dispensed: this pack was already handed to a patient, so "
                                "this one is a copy or was taken back. Do not resell; "
                                "quarantine and report it."),
    ReturnOutcome.RECALLED: N_("Recalled: its lot is recalled. Do not resell; set it aside "
                               "for the recall."),
    ReturnOutcome.EXPIRED: N_("Expired: past its expiry date. Do not resell; set it aside "
                              "for destruction."),
    ReturnOutcome.DECOMMISSIONED: N_("Out of circulation ({status}): do not resell; "
                                     "quarantine and report it."),
    ReturnOutcome.FORKED: N_("Forked custody chain (a cloned code or a double hand-over): do "
                             "not resell; quarantine and report it."),
    ReturnOutcome.NOT_RETURNED: N_("The ledger shows no return of this pack from {pharmacy} to "
                                   "you (it is {status} with {holder}): ask the pharmacy to "
                                   "sign the return first."),
}

_WORDS = {
    ReturnOutcome.ACCEPTED: N_("accepted"),
    ReturnOutcome.UNKNOWN: N_("unknown"),
    ReturnOutcome.NOT_SHIPPED_TO_PHARMACY: N_("not shipped to that pharmacy"),
    ReturnOutcome.DISPENSED: N_("dispensed"),
    ReturnOutcome.RECALLED: N_("recalled"),
    ReturnOutcome.EXPIRED: N_("expired"),
    ReturnOutcome.DECOMMISSIONED: N_("out of circulation"),
    ReturnOutcome.FORKED: N_("forked chain"),
    ReturnOutcome.NOT_RETURNED: N_("not returned in the ledger"),
}


def outcome_words(outcome: ReturnOutcome) -> str:
    """``outcome`` in a few words ("not shipped to that pharmacy"), in the current language."""
    return _(_WORDS[outcome])


@dataclass(frozen=True)
class ReturnCheck:
    """One returned pack and the outcome of its saleable-returns check."""

    code: PackCode
    outcome: ReturnOutcome
    message: str

    @property
    def accepted(self) -> bool:
        return self.outcome is ReturnOutcome.ACCEPTED

    def to_dict(self) -> dict[str, object]:
        return {"pack": self.code.key, "outcome": self.outcome.value,
                "accepted": self.accepted, "message": self.message}


@dataclass(frozen=True)
class ReturnsReceipt:
    """What ``receive_returns`` did: every check, the receive of the accepted packs (None
    when none passed) and the quarantine reports filed (empty unless asked)."""

    checks: tuple[ReturnCheck, ...]
    received: SignedEvent | None
    reports: tuple[SignedEvent, ...] = ()


# --- at the pharmacy ------------------------------------------------------------------------
def supplier_of(node: Node, chain: Sequence[ChainStep]) -> GLN | None:
    """The member that shipped the pack to this node for its latest receipt here."""
    by_hash = {step.event_hash: step for step in chain}
    for step in reversed(chain):
        if step.type is EventType.RECEIVE and step.custodian == node.gln and step.prev:
            shipped = by_hash.get(step.prev)
            return shipped.custodian if shipped is not None else None
    return None


def return_packs(node: Node, to: str, codes: Sequence[PackCode],
                 reason: str | None = None) -> SignedEvent:
    """Return packs in our custody to the wholesaler ``to`` we received them from (one
    signed ``return`` event; the wholesaler checks them before taking them back)."""
    wholesaler = validate_gln(to)
    try:
        member = node.ledger.member(wholesaler)
    except IdentityError:
        raise RuleViolation(_("GLN {gln} is not a member known to this node: check the number, "
                              "or import a bundle that carries its certificate first.")
                            .format(gln=wholesaler)) from None
    if member.info.role is Role.REGULATOR:
        raise RuleViolation(_("{name} ({gln}) is the regulator, which holds no stock: return "
                              "packs to the wholesaler they came from.")
                            .format(name=member.info.name, gln=wholesaler))
    items = node._chain_items(codes, N_("{key} is not known to this node; cannot return it."))
    for item in items:
        supplier = supplier_of(node, node.ledger.chain(item.pack))
        if supplier is not None and supplier != wholesaler:
            raise RuleViolation(
                _("{key} came to you from {name} ({gln}), not from {to}: return it to the "
                  "wholesaler it came from.").format(
                    key=item.pack, name=node.ledger.member_name(supplier), gln=supplier,
                    to=wholesaler))
    event = node._event(EventType.RETURN, items, to=wholesaler, reason=reason or None)
    return node.append([event])[0]


def return_to_supplier(node: Node, codes: Sequence[PackCode],
                       reason: str | None = None) -> SignedEvent:
    """Return packs to the wholesaler we received them from (found in each pack's chain;
    packs from different wholesalers are returned one wholesaler at a time)."""
    suppliers = set()
    for code in codes:
        supplier = supplier_of(node, node.ledger.chain(code.key))
        if supplier is None:
            raise RuleViolation(_("{key} was never received here from a wholesaler; there is "
                                  "no one to return it to.").format(key=code.key))
        suppliers.add(supplier)
    if len(suppliers) != 1:
        raise RuleViolation(_("These packs came from {count} different wholesalers: return "
                              "them to each one separately.").format(count=len(suppliers)))
    return return_packs(node, suppliers.pop(), codes, reason)


# --- at the wholesaler ----------------------------------------------------------------------
def check_return(node: Node, pharmacy: GLN, code: PackCode,
                 today: date | None = None) -> ReturnCheck:
    """The saleable-returns check of one pack returned to this node by ``pharmacy``."""
    record = node.ledger.pack(code.key)
    name = node.ledger.member_name(pharmacy)
    outcome, values = _outcome(node, pharmacy, record, today or clock.now().date())
    if record is not None and outcome is ReturnOutcome.NOT_RETURNED:
        values = {"status": status_words(record.status),
                  "holder": node.ledger.member_name(record.custodian)}
    message = _(_SENTENCES[outcome]).format(pharmacy=f"{name} ({pharmacy})", **values)
    return ReturnCheck(code, outcome, message)


def _outcome(node: Node, pharmacy: GLN, record: PackRecord | None,
             today: date) -> tuple[ReturnOutcome, dict[str, str]]:
    if record is None:
        return ReturnOutcome.UNKNOWN, {}
    if record.forked:
        return ReturnOutcome.FORKED, {}
    if record.status is PackStatus.DISPENSED:
        return ReturnOutcome.DISPENSED, {}
    if record.status.decommissioned:
        return ReturnOutcome.DECOMMISSIONED, {"status": status_words(record.status)}
    if not any(step.custodian == pharmacy for step in node.ledger.chain(record.pack)):
        return ReturnOutcome.NOT_SHIPPED_TO_PHARMACY, {}
    if node.lot_recalled(record.gtin, record.lot):
        return ReturnOutcome.RECALLED, {}
    if record.expiry < today:
        return ReturnOutcome.EXPIRED, {}
    if not (record.status is PackStatus.IN_TRANSIT and record.custodian == pharmacy
            and record.recipient == node.gln):
        return ReturnOutcome.NOT_RETURNED, {}
    return ReturnOutcome.ACCEPTED, {}


def check_returns(node: Node, pharmacy: str, codes: Sequence[PackCode],
                  today: date | None = None) -> list[ReturnCheck]:
    """The saleable-returns check of each pack returned by ``pharmacy`` (a pack scanned twice
    is checked once)."""
    gln = validate_gln(pharmacy)
    unique = list({c.key: c for c in codes}.values())
    return [check_return(node, gln, code, today) for code in unique]


def receive_returns(node: Node, pharmacy: str, codes: Sequence[PackCode], *,
                    quarantine: bool = False, today: date | None = None) -> ReturnsReceipt:
    """Check each returned pack and receive, in one event, those that pass; the others are
    not received. ``quarantine``: also file a suspect report, with the outcome as its reason,
    for each pack that should not exist where it is (a recalled or expired return is not
    suspect: it is set aside, not reported)."""
    checks = tuple(check_returns(node, pharmacy, codes, today))
    accepted = [c.code for c in checks if c.accepted]
    received = node.receive(accepted) if accepted else None
    reports: list[SignedEvent] = []
    if quarantine:
        suspects = [c for c in checks if c.outcome.suspicious]
        if suspects:
            events = [node._event(EventType.REPORT, [Item(c.code.key)],
                                  reason=_quarantine_reason(node, pharmacy, c))
                      for c in suspects]
            reports = node.append(events)
    return ReturnsReceipt(checks, received, tuple(reports))


def receive_return(node: Node, code: PackCode, *, quarantine: bool = False,
                   today: date | None = None) -> ReturnsReceipt:
    """``receive_returns`` for one scanned pack on its way back to us: the returning
    pharmacy is the one the ledger shows it in transit from."""
    record = node.ledger.pack(code.key)
    if record is None or record.status is not PackStatus.IN_TRANSIT \
            or record.recipient != node.gln:
        raise RuleViolation(_("{key} is not on its way back to you: the ledger shows no "
                              "return of it to this site.").format(key=code.key))
    return receive_returns(node, record.custodian, [code], quarantine=quarantine, today=today)


def _quarantine_reason(node: Node, pharmacy: str, check: ReturnCheck) -> str:
    """In the source language, like every reason stored in the ledger."""
    return (f"quarantined at {node.name}: returned by {pharmacy}, failed the saleable-returns "
            f"check ({check.outcome.value})")


def incoming_returns(node: Node) -> list[PackRecord]:
    """Packs some pharmacy returned to this node that are still in transit to it."""
    records: list[PackRecord] = []
    for entry in node.store.all_entries():
        try:
            signed = SignedEvent.from_bytes(entry.data)
        except SupplyChainError:
            continue
        event = signed.event
        if event.type is not EventType.RETURN or event.to != node.gln:
            continue
        for item in event.items:
            record = node.ledger.pack(item.pack)
            if (record is not None and record.head == signed.hash
                    and record.status is PackStatus.IN_TRANSIT):
                records.append(record)
    return records
