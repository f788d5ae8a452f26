"""The custody rules called directly with plain data: no node, no store, no files.

The table below lists, for every action and every state a pack can be in relative to the
member acting, what happens for each role: the pack's next status, or the refusal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from supplychain.errors import RuleViolation
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.ids import GLN, GTIN, EventHash, PackKey
from supplychain.ledger.events import Event, EventType, Item
from supplychain.ledger.rules import (
    PERMITTED,
    UNDO_DISPENSE_WINDOW,
    PackState,
    PackStatus,
    apply_item,
    check_recall,
    may,
    report_counts,
    split_pack_key,
)
from tests.conftest import (
    DIST_A,
    DIST_B,
    FOREIGN_GTIN,
    MAKER,
    MEMBERS,
    OTHER_MAKER,
    PHARMACY,
    REGULATOR,
)
from tests.conftest import GTIN as OUR_GTIN

ACTORS = {m.role: m for m in MEMBERS if m.gln in (REGULATOR, MAKER, DIST_A, PHARMACY)}
OTHER = GLN(DIST_B)  # the other party in every state: custodian, recipient or next holder
PREV = EventHash("ab" * 32)
PACK = PackKey(f"{OUR_GTIN}/SN1")
EXPIRY = date(2030, 1, 31)
DISPENSED_AT = "2026-03-01T09:00:00+00:00"
NOW = "2026-03-02T09:00:00+00:00"  # one day after DISPENSED_AT: inside the undo window

# States, relative to the member acting.
NONE = "no previous event"
HELD = "active, held by the actor"
HELD_ELSEWHERE = "active, held by another member"
INBOUND = "in transit to the actor"
OUTBOUND = "in transit from the actor to another member"
DISPENSED_HERE = "dispensed by the actor"
DISPENSED_ELSEWHERE = "dispensed by another member"
DESTROYED = "destroyed"
QUARANTINED_HERE = "quarantined, held by the actor"
QUARANTINED_ELSEWHERE = "quarantined, held by another member"
STATES = [NONE, HELD, HELD_ELSEWHERE, INBOUND, OUTBOUND, DISPENSED_HERE, DISPENSED_ELSEWHERE,
          DESTROYED, QUARANTINED_HERE, QUARANTINED_ELSEWHERE]


def state_of(name: str, actor: GLN) -> PackState | None:
    base = PackState(GTIN(OUR_GTIN), "SN1", "L1", EXPIRY, PackStatus.ACTIVE, actor,
                     since="2026-02-01T09:00:00+00:00")
    return {
        NONE: None,
        HELD: base,
        HELD_ELSEWHERE: replace(base, custodian=OTHER),
        INBOUND: replace(base, status=PackStatus.IN_TRANSIT, custodian=OTHER, recipient=actor),
        OUTBOUND: replace(base, status=PackStatus.IN_TRANSIT, recipient=OTHER),
        DISPENSED_HERE: replace(base, status=PackStatus.DISPENSED, since=DISPENSED_AT),
        DISPENSED_ELSEWHERE: replace(base, status=PackStatus.DISPENSED, custodian=OTHER,
                                     since=DISPENSED_AT),
        DESTROYED: replace(base, status=PackStatus.DESTROYED),
        QUARANTINED_HERE: replace(base, status=PackStatus.QUARANTINED),
        QUARANTINED_ELSEWHERE: replace(base, status=PackStatus.QUARANTINED, custodian=OTHER),
    }[name]


def reachable(role: Role, state: str) -> bool:
    """Only a pharmacy dispenses, so only a pharmacy can hold a pack it dispensed; only a
    member holding stock quarantines."""
    if state == QUARANTINED_HERE:
        return role is not Role.REGULATOR
    return state != DISPENSED_HERE or role is Role.PHARMACY


def event(kind: EventType, actor: MemberInfo, item: Item, *, to: GLN | None = None,
          time: str = NOW) -> Event:
    return Event(kind, actor.gln, "key-1", time, (item,), to=to,
                 gtin=GTIN(OUR_GTIN) if kind is EventType.RECALL else None)


ALL = tuple(Role)
NOT_PHARMACY = tuple(r for r in Role if r is not Role.PHARMACY)
NOT_MANUFACTURER = tuple(r for r in Role if r is not Role.MANUFACTURER)
HOLDERS = (Role.MANUFACTURER, Role.DISTRIBUTOR, Role.PHARMACY)  # members that hold stock
REGULATOR_ONLY = (Role.REGULATOR,)

# Refusals (a phrase of the RuleViolation message).
NEEDS_PREV = "needs the pack's previous event"
STAYS = "stays decommissioned"
NOT_MAKER = "only a manufacturer commissions"
NOT_PHARMACY_MSG = "only a pharmacy dispenses"
NOT_RECIPIENT = "only the named recipient can receive"
NOT_DISPENSER = "only the pharmacy that dispensed"
NOT_CHAIN = "does not extend a custody chain"
WHOLE_EVENT = "is decided for the whole event"
NO_STOCK = "a regulator inspects, recalls and reports but holds no stock"
NOT_EXPORTER = "only a manufacturer or a distributor exports"
NOT_RETURNER = "only a pharmacy returns packs"
EXPORTERS = (Role.MANUFACTURER, Role.DISTRIBUTOR)


def custodian_only(verb: str) -> str:
    return f"only the custodian can {verb}"


def not_now(verb: str) -> str:
    return f"is in_transit; it cannot {verb} now"


def held(verb: str) -> str:
    """A step refused while the pack is in quarantine (here or elsewhere)."""
    return (f"is in quarantine at [0-9]+: it cannot be {verb} until a signed release clears "
            r"it \(supplychain release\)")


NOTHING_TO_RELEASE = "not in quarantine: there is nothing to release"
ALREADY_HELD = "is already in quarantine at"
QUARANTINE_OR_DESTROY = "only [0-9]+ can release or destroy it"


# (action, state) -> {roles: outcome}; an outcome is the next PackStatus or a refusal phrase.
# Commission ignores the previous state (a second commission of a serial is a fork, which
# the chain index flags, not the rules), so every state gives the same answer.
RULES: dict[tuple[EventType, str], dict[tuple[Role, ...], PackStatus | str]] = {
    **{(EventType.COMMISSION, s): {(Role.MANUFACTURER,): PackStatus.ACTIVE,
                                   NOT_MANUFACTURER: NOT_MAKER}
       for s in STATES},
    (EventType.SHIP, NONE): {ALL: NEEDS_PREV},
    (EventType.SHIP, HELD): {HOLDERS: PackStatus.IN_TRANSIT, REGULATOR_ONLY: NO_STOCK},
    (EventType.SHIP, HELD_ELSEWHERE): {HOLDERS: custodian_only("ship"), REGULATOR_ONLY: NO_STOCK},
    (EventType.SHIP, INBOUND): {HOLDERS: custodian_only("ship"), REGULATOR_ONLY: NO_STOCK},
    (EventType.SHIP, OUTBOUND): {HOLDERS: not_now("ship"), REGULATOR_ONLY: NO_STOCK},
    (EventType.SHIP, DISPENSED_HERE): {ALL: STAYS},
    (EventType.SHIP, DISPENSED_ELSEWHERE): {ALL: STAYS},
    (EventType.SHIP, DESTROYED): {ALL: STAYS},
    (EventType.RECEIVE, NONE): {ALL: NEEDS_PREV},
    (EventType.RECEIVE, HELD): {HOLDERS: NOT_RECIPIENT, REGULATOR_ONLY: NO_STOCK},
    (EventType.RECEIVE, HELD_ELSEWHERE): {HOLDERS: NOT_RECIPIENT, REGULATOR_ONLY: NO_STOCK},
    (EventType.RECEIVE, INBOUND): {HOLDERS: PackStatus.ACTIVE, REGULATOR_ONLY: NO_STOCK},
    (EventType.RECEIVE, OUTBOUND): {HOLDERS: NOT_RECIPIENT, REGULATOR_ONLY: NO_STOCK},
    (EventType.RECEIVE, DISPENSED_HERE): {ALL: STAYS},
    (EventType.RECEIVE, DISPENSED_ELSEWHERE): {ALL: STAYS},
    (EventType.RECEIVE, DESTROYED): {ALL: STAYS},
    (EventType.DISPENSE, NONE): {ALL: NEEDS_PREV},
    (EventType.DISPENSE, HELD): {(Role.PHARMACY,): PackStatus.DISPENSED,
                                 NOT_PHARMACY: NOT_PHARMACY_MSG},
    (EventType.DISPENSE, HELD_ELSEWHERE): {(Role.PHARMACY,): custodian_only("dispense"),
                                           NOT_PHARMACY: NOT_PHARMACY_MSG},
    (EventType.DISPENSE, INBOUND): {(Role.PHARMACY,): custodian_only("dispense"),
                                    NOT_PHARMACY: NOT_PHARMACY_MSG},
    (EventType.DISPENSE, OUTBOUND): {(Role.PHARMACY,): not_now("dispense"),
                                     NOT_PHARMACY: NOT_PHARMACY_MSG},
    (EventType.DISPENSE, DISPENSED_HERE): {ALL: STAYS},
    (EventType.DISPENSE, DISPENSED_ELSEWHERE): {ALL: STAYS},
    (EventType.DISPENSE, DESTROYED): {ALL: STAYS},
    (EventType.UNDO_DISPENSE, NONE): {ALL: NEEDS_PREV},
    (EventType.UNDO_DISPENSE, HELD): {ALL: NOT_DISPENSER},
    (EventType.UNDO_DISPENSE, HELD_ELSEWHERE): {ALL: NOT_DISPENSER},
    (EventType.UNDO_DISPENSE, INBOUND): {ALL: NOT_DISPENSER},
    (EventType.UNDO_DISPENSE, OUTBOUND): {ALL: NOT_DISPENSER},
    (EventType.UNDO_DISPENSE, DISPENSED_HERE): {ALL: PackStatus.ACTIVE},
    (EventType.UNDO_DISPENSE, DISPENSED_ELSEWHERE): {ALL: NOT_DISPENSER},
    (EventType.UNDO_DISPENSE, DESTROYED): {ALL: NOT_DISPENSER},
    (EventType.DESTROY, NONE): {ALL: NEEDS_PREV},
    (EventType.DESTROY, HELD): {HOLDERS: PackStatus.DESTROYED, REGULATOR_ONLY: NO_STOCK},
    (EventType.DESTROY, HELD_ELSEWHERE): {HOLDERS: custodian_only("destroy"),
                                          REGULATOR_ONLY: NO_STOCK},
    (EventType.DESTROY, INBOUND): {HOLDERS: custodian_only("destroy"), REGULATOR_ONLY: NO_STOCK},
    (EventType.DESTROY, OUTBOUND): {HOLDERS: not_now("destroy"), REGULATOR_ONLY: NO_STOCK},
    (EventType.DESTROY, DISPENSED_HERE): {ALL: STAYS},
    (EventType.DESTROY, DISPENSED_ELSEWHERE): {ALL: STAYS},
    (EventType.DESTROY, DESTROYED): {ALL: STAYS},
    **{(kind, s): {ALL: NEEDS_PREV if s == NONE else
                   STAYS if s in (DISPENSED_HERE, DISPENSED_ELSEWHERE, DESTROYED) else
                   NOT_CHAIN}
       for kind in (EventType.RECALL, EventType.REPORT, EventType.ALERT) for s in STATES},
    # Packing and unpacking are decided per event (tests/ledger/test_containers.py).
    **{(kind, s): {ALL: NEEDS_PREV if s == NONE else WHOLE_EVENT}
       for kind in (EventType.PACK, EventType.UNPACK) for s in STATES},
    # Packs leaving the chain, and returns (docs/ARCHITECTURE.md, "Exits and returns").
    **{(kind, s): {ALL: NEEDS_PREV if s == NONE else STAYS}
       for kind in (EventType.STOLEN, EventType.EXPORT, EventType.SAMPLE, EventType.RETURN)
       for s in (NONE, DISPENSED_HERE, DISPENSED_ELSEWHERE, DESTROYED)},
    (EventType.STOLEN, HELD): {HOLDERS: PackStatus.STOLEN, REGULATOR_ONLY: NO_STOCK},
    (EventType.STOLEN, HELD_ELSEWHERE): {HOLDERS: custodian_only("report it stolen"),
                                         REGULATOR_ONLY: NO_STOCK},
    (EventType.STOLEN, INBOUND): {HOLDERS: custodian_only("report it stolen"),
                                  REGULATOR_ONLY: NO_STOCK},
    # Stolen on the way: the shipper, still the custodian, reports it.
    (EventType.STOLEN, OUTBOUND): {HOLDERS: PackStatus.STOLEN, REGULATOR_ONLY: NO_STOCK},
    (EventType.EXPORT, HELD): {EXPORTERS: PackStatus.EXPORTED,
                               (Role.PHARMACY,): NOT_EXPORTER, REGULATOR_ONLY: NO_STOCK},
    (EventType.EXPORT, HELD_ELSEWHERE): {EXPORTERS: custodian_only("export it"),
                                         (Role.PHARMACY,): NOT_EXPORTER,
                                         REGULATOR_ONLY: NO_STOCK},
    (EventType.EXPORT, INBOUND): {EXPORTERS: custodian_only("export it"),
                                  (Role.PHARMACY,): NOT_EXPORTER, REGULATOR_ONLY: NO_STOCK},
    (EventType.EXPORT, OUTBOUND): {EXPORTERS: not_now("be exported"),
                                   (Role.PHARMACY,): NOT_EXPORTER, REGULATOR_ONLY: NO_STOCK},
    (EventType.SAMPLE, HELD): {HOLDERS: PackStatus.SAMPLED, REGULATOR_ONLY: NO_STOCK},
    (EventType.SAMPLE, HELD_ELSEWHERE): {HOLDERS: custodian_only("hand it over as a sample"),
                                         REGULATOR_ONLY: NO_STOCK},
    (EventType.SAMPLE, INBOUND): {HOLDERS: custodian_only("hand it over as a sample"),
                                  REGULATOR_ONLY: NO_STOCK},
    (EventType.SAMPLE, OUTBOUND): {HOLDERS: not_now("be handed over as a sample"),
                                   REGULATOR_ONLY: NO_STOCK},
    (EventType.RETURN, HELD): {(Role.PHARMACY,): PackStatus.IN_TRANSIT,
                               NOT_PHARMACY: NOT_RETURNER},
    (EventType.RETURN, HELD_ELSEWHERE): {(Role.PHARMACY,): custodian_only("return it"),
                                         NOT_PHARMACY: NOT_RETURNER},
    (EventType.RETURN, INBOUND): {(Role.PHARMACY,): custodian_only("return it"),
                                  NOT_PHARMACY: NOT_RETURNER},
    (EventType.RETURN, OUTBOUND): {(Role.PHARMACY,): not_now("be returned"),
                                   NOT_PHARMACY: NOT_RETURNER},
    # Suspect product (docs/ARCHITECTURE.md, "Quarantine and release").
    (EventType.QUARANTINE, NONE): {ALL: NEEDS_PREV},
    (EventType.QUARANTINE, HELD): {HOLDERS: PackStatus.QUARANTINED, REGULATOR_ONLY: NO_STOCK},
    (EventType.QUARANTINE, HELD_ELSEWHERE): {HOLDERS: custodian_only("quarantine it"),
                                             REGULATOR_ONLY: NO_STOCK},
    (EventType.QUARANTINE, INBOUND): {HOLDERS: custodian_only("quarantine it"),
                                      REGULATOR_ONLY: NO_STOCK},
    (EventType.QUARANTINE, OUTBOUND): {HOLDERS: "is in_transit; only an active pack can be "
                                                "quarantined", REGULATOR_ONLY: NO_STOCK},
    (EventType.QUARANTINE, QUARANTINED_HERE): {HOLDERS: ALREADY_HELD},
    (EventType.QUARANTINE, QUARANTINED_ELSEWHERE): {HOLDERS: ALREADY_HELD,
                                                    REGULATOR_ONLY: NO_STOCK},
    **{(kind, s): {ALL: NEEDS_PREV if s == NONE else STAYS}
       for kind in (EventType.QUARANTINE, EventType.RELEASE)
       for s in (NONE, DISPENSED_HERE, DISPENSED_ELSEWHERE, DESTROYED)},
    **{(EventType.RELEASE, s): {ALL: NOTHING_TO_RELEASE}
       for s in (HELD, HELD_ELSEWHERE, INBOUND, OUTBOUND)},
    (EventType.RELEASE, QUARANTINED_HERE): {HOLDERS: PackStatus.ACTIVE},
    (EventType.RELEASE, QUARANTINED_ELSEWHERE): {HOLDERS: QUARANTINE_OR_DESTROY,
                                                 REGULATOR_ONLY: NO_STOCK},
    # While quarantined only the release, the destruction and a theft report go through.
    (EventType.DESTROY, QUARANTINED_HERE): {HOLDERS: PackStatus.DESTROYED},
    (EventType.DESTROY, QUARANTINED_ELSEWHERE): {HOLDERS: QUARANTINE_OR_DESTROY,
                                                 REGULATOR_ONLY: NO_STOCK},
    (EventType.STOLEN, QUARANTINED_HERE): {HOLDERS: PackStatus.STOLEN},
    (EventType.STOLEN, QUARANTINED_ELSEWHERE): {HOLDERS: custodian_only("report it stolen"),
                                                REGULATOR_ONLY: NO_STOCK},
    (EventType.SHIP, QUARANTINED_HERE): {HOLDERS: held("shipped")},
    (EventType.SHIP, QUARANTINED_ELSEWHERE): {HOLDERS: held("shipped"),
                                              REGULATOR_ONLY: NO_STOCK},
    (EventType.RECEIVE, QUARANTINED_HERE): {HOLDERS: held("moved or changed")},
    (EventType.RECEIVE, QUARANTINED_ELSEWHERE): {HOLDERS: held("moved or changed"),
                                                 REGULATOR_ONLY: NO_STOCK},
    (EventType.DISPENSE, QUARANTINED_HERE): {(Role.PHARMACY,): held("dispensed"),
                                             (Role.MANUFACTURER, Role.DISTRIBUTOR):
                                             NOT_PHARMACY_MSG},
    (EventType.DISPENSE, QUARANTINED_ELSEWHERE): {(Role.PHARMACY,): held("dispensed"),
                                                  NOT_PHARMACY: NOT_PHARMACY_MSG},
    **{(EventType.UNDO_DISPENSE, s): {ALL: NOT_DISPENSER}
       for s in (QUARANTINED_HERE, QUARANTINED_ELSEWHERE)},
    **{(kind, s): {ALL: NOT_CHAIN}
       for kind in (EventType.RECALL, EventType.REPORT)
       for s in (QUARANTINED_HERE, QUARANTINED_ELSEWHERE)},
    **{(kind, s): {ALL: WHOLE_EVENT}
       for kind in (EventType.PACK, EventType.UNPACK)
       for s in (QUARANTINED_HERE, QUARANTINED_ELSEWHERE)},
    (EventType.EXPORT, QUARANTINED_HERE): {EXPORTERS: held("exported"),
                                           (Role.PHARMACY,): NOT_EXPORTER},
    (EventType.EXPORT, QUARANTINED_ELSEWHERE): {EXPORTERS: held("exported"),
                                                (Role.PHARMACY,): NOT_EXPORTER,
                                                REGULATOR_ONLY: NO_STOCK},
    (EventType.SAMPLE, QUARANTINED_HERE): {HOLDERS: held("handed over as a sample")},
    (EventType.SAMPLE, QUARANTINED_ELSEWHERE): {HOLDERS: held("handed over as a sample"),
                                                REGULATOR_ONLY: NO_STOCK},
    (EventType.RETURN, QUARANTINED_HERE): {(Role.PHARMACY,): held("returned"),
                                           (Role.MANUFACTURER, Role.DISTRIBUTOR): NOT_RETURNER},
    (EventType.RETURN, QUARANTINED_ELSEWHERE): {(Role.PHARMACY,): held("returned"),
                                                NOT_PHARMACY: NOT_RETURNER},
}


def _cases() -> list[tuple[EventType, str, Role, PackStatus | str]]:
    cases = []
    for (kind, state), by_roles in RULES.items():
        for roles, outcome in by_roles.items():
            cases.extend((kind, state, role, outcome) for role in roles
                         if reachable(role, state))
    return cases


CASES = _cases()


def test_the_table_covers_every_role_action_and_state() -> None:
    covered = {(kind, state, role) for kind, state, role, _ in CASES}
    expected = {(kind, state, role) for kind in EventType for state in STATES for role in Role
                if reachable(role, state)}
    assert covered == expected
    assert len(CASES) == len(covered)  # no combination listed twice


@pytest.mark.parametrize(("kind", "state", "role", "outcome"), CASES,
                         ids=[f"{r.value}-{k.value}-{s}" for k, s, r, _ in CASES])
def test_rules_table(kind: EventType, state: str, role: Role,
                     outcome: PackStatus | str) -> None:
    actor = ACTORS[role]
    before = state_of(state, actor.gln)
    item = Item(PACK, None if before is None else PREV,
                *(("L1", EXPIRY) if kind is EventType.COMMISSION else (None, None)))
    ev = event(kind, actor, item, to=OTHER if kind.names_recipient else None)
    if not isinstance(outcome, PackStatus):
        with pytest.raises(RuleViolation, match=outcome):
            apply_item(ev, item, actor, before)
        return
    after = apply_item(ev, item, actor, before)
    assert after.status is outcome
    assert (after.gtin, after.serial, after.lot, after.expiry) == (OUR_GTIN, "SN1", "L1", EXPIRY)
    if kind.names_recipient:  # the custodian keeps custody until the recipient receives
        assert (after.custodian, after.recipient) == (actor.gln, OTHER)
    elif kind is EventType.RECEIVE:
        assert (after.custodian, after.recipient) == (actor.gln, None)
    else:
        assert after.custodian == actor.gln
        assert after.recipient is None


def test_commission_outside_the_company_prefixes_is_refused() -> None:
    maker = ACTORS[Role.MANUFACTURER]
    item = Item(PackKey(f"{FOREIGN_GTIN}/SN1"), None, "L1", EXPIRY)
    with pytest.raises(RuleViolation, match="outside the company prefixes .*501234"):
        apply_item(event(EventType.COMMISSION, maker, item), item, maker, None)


def test_commission_gives_a_fresh_active_state_with_the_items_lot_and_expiry() -> None:
    maker = ACTORS[Role.MANUFACTURER]
    item = Item(PACK, None, "LOT-7", date(2031, 5, 31))
    after = apply_item(event(EventType.COMMISSION, maker, item), item, maker, None)
    assert after == PackState(GTIN(OUR_GTIN), "SN1", "LOT-7", date(2031, 5, 31),
                              PackStatus.ACTIVE, maker.gln)


def test_a_member_cannot_ship_to_itself() -> None:
    actor = ACTORS[Role.DISTRIBUTOR]
    before = state_of(HELD, actor.gln)
    item = Item(PACK, PREV)
    with pytest.raises(RuleViolation, match="cannot ship a pack to itself"):
        apply_item(event(EventType.SHIP, actor, item, to=actor.gln), item, actor, before)


def test_the_refusal_names_the_pack_and_the_custodian() -> None:
    actor = ACTORS[Role.DISTRIBUTOR]
    item = Item(PACK, PREV)
    with pytest.raises(RuleViolation) as caught:
        apply_item(event(EventType.SHIP, actor, item, to=OTHER), item, actor,
                   state_of(HELD_ELSEWHERE, actor.gln))
    assert str(caught.value) == (f"{PACK} is in the custody of {OTHER}, not {actor.name}; only "
                                 "the custodian can ship it.")


# --- the undo window -----------------------------------------------------------------------
def _undo(after: timedelta, since: str | None = DISPENSED_AT) -> PackState:
    pharmacy = ACTORS[Role.PHARMACY]
    before = replace(state_of(DISPENSED_HERE, pharmacy.gln), since=since)  # type: ignore[arg-type]
    time = (datetime.fromisoformat(DISPENSED_AT) + after).isoformat()
    item = Item(PACK, PREV)
    return apply_item(event(EventType.UNDO_DISPENSE, pharmacy, item, time=time), item,
                      pharmacy, before)


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=9),
                                   UNDO_DISPENSE_WINDOW])
def test_undo_dispense_inside_the_window(after: timedelta) -> None:
    restored = _undo(after)
    assert restored.status is PackStatus.ACTIVE and restored.custodian == PHARMACY


@pytest.mark.parametrize("after", [UNDO_DISPENSE_WINDOW + timedelta(seconds=1),
                                   timedelta(days=365), timedelta(seconds=-1)])
def test_undo_dispense_outside_the_window_is_refused(after: timedelta) -> None:
    with pytest.raises(RuleViolation, match="within 10 days; report the pack instead"):
        _undo(after)


def test_undo_dispense_needs_the_time_of_the_dispense() -> None:
    with pytest.raises(RuleViolation, match="time of the dispense is unknown"):
        _undo(timedelta(days=1), since=None)


def test_undo_window_is_ten_days() -> None:
    assert UNDO_DISPENSE_WINDOW == timedelta(days=10)


# --- recalls ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("member", "gtin", "allowed"), [
    (ACTORS[Role.REGULATOR], OUR_GTIN, True),
    (ACTORS[Role.REGULATOR], FOREIGN_GTIN, True),
    (ACTORS[Role.MANUFACTURER], OUR_GTIN, True),
    (ACTORS[Role.MANUFACTURER], FOREIGN_GTIN, False),
    (next(m for m in MEMBERS if m.gln == OTHER_MAKER), FOREIGN_GTIN, True),
    (next(m for m in MEMBERS if m.gln == OTHER_MAKER), OUR_GTIN, False),
    (ACTORS[Role.DISTRIBUTOR], OUR_GTIN, False),
    (ACTORS[Role.PHARMACY], OUR_GTIN, False),
], ids=lambda v: v.name if isinstance(v, MemberInfo) else str(v))
def test_check_recall(member: MemberInfo, gtin: str, allowed: bool) -> None:
    recall = Event(EventType.RECALL, member.gln, "key-1", NOW, gtin=GTIN(gtin), lot="L1")
    if allowed:
        check_recall(recall, member)
    else:
        with pytest.raises(RuleViolation,
                           match=f"{member.name} may not recall GTIN {gtin}: only its "
                                 "manufacturer or the regulator can"):
            check_recall(recall, member)


def test_split_pack_key() -> None:
    assert split_pack_key(f"{OUR_GTIN}/A/B") == (OUR_GTIN, "A/B")


def test_decommissioned_statuses() -> None:
    assert {s for s in PackStatus if s.decommissioned} == {
        PackStatus.DISPENSED, PackStatus.DESTROYED, PackStatus.STOLEN, PackStatus.EXPORTED,
        PackStatus.SAMPLED}



# --- what each role may do -------------------------------------------------------------------
def test_the_permission_table() -> None:
    E = EventType
    held = {E.QUARANTINE, E.RELEASE}  # every stock holder quarantines what it holds
    assert PERMITTED == {
        Role.MANUFACTURER: {E.COMMISSION, E.SHIP, E.RECEIVE, E.DESTROY, E.RECALL, E.REPORT,
                            E.STOLEN, E.EXPORT, E.SAMPLE, *held},
        Role.DISTRIBUTOR: {E.SHIP, E.RECEIVE, E.DESTROY, E.REPORT, E.STOLEN, E.EXPORT,
                           E.SAMPLE, *held},
        Role.PHARMACY: {E.SHIP, E.RECEIVE, E.DISPENSE, E.UNDO_DISPENSE, E.DESTROY, E.REPORT,
                        E.STOLEN, E.SAMPLE, E.RETURN, *held},
        Role.REGULATOR: {E.RECALL, E.REPORT},
    }
    assert all(may(role, EventType.REPORT) for role in Role)
    assert [r for r in Role if may(r, EventType.RECEIVE)] == [
        Role.MANUFACTURER, Role.DISTRIBUTOR, Role.PHARMACY]


def test_a_regulator_refusal_says_why() -> None:
    regulator = ACTORS[Role.REGULATOR]
    item = Item(PACK, PREV)
    with pytest.raises(RuleViolation) as caught:
        apply_item(event(EventType.RECEIVE, regulator, item), item, regulator,
                   state_of(INBOUND, regulator.gln))
    assert str(caught.value) == (
        f"{PACK}: only a manufacturer, distributor or pharmacy receives packs, not Medicines "
        "Agency (a regulator); a regulator inspects, recalls and reports but holds no stock.")


# Whose report makes a pack suspect: (role, the reporter's place in the pack's chain).
@pytest.mark.parametrize(("role", "in_chain", "counts"), [
    (Role.REGULATOR, False, True),  # the regulator reports any pack
    (Role.REGULATOR, True, True),
    (Role.MANUFACTURER, True, True),
    (Role.MANUFACTURER, False, False),  # not a rival's stock
    (Role.DISTRIBUTOR, True, True),
    (Role.DISTRIBUTOR, False, False),
    (Role.PHARMACY, True, True),
    (Role.PHARMACY, False, False),
])
def test_report_counts(role: Role, in_chain: bool, counts: bool) -> None:
    reporter = ACTORS[role]
    parties = {OTHER, reporter.gln} if in_chain else {OTHER}
    assert report_counts(reporter, parties) is counts
