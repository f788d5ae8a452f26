"""Custody rules: a pure state machine over one pack's chain of events.

Each chain event item moves a pack from the state after its ``prev`` event to a new state, or
is refused with a RuleViolation. Nothing here touches storage, so the same rules run on append,
on bundle import, on sync and when derived tables are rebuilt.

What each role may do is one table, ``PERMITTED``; the further conditions (custody, the named
recipient, the author's own company prefixes, the undo window) are checked per action.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum

from supplychain.clock import parse_iso
from supplychain.codes.gs1 import gtin_in_prefix
from supplychain.errors import RuleViolation
from supplychain.i18n import N_, _
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.prefixes import PrefixOwners
from supplychain.ids import GLN, GTIN, SSCC
from supplychain.ledger.events import Event, EventType, Item


class PackStatus(str, Enum):
    """Where a pack is in its life."""

    ACTIVE = "active"
    IN_TRANSIT = "in_transit"
    DISPENSED = "dispensed"
    DESTROYED = "destroyed"
    # Packs that left the chain (docs/ARCHITECTURE.md, "Exits and returns").
    STOLEN = "stolen"
    EXPORTED = "exported"
    SAMPLED = "sampled"
    # Suspect product set aside by its custodian (docs/ARCHITECTURE.md, "Quarantine and
    # release"): held, not decommissioned; only a release or a destruction ends it.
    QUARANTINED = "quarantined"

    @property
    def decommissioned(self) -> bool:
        return self in _DECOMMISSIONED


_DECOMMISSIONED = frozenset({PackStatus.DISPENSED, PackStatus.DESTROYED, PackStatus.STOLEN,
                             PackStatus.EXPORTED, PackStatus.SAMPLED})


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
    container: SSCC | None = None
    """The case or pallet the pack is directly in (``supplychain.ledger.containers``)."""


UNDO_DISPENSE_WINDOW = timedelta(days=10)
"""How long after dispensing the same pharmacy may undo a mistaken dispense (as EU FMD's
10-day window for reverting a decommissioned pack)."""


_E = EventType
PERMITTED: Mapping[Role, frozenset[EventType]] = {
    # Makes packs, sends them out, takes returns back, destroys its stock, recalls its lots.
    # (Every stock holder may report a theft and hand a sample to an authority.)
    # (Every stock holder quarantines suspect stock it holds and releases it once cleared.)
    Role.MANUFACTURER: frozenset({_E.COMMISSION, _E.SHIP, _E.RECEIVE, _E.DESTROY, _E.RECALL,
                                  _E.REPORT, _E.STOLEN, _E.EXPORT, _E.SAMPLE, _E.QUARANTINE,
                                  _E.RELEASE}),
    # Holds stock between manufacturer and pharmacy; exports out of the market.
    Role.DISTRIBUTOR: frozenset({_E.SHIP, _E.RECEIVE, _E.DESTROY, _E.REPORT, _E.STOLEN,
                                 _E.EXPORT, _E.SAMPLE, _E.QUARANTINE, _E.RELEASE}),
    # Holds stock, dispenses (and undoes its own mistaken dispense), ships returns.
    Role.PHARMACY: frozenset({_E.SHIP, _E.RECEIVE, _E.DISPENSE, _E.UNDO_DISPENSE, _E.DESTROY,
                              _E.REPORT, _E.STOLEN, _E.SAMPLE, _E.RETURN, _E.QUARANTINE,
                              _E.RELEASE}),
    # Inspects: holds no stock; recalls any lot, reports any pack.
    Role.REGULATOR: frozenset({_E.RECALL, _E.REPORT}),
}
"""What each role may do. On top of the role: commission and recall only GTINs of the
author's own company prefixes (a GTIN two members claim is the first-certified one's; the
regulator recalls any);
ship, dispense and destroy only as the custodian of an active pack; receive only as the named
recipient; undo only one's own dispense, within the window; a report counts only from the
regulator or a member in the pack's chain (``report_counts``)."""

# A whole sentence per action (a translator gets each one), translated when raised.
_NOT_PERMITTED = {
    _E.COMMISSION: N_("{subject}: only a {who} commissions packs, not {name} (a {role}){why}."),
    _E.SHIP: N_("{subject}: only a {who} ships packs, not {name} (a {role}){why}."),
    _E.RECEIVE: N_("{subject}: only a {who} receives packs, not {name} (a {role}){why}."),
    _E.DISPENSE: N_("{subject}: only a {who} dispenses packs, not {name} (a {role}){why}."),
    _E.UNDO_DISPENSE: N_("{subject}: only a {who} undoes dispensing packs, not {name} "
                         "(a {role}){why}."),
    _E.DESTROY: N_("{subject}: only a {who} destroys packs, not {name} (a {role}){why}."),
    _E.RECALL: N_("{subject}: only a {who} recalls packs, not {name} (a {role}){why}."),
    _E.REPORT: N_("{subject}: only a {who} reports packs, not {name} (a {role}){why}."),
    _E.STOLEN: N_("{subject}: only a {who} reports packs stolen, not {name} (a {role}){why}."),
    _E.EXPORT: N_("{subject}: only a {who} exports packs out of the market, not {name} "
                  "(a {role}){why}."),
    _E.SAMPLE: N_("{subject}: only a {who} hands packs over as samples, not {name} "
                  "(a {role}){why}."),
    _E.RETURN: N_("{subject}: only a {who} returns packs to its wholesaler, not {name} "
                  "(a {role}){why}."),
    _E.QUARANTINE: N_("{subject}: only a {who} quarantines packs, not {name} (a {role}){why}."),
    _E.RELEASE: N_("{subject}: only a {who} releases packs from quarantine, not {name} "
                   "(a {role}){why}."),
}


def may(role: Role, action: EventType) -> bool:
    """Whether ``PERMITTED`` lets ``role`` do ``action`` at all."""
    return action in PERMITTED[role]


def _require_role(kind: EventType, actor: MemberInfo, subject: str) -> None:
    if may(actor.role, kind):
        return
    roles = [r.value for r in Role if may(r, kind)]
    who = " or a ".join(roles) if len(roles) < 3 else f"{', '.join(roles[:-1])} or {roles[-1]}"
    why = (_("; a regulator inspects, recalls and reports but holds no stock")
           if actor.role is Role.REGULATOR else "")
    raise RuleViolation(_(_NOT_PERMITTED[kind]).format(
        subject=subject, who=who, name=actor.name, role=actor.role.value, why=why))


def split_pack_key(pack: str) -> tuple[GTIN, str]:
    gtin, _sep, serial = pack.partition("/")
    return GTIN(gtin), serial


def apply_item(event: Event, item: Item, actor: MemberInfo, before: PackState | None,
               owners: PrefixOwners | None = None) -> PackState:
    """Return the pack's state after ``item`` of ``event``, or raise RuleViolation saying why.

    ``before`` is the state after the item's ``prev`` event (None for commissioning);
    ``owners`` are the company prefixes of every unrevoked manufacturer this node knows
    (None: only the actor's own certificate is known).
    """
    kind = event.type
    if kind is EventType.COMMISSION:
        return _commission(item, actor, owners)
    if before is None:
        raise RuleViolation(_("{pack}: a {kind} needs the pack's previous event.")
                            .format(pack=item.pack, kind=kind.value))
    if kind.is_aggregation:
        raise RuleViolation(_("{pack}: a {kind} event is decided for the whole event "
                              "(supplychain.ledger.containers), not item by item.")
                            .format(pack=item.pack, kind=kind.value))
    if kind is EventType.UNDO_DISPENSE:
        return _undo_dispense(event, item, actor, before)
    after = _custody_step(event, item, actor, before)
    _not_before_prev(event, item, before)  # after the custody rules: they say more
    return after


def _custody_step(event: Event, item: Item, actor: MemberInfo, before: PackState) -> PackState:
    """The state after a ship, receive, dispense or destroy of ``item``, by the custody rules."""
    kind = event.type
    if kind is EventType.DESTROY and before.status is PackStatus.STOLEN:
        return _destroy_recovered(item, actor, before)
    if before.status.decommissioned:
        raise RuleViolation(
            _("{pack} was already {status}; a decommissioned pack stays "
              "decommissioned.").format(pack=item.pack, status=before.status.value)
        )
    if kind.is_chain and (kind in (EventType.QUARANTINE, EventType.RELEASE)
                          or before.status is PackStatus.QUARANTINED):
        return _quarantine_step(event, item, actor, before)
    if kind.is_chain:
        _require_role(kind, actor, item.pack)
    if kind is EventType.SHIP:
        _require_custodian(item, actor, before, kind)
        if event.to == actor.gln:
            raise RuleViolation(_("{pack}: a member cannot ship a pack to itself.")
                                .format(pack=item.pack))
        # Spelled out rather than dataclasses.replace: this is every shipment's hot path.
        return PackState(before.gtin, before.serial, before.lot, before.expiry,
                         PackStatus.IN_TRANSIT, before.custodian, event.to, before.since,
                         before.container)
    if kind is EventType.RECEIVE:
        if before.status is not PackStatus.IN_TRANSIT or before.recipient != actor.gln:
            raise RuleViolation(
                _("{pack} was not shipped to {name} ({gln}); only the named "
                  "recipient can receive it.")
                .format(pack=item.pack, name=actor.name, gln=actor.gln)
            )
        return PackState(before.gtin, before.serial, before.lot, before.expiry,
                         PackStatus.ACTIVE, actor.gln, None, before.since, before.container)
    if kind is EventType.DISPENSE:
        _require_custodian(item, actor, before, kind)
        if before.container is not None:
            raise RuleViolation(_("{pack} is in case {sscc}: take it out of case {sscc} first "
                                  "(unpack), then dispense it.")
                                .format(pack=item.pack, sscc=before.container))
        return replace(before, status=PackStatus.DISPENSED)
    if kind is EventType.DESTROY:
        _require_custodian(item, actor, before, kind)
        return replace(before, status=PackStatus.DESTROYED)
    if kind in _LEAVING or kind is EventType.RETURN:
        return _leave_or_return(event, item, actor, before)
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
    _require_role(EventType.UNDO_DISPENSE, actor, item.pack)
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


def check_recall(event: Event, actor: MemberInfo, owners: PrefixOwners | None = None) -> None:
    """A lot is recalled by the regulator, or by the manufacturer owning its GTIN."""
    assert event.gtin is not None
    if actor.role is Role.REGULATOR:
        return
    if not may(actor.role, EventType.RECALL) or not any(gtin_in_prefix(event.gtin, p)
                                                        for p in actor.prefixes):
        raise RuleViolation(
            _("{name} may not recall GTIN {gtin}: only its manufacturer or the "
              "regulator can.").format(name=actor.name, gtin=event.gtin)
        )
    _require_sole_owner(event.gtin, actor, owners, N_("recall"))


def _commission(item: Item, actor: MemberInfo, owners: PrefixOwners | None) -> PackState:
    gtin, serial = split_pack_key(item.pack)
    _require_role(EventType.COMMISSION, actor, item.pack)
    if not any(gtin_in_prefix(gtin, p) for p in actor.prefixes):
        raise RuleViolation(
            _("GTIN {gtin} is outside the company prefixes of {name} "
              "({prefixes}); it may not commission it.")
            .format(gtin=gtin, name=actor.name, prefixes=", ".join(actor.prefixes))
        )
    _require_sole_owner(gtin, actor, owners, N_("commission"))
    assert item.lot is not None and item.expiry is not None
    return PackState(gtin, serial, item.lot, item.expiry, PackStatus.ACTIVE, actor.gln)


def _require_sole_owner(gtin: GTIN, actor: MemberInfo, owners: PrefixOwners | None,
                        verb: str) -> None:
    """A GTIN belongs to one member: when another's prefixes cover it too, to the one whose
    claim the consortium certified first (``PrefixOwners.owner``)."""
    if owners is None:
        return
    owner = owners.owner(gtin)
    if owner == actor.gln:  # the common case, decided without listing the others
        return
    others = sorted(set(owners.claimants(gtin)) - {actor.gln})
    if not others:
        return
    holder = (_("it belongs to {owner}, certified first").format(owner=owner)
              if owner is not None else _("neither was certified first"))
    raise RuleViolation(
        _("GTIN {gtin} lies in the company prefixes of {name} and of {others} ({holder}), so "
          "{name} may not {verb} it. Overlapping prefixes are the consortium's mistake: the "
          "regulator must revoke the wrong certificate.")
        .format(gtin=gtin, name=actor.name, others=", ".join(others), holder=holder,
                verb=_(verb))
    )


def report_counts(reporter: MemberInfo, parties: Collection[GLN]) -> bool:
    """Whether a report by ``reporter`` makes a pack suspect: the regulator's always; a
    member's only if it is one of ``parties`` (the pack's custodians and named recipients,
    past and present): a member reports what it holds, held or was sent, not a rival's stock.
    """
    if not may(reporter.role, EventType.REPORT):
        return False
    return reporter.role is Role.REGULATOR or reporter.gln in parties


# Whole sentences per custody step (a translator gets each one), translated when raised.
_NOT_CUSTODIAN = {
    EventType.SHIP: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                       "custodian can ship it."),
    EventType.DISPENSE: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                           "custodian can dispense it."),
    EventType.DESTROY: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                          "custodian can destroy it."),
    EventType.STOLEN: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                         "custodian can report it stolen."),
    EventType.EXPORT: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                         "custodian can export it."),
    EventType.SAMPLE: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                         "custodian can hand it over as a sample."),
    EventType.RETURN: N_("{pack} is in the custody of {custodian}, not {name}; only the "
                         "custodian can return it."),
}
_NOT_ACTIVE = {
    EventType.SHIP: N_("{pack} is {status}; it cannot ship now."),
    EventType.DISPENSE: N_("{pack} is {status}; it cannot dispense now."),
    EventType.DESTROY: N_("{pack} is {status}; it cannot destroy now."),
    EventType.EXPORT: N_("{pack} is {status}; it cannot be exported now."),
    EventType.SAMPLE: N_("{pack} is {status}; it cannot be handed over as a sample now."),
    EventType.RETURN: N_("{pack} is {status}; it cannot be returned now."),
}


def _require_custodian(item: Item, actor: MemberInfo, before: PackState,
                       kind: EventType) -> None:
    if before.custodian != actor.gln:
        raise RuleViolation(_(_NOT_CUSTODIAN[kind]).format(
            pack=item.pack, custodian=before.custodian, name=actor.name))
    if before.status is not PackStatus.ACTIVE:
        raise RuleViolation(_(_NOT_ACTIVE[kind]).format(pack=item.pack,
                                                        status=before.status.value))


# --- packs leaving the chain, and returns (docs/ARCHITECTURE.md, "Exits and returns") ------
_LEAVING = {EventType.STOLEN: PackStatus.STOLEN, EventType.EXPORT: PackStatus.EXPORTED,
            EventType.SAMPLE: PackStatus.SAMPLED}
"""The exits besides dispense and destroy, and the status each leaves the pack in."""


def _leave_or_return(event: Event, item: Item, actor: MemberInfo,
                     before: PackState) -> PackState:
    """A theft, an export, a sample or a return, by the custodian.

    A theft may also be of a pack in transit (reported by its shipper, still its custodian);
    the rest need the pack active in the actor's custody. A return is a hand-over like a
    ship (in transit to the named recipient, which receives it as usual).
    """
    kind = event.type
    if kind is EventType.STOLEN:
        if before.custodian != actor.gln:
            raise RuleViolation(_(_NOT_CUSTODIAN[kind]).format(
                pack=item.pack, custodian=before.custodian, name=actor.name))
        # A pack stolen in its case stays counted in it (the case then cannot move until
        # the pack is taken out of it: ``ledger.containers``).
        return PackState(before.gtin, before.serial, before.lot, before.expiry,
                         PackStatus.STOLEN, before.custodian, None, before.since,
                         before.container)
    _require_custodian(item, actor, before, kind)
    if before.container is not None:
        raise RuleViolation(_("{pack} is in case {sscc}: take it out of case {sscc} first "
                              "(unpack).").format(pack=item.pack, sscc=before.container))
    if kind is EventType.RETURN:
        if event.to == actor.gln:
            raise RuleViolation(_("{pack}: a member cannot return a pack to itself.")
                                .format(pack=item.pack))
        return PackState(before.gtin, before.serial, before.lot, before.expiry,
                         PackStatus.IN_TRANSIT, before.custodian, event.to, before.since)
    return replace(before, status=_LEAVING[kind], recipient=None)


# --- suspect product (docs/ARCHITECTURE.md, "Quarantine and release") ---------------------
_HELD_IN_QUARANTINE = {
    EventType.SHIP: N_("{pack} is in quarantine at {custodian}: it cannot be shipped until a "
                       "signed release clears it (supplychain release)."),
    EventType.DISPENSE: N_("{pack} is in quarantine at {custodian}: it cannot be dispensed "
                           "until a signed release clears it (supplychain release)."),
    EventType.RETURN: N_("{pack} is in quarantine at {custodian}: it cannot be returned until "
                         "a signed release clears it (supplychain release)."),
    EventType.EXPORT: N_("{pack} is in quarantine at {custodian}: it cannot be exported until "
                         "a signed release clears it (supplychain release)."),
    EventType.SAMPLE: N_("{pack} is in quarantine at {custodian}: it cannot be handed over as "
                         "a sample until a signed release clears it (supplychain release)."),
    EventType.PACK: N_("{pack} is in quarantine at {custodian}: it cannot be packed into a "
                       "case until a signed release clears it (supplychain release)."),
    EventType.QUARANTINE: N_("{pack} is already in quarantine at {custodian}."),
}


def quarantine_refusal(kind: EventType, pack: str, custodian: str) -> RuleViolation:
    """The refusal of a ``kind`` step of a pack held in quarantine by ``custodian``."""
    sentence = _HELD_IN_QUARANTINE.get(kind, N_(
        "{pack} is in quarantine at {custodian}: it cannot be moved or changed until a signed "
        "release clears it (supplychain release)."))
    return RuleViolation(_(sentence).format(pack=pack, custodian=custodian))


def _quarantine_step(event: Event, item: Item, actor: MemberInfo,
                     before: PackState) -> PackState:
    """A quarantine or release by the custodian, or any step of a quarantined pack.

    Quarantine sets an active pack the actor holds aside (not one in a case: unpack it
    first); while quarantined only its release (back to active), its destruction and a
    theft report are possible, all by the custodian; everything else is refused, naming
    the quarantine and how to end it."""
    kind = event.type
    if before.status is PackStatus.QUARANTINED:
        _require_role(kind, actor, item.pack)
        if kind is EventType.RELEASE or kind is EventType.DESTROY:
            if before.custodian != actor.gln:
                raise RuleViolation(_("{pack} is in quarantine at {custodian}; only {custodian} "
                                      "can release or destroy it.")
                                    .format(pack=item.pack, custodian=before.custodian))
            status = PackStatus.ACTIVE if kind is EventType.RELEASE else PackStatus.DESTROYED
            return replace(before, status=status)
        if kind is EventType.STOLEN:
            return _leave_or_return(event, item, actor, before)
        raise quarantine_refusal(kind, item.pack, before.custodian)
    if kind is EventType.RELEASE:
        raise RuleViolation(_("{pack} is {status}, not in quarantine: there is nothing to "
                              "release.").format(pack=item.pack,
                                                 status=before.status.value))
    _require_role(kind, actor, item.pack)
    if before.custodian != actor.gln:
        raise RuleViolation(_("{pack} is in the custody of {custodian}, not {name}; only the "
                              "custodian can quarantine it (report it as suspect instead).")
                            .format(pack=item.pack, custodian=before.custodian,
                                    name=actor.name))
    if before.status is not PackStatus.ACTIVE:
        raise RuleViolation(_("{pack} is {status}; only an active pack can be quarantined.")
                            .format(pack=item.pack, status=before.status.value))
    if before.container is not None:
        raise RuleViolation(_("{pack} is in case {sscc}: take it out of case {sscc} first "
                              "(unpack), then quarantine it.")
                            .format(pack=item.pack, sscc=before.container))
    return replace(before, status=PackStatus.QUARANTINED, recipient=None)


def _destroy_recovered(item: Item, actor: MemberInfo, before: PackState) -> PackState:
    """A stolen pack found again is never sold: its custodian may only destroy it."""
    _require_role(EventType.DESTROY, actor, item.pack)
    if before.custodian != actor.gln:
        raise RuleViolation(_("{pack} was reported stolen by {custodian}; only they can "
                              "record its destruction once it is recovered.")
                            .format(pack=item.pack, custodian=before.custodian))
    return replace(before, status=PackStatus.DESTROYED)
