"""The alerts table (a model over ``Alert`` lives) and the selected alert's whole life."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from gui.alert_queue import age_words, short_id, urgent
from gui.models import RowsModel, when
from gui.widgets import table_view
from supplychain.clock import now
from supplychain.ledger.alert_life import (
    Alert,
    AlertState,
    AlertStep,
    AlertStepRecord,
    cause_words,
    closing_words,
    deadline_words,
    state_words,
    step_words,
)

RED = "#b71c1c"
URGENT_BACKGROUND = "#fdecea"
CLOSED_TEXT = "#607d8b"


def subject_words(alert: Alert) -> str:
    """A pack as "serial (GTIN)", so that a narrow column keeps the serial; else as is."""
    gtin, slash, serial = alert.subject.partition("/")
    return f"{serial} ({gtin})" if slash else alert.subject


class AlertsModel(RowsModel[Alert]):
    """The queue: id, state, cause, subject, (owner), raised, report clock. An urgent clock is
    red and bold, its row tinted; closed alerts are greyed."""

    def __init__(self, names: dict[str, str], national: bool) -> None:
        super().__init__([], colour=lambda a: URGENT_BACKGROUND if urgent(a, self.now)
                         else None)
        self.names = names
        self.now = now()
        columns: list[tuple[str, Callable[[Alert], str]]] = [
            (self.tr("Alert"), short_id),
            (self.tr("State"), lambda a: state_words(a.state)),
            (self.tr("Report clock"), self._clock),
            (self.tr("Cause"), lambda a: cause_words(a.cause)),
        ]
        if national:
            columns.append((self.tr("Site"), lambda a: names.get(a.owner, a.owner)))
        columns += [(self.tr("Raised"), lambda a: age_words(a.raised_at, self.now)),
                    (self.tr("Subject / pack"), subject_words)]
        self.columns = columns
        self.clock_column = 2

    def _clock(self, alert: Alert) -> str:
        words = deadline_words(alert, self.now)
        if words is not None:
            return words
        if alert.reported_at is not None:
            return self.tr("reported {when}").format(when=when(alert.reported_at))
        return "–"

    def tick(self, moment: datetime) -> None:
        """Move the clocks and ages on (every minute) without reloading."""
        self.now = moment
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.columns) - 1))

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.ForegroundRole,
                                        Qt.ItemDataRole.FontRole):
            alert = self.rows[index.row()]
            hot = index.column() == self.clock_column and urgent(alert, self.now)
            if role == Qt.ItemDataRole.ForegroundRole:
                if hot:
                    return QBrush(QColor(RED))
                return QBrush(QColor(CLOSED_TEXT)) if not alert.open else None
            if hot or alert.state is AlertState.NEW:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class AlertLife(QWidget):
    """The selected alert: what it is, its clock, and its steps (time, who, step, note)."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__()
        self.names = names
        self.alert: Alert | None = None
        self.title = QLabel(self.tr("Choose an alert to see its life."))
        self.title.setObjectName("alertTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 13pt; padding: 4px 0;")
        self.facts = QLabel("")
        self.facts.setObjectName("alertFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clock = QLabel("")
        self.clock.setObjectName("alertClock")
        self.clock.setWordWrap(True)
        self.steps = RowsModel[AlertStepRecord](
            [(self.tr("When (UTC)"), lambda r: when(r.time)),
             (self.tr("Who"), lambda r: names.get(r.owner, r.owner)),
             (self.tr("Step"), self._step),
             (self.tr("Note"), self._note)])
        self.steps_view = table_view(self.steps)
        self.parties = QLabel("")
        self.parties.setObjectName("alertParties")
        self.parties.setWordWrap(True)
        self.parties.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = self.steps_view.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.steps_view.setWordWrap(True)
        self.steps_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.modelReset.connect(self.steps_view.resizeRowsToContents)
        about = QVBoxLayout()
        about.setContentsMargins(0, 0, 0, 0)
        about.addWidget(self.title)
        about.addWidget(self.facts)
        about.addWidget(self.clock)
        about.addWidget(self.parties)
        about.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(about, 5)
        layout.addWidget(self.steps_view, 6)

    def _step(self, record: AlertStepRecord) -> str:
        words = step_words(record.step)
        if record.step is AlertStep.CLOSE and record.closing is not None:
            words += " — " + closing_words(record.closing)
        return words

    def _note(self, record: AlertStepRecord) -> str:
        if record.step is AlertStep.RAISE and record.cause is not None:
            return cause_words(record.cause)  # its detail is in the facts beside
        note = record.note or ""
        if record.step is AlertStep.REPORT and record.notified:
            told = self.tr("notified: {who}").format(who=self._names(record.notified))
            note = f"{note} · {told}" if note else told
        return note

    def _names(self, glns: tuple[str, ...]) -> str:
        return ", ".join(self.names.get(g, g) for g in glns)

    def show_alert(self, alert: Alert | None, moment: datetime) -> None:
        self.alert = alert
        if alert is None:
            self.title.setText(self.tr("Choose an alert to see its life."))
            for label in (self.facts, self.clock, self.parties):
                label.setText("")
            self.steps.set_rows([])
            return
        state = state_words(alert.state)
        if alert.confirmed_at is not None and alert.open:
            state += " · " + self.tr("confirmed falsified")
        if alert.closing is not None:
            state += " — " + closing_words(alert.closing)
        self.title.setText(self.tr("<b>{cause}</b> · alert {id} · {state}").format(
            cause=cause_words(alert.cause), id=short_id(alert), state=state))
        facts = [alert.detail,
                 self.tr("Subject: {subject}").format(subject=alert.subject),
                 self.tr("Raised by {site} at {when} UTC ({age}).").format(
                     site=self.names.get(alert.owner, alert.owner), when=when(alert.raised_at),
                     age=age_words(alert.raised_at, moment))]
        if not alert.signed:
            facts.append(self.tr("Found by this node's checks; nobody has acted on it yet (the "
                                 "first step signs it into your log)."))
        if alert.note and alert.state is AlertState.CLOSED:
            facts.append(self.tr("Closing note: {note}").format(note=alert.note))
        self.facts.setText("\n".join(f for f in facts if f))
        self.steps.set_rows(alert.steps)
        packs = ", ".join(alert.packs) or "–"
        parties = [self.tr("Packs: {packs}").format(packs=packs)]
        if alert.notified:
            parties.append(self.tr("Notified: {who}").format(who=self._names(alert.notified)))
        self.parties.setText("\n".join(parties))
        self.tick(moment)

    def tick(self, moment: datetime) -> None:
        """The report clock in words; red under four hours and when overdue."""
        alert = self.alert
        words = deadline_words(alert, moment) if alert is not None else None
        if alert is None or words is None:
            reported = alert is not None and alert.reported_at is not None
            self.clock.setText(self.tr("Reported at {when} UTC.").format(
                when=when(alert.reported_at)) if reported and alert and alert.reported_at
                else "")
            self.clock.setStyleSheet("")
            return
        due = alert.deadline()
        assert due is not None
        self.clock.setText(self.tr("{words} (confirmed falsified at {confirmed} UTC; due "
                                   "{due} UTC)").format(
            words=words[:1].upper() + words[1:], confirmed=when(alert.confirmed_at or ""),
            due=due.strftime("%Y-%m-%d %H:%M")))
        hot = urgent(alert, moment)
        self.clock.setStyleSheet(f"font-size: 12pt; font-weight: bold; padding: 4px; color: "
                                 f"{'#ffffff' if hot else '#1a1a1a'}; background: "
                                 f"{RED if hot else '#ffe082'}; border-radius: 4px;")
