"""Cases and pallets at a node: pack, unpack, what is inside, one verdict, the case's life.

Shipping, receiving and destroying a case are ``Node.ship``, ``Node.receive`` and
``Node.destroy`` given a ``ContainerCode``: the case stands for everything inside it. The
rules (custody, one container at a time, whole cases) are the ledger's
(``supplychain.ledger.containers``) and are checked again when the event is appended; this
module adds what only the signer checks (a recalled pack is not packed) and says it first in
plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import ContainerCode, parse_pack_or_container, parse_sscc
from supplychain.errors import RuleViolation
from supplychain.i18n import _
from supplychain.identity.certificates import Role
from supplychain.ids import GLN, SSCC, EventHash, PackKey
from supplychain.ledger.container_rows import container_row, container_tree, contents_of
from supplychain.ledger.events import EventType, Item, SignedEvent, is_container_key
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import Verdict, verdict_word
from supplychain.node.inspection import code_of_pack
from supplychain.node.operations import Node
from supplychain.node.reports import HistoryStep, VerdictReport, step_to_dict

__all__ = ["ContainerReport", "ContainerStep", "as_container", "container_history", "contents",
           "pack", "unpack", "verify_container"]

Scanned = PackCode | ContainerCode


def as_container(sscc: str | ContainerCode) -> ContainerCode:
    """A case code from any scanned form (``codes.sscc.parse_sscc``) or as given."""
    return sscc if isinstance(sscc, ContainerCode) else parse_sscc(sscc)


def pack(node: Node, sscc: str | ContainerCode, codes: Sequence[Scanned | str]) -> SignedEvent:
    """Put packs (or cases) into the case ``sscc`` (new, or one of ours still open): one
    signed packing event (EPCIS AggregationEvent ADD)."""
    case = as_container(sscc)
    children = _keys(codes)
    if case.sscc in children:
        raise RuleViolation(_("Case {sscc} cannot be packed into itself.").format(sscc=case.sscc))
    for key in children:
        _packable(node, key)
    record = container_row(node.store, case.sscc)
    items = [Item(PackKey(case.sscc), record.head if record else None),
             *_heads(node, children, _("{key} is not known to this node; cannot pack it."))]
    return node.signed_append(EventType.PACK, items, parent=case.sscc)


def unpack(node: Node, sscc: str | ContainerCode,
           codes: Sequence[Scanned | str] | None = None) -> SignedEvent:
    """Take packs or cases out of case ``sscc``: those named, or (``codes`` None or empty)
    everything directly inside it. One signed unpacking event (AggregationEvent DELETE)."""
    case = as_container(sscc)
    record = container_row(node.store, case.sscc)
    if record is None:
        raise RuleViolation(_("Case {sscc} is not known to this node; cannot unpack it.")
                            .format(sscc=case.sscc))
    children = _keys(codes) if codes else contents_of(node.store, case.sscc)
    if not children:
        raise RuleViolation(_("Case {sscc} is empty: there is nothing to unpack.")
                            .format(sscc=case.sscc))
    items = [Item(PackKey(case.sscc), record.head),
             *_heads(node, children, _("{key} is not known to this node; cannot unpack it."))]
    return node.signed_append(EventType.UNPACK, items, parent=case.sscc)


def contents(node: Node, sscc: str | ContainerCode, *, nested: bool = False) -> list[str]:
    """The pack keys and SSCCs directly inside the case (``nested``: everything inside it,
    recursively, each case before its contents)."""
    case = as_container(sscc)
    if nested:
        return container_tree(node.store, case.sscc)[1:]
    return contents_of(node.store, case.sscc)


def _keys(codes: Sequence[Scanned | str]) -> list[str]:
    keys: list[str] = []
    for code in codes:
        parsed = parse_pack_or_container(code) if isinstance(code, str) else code
        key = parsed.key if isinstance(parsed, PackCode) else parsed.sscc
        if key not in keys:
            keys.append(key)
    return keys


def _packable(node: Node, key: str) -> None:
    """What only the signer checks: a recalled pack does not go into a case."""
    if is_container_key(key):
        return
    record = node.ledger.pack(key)
    if record is not None and node.lot_recalled(record.gtin, record.lot):
        raise RuleViolation(_("{key} belongs to recalled lot {lot}: do not pack it; quarantine "
                              "it for return.").format(key=key, lot=record.lot))


def _heads(node: Node, keys: Sequence[str], unknown: str) -> list[Item]:
    items: list[Item] = []
    for key in keys:
        record = (container_row(node.store, key) if is_container_key(key)
                  else node.ledger.pack(key))
        if record is None:
            raise RuleViolation(unknown.format(key=key))
        if record.forked:
            raise RuleViolation(_("{key} has a forked custody chain; quarantine it and report "
                                  "it instead.").format(key=key))
        items.append(Item(PackKey(key), record.head))
    return items


# --- reading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContainerStep:
    """One event of a case's life: packed, shipped, received, unpacked, destroyed."""

    step: HistoryStep
    children: tuple[str, ...]
    """Packing and unpacking: what went in or came out (other events: empty)."""
    contents: int
    """How many packs or cases were directly inside after the event."""

    def to_dict(self) -> dict[str, object]:
        return {**step_to_dict(self.step), "children": list(self.children),
                "contents": self.contents}


def container_history(node: Node, sscc: str | ContainerCode) -> list[ContainerStep]:
    """The case's life, oldest first (forks included, by depth)."""
    case = as_container(sscc)
    steps: list[ContainerStep] = []
    for s in node.ledger.chain(case.sscc):
        event = node.ledger.signed_event(s.log, s.index).event
        row = next((r for r in node.store.items_of_pack(case.sscc)
                    if r.event_hash == s.event_hash), None)
        steps.append(ContainerStep(
            HistoryStep(s.event_hash, s.type, s.time, s.log, node.ledger.member_name(s.log),
                        s.status, s.custodian, s.recipient, s.index),
            tuple(str(i.pack) for i in event.children) if event.type.is_aggregation else (),
            row.contents or 0 if row is not None else 0))
    return steps


@dataclass(frozen=True)
class ContainerReport:
    """One verdict for a case or pallet and everything inside it."""

    code: ContainerCode
    verdict: Verdict
    message: str
    status: PackStatus | None
    custodian: GLN | None
    custodian_name: str | None
    pallet: SSCC | None
    """The pallet (container) this case is on, if any."""
    head: EventHash | None
    packs: tuple[VerdictReport, ...] = field(default=())
    """The verdict of every pack inside, recursively."""
    cases: tuple[str, ...] = field(default=())
    """The cases inside it, recursively."""
    problems: tuple[str, ...] = field(default=())
    """What is wrong with the case's own record (empty: consistent)."""

    @property
    def not_genuine(self) -> tuple[VerdictReport, ...]:
        return tuple(r for r in self.packs if r.verdict is not Verdict.GENUINE)

    def to_dict(self) -> dict[str, object]:
        return {
            "sscc": self.code.sscc, "verdict": self.verdict.value, "message": self.message,
            "status": self.status.value if self.status else None, "custodian": self.custodian,
            "custodian_name": self.custodian_name, "pallet": self.pallet, "head": self.head,
            "packs": len(self.packs), "cases": list(self.cases), "problems": list(self.problems),
            "not_genuine": [{"pack": r.code.key, "verdict": r.verdict.value,
                             "message": r.decision.message} for r in self.not_genuine],
        }


_RANK = {Verdict.GENUINE: 0, Verdict.INFORMATION: 1, Verdict.SUSPECT: 2,
         Verdict.COUNTERFEIT: 3}


def verify_container(node: Node, sscc: str | ContainerCode) -> ContainerReport:
    """One verdict for the case: GENUINE only if its record is consistent, it is in (or on
    its way into) this site's custody, and every pack inside is genuine; otherwise SUSPECT or
    COUNTERFEIT, naming the packs that are not genuine."""
    case = as_container(sscc)
    record = container_row(node.store, case.sscc)
    if record is None:
        return ContainerReport(case, Verdict.SUSPECT, _(
            "No packing of case {sscc} is known to this node: sync with the network, or open "
            "the case and scan its packs one by one.").format(sscc=case.sscc),
            None, None, None, None, None)
    problems: list[tuple[Verdict, str]] = []
    if record.forked:
        problems.append((Verdict.COUNTERFEIT, _(
            "Two events extend the same event of case {sscc}: a cloned label or a double "
            "hand-over.").format(sscc=case.sscc)))
    if record.status is PackStatus.DESTROYED:
        problems.append((Verdict.COUNTERFEIT, _("Case {sscc} was destroyed.")
                         .format(sscc=case.sscc)))
    if len(contents_of(node.store, case.sscc)) != record.contents:
        problems.append((Verdict.SUSPECT, _("The record of case {sscc} is inconsistent "
                                            "(its contents do not add up): sync, then audit.")
                         .format(sscc=case.sscc)))
    if node.store.pending_for_pack(case.sscc):
        problems.append((Verdict.SUSPECT, _("Events about case {sscc} wait for earlier history "
                                            "this node has not received: sync first.")
                         .format(sscc=case.sscc)))
    if node.me.info.role is not Role.REGULATOR and record.status is not PackStatus.DESTROYED:
        on_its_way = (record.status is PackStatus.IN_TRANSIT and record.recipient == node.gln)
        held = record.status is PackStatus.ACTIVE and record.custodian == node.gln
        if not (on_its_way or held):
            problems.append((Verdict.SUSPECT, _("Case {sscc} is not in this site's custody.")
                             .format(sscc=case.sscc)))
    tree = container_tree(node.store, case.sscc)[1:]
    reports = tuple(node.verify_many([code_of_pack(node.ledger, key) for key in tree
                                      if not is_container_key(key)]))
    verdict = max([Verdict.GENUINE, *(v for v, _m in problems), *(r.verdict for r in reports)],
                  key=_RANK.__getitem__)
    bad = [r for r in reports if r.verdict is not Verdict.GENUINE]
    if problems:
        message = " ".join(m for _v, m in problems)
    elif bad:
        message = _("Not genuine: {count} of the {total} packs in case {sscc}.").format(
            count=len(bad), total=len(reports), sscc=case.sscc)
    else:
        message = _("Case {sscc} and all {total} packs in it are genuine.").format(
            sscc=case.sscc, total=len(reports))
    return ContainerReport(case, verdict, message, record.status, record.custodian,
                           node.ledger.member_name(record.custodian), record.container,
                           record.head, reports,
                           tuple(k for k in tree if is_container_key(k)),
                           tuple(m for _v, m in problems))


def container_text(report: ContainerReport) -> str:
    """The command line's lines for a case verdict."""
    lines = [f"{verdict_word(report.verdict)}: {report.message}"]
    for r in report.not_genuine:
        lines.append(f"  {r.code.key}: {verdict_word(r.verdict)}: {r.decision.message}")
    if report.custodian:
        lines.append(_("case {sscc}: {packs} pack(s), {cases} case(s) inside; custodian: "
                       "{name} ({gln}); status: {status}").format(
            sscc=report.code.sscc, packs=len(report.packs), cases=len(report.cases),
            name=report.custodian_name, gln=report.custodian,
            status=report.status.value if report.status else "-"))
    if report.pallet:
        lines.append(_("on pallet {sscc}").format(sscc=report.pallet))
    return "\n".join(lines)
