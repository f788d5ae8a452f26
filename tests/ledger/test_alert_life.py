"""The alert life, pure: the alert object of an alert event (strict parse, pinned bytes), the
cause of a verdict's reasons, the rules between steps, and the fold of steps into lives."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.clock import parse_iso
from supplychain.errors import EventError, RuleViolation
from supplychain.ids import GLN, EventHash, PackKey
from supplychain.ledger.alert_events import AlertBody, check_alert_id
from supplychain.ledger.alert_life import (
    REPORT_DEADLINE,
    AlertCause,
    AlertProgress,
    AlertState,
    AlertStep,
    AlertStepRecord,
    ClosingReason,
    cause_of,
    cause_words,
    check_step,
    closing_words,
    deadline_words,
    duration_words,
    fold_alerts,
    state_words,
    step_words,
)
from supplychain.ledger.events import Event, EventType, Item, SignedEvent
from supplychain.ledger.verdicts import Reason

OWNER = GLN("5012345000053")
OTHER = GLN("5012345000039")
ID = "0123456789abcdef"
PACK = PackKey("05012345000015/ABC123")
TIME = "2026-01-02T03:04:05.678+00:00"


def alert_event(body: AlertBody, items: tuple[Item, ...] = (), reason: str | None = None
                ) -> Event:
    return Event(EventType.ALERT, OWNER, "0123456789abcdef", TIME, items, reason=reason,
                 alert=body)


RAISE = AlertBody(ID, AlertStep.RAISE, cause=AlertCause.UNKNOWN_SERIAL, subject=PACK)
# Pinned: changing the encoding breaks every signature in every deployed ledger.
RAISE_BYTES = (
    b'{"alert":{"cause":"unknown_serial","id":"0123456789abcdef","step":"raise",'
    b'"subject":"05012345000015/ABC123"},"author":"5012345000053","items":[{"pack":'
    b'"05012345000015/ABC123","prev":null}],"key":"0123456789abcdef","reason":"not ours",'
    b'"time":"2026-01-02T03:04:05.678+00:00","type":"alert","v":1}'
)


# --- the alert object of an event -------------------------------------------------------
def test_fixed_vector_alert_raise() -> None:
    event = alert_event(RAISE, (Item(PACK),), "not ours")
    assert event.to_bytes() == RAISE_BYTES
    assert Event.from_dict(json.loads(RAISE_BYTES)) == event


@pytest.mark.parametrize("body", [
    RAISE,
    AlertBody(ID, AlertStep.INVESTIGATE),
    AlertBody(ID, AlertStep.CONFIRM),
    AlertBody(ID, AlertStep.REPORT, notified=(GLN("5012345000015"), OTHER)),
    AlertBody(ID, AlertStep.REPORT),
    *[AlertBody(ID, AlertStep.CLOSE, closing=c) for c in ClosingReason],
], ids=lambda b: f"{b.step.value}-{b.closing.value if b.closing else ''}")
def test_each_step_round_trips_through_signed_bytes(body: AlertBody) -> None:
    event = alert_event(body, (Item(PACK),) if body.step is AlertStep.RAISE else ())
    event.check_shape()
    signed = SignedEvent(event, b"\x01" * 64)
    assert SignedEvent.from_bytes(signed.to_bytes()).event == event


def _raw(**changes: object) -> dict[str, object]:
    data = json.loads(RAISE_BYTES)
    data["alert"] = {**data["alert"], **changes}
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(("data", "error"), [
    (_raw(id="0123456789ABCDEF"), "alert id"),
    (_raw(id="0123456789abcde"), "alert id"),
    (_raw(step="reopen"), "Unknown alert step"),
    (_raw(cause="bad_luck"), "Unknown alert cause"),
    (_raw(subject=""), "subject"),
    (_raw(subject=" padded"), "subject"),
    (_raw(extra=1), "Unexpected field"),
    (_raw(closing="data_error"), "Unexpected field"),
    ({**_raw(), "alert": {"id": ID, "step": "raise", "cause": "recall"}}, "lacks: subject"),
    ({**_raw(), "items": [], "alert": {"id": ID, "step": "close", "closing": "oops"}},
     "Unknown closing reason"),
    ({**_raw(), "items": [], "alert": {"id": ID, "step": "report",
                                       "notified": ["5012345000039", "5012345000015"]}},
     "once, in order"),
    ({**_raw(), "items": [], "alert": {"id": ID, "step": "report",
                                       "notified": ["5012345000031"]}}, "not a 13-digit GLN"),
    ({**_raw(), "alert": {"id": ID, "step": "investigate"}}, "Only the raise"),
    ({**_raw(), "items": [{"pack": PACK, "prev": "a" * 64}]}, "carries only the pack"),
    ({k: v for k, v in _raw().items() if k != "alert"}, "carries an 'alert' object"),
    ({**_raw(), "type": "report"}, "carries an 'alert' object"),
    ({**_raw(), "alert": "raise"}, "not an object"),
])
def test_a_malformed_alert_object_is_refused(data: dict[str, object], error: str) -> None:
    with pytest.raises(EventError, match=error):
        Event.from_dict(data)


def test_a_step_carrying_another_steps_fields_is_refused() -> None:
    body = AlertBody(ID, AlertStep.INVESTIGATE, closing=ClosingReason.DATA_ERROR)
    with pytest.raises(EventError, match="fields of another step"):
        alert_event(body).check_shape()


def test_alert_ids_are_sixteen_lowercase_hex() -> None:
    assert check_alert_id(ID) == ID
    with pytest.raises(EventError, match="not an alert id"):
        check_alert_id("0123456789abcdeg")


def test_events_without_an_alert_encode_as_before() -> None:
    ship = Event(EventType.SHIP, OWNER, "0123456789abcdef", TIME,
                 (Item(PACK, EventHash("a" * 64)),), to=OTHER)
    assert b"alert" not in ship.to_bytes()


# --- causes --------------------------------------------------------------------------------
@pytest.mark.parametrize(("reason", "cause"), [
    (Reason.UNKNOWN_PRODUCT, AlertCause.UNKNOWN_PRODUCT),
    (Reason.UNKNOWN_SERIAL, AlertCause.UNKNOWN_SERIAL),
    (Reason.LOT_MISMATCH, AlertCause.BATCH_OR_EXPIRY_MISMATCH),
    (Reason.EXPIRY_MISMATCH, AlertCause.BATCH_OR_EXPIRY_MISMATCH),
    (Reason.ALREADY_DISPENSED_HERE, AlertCause.ALREADY_IN_REQUESTED_STATE),
    (Reason.FORKED_CHAIN, AlertCause.CLONE_OR_FORK),
    (Reason.ALREADY_DISPENSED, AlertCause.CLONE_OR_FORK),
    (Reason.DECOMMISSIONED, AlertCause.CLONE_OR_FORK),
    (Reason.NOT_IN_CUSTODY, AlertCause.DIVERSION),
    (Reason.REPORTED_STOLEN, AlertCause.DIVERSION),
    (Reason.EXPORTED, AlertCause.DIVERSION),
    (Reason.SAMPLE, AlertCause.DIVERSION),
    (Reason.RECALLED, AlertCause.RECALL),
    (Reason.EXPIRED, AlertCause.RECALL),
    (Reason.INVALID_SIGNATURE, AlertCause.FORGED_RECORD),
    (Reason.REPORTED_SUSPECT, AlertCause.REPORTED_SUSPECT),
    (Reason.QUARANTINED, AlertCause.REPORTED_SUSPECT),
    (Reason.DISPUTED_LOG, AlertCause.REWRITTEN_LOG),
])
def test_each_reason_has_its_cause(reason: Reason, cause: AlertCause) -> None:
    assert cause_of([reason]) is cause


def test_every_reason_but_offline_has_a_cause() -> None:
    assert {r for r in Reason if cause_of([r]) is None} == {Reason.CANNOT_VERIFY_OFFLINE}


def test_the_most_serious_reason_decides_and_offline_alone_is_no_alert() -> None:
    assert cause_of([Reason.FORKED_CHAIN, Reason.NOT_IN_CUSTODY]) is AlertCause.CLONE_OR_FORK
    assert cause_of([Reason.CANNOT_VERIFY_OFFLINE, Reason.EXPIRED]) is AlertCause.RECALL
    assert cause_of([Reason.CANNOT_VERIFY_OFFLINE]) is None
    assert cause_of([]) is None


def test_every_cause_state_step_and_closing_reason_has_words() -> None:
    assert cause_words(AlertCause.RECALL) == "Recalled or expired lot"
    assert all(cause_words(c) for c in AlertCause) and all(state_words(s) for s in AlertState)
    assert all(step_words(s) for s in AlertStep) and all(closing_words(c) for c in ClosingReason)


# --- the rules between steps ------------------------------------------------------------------
NEW = AlertProgress(AlertState.NEW)
INVESTIGATING = AlertProgress(AlertState.INVESTIGATING)
CONFIRMED = AlertProgress(AlertState.INVESTIGATING, confirmed=True)
REPORTED = AlertProgress(AlertState.INVESTIGATING, confirmed=True, reported=True)
CLOSED = AlertProgress(AlertState.CLOSED)


def body(step: AlertStep, closing: ClosingReason | None = None) -> AlertBody:
    if step is AlertStep.RAISE:
        return RAISE
    return AlertBody(ID, step, closing=closing)


@pytest.mark.parametrize(("before", "step", "closing", "outcome"), [
    (None, AlertStep.RAISE, None, NEW),
    (NEW, AlertStep.RAISE, None, "already raised"),
    (None, AlertStep.INVESTIGATE, None, "not one that 5012345000053 raised"),
    (None, AlertStep.CLOSE, ClosingReason.DATA_ERROR, "not one that"),
    (NEW, AlertStep.INVESTIGATE, None, INVESTIGATING),
    (INVESTIGATING, AlertStep.INVESTIGATE, None, INVESTIGATING),
    (NEW, AlertStep.CONFIRM, None, CONFIRMED),
    (CONFIRMED, AlertStep.CONFIRM, None, "already confirmed"),
    (NEW, AlertStep.REPORT, None, "only once confirmed"),
    (CONFIRMED, AlertStep.REPORT, None, REPORTED),
    (REPORTED, AlertStep.REPORT, None, "already reported"),
    *[(NEW, AlertStep.CLOSE, c, AlertProgress(AlertState.CLOSED))
      for c in ClosingReason if c is not ClosingReason.CONFIRMED_FALSIFIED],
    (INVESTIGATING, AlertStep.CLOSE, ClosingReason.PROCESS_ERROR, CLOSED),
    (NEW, AlertStep.CLOSE, ClosingReason.CONFIRMED_FALSIFIED, "after it was confirmed and "
                                                                "reported"),
    (CONFIRMED, AlertStep.CLOSE, ClosingReason.CONFIRMED_FALSIFIED, "after it was confirmed"),
    (CONFIRMED, AlertStep.CLOSE, ClosingReason.SCANNING_ERROR, "only as confirmed falsified"),
    (REPORTED, AlertStep.CLOSE, ClosingReason.CONFIRMED_FALSIFIED,
     AlertProgress(AlertState.CLOSED, confirmed=True, reported=True)),
    *[(CLOSED, s, ClosingReason.DATA_ERROR if s is AlertStep.CLOSE else None, "is closed")
      for s in AlertStep if s is not AlertStep.RAISE],
])
def test_rules_between_steps(before: AlertProgress | None, step: AlertStep,
                             closing: ClosingReason | None,
                             outcome: AlertProgress | str) -> None:
    if isinstance(outcome, str):
        with pytest.raises(RuleViolation, match=outcome):
            check_step(body(step, closing), before, OWNER)
    else:
        assert check_step(body(step, closing), before, OWNER) == outcome


# --- folding steps into lives ---------------------------------------------------------------
def test_a_life_from_raise_to_confirmed_falsified() -> None:
    def at(minutes: int) -> str:
        return (parse_iso(TIME) + timedelta(minutes=minutes)).isoformat()

    steps = [
        AlertStepRecord(OWNER, ID, 3, "h0", AlertStep.RAISE, at(0), "not ours",
                        AlertCause.UNKNOWN_SERIAL, PACK, packs=(PACK,)),
        AlertStepRecord(OWNER, ID, 5, "h1", AlertStep.INVESTIGATE, at(1), "calling maker"),
        AlertStepRecord(OWNER, ID, 6, "h2", AlertStep.CONFIRM, at(2)),
    ]
    (alert,) = fold_alerts(reversed(steps))  # the fold orders by log position
    assert (alert.state, alert.note, alert.detail, alert.packs) == (
        AlertState.INVESTIGATING, "calling maker", "not ours", (PACK,))
    assert alert.deadline() == parse_iso(at(2)) + REPORT_DEADLINE
    now = parse_iso(at(2)) + timedelta(hours=2, minutes=20)
    assert deadline_words(alert, now) == "report due in 21 h 40 min"
    assert deadline_words(alert, parse_iso(at(2)) + timedelta(hours=26)) == "OVERDUE by 2 h"
    steps += [AlertStepRecord(OWNER, ID, 7, "h3", AlertStep.REPORT, at(3),
                              notified=(OTHER,)),
              AlertStepRecord(OWNER, ID, 8, "h4", AlertStep.CLOSE, at(4), "police told",
                              closing=ClosingReason.CONFIRMED_FALSIFIED)]
    (alert,) = fold_alerts(steps)
    assert (alert.state, alert.closing, alert.note, alert.notified) == (
        AlertState.CLOSED, ClosingReason.CONFIRMED_FALSIFIED, "police told", (OTHER,))
    assert (alert.raised_at, alert.confirmed_at, alert.reported_at, alert.updated_at) == (
        at(0), at(2), at(3), at(4))
    assert alert.deadline() is None and deadline_words(alert, now) is None
    assert alert.to_dict()["steps"][-1]["closing"] == "confirmed_falsified"


def test_durations_in_words() -> None:
    assert duration_words(timedelta(minutes=5)) == "5 min"
    assert duration_words(timedelta(hours=3)) == "3 h"
    assert duration_words(timedelta(days=3, hours=1)) == "3 d"


# A random log of steps by two owners, some of which break the rules (a step on an id
# the owner never raised, a second raise, steps after close, a report before confirm).
step_draws = st.tuples(st.sampled_from([OWNER, OTHER]), st.sampled_from(["a" * 16, "b" * 16]),
                       st.sampled_from(list(AlertStep)), st.sampled_from(list(ClosingReason)))


def _apply(log: list[tuple[GLN, int, AlertBody]]) -> list[AlertStepRecord]:
    """What derivation keeps of ``log`` (entries in arrival order): each applied step."""
    progress: dict[tuple[str, str], AlertProgress] = {}
    kept = []
    for owner, index, step in log:
        try:
            progress[(owner, step.id)] = check_step(step, progress.get((owner, step.id)), owner)
        except RuleViolation:
            continue
        kept.append(AlertStepRecord(owner, step.id, index, f"{owner}{index}", step.step,
                                    f"2026-01-01T00:{index:02d}:00+00:00", None, step.cause,
                                    step.subject, step.closing, step.notified))
    return kept


@settings(max_examples=200)
@given(st.lists(step_draws, max_size=30), st.randoms(use_true_random=False))
def test_any_interleaving_of_two_owners_logs_gives_the_same_lives(draws, rnd) -> None:
    logs: dict[GLN, list[tuple[GLN, int, AlertBody]]] = {OWNER: [], OTHER: []}
    for owner, alert_id, step, closing in draws:
        step_body = (AlertBody(alert_id, step, cause=AlertCause.RECALL, subject=PACK)
                     if step is AlertStep.RAISE else
                     AlertBody(alert_id, step, closing=closing if step is AlertStep.CLOSE
                               else None))
        logs[owner].append((owner, len(logs[owner]), step_body))
    reference = fold_alerts(_apply(logs[OWNER] + logs[OTHER]))
    # Interleave: each log's entries stay in their order (a log is always read in order).
    queues = {g: list(entries) for g, entries in logs.items()}
    mixed = []
    while any(queues.values()):
        gln = rnd.choice(sorted(g for g, q in queues.items() if q))
        mixed.append(queues[gln].pop(0))
    assert fold_alerts(_apply(mixed)) == reference
    for alert in reference:  # every life starts with its raise; nothing follows a close
        assert alert.steps[0].step is AlertStep.RAISE
        closes = [i for i, s in enumerate(alert.steps) if s.step is AlertStep.CLOSE]
        assert closes in ([], [len(alert.steps) - 1])
