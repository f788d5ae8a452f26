"""The ``alert`` object of an alert event: which alert, which step, and the step's facts.

An alert event (``EventType.ALERT``) records one step of an alert's life in its owner's log
(docs/ARCHITECTURE.md, "Alerts that end"). Its ``alert`` object is, on the wire::

    {"id": "<16 hex>", "step": "raise", "cause": "<AlertCause>", "subject": "<text>"}
    {"id": "<16 hex>", "step": "investigate" | "confirm"}
    {"id": "<16 hex>", "step": "report", "notified": ["<GLN>", ...]}
    {"id": "<16 hex>", "step": "close", "closing": "<ClosingReason>"}

The note of a step (the detail of a raise) travels in the event's ``reason``; the packs an
alert concerns are the raise's items (no ``prev``). The vocabulary lives here, below
``supplychain.ledger.events``, so that events can validate it; ``supplychain.ledger.alert_life``
gives it words and folds the steps into lives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from supplychain.errors import CodeError, EventError
from supplychain.i18n import _
from supplychain.ids import GLN, check_gln

_ALERT_ID = re.compile(r"[0-9a-f]{16}")
_SUBJECT = re.compile(r"[!-~](?:[ -~]{0,198}[!-~])?")  # a pack, SSCC, GLN, event hash, URL
MAX_NOTIFIED = 1_000


class AlertCause(StrEnum):
    """Why an alert was raised: the national verification systems' vocabulary."""

    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_BATCH = "unknown_batch"
    UNKNOWN_SERIAL = "unknown_serial"
    BATCH_OR_EXPIRY_MISMATCH = "batch_or_expiry_mismatch"
    ALREADY_IN_REQUESTED_STATE = "already_in_requested_state"
    STATUS_CHANGE_REFUSED = "status_change_refused"
    CLONE_OR_FORK = "clone_or_fork"
    DIVERSION = "diversion"
    RECALL = "recall"
    FORGED_RECORD = "forged_record"
    REWRITTEN_LOG = "rewritten_log"
    REPORTED_SUSPECT = "reported_suspect"


class AlertState(StrEnum):
    NEW = "new"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


class ClosingReason(StrEnum):
    SCANNING_ERROR = "scanning_error"
    PROCESS_ERROR = "process_error"
    DATA_ERROR = "data_error"
    CONFIRMED_FALSIFIED = "confirmed_falsified"


class AlertStep(StrEnum):
    """One step of an alert's life, as signed in its owner's log."""

    RAISE = "raise"
    INVESTIGATE = "investigate"
    CONFIRM = "confirm"
    REPORT = "report"
    CLOSE = "close"


@dataclass(frozen=True)
class AlertBody:
    """The ``alert`` object of an alert event."""

    id: str
    step: AlertStep
    cause: AlertCause | None = None
    subject: str | None = None
    closing: ClosingReason | None = None
    notified: tuple[GLN, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "step": self.step.value}
        if self.step is AlertStep.RAISE:
            out["cause"] = self.cause.value if self.cause else None
            out["subject"] = self.subject
        elif self.step is AlertStep.REPORT:
            out["notified"] = list(self.notified)
        elif self.step is AlertStep.CLOSE:
            out["closing"] = self.closing.value if self.closing else None
        return out

    @classmethod
    def from_dict(cls, data: Any) -> AlertBody:
        """Parse and strictly validate an ``alert`` object; EventError names the fault."""
        if not isinstance(data, dict):
            raise EventError(_("An alert event's 'alert' is not an object."))
        alert_id = data.get("id")
        if not isinstance(alert_id, str) or not _ALERT_ID.fullmatch(alert_id):
            raise EventError(_("An alert event names no valid alert id (16 lowercase hex)."))
        try:
            step = AlertStep(str(data.get("step")))
        except ValueError:
            raise EventError(_("Unknown alert step {step!r}.")
                             .format(step=data.get("step"))) from None
        allowed = {"id", "step", *_FIELDS[step]}
        extra = set(data) - allowed
        if extra:
            raise EventError(_("Unexpected field(s) in an alert {step} step: {fields}.")
                             .format(step=step.value, fields=", ".join(sorted(extra))))
        missing = allowed - set(data)
        if missing:
            raise EventError(_("An alert {step} step lacks: {fields}.")
                             .format(step=step.value, fields=", ".join(sorted(missing))))
        body = cls(alert_id, step)
        if step is AlertStep.RAISE:
            try:
                cause = AlertCause(data["cause"])
            except ValueError:
                raise EventError(_("Unknown alert cause {cause!r}.")
                                 .format(cause=data["cause"])) from None
            subject = data["subject"]
            if not isinstance(subject, str) or not _SUBJECT.fullmatch(subject):
                raise EventError(_("An alert's subject must be 1 to 200 printable ASCII "
                                   "characters (a pack, case, GLN or event)."))
            body = cls(alert_id, step, cause=cause, subject=subject)
        elif step is AlertStep.REPORT:
            body = cls(alert_id, step, notified=_notified(data["notified"]))
        elif step is AlertStep.CLOSE:
            try:
                closing = ClosingReason(data["closing"])
            except ValueError:
                raise EventError(_("Unknown closing reason {closing!r}.")
                                 .format(closing=data["closing"])) from None
            body = cls(alert_id, step, closing=closing)
        return body

    def check(self) -> None:
        """Raise EventError if a field another step carries is set (or one of ours is not)."""
        again = AlertBody.from_dict(self.to_dict())
        if again != self:
            raise EventError(_("An alert {step} step carries fields of another step.")
                             .format(step=self.step.value))


_FIELDS: dict[AlertStep, tuple[str, ...]] = {
    AlertStep.RAISE: ("cause", "subject"), AlertStep.INVESTIGATE: (), AlertStep.CONFIRM: (),
    AlertStep.REPORT: ("notified",), AlertStep.CLOSE: ("closing",)}


def _notified(value: Any) -> tuple[GLN, ...]:
    if not isinstance(value, list) or len(value) > MAX_NOTIFIED:
        raise EventError(_("An alert report names the notified members as a list of at most "
                           "{count} GLNs.").format(count=MAX_NOTIFIED))
    out: list[GLN] = []
    for gln in value:
        try:
            out.append(check_gln(gln))
        except CodeError as exc:
            raise EventError(_("An alert report names a notified member that is not a "
                               "13-digit GLN ({value!r}): {exc}").format(value=gln, exc=exc)
                             ) from None
    if len(set(out)) != len(out) or out != sorted(out):
        raise EventError(_("An alert report lists each notified GLN once, in order."))
    return tuple(out)


def check_alert_id(text: str) -> str:
    """``text`` if it is a whole alert id (16 lowercase hex), else EventError."""
    if not _ALERT_ID.fullmatch(text):
        raise EventError(_("{text!r} is not an alert id (16 lowercase hex).").format(text=text))
    return text
