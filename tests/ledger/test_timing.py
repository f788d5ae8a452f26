"""Event times (issue 10, item 3): a log's times never go back, no event is dated before the
events it extends, and the signer holds each event to its own clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from supplychain import clock
from supplychain.errors import EventTimeError, RuleViolation
from supplychain.identity.certificates import Role
from supplychain.identity.keys import load_private_key
from supplychain.ids import GLN, GTIN, EventHash, PackKey
from supplychain.interchange.bundle import exchange
from supplychain.ledger.events import Event, EventType, Item, SignedEvent
from supplychain.ledger.records import EventStatus
from supplychain.ledger.rules import PackState, PackStatus, apply_item
from supplychain.ledger.timing import (
    SIGNING_TOLERANCE,
    check_signing_time,
    entry_time,
    log_order_problem,
    signing_time,
)
from supplychain.node.operations import Node
from tests.conftest import DIST_A, MAKER, MEMBERS, PASSPHRASE, Network
from tests.conftest import GTIN as OUR_GTIN

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = "0123456789abcdef"


def at(delta: timedelta) -> str:
    return clock.to_iso(NOW + delta)


def commission(time: str, serial: str = "SN1") -> Event:
    return Event(EventType.COMMISSION, MAKER, KEY, time,
                 (Item(PackKey(f"{OUR_GTIN}/{serial}"), None, "L1", date(2030, 1, 31)),))


# --- a log's times never go back ----------------------------------------------------------
@pytest.mark.parametrize(("time", "previous"), [
    ("2026-03-02T09:00:00.000+00:00", None),  # the first entry of a log
    ("2026-03-02T09:00:00.000+00:00", "2026-03-02T09:00:00.000+00:00"),  # same instant
    ("2026-03-02T09:00:00.001+00:00", "2026-03-02T09:00:00.000+00:00"),
    ("2026-03-02T10:30:00+01:00", "2026-03-02T09:00:00.000+00:00"),  # later, other offset
])
def test_times_that_do_not_go_back_are_in_order(time: str, previous: str | None) -> None:
    assert log_order_problem(MAKER, 1, time, previous) is None


def test_an_entry_dated_before_the_one_ahead_of_it_is_named() -> None:
    # 09:30+01:00 is 08:30 UTC: earlier, though its text sorts later. Instants are compared.
    problem = log_order_problem(MAKER, 7, "2026-03-02T09:30:00+01:00",
                                "2026-03-02T09:00:00.000+00:00")
    assert problem == (f"Entry 7 of log {MAKER} is dated 2026-03-02T09:30:00+01:00, before the "
                       "entry ahead of it (2026-03-02T09:00:00.000+00:00): the times of a log "
                       "never go back, so an event cannot be backdated behind its author's "
                       "earlier events.")


def test_entry_time_reads_the_time_of_stored_entry_bytes() -> None:
    data = SignedEvent(commission("2026-03-02T09:00:00.000+00:00"), bytes(64)).to_bytes()
    assert entry_time(data) == "2026-03-02T09:00:00.000+00:00"


# --- no event before the events it extends -------------------------------------------------
def _ship(time: str, since: str) -> PackState:
    actor = next(m for m in MEMBERS if m.role is Role.MANUFACTURER)
    before = PackState(GTIN(OUR_GTIN), "SN1", "L1", date(2030, 1, 31), PackStatus.ACTIVE,
                       actor.gln, since=since)
    item = Item(PackKey(f"{OUR_GTIN}/SN1"), EventHash("ab" * 32))
    event = Event(EventType.SHIP, actor.gln, KEY, time, (item,), to=GLN(DIST_A))
    return apply_item(event, item, actor, before)


def test_an_event_dated_before_the_event_it_extends_breaks_the_rules() -> None:
    with pytest.raises(RuleViolation, match="dated 2026-03-02T08:59:59.999.*before the event "
                                            "it extends"):
        _ship(at(timedelta(milliseconds=-1)), at(timedelta(0)))
    assert _ship(at(timedelta(0)), at(timedelta(0))).status is PackStatus.IN_TRANSIT


# --- the signer's clock --------------------------------------------------------------------
@pytest.mark.parametrize("historical", [False, True])
@pytest.mark.parametrize("delta", [timedelta(0), SIGNING_TOLERANCE, -SIGNING_TOLERANCE])
def test_events_near_the_signers_clock_may_be_signed(delta: timedelta, historical: bool) -> None:
    check_signing_time(commission(at(delta)), NOW, historical=historical)


@pytest.mark.parametrize("historical", [False, True])
def test_no_event_is_dated_ahead_of_the_signers_clock(historical: bool) -> None:
    event = commission(at(SIGNING_TOLERANCE + timedelta(milliseconds=1)))
    with pytest.raises(EventTimeError, match="cannot be dated in the future"):
        check_signing_time(event, NOW, historical=historical)


def test_only_imported_history_may_be_dated_in_the_past() -> None:
    event = commission(at(-timedelta(days=30)))
    with pytest.raises(EventTimeError, match="an event is dated when it is signed"):
        check_signing_time(event, NOW)
    check_signing_time(event, NOW, historical=True)


def test_an_undo_is_dated_when_it_is_signed_even_when_imported() -> None:
    undo = Event(EventType.UNDO_DISPENSE, MAKER, KEY, at(-timedelta(days=2)),
                 (Item(PackKey(f"{OUR_GTIN}/SN1"), EventHash("ab" * 32)),))
    with pytest.raises(EventTimeError, match="an undo of a dispense is dated when it is signed"):
        check_signing_time(undo, NOW, historical=True)


def test_the_signer_stamps_its_clock_or_the_floor_a_little_ahead_of_it() -> None:
    assert signing_time(NOW, None) == at(timedelta(0))
    assert signing_time(NOW, at(-timedelta(days=1))) == at(timedelta(0))
    ahead = at(timedelta(minutes=3))
    assert signing_time(NOW, ahead) == ahead
    # A floor in the same millisecond, more precise than the stamp: the floor is kept.
    assert signing_time(NOW, "2026-03-02T09:00:00.000500+00:00") == \
        "2026-03-02T09:00:00.000500+00:00"
    with pytest.raises(EventTimeError, match="one of the two clocks is wrong"):
        signing_time(NOW, at(SIGNING_TOLERANCE + timedelta(seconds=1)))


# --- on a node ------------------------------------------------------------------------------
def forge(node: Node, events: list[Event]) -> None:
    """Sign ``events`` with ``node``'s own key and append them past every check of
    ``Node.append`` (as altered software would), then sign a checkpoint over them."""
    key = load_private_key(node.home / "member.key", PASSPHRASE)
    entries = [SignedEvent(e, key.sign(e.to_bytes())).to_bytes() for e in events]
    with node.store.transaction():
        node.ledger.append_entries(node.gln, node.store.log_size(node.gln), entries)
        node.ledger.sign_own_checkpoint(node.gln, key)


def own_event(node: Node, kind: EventType, time: str, items: tuple[Item, ...] = (),
              **fields: object) -> Event:
    return Event(kind, node.gln, node.me.key_id, time, items, **fields)  # type: ignore[arg-type]


def test_appending_an_own_event_dated_before_the_last_one_is_refused(network: Network) -> None:
    maker = network[MAKER]
    maker.commission(OUR_GTIN, "L1", date(2030, 1, 31), 1)
    a_minute_ago = clock.to_iso(clock.now() - timedelta(minutes=1))
    event = own_event(maker, EventType.COMMISSION, a_minute_ago,
                      (Item(PackKey(f"{OUR_GTIN}/LATE"), None, "L1", date(2030, 1, 31)),))
    with pytest.raises(RuleViolation, match="before the entry ahead of it"):
        maker.append([event])
    assert maker.store.log_size(MAKER) == 1


def test_a_signed_log_whose_times_go_back_is_refused_entry_by_entry(network: Network) -> None:
    """Altered software signs a commission dated a day before its log's last entry. Another
    node keeps the log (its checkpoint verifies: evidence against its author) but rejects the
    backdated entry and what extends it; the author's later honest entries still apply."""
    maker, dist = network[MAKER], network[DIST_A]
    (code,) = maker.commission(OUR_GTIN, "L1", date(2030, 1, 31), 1)
    yesterday = clock.to_iso(clock.now() - timedelta(days=1))
    backdated = own_event(maker, EventType.COMMISSION, yesterday,
                          (Item(PackKey(f"{OUR_GTIN}/BACK"), None, "L2", date(2030, 1, 31)),))
    ship = own_event(maker, EventType.SHIP, clock.now_iso(),
                     (Item(PackKey(f"{OUR_GTIN}/BACK"), backdated.hash),), to=GLN(DIST_A))
    recall = own_event(maker, EventType.RECALL, clock.now_iso(), gtin=GTIN(OUR_GTIN), lot="L1",
                       reason="precaution")
    forge(maker, [backdated, ship, recall])
    exchange(maker, dist)
    assert dist.store.log_size(MAKER) == 4
    rejected = dist.ledger.event_status(backdated.hash)
    assert rejected is not None and rejected.status is EventStatus.REJECTED
    assert "before the entry ahead of it" in (rejected.reason or "")
    follower = dist.ledger.event_status(ship.hash)
    assert follower is not None and follower.status is EventStatus.REJECTED
    assert dist.ledger.pack(f"{OUR_GTIN}/BACK") is None
    assert any(a.kind == "rejected_event" and a.subject == backdated.hash
               for a in dist.store.alerts())
    assert dist.lot_recalled(OUR_GTIN, "L1") and dist.ledger.pack(code.key) is not None
    # Rebuilding the derived tables from the logs gives the same verdicts.
    before = dist.store.derived_snapshot()
    dist.ledger.rebuild()
    assert dist.store.derived_snapshot() == before


def test_the_signer_refuses_times_far_from_its_clock(network: Network) -> None:
    maker = network[MAKER]
    item = (Item(PackKey(f"{OUR_GTIN}/T1"), None, "L1", date(2030, 1, 31)),)
    in_an_hour = clock.to_iso(clock.now() + timedelta(hours=1))
    with pytest.raises(EventTimeError, match="cannot be dated in the future"):
        maker.append([own_event(maker, EventType.COMMISSION, in_an_hour, item)])
    an_hour_ago = clock.to_iso(clock.now() - timedelta(hours=1))
    with pytest.raises(EventTimeError, match="an event is dated when it is signed"):
        maker.append([own_event(maker, EventType.COMMISSION, an_hour_ago, item)])
    assert maker.store.log_size(MAKER) == 0 and maker.store.latest_checkpoint(MAKER) is None


def test_a_recipient_whose_clock_is_a_little_behind_dates_its_receipt_after_the_shipment(
        network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = maker.commission(OUR_GTIN, "L1", date(2030, 1, 31), 2)
    heads = [maker.ledger.pack(c.key).head for c in codes]  # type: ignore[union-attr]
    soon = clock.to_iso(clock.now() + timedelta(minutes=5))  # the maker's clock runs ahead
    maker.append([own_event(maker, EventType.SHIP, soon, (Item(codes[0].key, heads[0]),),
                            to=GLN(DIST_A))])
    later = clock.to_iso(clock.now() + timedelta(hours=1))  # far ahead: altered software
    forge(maker, [own_event(maker, EventType.SHIP, later, (Item(codes[1].key, heads[1]),),
                            to=GLN(DIST_A))])
    exchange(maker, dist)
    received = dist.receive([codes[0]])
    assert received.event.time == soon
    assert dist.ledger.pack(codes[0].key).custodian == DIST_A  # type: ignore[union-attr]
    with pytest.raises(EventTimeError, match="one of the two clocks is wrong"):
        dist.receive([codes[1]])
