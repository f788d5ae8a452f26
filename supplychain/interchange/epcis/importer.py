"""Import, second half: an EPCIS document becomes this organisation's own signed events, all
or nothing, with a reason for every event that cannot be imported.

Every event is validated (``schema``), mapped (``mapping``) and rule-checked in eventTime
order inside one transaction that is always rolled back; only when every event passes are
they appended for real, in one ``Node.append``.

Each ledger event keeps its EPCIS eventTime, so history can be migrated; the ledger bounds it
(``supplychain.ledger.timing``): never before this log's last event or the events it extends,
never ahead of this computer's clock, and an undo of a dispense is dated when it is signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from supplychain.codes.gs1 import PackCode
from supplychain.errors import EpcisError, EventError, IdentityError, RuleViolation
from supplychain.i18n import _
from supplychain.ids import SSCC, PackKey
from supplychain.interchange.epcis.claims import contradicted_place
from supplychain.interchange.epcis.mapping import PlannedEvent, map_event
from supplychain.interchange.epcis.schema import event_list, parse_document, schema_problems
from supplychain.interchange.epcis.uris import EpcCode, epc_key
from supplychain.interchange.epcis.vocabulary import STEP_PREFIXES, cbv_word, extension_keys
from supplychain.ledger.container_rows import container_row, container_tree, contents_of
from supplychain.ledger.events import Event, EventType, Item, is_container_key

if TYPE_CHECKING:
    from supplychain.node.operations import Node

APPLIED_STATUS = "applied"
VALID_STATUS = "valid"
REJECTED_STATUS = "rejected"


@dataclass(frozen=True)
class EventOutcome:
    """What became of one EPCIS event of an imported document."""

    index: int
    event_id: str | None
    summary: str
    status: str
    reason: str | None = None
    event_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "eventID": self.event_id, "summary": self.summary,
                "status": self.status, "reason": self.reason, "event": self.event_hash}

    def text(self) -> str:
        head = f"event {self.index}"
        if self.event_id:
            head += f" ({self.event_id})"
        line = f"{head}: {self.summary} -> {self.status}"
        if self.reason:
            line += f": {self.reason}"
        elif self.event_hash:
            line += f" (ledger event {self.event_hash[:16]})"
        return line


@dataclass(frozen=True)
class ImportReport:
    """The per-event result of an import; ``committed`` says whether anything was written."""

    outcomes: tuple[EventOutcome, ...]
    document_errors: tuple[str, ...] = ()
    committed: bool = False
    dry_run: bool = False

    @property
    def rejected(self) -> list[EventOutcome]:
        return [o for o in self.outcomes if o.status == REJECTED_STATUS]

    @property
    def ok(self) -> bool:
        return not self.document_errors and not self.rejected

    def to_dict(self) -> dict[str, Any]:
        return {"imported": self.committed, "dry_run": self.dry_run,
                "events": len(self.outcomes), "rejected": len(self.rejected),
                "document_errors": list(self.document_errors),
                "outcomes": [o.to_dict() for o in self.outcomes]}

    def text(self) -> str:
        lines = [_("document: {problem}").format(problem=e) for e in self.document_errors]
        lines += [o.text() for o in self.outcomes]
        count, rejected = len(self.outcomes), len(self.rejected)
        if self.committed:
            lines.append(_("Imported {count} event(s).").format(count=count))
        elif self.ok:
            lines.append(_("Dry run: all {count} event(s) would be imported; nothing was "
                           "written.").format(count=count))
        elif self.document_errors:
            lines.append(_("Nothing imported: {rejected} of {count} event(s) cannot be imported "
                           "and the document is invalid; the import is all or nothing.").format(
                               rejected=rejected, count=count))
        else:
            lines.append(_("Nothing imported: {rejected} of {count} event(s) cannot be "
                           "imported; the import is all or nothing.").format(
                               rejected=rejected, count=count))
        return "\n".join(lines)


class _Rollback(Exception):
    """Raised to undo the dry run's transaction."""


def _summary(obj: Any) -> str:
    if not isinstance(obj, dict):
        return "(not an object)"
    kind = obj.get("type", "?")
    step = cbv_word(obj.get("bizStep"), STEP_PREFIXES, "bizStep") if isinstance(
        obj.get("bizStep"), str) else None
    epcs = obj.get("epcList")
    count = f" of {len(epcs)} pack(s)" if isinstance(epcs, list) else ""
    children = obj.get("childEPCs")
    if kind == "AggregationEvent":
        count = f" of case {obj.get('parentID')}" + (
            f" and {len(children)} pack(s) or case(s)" if isinstance(children, list) else "")
    return f"{kind} {step or obj.get('disposition') or ''}{count}".replace("  ", " ").strip()


def _head(node: Node, key: str, verb: str) -> Item:
    """The item extending the chain of pack or case ``key`` from its head."""
    record = (container_row(node.store, key) if is_container_key(key)
              else node.ledger.pack(key))
    if record is None:
        raise RuleViolation(_("{key} is not known to this node; cannot {verb} it "
                              "(import or sync its earlier events first).")
                            .format(key=key, verb=verb))
    if record.forked:
        raise RuleViolation(_("{key} has a forked custody chain; quarantine and report "
                              "it instead.").format(key=key))
    return Item(PackKey(key), record.head)


def _chain_items(node: Node, codes: Sequence[EpcCode], verb: str,
                 inside: SSCC | None = None) -> list[Item]:
    """The items of a ship, receive, destroy (...): each pack named, and each case named with
    everything inside it, recursively (as ``Node.ship`` and its kin record a case).
    ``inside``: the packs and cases named must be in that case."""
    keys: dict[str, None] = {}  # ordered, each key once
    for code in codes:
        if isinstance(code, PackCode):
            found: list[str] = [code.key]
        elif container_row(node.store, code.sscc) is None:
            raise RuleViolation(_("Case {sscc} is not known to this node; cannot {verb} it "
                                  "(import or sync its packing first).")
                                .format(sscc=code.sscc, verb=verb))
        else:
            found = container_tree(node.store, code.sscc)
        keys.update(dict.fromkeys(found))
    if inside is not None:
        tree = set(container_tree(node.store, inside))
        for key in (epc_key(code) for code in codes):
            if key not in tree:
                raise RuleViolation(_("{key} is not in case {sscc} as this node knows it, yet "
                                      "the event observes it there: sync with the network, or "
                                      "open the case and check its contents.")
                                    .format(key=key, sscc=inside))
    return [_head(node, key, verb) for key in keys]


def _aggregation_items(node: Node, plan: PlannedEvent) -> list[Item]:
    """Packing: the case (new, or its head) and each child as named (a case packed onto a
    pallet is one child). Unpacking: the case and the children named, or all inside it."""
    parent = plan.parent
    assert parent is not None
    verb = plan.kind.value
    record = container_row(node.store, parent)
    if plan.kind is EventType.PACK:
        if record is not None and record.forked:
            raise RuleViolation(_("{key} has a forked custody chain; quarantine and report "
                                  "it instead.").format(key=parent))
        first = Item(PackKey(parent), record.head if record is not None else None)
        return [first, *(_head(node, epc_key(c), verb) for c in plan.codes)]
    if record is None:
        raise RuleViolation(_("Case {sscc} is not known to this node; cannot unpack it "
                              "(import or sync its packing first).").format(sscc=parent))
    keys = [epc_key(c) for c in plan.codes] or contents_of(node.store, parent)
    if not keys:
        raise RuleViolation(_("Case {sscc} is empty: there is nothing to unpack.")
                            .format(sscc=parent))
    return [Item(PackKey(parent), record.head), *(_head(node, key, verb) for key in keys)]


def _build(node: Node, plan: PlannedEvent) -> Event:
    """The event this node would sign for ``plan``, from the ledger's current state."""
    kind = plan.kind
    items: list[Item] = []
    to = None
    if kind is EventType.COMMISSION:
        for code in plan.codes:
            assert isinstance(code, PackCode)  # mapping names packs only
            if node.ledger.pack(code.key) is not None:
                raise RuleViolation(_("{key} is already commissioned; commissioning it "
                                      "again would clone it.").format(key=code.key))
            items.append(Item(code.key, None, code.lot, code.expiry))
    elif kind.names_recipient:  # a ship, or a return
        assert plan.to is not None
        try:
            node.ledger.member(plan.to)
        except IdentityError:
            raise RuleViolation(_("The recipient GLN {to} is not a member known to this "
                                  "node; import a bundle that carries its certificate first.")
                                .format(to=plan.to)
                                ) from None
        to = plan.to
        items = _chain_items(node, plan.codes, kind.value, plan.inside)
    elif kind is EventType.REPORT:
        items = [Item(PackKey(epc_key(c))) for c in plan.codes]
    elif kind.is_aggregation:
        items = _aggregation_items(node, plan)
    elif kind is not EventType.RECALL:
        items = _chain_items(node, plan.codes, kind.value, plan.inside)
    event = Event(kind, node.gln, node.me.key_id, plan.time, tuple(items), to=to,
                  gtin=plan.gtin, lot=plan.lot, reason=plan.reason, doc_hash=plan.doc_hash,
                  parent=plan.parent)
    event.check_shape()
    held = node.store.event_row(event.hash)
    if held is not None:
        raise RuleViolation(_("This exact event is already in the ledger (log {log}, entry "
                              "{index}); it was imported or recorded before.")
                            .format(log=held.log, index=held.index))
    return event


def import_document(node: Node, data: bytes, *, dry_run: bool = False) -> ImportReport:
    """Import an EPCIS document as this organisation's own signed events, all or nothing.

    Every event is validated (schema), mapped and rule-checked in eventTime order inside one
    transaction that is always rolled back; only when every event passes are they appended in
    one ``Node.append`` (one transaction, one checkpoint). Raises EpcisError when the file is
    not an EPCIS document at all; otherwise returns the per-event report.
    """
    doc = parse_document(data)
    events = event_list(doc)
    per_event, document_errors = schema_problems(doc)
    keys = extension_keys(doc)
    members = frozenset(m.gln for m in node.store.member_names())
    outcomes: dict[int, EventOutcome] = {}
    ids = {i: (e.get("eventID") if isinstance(e, dict) and isinstance(e.get("eventID"), str)
               else None) for i, e in enumerate(events)}
    summaries = {i: _summary(e) for i, e in enumerate(events)}

    def reject(i: int, reason: str) -> None:
        outcomes[i] = EventOutcome(i, ids[i], summaries[i], REJECTED_STATUS, reason)

    plans: list[PlannedEvent] = []
    for i, obj in enumerate(events):
        if i in per_event:
            reject(i, f"does not validate against the EPCIS 2.0 schema: {per_event[i]}")
            continue
        other_version = contradicted_place(node.ledger, obj, keys)
        if other_version is not None:  # of a rewritten log? see claims.py
            reject(i, other_version)
            continue
        try:
            plans.append(map_event(obj, i, node.gln, keys, members))
        except (EpcisError, EventError) as exc:
            reject(i, str(exc))
    plans.sort(key=lambda p: (p.moment, p.index))

    built: list[tuple[PlannedEvent, Event]] = []
    try:
        with node.store.transaction():
            for plan in plans:
                try:
                    event = _build(node, plan)
                    node.append([event], historical=True)  # joins the outer transaction, undone
                except (RuleViolation, EventError, IdentityError) as exc:
                    reject(plan.index, str(exc))
                    continue
                built.append((plan, event))
                outcomes[plan.index] = EventOutcome(plan.index, ids[plan.index],
                                                    summaries[plan.index], VALID_STATUS,
                                                    event_hash=event.hash)
            raise _Rollback
    except _Rollback:
        pass

    ok = not document_errors and all(o.status != REJECTED_STATUS for o in outcomes.values())
    committed = False
    if ok and not dry_run and built:
        signed = node.append([event for _plan, event in built], historical=True)
        committed = True
        for (plan, _event), s in zip(built, signed, strict=True):
            outcomes[plan.index] = EventOutcome(plan.index, ids[plan.index],
                                                summaries[plan.index], APPLIED_STATUS,
                                                event_hash=s.hash)
    return ImportReport(tuple(outcomes[i] for i in sorted(outcomes)), tuple(document_errors),
                        committed, dry_run)

