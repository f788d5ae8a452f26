"""Alerts: a site's queue of alerts and, for the regulator, the national view (Ctrl+7).

Open alerts first (new, then investigating, newest first); the selected alert's whole life on
the right. The steps (investigate, close with a reason and a note, confirm falsified, report)
are signed by the site that raised the alert, through the service layer on the node thread.
The regulator sees every owner's signed alerts with filters (state, cause, site, text, open
only, overdue only) and a count per state. docs/ARCHITECTURE.md, "Alerts in the app".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs
from gui.alert_queue import AlertFilter, apply, counts_line, short_id
from gui.context import AppContext
from gui.views.alert_dialogs import ask_close, confirm_words
from gui.views.alert_panel import AlertLife, AlertsModel
from gui.widgets import big_button, table_view
from supplychain.clock import now
from supplychain.identity.certificates import Role
from supplychain.ledger.alert_life import (
    Alert,
    AlertCause,
    AlertState,
    cause_words,
    closing_words,
    deadline_words,
    state_words,
)

TICK_MS = 30_000  # the report clocks move on every half minute


class AlertsView(QWidget):
    title = "Alerts"

    open_pack_requested = Signal(str)
    """A pack key to open in the inspector (the main window switches views)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.national = ctx.info.role is Role.REGULATOR
        self.names = {m.gln: m.name for m in ctx.info.members}
        self.all_alerts: list[Alert] = []
        self.loaded = False
        self.want: str | None = None
        self.closed = False

        self.counts = QLabel("")
        self.counts.setObjectName("alertCounts")
        self.counts.setStyleSheet("font-size: 13pt; font-weight: bold; padding: 4px 0;")
        scope = QLabel(self.tr("National view: every site's signed alerts this node holds.")
                       if self.national else
                       self.tr("This site's alerts: what your scans and checks found, and "
                               "what you did about it."))
        scope.setStyleSheet("color: #37474f;")

        self.state_filter = QComboBox()
        self.state_filter.addItem(self.tr("Every state"), None)
        for state in AlertState:
            self.state_filter.addItem(state_words(state), state.value)
        self.cause_filter = QComboBox()
        self.cause_filter.addItem(self.tr("Every cause"), None)
        for cause in AlertCause:
            self.cause_filter.addItem(cause_words(cause), cause.value)
        self.owner_filter = QComboBox()
        self.owner_filter.addItem(self.tr("Every site"), None)
        for member in sorted(ctx.info.members, key=lambda m: m.name):
            self.owner_filter.addItem(f"{member.name} ({member.gln})", member.gln)
        self.owner_filter.setVisible(self.national)
        self.owner_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.owner_filter.setMinimumContentsLength(22)
        self.text_filter = QLineEdit()
        self.text_filter.setObjectName("alertSearch")
        self.text_filter.setPlaceholderText(self.tr("Pack, GLN or alert id"))
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setMinimumWidth(200)
        self.open_only = QCheckBox(self.tr("Open only"))
        self.overdue_only = QCheckBox(self.tr("Overdue only"))
        filters = QHBoxLayout()
        for widget in (self.state_filter, self.cause_filter, self.owner_filter):
            widget.currentIndexChanged.connect(self._show_filtered)
            filters.addWidget(widget)
        self.text_filter.textChanged.connect(self._show_filtered)
        filters.addWidget(self.text_filter, 1)
        for box in (self.open_only, self.overdue_only):
            box.toggled.connect(self._show_filtered)
            filters.addWidget(box)
        self.shown = QLabel("")
        self.shown.setStyleSheet("color: #37474f;")

        self.model = AlertsModel(self.names, self.national)
        self.table = table_view(self.model, compact=True)
        self.table.setObjectName("alertsTable")
        header = self.table.horizontalHeader()
        for column, width in ((3, 240), (4, 190)) if self.national else ((3, 300),):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)  # long words elide; the tooltip has them all
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.life = AlertLife(self.names)
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.shown)
        tl.addWidget(self.table, 1)
        split.addWidget(top)
        split.addWidget(self.life)
        split.setSizes([230, 250])

        self.buttons: dict[str, object] = {}
        self.investigate_button = self._button(self.tr("Investigate"), "Alt+I",
                                               self.tr("Mark it as being looked into"),
                                               self.investigate)
        self.close_button = self._button(self.tr("Close…"), "Alt+C",
                                         self.tr("Close it with its reason and a note"),
                                         self.close_dialog)
        self.confirm_button = self._button(self.tr("Confirm falsified…"), "Alt+M",
                                           self.tr("The pack is falsified: starts the 24 h "
                                                   "report clock"), self.confirm)
        self.report_button = self._button(self.tr("Report…"), "Alt+R",
                                          self.tr("Report the falsified pack to the regulator "
                                                  "and the trading partners"),
                                          self.report_dialog)
        self.open_button = self._button(self.tr("Open pack"), "Alt+O",
                                        self.tr("Open the pack's chain in the Inspector"),
                                        self.open_pack)
        actions = QHBoxLayout()
        for button in (self.investigate_button, self.close_button, self.confirm_button,
                       self.report_button, self.open_button):
            actions.addWidget(button)
        actions.addStretch(1)
        keys = QLabel(self.tr("Alt+I investigate · Alt+C close · Alt+M confirm falsified · "
                              "Alt+R report · Alt+O open pack · F5 refresh"))
        keys.setStyleSheet("color: #455a64;")
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.refresh)

        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(scope)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addLayout(actions)
        layout.addWidget(keys)
        self._enable(None)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _button(self, text: str, keys: str, tip: str, slot: object):  # type: ignore[no-untyped-def]
        """A step's button and its key (a view-wide shortcut: the table may have the focus)."""
        button = big_button(text, f"{tip} ({keys})", focus=True)
        button.clicked.connect(slot)
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(button.click)
        return button

    # --- loading and showing --------------------------------------------------------------
    def reload_later(self, *_args: object) -> None:
        """A sync round or a scan changed what the queue shows (a slot: no closure)."""
        self.refresh()

    def refresh(self) -> None:
        """Reload the queue (on show, after sync, after a scan raised an alert)."""
        if self.closed:
            return  # a scan's late alert after the node was closed
        national = self.national
        self.ctx.call(lambda s, _t: s.alert_queue(national), on_success=self._loaded)

    def _loaded(self, alerts: list[Alert]) -> None:
        self.all_alerts = alerts
        self.loaded = True
        self._show_filtered()
        if self.want is not None:
            self.select(self.want)
            self.want = None

    def current_filter(self) -> AlertFilter:
        state, cause = self.state_filter.currentData(), self.cause_filter.currentData()
        return AlertFilter(AlertState(state) if state else None,
                           AlertCause(cause) if cause else None,
                           self.owner_filter.currentData() if self.national else None,
                           self.text_filter.text(), self.open_only.isChecked(),
                           self.overdue_only.isChecked())

    def _show_filtered(self, *_args: object) -> None:
        moment = now()
        chosen = self.selected()
        rows = apply(self.all_alerts, self.current_filter(), moment)
        self.counts.setText(counts_line(self.all_alerts, moment))
        self.shown.setText(self.tr("{shown} of {total} alerts shown").format(
            shown=f"{len(rows):,}", total=f"{len(self.all_alerts):,}"))
        self.model.now = moment
        self.model.set_rows(rows)
        self.select(chosen.id if chosen is not None else None)

    def select(self, alert_id: str | None) -> None:
        """Select the alert with this id (else the first row) and show its life."""
        ids = [a.id for a in self.model.rows]
        if not ids:
            self._selected()
            return
        self.table.selectRow(ids.index(alert_id) if alert_id in ids else 0)
        self._selected()

    def selected(self) -> Alert | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selected(self, *_args: object) -> None:
        alert = self.selected()
        self.life.show_alert(alert, self.model.now)
        self._enable(alert)

    def _enable(self, alert: Alert | None) -> None:
        mine = alert is not None and alert.owner == self.ctx.info.gln and alert.open
        confirmed = alert is not None and alert.confirmed_at is not None
        self.investigate_button.setEnabled(mine and alert is not None
                                           and alert.state is AlertState.NEW)
        self.close_button.setEnabled(mine)
        self.confirm_button.setEnabled(mine and not confirmed)
        reported = alert is not None and alert.reported_at is not None
        own = alert is not None and alert.owner == self.ctx.info.gln
        self.report_button.setEnabled(own and confirmed and (mine or reported))
        self.open_button.setEnabled(alert is not None and self._pack(alert) is not None)

    def shutdown(self) -> None:
        """The node is closing: no more reloads or clock ticks."""
        self.closed = True
        self.timer.stop()

    def _tick(self) -> None:
        moment = now()
        self.model.tick(moment)
        self.life.tick(moment)

    # --- the steps ------------------------------------------------------------------------
    def _act(self, work: object, message: object) -> None:
        """Run a step on the node thread; then say it and reload with the alert selected."""
        def done(alert: Alert) -> None:
            self.ctx.notify(message(alert))  # type: ignore[operator]
            self.want = alert.id
            self.refresh()
        self.ctx.call(work, on_success=done)  # type: ignore[arg-type]

    def investigate(self) -> None:
        alert = self.selected()
        if alert is None or not self.investigate_button.isEnabled():
            return
        self._act(lambda s, _t: s.investigate_alert(alert.id),
                  lambda a: self.tr("Alert {id} is being investigated. First step: re-scan the "
                                    "pack and compare it with the text printed on it.").format(
                      id=short_id(a)))

    def close_dialog(self) -> None:
        alert = self.selected()
        if alert is None or not self.close_button.isEnabled():
            return
        answer = ask_close(self, alert)
        if answer is not None:
            self.close_alert(alert, *answer)

    def close_alert(self, alert: Alert, reason: object, note: str) -> None:
        self._act(lambda s, _t: s.close_alert(alert.id, reason, note),
                  lambda a: self.tr("Alert {id} closed: {reason}.").format(
                      id=short_id(a), reason=closing_words(a.closing) if a.closing else "–"))

    def confirm(self) -> None:
        alert = self.selected()
        if alert is None or not self.confirm_button.isEnabled():
            return
        title, text = confirm_words(alert)
        if not dialogs.confirm(self, title, text):
            return
        self._act(lambda s, _t: s.confirm_falsified(alert.id),
                  lambda a: self.tr("Alert {id} confirmed falsified: {clock}.").format(
                      id=short_id(a), clock=deadline_words(a, now()) or "–"))

    def report_dialog(self) -> None:
        alert = self.selected()
        if alert is None or not self.report_button.isEnabled():
            return
        out = dialogs.save_file(self, self.tr("Falsification report"),
                                f"falsification-report-{short_id(alert)}.pdf",
                                self.tr("Falsification report (*.pdf *.json *.csv)"))
        if out is None:
            return
        self.report(alert, out)

    def report(self, alert: Alert, out: Path) -> None:
        def said(a: Alert) -> str:
            told = ", ".join(self.names.get(g, g) for g in a.notified) or "–"
            text = self.tr("Alert {id} reported; notified: {who}.").format(id=short_id(a),
                                                                          who=told)
            return text + " " + self.tr("Report form saved to {file}.").format(file=out)
        self._act(lambda s, _t: s.report_alert(alert.id, out), said)

    @staticmethod
    def _pack(alert: Alert) -> str | None:
        if alert.packs:
            return alert.packs[0]
        return alert.subject if "/" in alert.subject else None

    def open_pack(self) -> None:
        alert = self.selected()
        pack = self._pack(alert) if alert is not None else None
        if pack is not None:
            self.open_pack_requested.emit(pack)


def connect_alerts(views: dict[str, QWidget], show_view: Callable[[str], None]) -> None:
    """The alerts queue reloads after a sync round and after a scan raised an alert; its
    Open pack shows the pack's chain in the inspector."""
    alerts = views.get("alerts")
    if not isinstance(alerts, AlertsView):
        return

    def inspect(pack: str) -> None:
        show_view("inspector")
        search = getattr(views.get("inspector"), "search", None)
        if search is not None:
            search(pack)

    alerts.open_pack_requested.connect(inspect)
    for key, signal in (("network", "sync_finished"), ("scan", "alert_raised")):
        source = getattr(views.get(key), signal, None)
        if source is not None:
            source.connect(alerts.reload_later)
