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
from supplychain.i18n import N_, _
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
    gtin, _sep, serial = pack.partition("/")
    return GTIN(gtin), serial


def apply_item(event: Event, item: Item, actor: MemberInfo, before: PackState | None) -> PackState:
    """Return the pack's state after ``item`` of ``event``, or raise RuleViolation saying why.

    ``before`` is the state after the item's ``prev`` event (None for commissioning).
    """
    kind = event.type
    if kind is EventType.COMMISSION:
        return _commission(item, actor)
    if before is None:
        raise RuleViolation(_("{pack}: a {kind} needs the pack's previous event.")
                            .format(pack=item.pack, kind=kind.value))
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
            _("{pack} was already {status}; a decommissioned pack stays "
              "decommissioned.").format(pack=item.pack, status=before.status.value)
        )
    if kind is EventType.SHIP:
        _require_custodian(item, actor, before, kind)
        if event.to == actor.gln:
            raise RuleViolation(_("{pack}: a member cannot ship a pack to itself.")
                                .format(pack=item.pack))
        return replace(before, status=PackStatus.IN_TRANSIT, recipient=event.to)
    if kind is EventType.RECEIVE:
        if before.status is not PackStatus.IN_TRANSIT or before.recipient != actor.gln:
            raise RuleViolation(
                _("{pack} was not shipped to {name} ({gln}); only the named "
                  "recipient can receive it.")
                .format(pack=item.pack, name=actor.name, gln=actor.gln)
            )
        return replace(before, status=PackStatus.ACTIVE, custodian=actor.gln, recipient=None)
    if kind is EventType.DISPENSE:
        if actor.role is not Role.PHARMACY:
            raise RuleViolation(_("{pack}: only a pharmacy dispenses packs.")
                                .format(pack=item.pack))
        _require_custodian(item, actor, before, kind)
        return replace(before, status=PackStatus.DISPENSED)
    if kind is EventType.DESTROY:
        _require_custodian(item, actor, before, kind)
        return replace(before, status=PackStatus.DESTROYED)
    raise RuleViolation(_("A {kind} event does not extend a custody chain.")
                        .format(kind=kind.value))


def _undo_dispense(event: Event, item: Item, actor: MemberInfo, before: PackState) -> PackState:
    """A pharmacy takes back its own mistaken dispense, within the window.

    The window is measured between the two events' own times, which every node can check
    only against the pharmacy's log (its times never go back) and the pack's chain (the undo
    extends the dispense, the pack's latest event); the signer also dates the undo by its own
    clock (``supplychain.ledger.timing``). Witness timestamps (issue 11) will bound it better.
    """
    if before.status is not PackStatus.DISPENSED or before.custodian != actor.gln:
        raise RuleViolation(_("{pack}: only the pharmacy that dispensed a pack can undo "
                              "that dispense, as the very next step.").format(pack=item.pack))
    if before.since is None:
        raise RuleViolation(_("{pack}: the time of the dispense is unknown.")
                            .format(pack=item.pack))
    elapsed = parse_iso(event.time) - parse_iso(before.since)
    if elapsed > UNDO_DISPENSE_WINDOW or elapsed < timedelta(0):
        raise RuleViolation(_("{pack}: a dispense can be undone only within "
                              "{days} days; report the pack instead.")
                            .format(pack=item.pack, days=UNDO_DISPENSE_WINDOW.days))
    return replace(before, status=PackStatus.ACTIVE)


def _not_before_prev(event: Event, item: Item, before: PackState) -> None:
    """An event is not dated before the event it extends (the undo has its own window)."""
    if before.since is not None and parse_iso(event.time) < parse_iso(before.since):
        raise RuleViolation(
            _("{pack}: this {type} is dated {time}, before the event it "
              "extends ({since}); an event cannot be backdated before the pack's "
              "earlier events.")
            .format(pack=item.pack, type=event.type.value, time=event.time, since=before.since))


def check_recall(event: Event, actor: MemberInfo) -> None:
    """A lot is recalled by the manufacturer owning its GTIN, or by the regulator."""
    assert event.gtin is not None
    if actor.role is Role.REGULATOR:
        return
    if actor.role is Role.MANUFACTURER and any(gtin_in_prefix(event.gtin, p)
                                               for p in actor.prefixes):
        return
    raise RuleViolation(
        _("{name} may not recall GTIN {gtin}: only its manufacturer or the "
          "regulator can.").format(name=actor.name, gtin=event.gtin)
    )


def _commission(item: Item, actor: MemberInfo) -> PackState:
    gtin, serial = split_pack_key(item.pack)
    if actor.role is not Role.MANUFACTURER:
        raise RuleViolation(_("{pack}: only a manufacturer commissions packs.")
                            .format(pack=item.pack))
    if not any(gtin_in_prefix(gtin, p) for p in actor.prefixes):
        raise RuleViolation(
            _("GTIN {gtin} is outside the company prefixes of {name} "
              "({prefixes}); it may not commission it.")
            .format(gtin=gtin, name=actor.name, prefixes=", ".join(actor.prefixes))
        )
    assert item.lot is not None and item.expiry is not None
    return PackState(gtin, serial, item.lot, item.expiry, PackStatus.ACTIVE, actor.gln)


# Whole sentences per custody step (a translator gets each one), translated when raised.
_NOT_CUSTODIAN = {
    EventType.SHIP: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                       "custodian can ship it."),
    EventType.DISPENSE: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                           "custodian can dispense it."),
    EventType.DESTROY: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                          "custodian can destroy it."),
}
_NOT_ACTIVE = {
    EventType.SHIP: N_("{pack} is {status}; it cannot ship now."),
    EventType.DISPENSE: N_("{pack} is {status}; it cannot dispense now."),
    EventType.DESTROY: N_("{pack} is {status}; it cannot destroy now."),
}


def _require_custodian(item: Item, actor: MemberInfo, before: PackState,
                       kind: EventType) -> None:
    if before.custodian != actor.gln:
        raise RuleViolation(_(_NOT_CUSTODIAN[kind]).format(
            pack=item.pack, custodian=before.custodian, name=actor.name))
    if before.status is not PackStatus.ACTIVE:
        raise RuleViolation(_(_NOT_ACTIVE[kind]).format(pack=item.pack,
                                                        status=before.status.value))
