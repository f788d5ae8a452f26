"""The life of an alert: its cause, its steps, its state, and the rules between steps. Pure.

An alert is work for a person (docs/ARCHITECTURE.md, "Alerts that end"): raised with a cause,
investigated, confirmed falsified and reported (a 24 h clock runs in between), and closed with
a reason. Each step is a signed alert event in the owner's log (``supplychain.ledger.
alert_events``); ``check_step`` is the rule every node applies on append and ingest, and
``fold_alerts`` turns the stored steps into ``Alert`` lives in the owner's log order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from supplychain.clock import parse_iso
from supplychain.errors import RuleViolation
from supplychain.i18n import N_, _
from supplychain.ids import GLN
from supplychain.ledger.alert_events import (
    AlertBody,
    AlertCause,
    AlertState,
    AlertStep,
    ClosingReason,
)
from supplychain.ledger.verdicts import Reason

__all__ = ["REPORT_DEADLINE", "Alert", "AlertCause", "AlertProgress", "AlertState", "AlertStep",
           "AlertStepRecord", "ClosingReason", "cause_of", "cause_words", "check_step",
           "closing_words", "deadline_words", "duration_words", "fold_alerts", "state_words",
           "step_words"]

REPORT_DEADLINE = timedelta(hours=24)
"""US rules (DSCSA): a product confirmed illegitimate is reported within 24 hours."""

# Reason value -> cause. By value, so that reasons other parts add (quarantined, disputed_log,
# already_dispensed_here) map as soon as they exist.
_CAUSES: dict[str, AlertCause] = {
    "unknown_product": AlertCause.UNKNOWN_PRODUCT,
    "unknown_serial": AlertCause.UNKNOWN_SERIAL,
    "lot_mismatch": AlertCause.BATCH_OR_EXPIRY_MISMATCH,
    "expiry_mismatch": AlertCause.BATCH_OR_EXPIRY_MISMATCH,
    "already_dispensed_here": AlertCause.ALREADY_IN_REQUESTED_STATE,
    "forked_chain": AlertCause.CLONE_OR_FORK,
    "already_dispensed": AlertCause.CLONE_OR_FORK,
    "decommissioned": AlertCause.CLONE_OR_FORK,
    "not_in_custody": AlertCause.DIVERSION,
    "reported_stolen": AlertCause.DIVERSION,
    "exported": AlertCause.DIVERSION,
    "sample": AlertCause.DIVERSION,
    "recalled": AlertCause.RECALL,
    "expired": AlertCause.RECALL,
    "invalid_signature": AlertCause.FORGED_RECORD,
    "disputed_log": AlertCause.REWRITTEN_LOG,
    "reported_suspect": AlertCause.REPORTED_SUSPECT,
    "quarantined": AlertCause.REPORTED_SUSPECT,
}


def cause_of(reasons: Sequence[Reason]) -> AlertCause | None:
    """The cause of the most serious reason (``decide`` lists them most serious first); None
    when no reason calls for an alert (none, or only "cannot verify offline")."""
    for reason in reasons:
        cause = _CAUSES.get(reason.value)
        if cause is not None:
            return cause
    return None


_CAUSE_WORDS = {
    AlertCause.UNKNOWN_PRODUCT: N_("Unknown product"),
    AlertCause.UNKNOWN_BATCH: N_("Unknown batch"),
    AlertCause.UNKNOWN_SERIAL: N_("Unknown serial number"),
    AlertCause.BATCH_OR_EXPIRY_MISMATCH: N_("Batch or expiry mismatch"),
    AlertCause.ALREADY_IN_REQUESTED_STATE: N_("Pack already in the requested state"),
    AlertCause.STATUS_CHANGE_REFUSED: N_("Status change refused"),
    AlertCause.CLONE_OR_FORK: N_("Cloned code or double hand-over"),
    AlertCause.DIVERSION: N_("Diversion (pack outside its supply chain)"),
    AlertCause.RECALL: N_("Recalled or expired lot"),
    AlertCause.FORGED_RECORD: N_("Forged record"),
    AlertCause.REWRITTEN_LOG: N_("Rewritten log"),
    AlertCause.REPORTED_SUSPECT: N_("Reported suspect or quarantined"),
}
_STATE_WORDS = {
    AlertState.NEW: N_("new"),
    AlertState.INVESTIGATING: N_("investigating"),
    AlertState.CLOSED: N_("closed"),
}
_CLOSING_WORDS = {
    ClosingReason.SCANNING_ERROR: N_("scanning error"),
    ClosingReason.PROCESS_ERROR: N_("process error (e.g. a pack scanned twice)"),
    ClosingReason.DATA_ERROR: N_("data error"),
    ClosingReason.CONFIRMED_FALSIFIED: N_("confirmed falsified"),
}
_STEP_WORDS = {
    AlertStep.RAISE: N_("raised"),
    AlertStep.INVESTIGATE: N_("investigating"),
    AlertStep.CONFIRM: N_("confirmed falsified"),
    AlertStep.REPORT: N_("reported"),
    AlertStep.CLOSE: N_("closed"),
}


def cause_words(cause: AlertCause) -> str:
    """The cause in plain words ("Unknown serial number"), in the current language."""
    return _(_CAUSE_WORDS[cause])


def state_words(state: AlertState) -> str:
    return _(_STATE_WORDS[state])


def closing_words(reason: ClosingReason) -> str:
    return _(_CLOSING_WORDS[reason])


def step_words(step: AlertStep) -> str:
    return _(_STEP_WORDS[step])


@dataclass(frozen=True)
class AlertStepRecord:
    """One applied step of an alert, as the derived table ``alert_steps`` holds it."""

    owner: GLN
    alert_id: str
    index: int  # the step's position in the owner's log
    event_hash: str
    step: AlertStep
    time: str
    note: str | None = None  # the event's reason (a raise: the alert's detail)
    cause: AlertCause | None = None
    subject: str | None = None
    closing: ClosingReason | None = None
    notified: tuple[GLN, ...] = ()
    packs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alert:
    """An alert's whole life, as folded from its owner's signed steps (or a local detection
    nobody acted on yet: ``signed`` False, NEW, no steps)."""

    id: str
    owner: GLN
    cause: AlertCause
    subject: str
    packs: tuple[str, ...]
    detail: str
    state: AlertState
    raised_at: str
    updated_at: str
    closing: ClosingReason | None = None
    note: str | None = None
    confirmed_at: str | None = None
    reported_at: str | None = None
    notified: tuple[GLN, ...] = ()
    steps: tuple[AlertStepRecord, ...] = field(default=())
    signed: bool = True
    kind: str | None = None
    """A local detection: the ledger alert or sync evidence kind it comes from."""
    evidence: str | None = None
    """A local detection: what proves it (event hashes, a peer's statement)."""
    peer: str | None = None
    """A local detection from sync evidence: the peer that served it."""

    @property
    def open(self) -> bool:
        return self.state is not AlertState.CLOSED

    def deadline(self) -> datetime | None:
        """When the report is due: confirmed + 24 h, while it is not reported."""
        if self.confirmed_at is None or self.reported_at is not None:
            return None
        return parse_iso(self.confirmed_at) + REPORT_DEADLINE

    def to_dict(self) -> dict[str, object]:
        """The alert as JSON data (`supplychain alerts --json`); words in the shown language."""
        due = self.deadline()
        return {
            "id": self.id, "owner": self.owner, "cause": self.cause.value,
            "words": cause_words(self.cause), "subject": self.subject, "packs": list(self.packs),
            "detail": self.detail, "state": self.state.value, "raised_at": self.raised_at,
            "updated_at": self.updated_at,
            "closing": self.closing.value if self.closing else None, "note": self.note,
            "confirmed_at": self.confirmed_at, "reported_at": self.reported_at,
            "notified": list(self.notified), "deadline": due.isoformat() if due else None,
            "signed": self.signed, "kind": self.kind, "evidence": self.evidence,
            "peer": self.peer,
            "steps": [{"step": r.step.value, "time": r.time, "by": r.owner, "note": r.note,
                       "event": r.event_hash, "log_index": r.index,
                       "closing": r.closing.value if r.closing else None,
                       "notified": list(r.notified)} for r in self.steps],
        }


def deadline_words(alert: Alert, now: datetime) -> str | None:
    """The report clock in words ("report due in 21 h 40 min", "OVERDUE by 2 h"); None when
    no report is due (not confirmed, or already reported)."""
    due = alert.deadline()
    if due is None:
        return None
    left = due - now
    if left >= timedelta(0):
        return _("report due in {time}").format(time=duration_words(left))
    return _("OVERDUE by {time}").format(time=duration_words(-left))


def duration_words(span: timedelta) -> str:
    """A span in hours and minutes ("21 h 40 min", "2 h", "5 min"); days past 48 h."""
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return _("{days} d").format(days=hours // 24)
    if hours and minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if hours:
        return _("{hours} h").format(hours=hours)
    return _("{minutes} min").format(minutes=minutes)


@dataclass(frozen=True)
class AlertProgress:
    """What the rules need to know of an alert so far (``check_step``)."""

    state: AlertState
    confirmed: bool = False
    reported: bool = False

    def after(self, body: AlertBody) -> AlertProgress:
        """The progress after ``body`` (a step ``check_step`` allowed)."""
        if body.step is AlertStep.CLOSE:
            return AlertProgress(AlertState.CLOSED, self.confirmed, self.reported)
        return AlertProgress(
            AlertState.INVESTIGATING if body.step is not AlertStep.RAISE else AlertState.NEW,
            self.confirmed or body.step is AlertStep.CONFIRM,
            self.reported or body.step is AlertStep.REPORT)


def check_step(body: AlertBody, before: AlertProgress | None, owner: str) -> AlertProgress:
    """Whether ``owner`` may sign step ``body`` of its alert, given the alert's progress so far
    in ``owner``'s log (None: not raised there). Returns the progress after it; raises
    RuleViolation naming the rule otherwise. Depends on the owner's log alone."""
    alert = body.id
    if body.step is AlertStep.RAISE:
        if before is not None:
            raise RuleViolation(_("Alert {alert} was already raised by {owner}; a new alert "
                                  "needs a new id.").format(alert=alert, owner=owner))
        return AlertProgress(AlertState.NEW)
    if before is None:
        raise RuleViolation(_("Alert {alert} is not one that {owner} raised: only the member "
                              "that raised an alert may take it further.")
                            .format(alert=alert, owner=owner))
    if before.state is AlertState.CLOSED:
        raise RuleViolation(_("Alert {alert} is closed; a closed alert stays closed (raise a "
                              "new one for a new finding).").format(alert=alert))
    if body.step is AlertStep.CONFIRM and before.confirmed:
        raise RuleViolation(_("Alert {alert} was already confirmed falsified; its report clock "
                              "runs from then.").format(alert=alert))
    if body.step is AlertStep.REPORT:
        if not before.confirmed:
            raise RuleViolation(_("Alert {alert} is reported only once confirmed falsified.")
                                .format(alert=alert))
        if before.reported:
            raise RuleViolation(_("Alert {alert} was already reported.").format(alert=alert))
    if body.step is AlertStep.CLOSE:
        falsified = body.closing is ClosingReason.CONFIRMED_FALSIFIED
        if falsified and not before.reported:
            raise RuleViolation(_("Alert {alert} can be closed as confirmed falsified only "
                                  "after it was confirmed and reported.").format(alert=alert))
        if before.confirmed and not falsified:
            raise RuleViolation(_("Alert {alert} was confirmed falsified; it can be closed only "
                                  "as confirmed falsified.").format(alert=alert))
    return before.after(body)


def fold_alerts(steps: Iterable[AlertStepRecord]) -> list[Alert]:
    """The lives of the alerts whose applied steps are ``steps``: each alert's steps in its
    owner's log order; alerts in the order of their raise (owner, then log position)."""
    by_alert: dict[tuple[str, str], list[AlertStepRecord]] = {}
    for record in sorted(steps, key=lambda r: (r.owner, r.index)):
        by_alert.setdefault((record.owner, record.alert_id), []).append(record)
    return [life for records in by_alert.values() if (life := _life(records)) is not None]


def _life(records: list[AlertStepRecord]) -> Alert | None:
    first = records[0]
    if first.step is not AlertStep.RAISE or first.cause is None or first.subject is None:
        return None  # derivation never stores such a step; a hand-edited table might
    state = AlertState.NEW
    closing: ClosingReason | None = None
    note: str | None = None
    confirmed_at = reported_at = None
    notified: tuple[GLN, ...] = ()
    for record in records[1:]:
        if record.note is not None:
            note = record.note
        if record.step is AlertStep.CLOSE:
            state, closing = AlertState.CLOSED, record.closing
        else:
            state = AlertState.INVESTIGATING
        if record.step is AlertStep.CONFIRM:
            confirmed_at = record.time
        elif record.step is AlertStep.REPORT:
            reported_at, notified = record.time, record.notified
    return Alert(first.alert_id, first.owner, first.cause, first.subject, first.packs,
                 first.note or "", state, first.time, records[-1].time, closing, note,
                 confirmed_at, reported_at, notified, tuple(records))
