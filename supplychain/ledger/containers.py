"""Cases and pallets: the custody rules of containers, a pure function of the events' states.

A container (a case or a pallet, named by its SSCC) has a custody chain of its own, exactly
like a pack: its item key is the 18-digit SSCC, and every event that packs into it, unpacks
from it, ships, receives or destroys it names its previous event in ``prev``. Its state
(``ContainerState``) says who holds it, whether it is in transit, which container it is in
(if any) and how many packs or cases are directly inside it. A pack's state says which
container it is directly in (``PackState.container``). Membership is therefore part of each
chain's derived state and independent of the order in which events arrive.

The rules (each refusal a RuleViolation a warehouse clerk can act on):

- Packing (``pack``, EPCIS AggregationEvent ADD) and unpacking (``unpack``, DELETE) are done
  by the custodian of the case and of everything packed, in a role that holds stock (one that
  may ship). The case's SSCC must lie in the packer's own company prefix: a manufacturer's
  certified prefixes or the company prefix of its GLN (``sscc_owner_prefixes``).
- A pack or case is in at most one container at a time; a case already inside another cannot
  be packed into (take it off the pallet first), which also makes cycles impossible.
- Only active packs and cases are packed (not in transit, dispensed or destroyed); unpacking
  names only what is directly inside the case.
- Shipping, receiving or destroying applies to whole containers: the event names every
  container it moves and everything inside them, recursively; a pack or case whose container
  the event does not move is refused ("take it out of case SSCC first"), and so is an event
  that leaves part of a container's contents behind. One exception, a receipt with a
  shortage: a receive may name a case and some (not none) of what is inside it; the case is
  opened on receipt (what is named comes out of it, received; the rest stays in it, still in
  transit to the receiver).
- Dispensing a pack that is inside a case is refused (``rules.apply_item``).

Recalls are not part of any chain (a recall arrives in its own order), so "do not pack a
recalled pack" is checked by the node before it signs (``node.containers``), not here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeAlias

from biip.gs1_prefixes import GS1CompanyPrefix

from supplychain.clock import parse_iso
from supplychain.codes.sscc import sscc_in_prefix
from supplychain.errors import RuleViolation
from supplychain.i18n import _
from supplychain.identity.certificates import MemberInfo
from supplychain.identity.prefixes import PrefixOwners
from supplychain.ids import GLN, SSCC, EventHash
from supplychain.ledger.events import Event, EventType, Item, is_container_key
from supplychain.ledger.records import ItemRecord
from supplychain.ledger.rules import (
    PackState,
    PackStatus,
    apply_item,
    may,
    quarantine_refusal,
    split_pack_key,
)

__all__ = [
    "ContainerState",
    "ItemState",
    "apply_event",
    "item_record",
    "sscc_owner_prefixes",
    "state_from_record",
]


@dataclass(frozen=True)
class ContainerState:
    """A case's or pallet's state after one event of its chain."""

    sscc: SSCC
    status: PackStatus  # active, in_transit or destroyed (a case is never dispensed)
    custodian: GLN
    recipient: GLN | None = None
    container: SSCC | None = None
    """The case or pallet it is directly in, if any."""
    contents: int = 0
    """How many packs and cases are directly inside it."""
    since: str | None = None


ItemState: TypeAlias = PackState | ContainerState


def sscc_owner_prefixes(actor: MemberInfo) -> tuple[str, ...]:
    """The company prefixes under which ``actor`` may build cases and pallets: its certified
    GS1 company prefixes (manufacturers) and the company prefix of its own GLN (GS1 allots a
    GLN from the company's prefix; biip's table of prefix lengths tells how long it is, and
    where it does not know, the first seven digits are taken, the most common length)."""
    found = GS1CompanyPrefix.extract(actor.gln)
    own = found.value if found is not None else actor.gln[:7]
    return tuple(dict.fromkeys((*actor.prefixes, own)))


def apply_event(event: Event, actor: MemberInfo,
                befores: Sequence[ItemState | None],
                owners: PrefixOwners | None = None) -> list[ItemState]:
    """The state of each item after ``event`` (items in order), or RuleViolation saying why.

    ``befores`` are the states after each item's ``prev`` (None where it has none). Events that
    touch no container are exactly ``rules.apply_item`` item by item.
    """
    if not event.type.takes_containers or not _touches_containers(event, befores):
        return [apply_item(event, item, actor, _pack(before), owners)
                for item, before in zip(event.items, befores, strict=True)]
    if event.type.is_aggregation:
        return _aggregate(event, actor, befores)
    afters = [_move(event, item, actor, before, owners)
              for item, before in zip(event.items, befores, strict=True)]
    opened = _check_whole(event, befores)
    if opened:
        afters = _opened_on_receipt(event, befores, afters, opened)
    return afters


def _touches_containers(event: Event, befores: Sequence[ItemState | None]) -> bool:
    return event.type.is_aggregation or any(
        isinstance(b, ContainerState) or (b is not None and b.container is not None)
        for b in befores)


def _pack(state: ItemState | None) -> PackState | None:
    if isinstance(state, ContainerState):
        raise RuleViolation(_("Case {sscc} cannot be used like a pack here.")
                            .format(sscc=state.sscc))
    return state


def _move(event: Event, item: Item, actor: MemberInfo, before: ItemState | None,
          owners: PrefixOwners | None) -> ItemState:
    """Ship, receive or destroy one item (a pack by the pack rules; a case by the same
    custody rules, keeping what is inside it)."""
    if not isinstance(before, ContainerState):
        if is_container_key(item.pack):
            raise RuleViolation(_("{sscc}: a case's previous event must be one of its own.")
                                .format(sscc=item.pack))
        return apply_item(event, item, actor, before, owners)
    kind = event.type
    if before.status is PackStatus.DESTROYED:
        raise RuleViolation(_("Case {sscc} was destroyed; it stays destroyed.")
                            .format(sscc=before.sscc))
    if not may(actor.role, kind):
        raise RuleViolation(_("Case {sscc}: {name} (a {role}) may not {action} stock.")
                            .format(sscc=before.sscc, name=actor.name, role=actor.role.value,
                                    action=kind.value))
    _not_before(event, before)
    if kind is EventType.RECEIVE:
        if before.status is not PackStatus.IN_TRANSIT or before.recipient != actor.gln:
            raise RuleViolation(_("Case {sscc} was not shipped to {name} ({gln}); only the "
                                  "named recipient can receive it.")
                                .format(sscc=before.sscc, name=actor.name, gln=actor.gln))
        return replace(before, status=PackStatus.ACTIVE, custodian=actor.gln, recipient=None)
    _require_custodian(before, actor, kind)
    if kind is EventType.SHIP:
        if event.to == actor.gln:
            raise RuleViolation(_("Case {sscc}: a member cannot ship a case to itself.")
                                .format(sscc=before.sscc))
        return replace(before, status=PackStatus.IN_TRANSIT, recipient=event.to)
    return replace(before, status=PackStatus.DESTROYED)


def _require_custodian(before: ContainerState, actor: MemberInfo, kind: EventType) -> None:
    if before.custodian != actor.gln:
        raise RuleViolation(_("Case {sscc} is in the custody of {custodian}, not {name}; only "
                              "the custodian can {action} it.")
                            .format(sscc=before.sscc, custodian=before.custodian,
                                    name=actor.name, action=kind.value))
    if before.status is not PackStatus.ACTIVE:
        raise RuleViolation(_("Case {sscc} is {status}; it cannot {action} now.")
                            .format(sscc=before.sscc, status=before.status.value,
                                    action=kind.value))


def _check_whole(event: Event, befores: Sequence[ItemState | None]) -> Counter[str]:
    """A shipment, receipt or destruction moves whole containers: everything inside each
    container it names, and no pack or case out of a container it does not name.

    The one exception, a receipt with a shortage: a receive may name a case and only some of
    what is inside it (what arrived). Returns those cases, each with how many of its children
    the receipt names (empty: every case moves whole)."""
    keys = {str(item.pack) for item in event.items}
    inside: Counter[str] = Counter()
    for item, before in zip(event.items, befores, strict=True):
        if before is None or before.container is None:
            continue
        if before.container not in keys:
            raise RuleViolation(_("{key} is in case {sscc}: take it out of case {sscc} first "
                                  "(unpack), or {action} the whole case.")
                                .format(key=item.pack, sscc=before.container,
                                        action=event.type.value))
        inside[before.container] += 1
    opened: Counter[str] = Counter()
    for before in befores:
        if not isinstance(before, ContainerState) or inside[before.sscc] == before.contents:
            continue
        if event.type is EventType.RECEIVE and 0 < inside[before.sscc] < before.contents:
            opened[before.sscc] = inside[before.sscc]
        else:
            raise RuleViolation(_("Case {sscc} holds {count} packs or cases, but this {action} "
                                  "names {named} of them: a case moves whole, with all its "
                                  "contents.").format(sscc=before.sscc, count=before.contents,
                                                      action=event.type.value,
                                                      named=inside[before.sscc]))
    return opened


def _opened_on_receipt(event: Event, befores: Sequence[ItemState | None],
                       afters: list[ItemState], opened: Counter[str]) -> list[ItemState]:
    """A case received in part is opened on receipt: what the receipt names of it comes out
    of it (received, loose); what it does not name stays in it, still in transit to the
    receiver, and is all the case still counts."""
    result: list[ItemState] = []
    for before, after in zip(befores, afters, strict=True):
        if before is not None and before.container in opened:
            after = replace(after, container=None)
        if isinstance(after, ContainerState) and after.sscc in opened:
            after = replace(after, contents=after.contents - opened[after.sscc])
        result.append(after)
    return result


def _aggregate(event: Event, actor: MemberInfo,
               befores: Sequence[ItemState | None]) -> list[ItemState]:
    """Packing into, or unpacking from, the event's parent case."""
    parent = event.parent
    assert parent is not None
    packing = event.type is EventType.PACK
    verb = _("pack") if packing else _("unpack")
    if not may(actor.role, EventType.SHIP):  # packing is for those who hold stock
        raise RuleViolation(_("Case {sscc}: only a member that holds stock packs and unpacks "
                              "cases, not {name} (a {role}).")
                            .format(sscc=parent, name=actor.name, role=actor.role.value))
    children = 0
    parent_before: ItemState | None = None
    for item, before in zip(event.items, befores, strict=True):
        if event.is_parent(item):
            parent_before = before
            continue
        children += 1
        _child(event, item, actor, before, packing)
    parent_after = _parent(event, actor, parent_before, children, packing, verb)
    afters: list[ItemState] = []
    for item, before in zip(event.items, befores, strict=True):
        if event.is_parent(item):
            afters.append(parent_after)
        else:
            assert before is not None
            afters.append(replace(before, container=parent if packing else None))
    return afters


def _parent(event: Event, actor: MemberInfo, before: ItemState | None, children: int,
            packing: bool, verb: str) -> ContainerState:
    parent = event.parent
    assert parent is not None
    if packing and not any(sscc_in_prefix(parent, p) for p in sscc_owner_prefixes(actor)):
        raise RuleViolation(_("Case {sscc} is not in the company prefix of {name} ({prefixes}): "
                              "label the case with an SSCC of your own prefix.")
                            .format(sscc=parent, name=actor.name,
                                    prefixes=", ".join(sscc_owner_prefixes(actor))))
    if before is None:
        return ContainerState(parent, PackStatus.ACTIVE, actor.gln, None, None, children)
    if not isinstance(before, ContainerState):
        raise RuleViolation(_("{sscc}: the case's previous event must be one of its own.")
                            .format(sscc=parent))
    if before.custodian != actor.gln or before.status is not PackStatus.ACTIVE:
        raise RuleViolation(_("Case {sscc} is {status} in the custody of {custodian}; only its "
                              "custodian can {verb} it, while it is active.")
                            .format(sscc=parent, status=before.status.value,
                                    custodian=before.custodian, verb=verb))
    if packing and before.container is not None:
        raise RuleViolation(_("Case {sscc} is on pallet {pallet}: take it off pallet {pallet} "
                              "before packing more into it.")
                            .format(sscc=parent, pallet=before.container))
    _not_before(event, before)
    contents = before.contents + children if packing else before.contents - children
    return replace(before, contents=contents)


def _child(event: Event, item: Item, actor: MemberInfo, before: ItemState | None,
           packing: bool) -> None:
    parent = event.parent
    if before is None:
        raise RuleViolation(_("{key}: packing needs its previous event.").format(key=item.pack))
    if not packing:
        if before.container != parent:
            raise RuleViolation(_("{key} is not in case {sscc}: unpacking names only what is "
                                  "inside the case.").format(key=item.pack, sscc=parent))
        return
    if before.custodian != actor.gln:
        raise RuleViolation(_("{key} is in the custody of {custodian}, not {name}; only the "
                              "custodian can pack it.")
                            .format(key=item.pack, custodian=before.custodian, name=actor.name))
    if before.status is PackStatus.QUARANTINED:
        raise quarantine_refusal(EventType.PACK, item.pack, before.custodian)
    if before.status is not PackStatus.ACTIVE:
        raise RuleViolation(_("{key} is {status}; only an active pack or case can be packed.")
                            .format(key=item.pack, status=before.status.value))
    if before.container is not None:
        raise RuleViolation(_("{key} is already in case {sscc}: take it out of case {sscc} "
                              "first.").format(key=item.pack, sscc=before.container))
    _not_before(event, before)


def _not_before(event: Event, before: ItemState) -> None:
    """An event is not dated before the event it extends."""
    if before.since is not None and parse_iso(event.time) < parse_iso(before.since):
        raise RuleViolation(_("This {type} is dated {time}, before the event it extends "
                              "({since}); an event cannot be backdated.")
                            .format(type=event.type.value, time=event.time, since=before.since))


def item_record(event_hash: str, item: Item, depth: int, after: ItemState) -> ItemRecord:
    """The derived row of one applied item (a case's row has no lot nor expiry)."""
    if isinstance(after, ContainerState):
        return ItemRecord(EventHash(event_hash), item.pack, item.prev, depth, "", "",
                          after.status.value, after.custodian, after.recipient,
                          after.container, after.contents)
    return ItemRecord(EventHash(event_hash), item.pack, item.prev, depth, after.lot,
                      after.expiry.isoformat(), after.status.value, after.custodian,
                      after.recipient, after.container)


def state_from_record(row: ItemRecord, since: str) -> ItemState:
    """The state a derived row records (``since``: the time of its event)."""
    container = SSCC(row.container) if row.container else None
    if is_container_key(row.pack):
        return ContainerState(SSCC(row.pack), PackStatus(row.status), row.custodian,
                              row.recipient, container, row.contents or 0, since)
    gtin, serial = split_pack_key(row.pack)
    return PackState(gtin, serial, row.lot, date.fromisoformat(row.expiry),
                     PackStatus(row.status), row.custodian, row.recipient, since, container)

