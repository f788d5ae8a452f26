"""Inspector: search packs, see the custody chain checked event by event, alerts, reports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs
from gui.context import AppContext
from gui.models import RowsModel, when
from gui.services import Inspection
from gui.tasks import Task
from gui.widgets import STATES, big_button, table_view
from supplychain.identity.certificates import Role
from supplychain.ledger.alerts import kind_words
from supplychain.ledger.records import AlertRecord, PackRecord
from supplychain.ledger.verdicts import status_words, verdict_word
from supplychain.node.inspection import EventCheck, EvidenceEvent

Alert = AlertRecord
_STEP = {"commission": QT_TRANSLATE_NOOP("InspectorView", "Commissioned"),
         "ship": QT_TRANSLATE_NOOP("InspectorView", "Shipped"),
         "receive": QT_TRANSLATE_NOOP("InspectorView", "Received"),
         "dispense": QT_TRANSLATE_NOOP("InspectorView", "Dispensed"),
         "undo_dispense": QT_TRANSLATE_NOOP("InspectorView", "Dispense undone"),
         "destroy": QT_TRANSLATE_NOOP("InspectorView", "Destroyed"),
         "stolen": QT_TRANSLATE_NOOP("InspectorView", "Reported stolen"),
         "export": QT_TRANSLATE_NOOP("InspectorView", "Exported"),
         "sample": QT_TRANSLATE_NOOP("InspectorView", "Handed over as a sample"),
         "return": QT_TRANSLATE_NOOP("InspectorView", "Returned"),
         "pack": QT_TRANSLATE_NOOP("InspectorView", "Packed into a case"),
         "unpack": QT_TRANSLATE_NOOP("InspectorView", "Taken out of a case"),
         "quarantine": QT_TRANSLATE_NOOP("InspectorView", "Quarantined"),
         "release": QT_TRANSLATE_NOOP("InspectorView", "Released from quarantine")}


def _words(table: dict[str, str], key: str) -> str:
    """A translated word from one of the tables above (the key itself when unknown)."""
    return QCoreApplication.translate("InspectorView", table[key]) if key in table else key


class ChainGraph(QWidget):
    """The hand-overs as boxes (one per event: organisation, step, date) and arrows.

    Events follow their ``prev``: a column per depth; two events extending the same previous
    event (a fork) stack in one column with a red frame.
    """

    BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 190, 78, 56, 22, 12

    def __init__(self) -> None:
        super().__init__()
        self.checks: list[EventCheck] = []
        self.names: dict[str, str] = {}
        self.positions: dict[str, tuple[int, int]] = {}
        self.forked_depths: set[int] = set()

    def set_chain(self, checks: list[EventCheck], names: dict[str, str]) -> None:
        self.checks = checks
        self.names = names
        depth: dict[str, int] = {}
        rows: dict[int, int] = {}
        self.positions = {}
        for c in checks:
            d = depth.get(c.step.prev or "", -1) + 1 if c.step.prev else 0
            depth[c.step.event_hash] = d
            row = rows.get(d, 0)
            rows[d] = row + 1
            self.positions[c.step.event_hash] = (d, row)
        self.forked_depths = {d for d, n in rows.items() if n > 1}
        cols = max((d for d, _ in self.positions.values()), default=-1) + 1
        nrows = max(rows.values(), default=0)
        self.setMinimumSize(QSize(self.MARGIN * 2 + cols * (self.BOX_W + self.GAP_X),
                                  self.MARGIN * 2 + nrows * (self.BOX_H + self.GAP_Y)))
        self.update()

    def _box(self, key: str) -> QRectF:
        d, r = self.positions[key]
        return QRectF(self.MARGIN + d * (self.BOX_W + self.GAP_X),
                      self.MARGIN + r * (self.BOX_H + self.GAP_Y), self.BOX_W, self.BOX_H)

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        if not self.checks:
            p.setPen(QColor("#607d8b"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       self.tr("Choose a pack to see its hand-overs."))
            p.end()
            return
        small = QFont(self.font())
        small.setPointSize(9)
        bold = QFont(self.font())
        bold.setPointSize(10)
        bold.setBold(True)
        for c in self.checks:  # arrows first, under the boxes
            if c.step.prev and c.step.prev in self.positions:
                a, b = self._box(c.step.prev), self._box(c.step.event_hash)
                start = QPointF(a.right(), a.center().y())
                end = QPointF(b.left(), b.center().y())
                p.setPen(QPen(QColor("#455a64"), 2))
                p.drawLine(start, end)
                p.setBrush(QColor("#455a64"))
                p.drawPolygon(QPolygonF([end, QPointF(end.x() - 9, end.y() - 5),
                                         QPointF(end.x() - 9, end.y() + 5)]))
                p.setFont(small)
                p.drawText(QRectF(start.x(), min(start.y(), end.y()) - 18,
                                  end.x() - start.x(), 16), Qt.AlignmentFlag.AlignCenter,
                           c.step.time[5:10])
        for c in self.checks:
            box = self._box(c.step.event_hash)
            forked = self.positions[c.step.event_hash][0] in self.forked_depths
            bad = not c.ok
            p.setPen(QPen(QColor("#c62828") if forked or bad else QColor("#1565c0"),
                          4 if forked or bad else 2))
            p.setBrush(QColor("#fdecea") if forked or bad else QColor("#e3f2fd"))
            p.drawRoundedRect(box, 8, 8)
            p.setPen(QColor("#1a1a1a"))
            p.setFont(bold)
            inner = box.adjusted(8, 4, -8, -4)
            p.drawText(inner, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
                       p.fontMetrics().elidedText(c.author_name, Qt.TextElideMode.ElideRight,
                                                  int(inner.width())))
            p.setFont(small)
            step = _words(_STEP, c.step.type.value)
            if c.step.recipient and c.step.type.value == "ship":
                step += " → " + self.names.get(c.step.recipient, c.step.recipient)
            marks = self.tr("{signature} signature {proof} proof").format(
                signature="✔" if c.signature_ok else "✘", proof="✔" if c.proof_ok else "✘")
            if forked:
                marks = self.tr("FORK") + " · " + marks
            lines = [p.fontMetrics().elidedText(step, Qt.TextElideMode.ElideRight,
                                                int(inner.width())),
                     when(c.step.time) + " UTC", marks]
            p.drawText(inner.adjusted(0, 18, 0, 0),
                       Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft, "\n".join(lines))
        p.end()


class InspectorView(QWidget):
    title = "Inspector"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.inspection: Inspection | None = None
        self.current_pack: str | None = None
        self.report_task: Task | None = None
        self.names = {m.gln: m.name for m in ctx.info.members}

        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("Search: scanned code, GTIN, lot, organisation "
                                              "name or GLN — then Enter"))
        self.query.setMinimumHeight(40)
        self.query.returnPressed.connect(self._search_typed)
        search_button = big_button(self.tr("Search"), focus=True)
        search_button.clicked.connect(self._search_typed)
        note = QLabel(self.tr("Regulator view: every signature and Merkle proof re-checked.")
                      if ctx.info.role is Role.REGULATOR else
                      self.tr("Read-only: what your node holds. Signatures and proofs are "
                              "re-checked."))
        note.setStyleSheet("color: #455a64;")
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(search_button)

        self.results = RowsModel[PackRecord](
            [(self.tr("Serial"), lambda r: r.serial), (self.tr("Lot"), lambda r: r.lot),
             (self.tr("Chain"), lambda r: self.tr("FORKED") if r.forked else self.tr("single")),
             (self.tr("Status"), lambda r: status_words(r.status)),
             (self.tr("Custodian"), lambda r: self.names.get(r.custodian, r.custodian)),
             (self.tr("GTIN"), lambda r: r.gtin)],
            colour=lambda r: "#fdecea" if r.forked else None)
        self.results_view = table_view(self.results)
        self.results_view.selectionModel().selectionChanged.connect(self._result_chosen)
        self.result_count = QLabel("")

        self.summary = QLabel(self.tr("Search for a pack, or open the Alerts tab."))
        self.summary.setWordWrap(True)
        self.summary.setMinimumHeight(48)
        self.summary.setStyleSheet("padding: 8px; font-size: 13pt;")
        self.pack_alerts = QLabel("")
        self.pack_alerts.setWordWrap(True)
        self.pack_alerts.setStyleSheet("color: #8a1c1c; font-weight: bold;")
        self.chain = RowsModel[EventCheck](
            [(self.tr("When (UTC)"), lambda c: when(c.step.time)),
             (self.tr("By"), lambda c: c.author_name),
             (self.tr("Step"), self._step_words),
             (self.tr("Signature"), lambda c: self.tr("✔ checked") if c.signature_ok
              else self.tr("✘ FAILED")),
             (self.tr("Inclusion proof"), lambda c: self.tr("✔ checked") if c.proof_ok
              else f"✘ {c.problem or self.tr('FAILED')}"),
             (self.tr("Event"), lambda c: c.step.event_hash[:16] + "…")],
            colour=lambda c: None if c.ok else "#fdecea")
        self.chain_view = table_view(self.chain)
        self.graph = ChainGraph()
        graph_scroll = QScrollArea()
        graph_scroll.setWidget(self.graph)
        graph_scroll.setWidgetResizable(True)
        graph_scroll.setMinimumHeight(130)
        self.report_button = big_button(self.tr("Export PDF report…"), focus=True)
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.export_report_dialog)
        self.report_progress = QProgressBar()
        self.report_progress.hide()
        report_row = QHBoxLayout()
        report_row.addWidget(self.pack_alerts, 1)
        report_row.addWidget(self.report_progress)
        report_row.addWidget(self.report_button)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.summary)
        dl.addLayout(report_row)
        inner = QSplitter(Qt.Orientation.Vertical)
        inner.addWidget(self.chain_view)
        inner.addWidget(graph_scroll)
        inner.setSizes([160, 200])
        dl.addWidget(inner, 1)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.result_count)
        ll.addWidget(self.results_view)
        packs_split = QSplitter()
        packs_split.addWidget(left)
        packs_split.addWidget(detail)
        packs_split.setSizes([440, 700])

        self.alerts = RowsModel[Alert](
            [(self.tr("Alert"), lambda a: kind_words(a.kind)),
             (self.tr("Subject"), lambda a: a.subject),
             (self.tr("What it means"), lambda a: a.detail)])
        self.alerts_view = table_view(self.alerts)
        self.alerts_view.selectionModel().selectionChanged.connect(self._alert_chosen)
        self.evidence = QPlainTextEdit()
        self.evidence.setReadOnly(True)
        self.evidence.setPlaceholderText(self.tr("Choose an alert to see its evidence: the signed "
                                         "events it names."))
        self.evidence.setStyleSheet("font-family: monospace; font-size: 10pt;")
        open_pack = big_button(self.tr("Open this pack's chain"), focus=True)
        open_pack.clicked.connect(self._open_alert_pack)
        alerts_split = QSplitter(Qt.Orientation.Vertical)
        alerts_split.addWidget(self.alerts_view)
        ev = QWidget()
        el = QVBoxLayout(ev)
        el.setContentsMargins(0, 0, 0, 0)
        el.addWidget(self.evidence, 1)
        el.addWidget(open_pack, 0, Qt.AlignmentFlag.AlignRight)
        alerts_split.addWidget(ev)

        self.tabs = QTabWidget()
        self.tabs.addTab(packs_split, self.tr("Packs"))
        self.tabs.addTab(alerts_split, self.tr("Alerts"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.tabs, 1)

    def _step_words(self, c: EventCheck) -> str:
        words = _words(_STEP, c.step.type.value)
        if c.step.recipient and c.step.type.value == "ship":
            words += " → " + self.names.get(c.step.recipient, c.step.recipient)
        return words

    def refresh(self) -> None:
        self.ctx.call(lambda s, _t: s.alerts(), on_success=self._alerts_loaded)

    def _alerts_loaded(self, alerts: list[Alert]) -> None:
        self.alerts.set_rows(alerts)
        self.tabs.setTabText(1, self.tr("Alerts ({count})").format(count=len(alerts)))

    # --- packs ------------------------------------------------------------------------
    def _search_typed(self) -> None:
        """Search for what is typed in the query box (a bound slot: no closure holds the view)."""
        self.search(self.query.text())

    def search(self, query: str) -> None:
        self.query.setText(query)
        self.ctx.call(lambda s, _t: s.find(query), on_success=self._found)

    def _found(self, records: list[PackRecord]) -> None:
        self.results.set_rows(records)
        if not records:
            found = self.tr("No pack matches that search.")
        elif len(records) == 1:
            found = self.tr("{count} pack found").format(count=1)
        else:
            found = self.tr("{count} packs found").format(count=len(records))
        self.result_count.setText(found)
        self.tabs.setCurrentIndex(0)
        if records:
            self.results_view.selectRow(0)

    def _result_chosen(self) -> None:
        rows = self.results_view.selectionModel().selectedRows()
        if rows:
            self.open_pack(self.results.rows[rows[0].row()].pack)

    def open_pack(self, pack: str) -> None:
        self.current_pack = pack
        self.ctx.call(lambda s, _t: s.inspect(pack), on_success=self._inspected)

    def _inspected(self, inspection: Inspection) -> None:
        self.inspection = inspection
        report = inspection.report
        state = report.verdict.value
        background, foreground, _word = STATES[state]
        word = verdict_word(report.verdict)
        self.summary.setProperty("verdict", state)
        self.summary.setStyleSheet(f"padding: 8px; font-size: 13pt; background: {background};"
                                   f" color: {foreground}; border-radius: 4px;")
        checked = sum(1 for c in inspection.checks if c.ok)
        message = report.decision.message
        if report.verdict.value == "genuine" and self.ctx.info.role is Role.REGULATOR:
            # The core's genuine sentence speaks to a custodian ("in your custody").
            holder = self.names.get(report.custodian or "", report.custodian or "?")
            message = self.tr("No problem found: the pack's history checks out. Held by "
                              "{holder}.").format(holder=holder)
        self.summary.setText(f"<b>{word}</b> — {message}<br>" + self.tr(
            "{checked} of {total} events: signature and inclusion proof checked.").format(
                checked=checked, total=len(inspection.checks)))
        self.chain.set_rows(inspection.checks)
        self.graph.set_chain(list(inspection.checks), self.names)
        self.pack_alerts.setStyleSheet("color: #8a1c1c; font-weight: bold;" if inspection.alerts
                                       else "color: #1e4620;")
        if inspection.alerts:
            self.pack_alerts.setText("⚠ " + " · ".join(
                f"{kind_words(a.kind)}: {a.detail}" for a in inspection.alerts))
        else:
            self.pack_alerts.setText(self.tr("No alert names this pack."))
        self.report_button.setEnabled(True)

    # --- alerts -----------------------------------------------------------------------
    def _alert_chosen(self) -> None:
        rows = self.alerts_view.selectionModel().selectedRows()
        if not rows:
            return
        alert = self.alerts.rows[rows[0].row()]
        self.ctx.call(lambda s, _t: s.evidence(alert.evidence),
                      on_success=lambda events: self._show_evidence(alert, events))

    def _show_evidence(self, alert: Alert, events: list[EvidenceEvent]) -> None:
        parts = [f"{kind_words(alert.kind)}: {alert.detail}", ""]
        if not events:
            parts.append(self.tr("Evidence: {evidence}").format(evidence=alert.evidence))
        for e in events:
            parts += [self.tr("— Event {hash}").format(hash=e.event_hash),
                      self.tr("  signed by {author}, log {log} entry {index}, {type} at "
                              "{time}").format(author=e.author_name, log=e.log, index=e.index,
                                               type=e.type, time=e.time), e.body, ""]
        self.evidence.setPlainText("\n".join(parts))

    def _open_alert_pack(self) -> None:
        rows = self.alerts_view.selectionModel().selectedRows()
        if rows:
            subject = self.alerts.rows[rows[0].row()].subject
            if "/" in subject:
                self.search(subject)

    # --- report -----------------------------------------------------------------------
    def export_report_dialog(self) -> None:
        if self.current_pack is None:
            return
        suggested = "custody-" + self.current_pack.replace("/", "-") + ".pdf"
        path = dialogs.save_file(self, self.tr("Export custody report"), suggested,
                                 self.tr("PDF (*.pdf)"))
        if path is not None:
            self.export_report(path)

    def export_report(self, path: Path) -> None:
        pack = self.current_pack
        if pack is None:
            return
        self.report_progress.setRange(0, 4)
        self.report_progress.show()
        self.report_button.setEnabled(False)

        def done() -> None:
            self.report_progress.hide()
            self.report_button.setEnabled(True)

        self.ctx.call(lambda s, t: s.write_report(pack, path, t.progress, t.cancelled),
                      on_success=lambda p: self.ctx.notify(
                          self.tr("Report saved to {file}.").format(file=p)),
                      on_progress=lambda d, n: self.report_progress.setValue(d), on_done=done)
