"""The alerts queue's order, filters and words, from plain ``Alert`` lives (no decisions here:
states, causes, deadlines and their words come from ``supplychain.ledger.alert_life``).

Open alerts come first (new, then being investigated; newest first), closed ones after. A
report clock is *urgent* under four hours, and overdue past its deadline. The words are Qt's
(context ``AlertsView``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication

from supplychain.clock import parse_iso
from supplychain.ledger.alert_life import (
    Alert,
    AlertCause,
    AlertState,
    duration_words,
)

URGENT = timedelta(hours=4)
"""A report clock with less than this left is shown in red."""
SHORT_ID = 10
"""Digits of an alert id shown in tables and messages (as `supplychain alerts` prints them)."""
_ORDER = {AlertState.NEW: 0, AlertState.INVESTIGATING: 1, AlertState.CLOSED: 2}


def short_id(alert: Alert) -> str:
    return alert.id[:SHORT_ID]


def queue_order(alerts: Iterable[Alert]) -> list[Alert]:
    """Open first (new, then investigating), closed last; newest first within each."""
    ordered = sorted(alerts, key=lambda a: (a.raised_at, a.id), reverse=True)
    return sorted(ordered, key=lambda a: _ORDER[a.state])


def overdue(alert: Alert, now: datetime) -> bool:
    due = alert.deadline()
    return due is not None and due < now


def urgent(alert: Alert, now: datetime) -> bool:
    """A running report clock with under four hours left, or past its deadline."""
    due = alert.deadline()
    return due is not None and due - now < URGENT


@dataclass(frozen=True)
class AlertFilter:
    """What the queue shows: every field None/False shows everything."""

    state: AlertState | None = None
    cause: AlertCause | None = None
    owner: str | None = None
    text: str = ""
    open_only: bool = False
    overdue_only: bool = False

    def matches(self, alert: Alert, now: datetime) -> bool:
        if self.state is not None and alert.state is not self.state:
            return False
        if self.cause is not None and alert.cause is not self.cause:
            return False
        if self.owner is not None and alert.owner != self.owner:
            return False
        if self.open_only and not alert.open:
            return False
        if self.overdue_only and not overdue(alert, now):
            return False
        wanted = self.text.strip().lower()
        if not wanted:
            return True
        haystack = [alert.id, alert.owner, alert.subject, *alert.packs, *alert.notified]
        return any(wanted in item.lower() for item in haystack)


def apply(alerts: Sequence[Alert], chosen: AlertFilter, now: datetime) -> list[Alert]:
    return queue_order(a for a in alerts if chosen.matches(a, now))


def counts_line(alerts: Sequence[Alert], now: datetime) -> str:
    """"42 open (30 new, 12 investigating) · 3 overdue · 1,204 closed"."""
    new = sum(1 for a in alerts if a.state is AlertState.NEW)
    investigating = sum(1 for a in alerts if a.state is AlertState.INVESTIGATING)
    closed = len(alerts) - new - investigating
    late = sum(1 for a in alerts if overdue(a, now))
    return QCoreApplication.translate(
        "AlertsView", "{open} open ({new} new, {investigating} investigating) · {overdue} "
        "overdue · {closed} closed").format(open=f"{new + investigating:,}", new=f"{new:,}",
                                        investigating=f"{investigating:,}",
                                        overdue=f"{late:,}", closed=f"{closed:,}")


def age_words(iso: str, now: datetime) -> str:
    """How long ago: "3 h 5 min ago", "just now"."""
    span = now - parse_iso(iso)
    if span < timedelta(minutes=1):
        return QCoreApplication.translate("AlertsView", "just now")
    return QCoreApplication.translate("AlertsView", "{time} ago").format(
        time=duration_words(span))
