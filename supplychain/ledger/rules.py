"""Custody rules: a pure state machine over one pack's chain of events.

Each chain event item moves a pack from the state after its ``prev`` event to a new state, or
is refused with a RuleViolation. Nothing here touches storage, so the same rules run on append,
on bundle import, on sync and when derived tables are rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum

from supplychain.clock import parse_iso
from supplychain.codes.gs1 import gtin_in_prefix
from supplychain.errors import RuleViolation
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.ids import GLN, GTIN
from supplychain.ledger.events import Event, EventType, Item


class PackStatus(str, Enum):
    """Where a pack is in its life."""

    ACTIVE = "active"
    IN_TRANSIT = "in_transit"
    DISPENSED = "dispensed"
    DESTROYED = "destroyed"

    @property
    def decommissioned(self) -> bool:
        return self in (PackStatus.DISPENSED, PackStatus.DESTROYED)


@dataclass(frozen=True)
class PackState:
    """A pack's state after one event of its chain."""

    gtin: GTIN
    serial: str
    lot: str
    expiry: date
    status: PackStatus
    custodian: GLN
    recipient: GLN | None = None
    since: str | None = None
    """Time (ISO 8601) of the event that produced this state, when known."""


UNDO_DISPENSE_WINDOW = timedelta(days=10)
"""How long after dispensing the same pharmacy may undo a mistaken dispense (as EU FMD's
10-day window for reverting a decommissioned pack)."""


def split_pack_key(pack: str) -> tuple[GTIN, str]:
    gtin, _, serial = pack.partition("/")
    return GTIN(gtin), serial


def apply_item(event: Event, item: Item, actor: MemberInfo, before: PackState | None) -> PackState:
    """Return the pack's state after ``item`` of ``event``, or raise RuleViolation saying why.

    ``before`` is the state after the item's ``prev`` event (None for commissioning).
    """
    kind = event.type
    if kind is EventType.COMMISSION:
        return _commission(item, actor)
    if before is None:
        raise RuleViolation(f"{item.pack}: a {kind.value} needs the pack's previous event.")
    if kind is EventType.UNDO_DISPENSE:
        return _undo_dispense(event, item, actor, before)
    after = _custody_step(event, item, actor, before)
    _not_before_prev(event, item, before)  # after the custody rules: they say more
    return after


def _custody_step(event: Event, item: Item, actor: MemberInfo, before: PackState) -> PackState:
    """The state after a ship, receive, dispense or destroy of ``item``, by the custody rules."""
    kind = event.type
    if before.status.decommissioned:
        raise RuleViolation(
            f"{item.pack} was already {before.status.value}; a decommissioned pack stays "
            "decommissioned."
        )
    if kind is EventType.SHIP:
        _require_custodian(item, actor, before, "ship")
        if event.to == actor.gln:
            raise RuleViolation(f"{item.pack}: a member cannot ship a pack to itself.")
        return replace(before, status=PackStatus.IN_TRANSIT, recipient=event.to)
    if kind is EventType.RECEIVE:
        if before.status is not PackStatus.IN_TRANSIT or before.recipient != actor.gln:
            raise RuleViolation(
                f"{item.pack} was not shipped to {actor.name} ({actor.gln}); only the named "
                "recipient can receive it."
            )
        return replace(before, status=PackStatus.ACTIVE, custodian=actor.gln, recipient=None)
    if kind is EventType.DISPENSE:
        if actor.role is not Role.PHARMACY:
            raise RuleViolation(f"{item.pack}: only a pharmacy dispenses packs.")
        _require_custodian(item, actor, before, "dispense")
        return replace(before, status=PackStatus.DISPENSED)
    if kind is EventType.DESTROY:
        _require_custodian(item, actor, before, "destroy")
        return replace(before, status=PackStatus.DESTROYED)
    raise RuleViolation(f"A {kind.value} event does not extend a custody chain.")


def _undo_dispense(event: Event, item: Item, actor: MemberInfo, before: PackState) -> PackState:
    """A pharmacy takes back its own mistaken dispense, within the window.

    The window is measured between the two events' own times, which every node can check
    only against the pharmacy's log (its times never go back) and the pack's chain (the undo
    extends the dispense, the pack's latest event); the signer also dates the undo by its own
    clock (``supplychain.ledger.timing``). Witness timestamps (issue 11) will bound it better.
    """
    if before.status is not PackStatus.DISPENSED or before.custodian != actor.gln:
        raise RuleViolation(f"{item.pack}: only the pharmacy that dispensed a pack can undo "
                            "that dispense, as the very next step.")
    if before.since is None:
        raise RuleViolation(f"{item.pack}: the time of the dispense is unknown.")
    elapsed = parse_iso(event.time) - parse_iso(before.since)
    if elapsed > UNDO_DISPENSE_WINDOW or elapsed < timedelta(0):
        raise RuleViolation(f"{item.pack}: a dispense can be undone only within "
                            f"{UNDO_DISPENSE_WINDOW.days} days; report the pack instead.")
    return replace(before, status=PackStatus.ACTIVE)


def _not_before_prev(event: Event, item: Item, before: PackState) -> None:
    """An event is not dated before the event it extends (the undo has its own window)."""
    if before.since is not None and parse_iso(event.time) < parse_iso(before.since):
        raise RuleViolation(
            f"{item.pack}: this {event.type.value} is dated {event.time}, before the event it "
            f"extends ({before.since}); an event cannot be backdated before the pack's "
            "earlier events.")


def check_recall(event: Event, actor: MemberInfo) -> None:
    """A lot is recalled by the manufacturer owning its GTIN, or by the regulator."""
    assert event.gtin is not None
    if actor.role is Role.REGULATOR:
        return
    if actor.role is Role.MANUFACTURER and any(gtin_in_prefix(event.gtin, p)
                                               for p in actor.prefixes):
        return
    raise RuleViolation(
        f"{actor.name} may not recall GTIN {event.gtin}: only its manufacturer or the "
        "regulator can."
    )


def _commission(item: Item, actor: MemberInfo) -> PackState:
    gtin, serial = split_pack_key(item.pack)
    if actor.role is not Role.MANUFACTURER:
        raise RuleViolation(f"{item.pack}: only a manufacturer commissions packs.")
    if not any(gtin_in_prefix(gtin, p) for p in actor.prefixes):
        raise RuleViolation(
            f"GTIN {gtin} is outside the company prefixes of {actor.name} "
            f"({', '.join(actor.prefixes)}); it may not commission it."
        )
    assert item.lot is not None and item.expiry is not None
    return PackState(gtin, serial, item.lot, item.expiry, PackStatus.ACTIVE, actor.gln)


def _require_custodian(item: Item, actor: MemberInfo, before: PackState, verb: str) -> None:
    if before.custodian != actor.gln:
        raise RuleViolation(
            f"{item.pack} is in the custody of {before.custodian}, not {actor.name}; only the "
            f"custodian can {verb} it."
        )
    if before.status is not PackStatus.ACTIVE:
        raise RuleViolation(f"{item.pack} is {before.status.value}; it cannot {verb} now.")
