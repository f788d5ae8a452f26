"""Receiving with exceptions: what was shipped to us against what the clerk scanned.

``reconcile`` compares the packs shipped to this site (loose, and inside cases and pallets,
recursively) with what arrived: the packs and case labels (SSCC) scanned at goods-in, a case
standing for everything inside it, and the packs or cases marked damaged. It writes nothing.
``receive_reconciled`` then signs one receive for what is right and records the rest as
signed reports in our own log, each naming the packs and the reason (docs/ARCHITECTURE.md,
"Receiving with exceptions"):

- shortage (shipped to us, not scanned) and damaged (shipped to us, arrived damaged) are not
  received: they stay in transit to us, and the report makes them suspect wherever they
  turn up (we are their named recipient, so our report counts);
- overage (scanned, not shipped to us) that should not exist here (unknown, shipped or held
  elsewhere, decommissioned) is reported too; such a report is on record for the regulator
  but makes nobody's pack suspect (we never held it: ``rules.report_counts``). Packs shipped
  to us in another shipment, or already received here, are listed and not reported.

A case that arrived whole is received as a case; one that arrived in part is opened on
receipt (``ledger.containers``: the packs that arrived come out of it, the rest stays in it).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import Enum

from supplychain.codes.gs1 import PackCode, validate_gln
from supplychain.codes.scanner_text import parse_scanned
from supplychain.codes.sscc import ContainerCode, looks_like_sscc, parse_sscc
from supplychain.errors import CodeError, RuleViolation
from supplychain.i18n import N_, _
from supplychain.ids import GLN, EventHash, PackKey
from supplychain.ledger.container_rows import container_of, container_row, container_tree
from supplychain.ledger.events import EventType, Item, SignedEvent, is_container_key
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import status_words
from supplychain.node.inspection import code_of_pack
from supplychain.node.operations import Node
from supplychain.node.shipments import incoming

__all__ = ["CaseScan", "ExpectedCase", "Overage", "OverageKind", "Receipt", "Reconciliation",
           "cases_of", "outgoing_case", "overage_words", "receive_reconciled", "reconcile",
           "scan_case"]

Scanned = PackCode | ContainerCode | str


class OverageKind(str, Enum):
    """Why a scanned pack or case is not one of those shipped to us."""

    UNREADABLE = "unreadable"
    UNKNOWN = "unknown"
    SHIPPED_ELSEWHERE = "shipped_elsewhere"
    NOT_SHIPPED = "not_shipped"
    DECOMMISSIONED = "decommissioned"
    OTHER_SHIPMENT = "other_shipment"
    ALREADY_HERE = "already_here"

    @property
    def reported(self) -> bool:
        """Whether receiving records it in a signed report (it should not be here)."""
        return self in _REPORTED


_REPORTED = frozenset({OverageKind.UNKNOWN, OverageKind.SHIPPED_ELSEWHERE,
                       OverageKind.NOT_SHIPPED, OverageKind.DECOMMISSIONED})

_WORDS = {
    OverageKind.UNREADABLE: N_("cannot read this code"),
    OverageKind.UNKNOWN: N_("unknown: never commissioned in the network"),
    OverageKind.SHIPPED_ELSEWHERE: N_("shipped to someone else"),
    OverageKind.NOT_SHIPPED: N_("never shipped to us"),
    OverageKind.DECOMMISSIONED: N_("already decommissioned"),
    OverageKind.OTHER_SHIPMENT: N_("shipped to us by another sender"),
    OverageKind.ALREADY_HERE: N_("already received here"),
}


def overage_words(kind: OverageKind) -> str:
    """The short words for an overage kind, in the user's language."""
    return _(_WORDS[kind])


@dataclass(frozen=True)
class Overage:
    """A scanned pack or case that is not one of those shipped to us, with the ledger's why."""

    text: str
    key: str | None
    kind: OverageKind
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"scanned": self.text, "key": self.key, "kind": self.kind.value,
                "reported": self.kind.reported, "message": self.message}


@dataclass(frozen=True)
class ExpectedCase:
    """A case or pallet shipped to us: its SSCC, sender and the packs inside (recursively)."""

    sscc: str
    sender: GLN
    packs: tuple[str, ...]
    cases: tuple[str, ...]
    """The cases inside it, recursively."""


@dataclass(frozen=True)
class Reconciliation:
    """What was shipped to us set against what arrived (pack keys, each sorted)."""

    expected: tuple[str, ...]
    cases: tuple[ExpectedCase, ...]
    """The outermost cases and pallets shipped to us."""
    senders: dict[str, GLN]
    """Each expected pack and case: who shipped it to us."""
    to_receive: tuple[str, ...]
    shortage: tuple[str, ...]
    damaged: tuple[str, ...]
    overage: tuple[Overage, ...]
    whole_cases: tuple[str, ...] = field(default=())
    """Cases (outermost first) that arrived whole: received as a case."""
    opened_cases: tuple[str, ...] = field(default=())
    """Cases that arrived in part: opened on receipt."""
    waiting: tuple[str, ...] = field(default=())
    """Packs of shipments none of which was scanned: not arrived yet, not short."""

    @property
    def clean(self) -> bool:
        """Everything shipped arrived, undamaged, and nothing else."""
        return not (self.shortage or self.damaged or self.overage)

    def to_dict(self) -> dict[str, object]:
        return {"expected": len(self.expected), "to_receive": list(self.to_receive),
                "shortage": list(self.shortage), "damaged": list(self.damaged),
                "overage": [o.to_dict() for o in self.overage],
                "whole_cases": list(self.whole_cases), "opened_cases": list(self.opened_cases),
                "waiting": len(self.waiting),
                "cases": [{"sscc": c.sscc, "from": c.sender, "packs": len(c.packs)}
                          for c in self.cases]}


@dataclass(frozen=True)
class Receipt:
    """What receiving wrote: the receive (None when nothing was right) and the reports."""

    reconciliation: Reconciliation
    received: SignedEvent | None
    reports: tuple[SignedEvent, ...]


def reconcile(node: Node, scanned: Sequence[Scanned], damaged: Sequence[Scanned] = (),
              sender: str | None = None,
              shipments: Collection[str] | None = None) -> Reconciliation:
    """Set what was shipped to us (by ``sender``, or by anyone; ``shipments``: only those
    ship events) against what the clerk ``scanned`` and marked ``damaged`` (packs or case
    labels; a case counts for everything inside it). Writes nothing.

    A shipment of which nothing was scanned has not arrived yet: its packs are expected but
    not short (``waiting``)."""
    wanted = validate_gln(sender) if sender else None
    senders: dict[str, GLN] = {}
    shipment_of: dict[str, str] = {}
    for shipment in incoming(node):
        if (wanted is None or shipment.sender == wanted) and (
                shipments is None or shipment.event_hash in shipments):
            for record in shipment.packs:
                senders[record.pack] = shipment.sender
                shipment_of[record.pack] = shipment.event_hash
    outer: dict[str, GLN] = {}
    for key, who in list(senders.items()):
        case = container_of(node.store, key)
        while case is not None and _in_transit_to_us(node, case):
            senders.setdefault(case, who)
            parent = container_of(node.store, case)
            if parent is None or not _in_transit_to_us(node, parent):
                outer[case] = who
            case = parent
    expected = {k for k in senders if not is_container_key(k)}
    arrived, overage = _expand(node, scanned, senders)
    broken, more = _expand(node, damaged, senders)
    overage.extend(o for o in more if o.key not in {x.key for x in overage})
    to_receive = (arrived - broken) & expected
    cases = tuple(_expected_case(node, sscc, who) for sscc, who in sorted(outer.items()))
    whole, opened = _case_outcomes(node, cases, set(to_receive))
    touched = {shipment_of[k] for k in (arrived | broken) & expected}
    missing = expected - arrived - broken
    return Reconciliation(
        tuple(sorted(expected)), cases, senders, tuple(sorted(to_receive)),
        tuple(sorted(k for k in missing if shipment_of[k] in touched)),
        tuple(sorted(broken & expected)), tuple(overage), whole, opened,
        tuple(sorted(k for k in missing if shipment_of[k] not in touched)))


def _in_transit_to_us(node: Node, sscc: str) -> bool:
    record = container_row(node.store, sscc)
    return (record is not None and record.status is PackStatus.IN_TRANSIT
            and record.recipient == node.gln)


def _expected_case(node: Node, sscc: str, sender: GLN) -> ExpectedCase:
    tree = container_tree(node.store, sscc)[1:]
    return ExpectedCase(sscc, sender, tuple(k for k in tree if not is_container_key(k)),
                        tuple(k for k in tree if is_container_key(k)))


def _expand(node: Node, codes: Sequence[Scanned],
            senders: dict[str, GLN]) -> tuple[set[str], list[Overage]]:
    """The expected pack keys the scans stand for, and the scans that are not expected."""
    found: set[str] = set()
    overage: list[Overage] = []
    for code in codes:
        text = code if isinstance(code, str) else (
            code.key if isinstance(code, PackCode) else code.sscc)
        try:
            parsed: PackCode | ContainerCode = code if not isinstance(code, str) else (
                parse_sscc(code) if looks_like_sscc(code) else parse_scanned(code))
        except CodeError as exc:
            overage.append(Overage(text, None, OverageKind.UNREADABLE,
                                   _("Cannot read this code: {error}").format(error=exc)))
            continue
        key = parsed.key if isinstance(parsed, PackCode) else parsed.sscc
        if key in senders:
            tree = container_tree(node.store, key) if is_container_key(key) else [key]
            found.update(k for k in tree if not is_container_key(k))
        elif key not in {o.key for o in overage}:
            overage.append(_overage(node, text, key))
    return found, overage


def _overage(node: Node, text: str, key: str) -> Overage:
    """Why ``key`` is not one of the packs or cases shipped to us, from what the ledger holds."""
    record = (container_row(node.store, key) if is_container_key(key)
              else node.ledger.pack(key))
    what = (_("Case {key}") if is_container_key(key) else _("Pack {key}")).format(key=key)
    if record is None:
        return Overage(text, key, OverageKind.UNKNOWN, _(
            "{what} is unknown to the network: quarantine it and report it.").format(what=what))
    holder = node.ledger.member_name(record.custodian)
    if record.status is PackStatus.IN_TRANSIT and record.recipient == node.gln:
        return Overage(text, key, OverageKind.OTHER_SHIPMENT, _(
            "{what} was shipped to us by {holder} in another shipment: receive it with that "
            "shipment.").format(what=what, holder=holder))
    if record.status is PackStatus.IN_TRANSIT:
        to = node.ledger.member_name(record.recipient) if record.recipient else "-"
        return Overage(text, key, OverageKind.SHIPPED_ELSEWHERE, _(
            "{what} was shipped by {holder} to {to}, not to us: quarantine it and tell "
            "{holder}.").format(what=what, holder=holder, to=to))
    if record.status is PackStatus.ACTIVE and record.custodian == node.gln:
        return Overage(text, key, OverageKind.ALREADY_HERE, _(
            "{what} was already received here (scanned twice, or stock already on the "
            "shelf).").format(what=what))
    if record.status is PackStatus.ACTIVE:
        return Overage(text, key, OverageKind.NOT_SHIPPED, _(
            "{what} is held by {holder} and was never shipped to us: quarantine it and tell "
            "{holder}.").format(what=what, holder=holder))
    return Overage(text, key, OverageKind.DECOMMISSIONED, _(
        "{what} is already {status}: it must not be in stock; quarantine it and report it.")
        .format(what=what, status=status_words(record.status)))


def _case_outcomes(node: Node, cases: Sequence[ExpectedCase],
                   to_receive: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The cases (outermost and nested) that arrived whole, and those opened on receipt
    (some of their packs arrived, not all)."""
    whole: list[str] = []
    opened: list[str] = []
    for case in cases:
        for sscc in (case.sscc, *case.cases):
            packs = [k for k in container_tree(node.store, sscc)[1:] if not is_container_key(k)]
            arrived = sum(1 for k in packs if k in to_receive)
            if packs and arrived == len(packs):
                whole.append(sscc)
            elif arrived:
                opened.append(sscc)
    return tuple(whole), tuple(opened)


def receive_reconciled(node: Node, check: Reconciliation, reason: str | None = None) -> Receipt:
    """Receive what is right (one signed receive) and record each exception in a signed
    report naming its packs (shortage, damaged, overage that should not be here), with
    ``reason`` (the clerk's words) appended. Nothing is written when nothing was scanned."""
    if not check.to_receive and not check.shortage and not check.damaged and not check.overage:
        raise RuleViolation(_("Nothing was scanned and nothing is on its way to this site: "
                              "there is nothing to receive."))
    received = None
    if check.to_receive:
        keys = _receipt_keys(node, check)
        received = node.signed_append(EventType.RECEIVE, _items(node, keys))
    reports: list[SignedEvent] = []
    note = f" {reason.strip()}" if reason and reason.strip() else ""
    for packs, text in (
            (check.shortage, _("Receiving exception, shortage: shipped to us by {senders} "
                               "but did not arrive; not received.")),
            (check.damaged, _("Receiving exception, damaged: shipped to us by {senders}, "
                              "arrived damaged; not received."))):
        if packs:
            senders = ", ".join(sorted({check.senders[k] for k in packs}))
            reports.append(node.signed_append(
                EventType.REPORT, [Item(PackKey(k)) for k in packs],
                reason=text.format(senders=senders) + note))
    extra = [o.key for o in check.overage
             if o.kind.reported and o.key and not is_container_key(o.key)]
    extra += [k for o in check.overage if o.kind.reported and o.key and is_container_key(o.key)
              for k in container_tree(node.store, o.key)[1:] if not is_container_key(k)]
    if extra:
        reports.append(node.signed_append(
            EventType.REPORT, [Item(PackKey(k)) for k in dict.fromkeys(extra)],
            reason=_("Receiving exception, overage: arrived here but was not shipped to "
                     "us.") + note))
    return Receipt(check, received, tuple(reports))


def _receipt_keys(node: Node, check: Reconciliation) -> list[str]:
    """The items of the receive: each case holding something that arrived (whole or opened),
    the packs that arrived, each case before its contents."""
    keep = set(check.whole_cases) | set(check.opened_cases)
    keys: list[str] = []
    seen: set[str] = set()
    for case in check.cases:
        for key in container_tree(node.store, case.sscc):
            if key in keep or key in check.to_receive:
                keys.append(key)
                seen.add(key)
    keys.extend(k for k in check.to_receive if k not in seen)
    return keys


def _items(node: Node, keys: Sequence[str]) -> list[Item]:
    items: list[Item] = []
    for key in keys:
        record = (container_row(node.store, key) if is_container_key(key)
                  else node.ledger.pack(key))
        if record is None:  # reconcile found it; only a rebuild in between could lose it
            raise RuleViolation(_("{key} is not known to this node; cannot receive it.")
                                .format(key=key))
        items.append(Item(PackKey(key), EventHash(record.head)))
    return items


@dataclass(frozen=True)
class CaseScan:
    """A case label scanned at goods-in: the expected packs it stands for, or why not."""

    text: str
    sscc: str | None
    packs: tuple[PackCode, ...]
    accepted: bool
    reason: str = ""


def scan_case(node: Node, text: str, expected: Collection[str]) -> CaseScan:
    """A scanned case label (SSCC) at goods-in: accepted when it holds packs of ``expected``
    (it ticks all of them), else refused with what the ledger knows of it."""
    try:
        sscc = parse_sscc(text).sscc
    except CodeError as exc:
        return CaseScan(text, None, (), False,
                        _("Cannot read this code: {error}").format(error=exc))
    packs = [k for k in container_tree(node.store, sscc)[1:] if k in set(expected)]
    if container_row(node.store, sscc) is None or not packs:
        return CaseScan(text, sscc, (), False, _overage(node, text, sscc).message)
    return CaseScan(text, sscc, tuple(code_of_pack(node.ledger, k) for k in packs), True)


def cases_of(node: Node, keys: Collection[str]) -> dict[str, str]:
    """The case each pack is directly in (packs in no case are left out)."""
    found: dict[str, str] = {}
    for key in keys:
        case = container_of(node.store, key)
        if case is not None:
            found[key] = case
    return found


def outgoing_case(node: Node, text: str, already: Collection[str]) -> CaseScan:
    """May the case scanned as ``text`` join an outgoing shipment (``already``: the pack keys
    and SSCCs in it so far)? Only a case active in our custody, not on a pallet, may travel
    (it travels with everything inside it)."""
    try:
        sscc = parse_sscc(text).sscc
    except CodeError as exc:
        return CaseScan(text, None, (), False,
                        _("Cannot read this code: {error}").format(error=exc))
    record = container_row(node.store, sscc)
    if sscc in set(already):
        return CaseScan(text, sscc, (), False, _("Already in this shipment (scanned twice)."))
    if record is None:
        return CaseScan(text, sscc, (), False, _("Case {sscc} is not known to this node: pack "
                                                 "it first, or sync.").format(sscc=sscc))
    if record.forked:
        return CaseScan(text, sscc, (), False, _("Forked custody chain (a cloned code or a "
                                                 "double hand-over): quarantine it."))
    if record.custodian != node.gln or record.status is not PackStatus.ACTIVE:
        return CaseScan(text, sscc, (), False, _("Case {sscc} is not in our custody ({status})."
                                                 ).format(sscc=sscc,
                                                          status=status_words(record.status)))
    if record.container is not None:
        return CaseScan(text, sscc, (), False, _("Case {sscc} is on pallet {pallet}: ship the "
                                                 "pallet, or take the case off it first.")
                        .format(sscc=sscc, pallet=record.container))
    keys = [k for k in container_tree(node.store, sscc)[1:] if not is_container_key(k)]
    if set(keys) & set(already):
        return CaseScan(text, sscc, (), False, _("Some of its packs are already in this "
                                                 "shipment on their own: remove them first."))
    return CaseScan(text, sscc, tuple(code_of_pack(node.ledger, k) for k in keys), True)
