"""Scan & verify: the pharmacy's counter screen (every role has it).

The scanner input always holds the keyboard focus (every other control here refuses focus),
so a USB scanner can type a code and Enter at any moment. The verdict fills the top of the
screen: a huge word, a shape and a colour, the reason in a sentence; below, the product, the
current custodian, the custody timeline and the actions that fit the pack and the role.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs, sounds
from gui.camera import CameraWorker
from gui.context import AppContext
from gui.display import case_details
from gui.models import RowsModel, when
from gui.samples import SamplePacksButton
from gui.services import RescanResult, ScanResult
from gui.views.alert_line import AlertLine
from gui.views.exits import ExitButtons
from gui.views.rescan import RescanStep
from gui.views.verdict_panel import VerdictPanel
from gui.widgets import PreviewWidget, ScanInput, big_button
from supplychain.demo.samples import demo_of
from supplychain.identity.certificates import Role
from supplychain.ledger.verdicts import Verdict, reason_words, status_words, verdict_word
from supplychain.node.actions import PackAction
from supplychain.node.containers import ContainerReport
from supplychain.node.operations import HistoryStep

UNREADABLE_HELP = QT_TRANSLATE_NOOP(
    "ScanView", "This is not a verdict about the pack. Scan again holding the code flat and "
                "steady, scan the square 2D code on the pack, or type the code printed under it.")
CAMERA_REPEAT_S = 3.0

_STEP_WORDS = {"commission": QT_TRANSLATE_NOOP("ScanView", "Commissioned"),
               "ship": QT_TRANSLATE_NOOP("ScanView", "Shipped"),
               "receive": QT_TRANSLATE_NOOP("ScanView", "Received"),
               "dispense": QT_TRANSLATE_NOOP("ScanView", "Dispensed"),
               "undo_dispense": QT_TRANSLATE_NOOP("ScanView", "Dispense undone"),
               "destroy": QT_TRANSLATE_NOOP("ScanView", "Destroyed"),
               "stolen": QT_TRANSLATE_NOOP("ScanView", "Reported stolen"),
               "export": QT_TRANSLATE_NOOP("ScanView", "Exported"),
               "sample": QT_TRANSLATE_NOOP("ScanView", "Handed over as a sample"),
               "return": QT_TRANSLATE_NOOP("ScanView", "Returned"),
               "pack": QT_TRANSLATE_NOOP("ScanView", "Packed into a case"),
               "unpack": QT_TRANSLATE_NOOP("ScanView", "Taken out of a case"),
               "quarantine": QT_TRANSLATE_NOOP("ScanView", "Quarantined"),
               "release": QT_TRANSLATE_NOOP("ScanView", "Released from quarantine")}


class ScanView(QWidget):
    title = "Scan && verify"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.result: ScanResult | None = None
        self.verifications = 0
        self.camera: CameraWorker | None = None
        self._last_camera: tuple[str, float] = ("", 0.0)

        self.verdict_panel = VerdictPanel()  # the banner, freshness and witnesses lines
        self.banner = self.verdict_panel.banner
        self.freshness = self.verdict_panel.freshness
        self.witnessed = self.verdict_panel.witnessed
        self.alert_line = AlertLine(ctx)  # the alert a SUSPECT/COUNTERFEIT verdict raised
        self.alert_raised = self.alert_line.raised
        self.input = ScanInput(self.tr("Scan a pack, or type its code and press Enter"))
        self.input.setAccessibleName(self.tr("Scanner input"))
        self.input.scanned.connect(self._scanned)
        self.open_image_button = big_button(self.tr("Open picture…"),
                                            self.tr("Read a code from a photo (Ctrl+O)"))
        self.open_image_button.clicked.connect(self.open_image)
        self.camera_choice = QComboBox()
        self.camera_choice.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.camera_choice.addItems([self.tr("Camera {index}").format(index=i) for i in range(4)])
        self.camera_choice.setMinimumHeight(40)
        self.camera_button = big_button(self.tr("Start camera"),
                                        self.tr("Start or stop the live camera"))
        self.camera_button.clicked.connect(self.toggle_camera)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.input, 1)
        scan_row.addWidget(self.open_image_button)
        scan_row.addWidget(self.camera_choice)
        scan_row.addWidget(self.camera_button)
        # The demo network: sample packs to pick (scanned as if typed) or print.
        demo = demo_of(ctx.info.home)
        self.samples_button = SamplePacksButton(demo, ctx) if demo is not None else None
        if self.samples_button is not None:
            self.samples_button.picked.connect(self.scan_sample)
            scan_row.addWidget(self.samples_button)

        self.preview = PreviewWidget()
        self.rescan_step = RescanStep(self)  # "Scan it again" under SUSPECT / COUNTERFEIT
        self.rescan_step.check_requested.connect(lambda: self.check_rescan(None))
        self.rescan_step.skipped.connect(self.focus_input)

        # Product and custody.
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        for key, label in (("gtin", self.tr("Product (GTIN)")), ("serial", self.tr("Serial")),
                           ("lot", self.tr("Lot")), ("expiry", self.tr("Expiry")),
                           ("status", self.tr("Status")), ("custodian", self.tr("Custodian"))):
            value = QLabel("–")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            value.setObjectName(f"field_{key}")
            self.fields[key] = value
            form.addRow(f"{label}:", value)
        product = QGroupBox(self.tr("Pack"))
        product.setLayout(form)

        self.receive_button = big_button(self.tr("Receive"),
                                         self.tr("Take this pack into our custody"))
        self.dispense_button = big_button(self.tr("Dispense"),
                                          self.tr("Hand the pack to the patient "
                                                      "(decommissions it)"))
        self.report_button = big_button(self.tr("Report suspect…"),
                                        self.tr("Report this pack to the network"))
        self.quarantine_button = big_button(
            self.tr("Quarantine"),
            self.tr("Set the pack aside: nothing moves it until it is released"))
        self.undo_button = big_button(self.tr("Undo dispense"),
                                      self.tr("Dispensed by mistake? Take it back "
                                                       "into stock (same pharmacy, 10 days)"))
        self.undo_button.clicked.connect(self.undo_dispense)
        self.undo_button.hide()
        self.receive_button.clicked.connect(self.receive)
        self.dispense_button.clicked.connect(self.dispense)
        self.report_button.clicked.connect(self.report)
        self.quarantine_button.clicked.connect(lambda: self.exits.quarantine())
        primary = ("QPushButton:enabled { background: #0d47a1; color: white; "
                   "font-weight: bold; }")
        self.receive_button.setStyleSheet(primary)
        self.dispense_button.setStyleSheet(primary)
        actions = QHBoxLayout()
        for b in (self.receive_button, self.dispense_button, self.undo_button,
                  self.report_button, self.quarantine_button):
            actions.addWidget(b)
        if ctx.info.role is not Role.PHARMACY:
            self.dispense_button.hide()

        self.timeline = RowsModel[HistoryStep]([
            (self.tr("When (UTC)"), lambda s: when(s.time)),
            (self.tr("Step"), lambda s: _step_words(s.type.value)),
            (self.tr("By"), lambda s: s.actor_name),
            (self.tr("Then"), lambda s: status_words(s.status)),
        ])
        self.timeline_view = QTableView()
        self.timeline_view.setModel(self.timeline)
        self.timeline_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.timeline_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.timeline_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.timeline_view.horizontalHeader().setStretchLastSection(True)
        self.timeline_view.verticalHeader().setVisible(False)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(product)
        right_layout.addLayout(actions)
        self.exits = ExitButtons(self)  # leaving the chain, returns
        right_layout.addWidget(self.exits)
        right_layout.addWidget(QLabel(self.tr("Custody timeline (oldest first):")))
        right_layout.addWidget(self.timeline_view, 1)

        split = QSplitter()
        split.addWidget(self.rescan_step.above(self.preview))  # the step over the camera
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([420, 620])

        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict_panel)
        layout.addWidget(self.alert_line)
        layout.addLayout(scan_row)
        self.rescan_step.tab_after(self.input)  # all in one window now
        layout.addWidget(split, 1)
        self._set_actions(frozenset())
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_focus)

    # --- focus ------------------------------------------------------------------------
    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)  # type: ignore[arg-type]
        QTimer.singleShot(0, self.focus_input)

    def focus_input(self) -> None:
        if self.isVisible():
            self.input.setFocus(Qt.FocusReason.OtherFocusReason)
            self.input.activateWindow()

    def _keep_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        try:
            visible = self.isVisible()
        except RuntimeError:  # this view was closed
            return
        if visible and (new is None or (new.window() is self.window() and new is not self.input
                                        and not new.inherits("QLineEdit")
                                        and not new.inherits("QAbstractSpinBox"))):
            QTimer.singleShot(0, self.focus_input)

    # --- verifying --------------------------------------------------------------------
    def scan_sample(self, code: str) -> None:
        """A picked sample goes through the scanner input, exactly as if it were typed."""
        self.input.setText(code)
        self.input.returnPressed.emit()

    def _scanned(self, text: str) -> None:
        """What the scanner typed (a bound slot: no closure holds the view)."""
        self.verify(text, "scanner")

    def verify(self, text: str, origin: str = "scanner") -> None:
        """Verify a scan; while the re-scan step waits, the scan is checked as that re-scan."""
        if self.rescan_step.waiting:
            self.check_rescan(text)
            return
        self.banner.set_state("busy", self.tr("Checking the pack against the ledger…"))
        self.freshness.hide()
        self.ctx.call(lambda s, _t: s.scan_text(text), on_success=self._verified)

    def _verified(self, result: ScanResult) -> None:
        """A new scan's result: shown and heard; SUSPECT or COUNTERFEIT asks for a re-scan."""
        self.rescan_step.close_step()
        self.show_result(result)
        verdict = result.verdict
        sounds.board().play(sounds.Sound.UNREADABLE if verdict is None
                            else sounds.sound_for(verdict))
        if result.report is not None and verdict in (Verdict.SUSPECT, Verdict.COUNTERFEIT):
            self.rescan_step.open_for(result.text, verdict_word(verdict))

    def check_rescan(self, text: str | None) -> None:
        """Run the re-scan step: `text` scanned again (None: only the printed fields)."""
        first = self.rescan_step.first_text
        if first is None:
            return
        printed = self.rescan_step.printed_texts()
        self.banner.set_state("busy", self.tr("Comparing with the first scan…"))
        self.ctx.call(lambda s, _t: s.rescan(first, text, *printed), on_success=self._rescanned)

    def _rescanned(self, result: RescanResult) -> None:
        if result.outcome is None:  # another pack: a new scan
            self._verified(result.scan)
            return
        self.show_result(result.scan)
        if result.scan.verdict is not None:
            sounds.board().play_verdict(result.scan.verdict)
        self.rescan_step.show_outcome(result.outcome)
        self.focus_input()

    def show_result(self, result: ScanResult) -> None:
        self.verifications += 1
        self.result = result
        self.alert_line.follow(result)
        if result.container is not None:
            self._show_case(result.container, result.container_steps)
            return
        if result.report is None:
            self.banner.set_state("unreadable",
                                  result.unreadable or self.tr("The code was not read."),
                                  self.tr(UNREADABLE_HELP))
            self._clear_fields()
            self._set_actions(frozenset())
            self.verdict_panel.hide_sync()
            return
        report = result.report
        self.verdict_panel.show_sync(report.sync)
        decision = report.decision
        state = report.verdict.value
        extra = ""
        if len(decision.reasons) > 1:
            extra = self.tr("Reasons: {reasons}. ").format(
                reasons="; ".join(reason_words(r) for r in decision.reasons))
        code = report.code
        product = self.tr("GTIN {gtin} · Lot {lot} · Expiry {expiry} · Serial {serial}").format(
            gtin=code.gtin, lot=code.lot or "–",
            expiry=code.expiry.isoformat() if code.expiry else "–", serial=code.serial)
        message = " ".join((decision.message, *decision.notes))
        self.banner.set_state(state, message, extra + product)
        self.fields["gtin"].setText(code.gtin)
        self.fields["serial"].setText(code.serial)
        self.fields["lot"].setText(code.lot or "–")
        self.fields["expiry"].setText(code.expiry.isoformat() if code.expiry else "–")
        status = status_words(report.status) if report.status else self.tr("not in the ledger")
        if report.status is not None and report.status.value == "in_transit" and result.recipient:
            to = next((m.name for m in self.ctx.info.members if m.gln == result.recipient),
                      result.recipient)
            status = self.tr("{status} to {recipient}").format(status=status, recipient=to)
        self.fields["status"].setText(status)
        self.fields["custodian"].setText(
            f"{report.custodian_name} ({report.custodian})" if report.custodian else "–")
        self.timeline.set_rows(report.history)
        self._set_actions(result.actions)

    def _show_case(self, case: ContainerReport, steps: tuple[HistoryStep, ...]) -> None:
        """One verdict for a scanned case label, naming the packs inside that are not genuine."""
        self._clear_fields()
        self._set_actions(frozenset())
        self.verdict_panel.hide_sync()
        self.banner.set_state(case.verdict.value, case.message, case_details(case))
        self.fields["serial"].setText(self.tr("Case {sscc}").format(sscc=case.code.sscc))
        self.timeline.set_rows(list(steps))
        self.fields["status"].setText(status_words(case.status) if case.status else "–")
        self.fields["custodian"].setText(
            f"{case.custodian_name} ({case.custodian})" if case.custodian else "–")

    def _clear_fields(self) -> None:
        for label in self.fields.values():
            label.setText("–")
        self.timeline.set_rows([])

    def _set_actions(self, actions: frozenset[PackAction]) -> None:
        self.receive_button.setEnabled(PackAction.RECEIVE in actions)
        self.dispense_button.setEnabled(PackAction.DISPENSE in actions)
        self.undo_button.setVisible(PackAction.UNDO_DISPENSE in actions)
        self.undo_button.setEnabled(PackAction.UNDO_DISPENSE in actions)
        self.report_button.setEnabled(PackAction.REPORT in actions)
        self.quarantine_button.setEnabled(PackAction.QUARANTINE in actions)
        self.exits.set_actions(actions)

    # --- actions ----------------------------------------------------------------------
    def _code(self):  # type: ignore[no-untyped-def]
        return self.result.code if self.result else None

    def receive(self) -> None:
        code = self._code()
        if code is None:
            return
        self.ctx.call(lambda s, _t: s.receive([code]),
                      on_success=lambda r: self._after(r, self.tr(
                          "Received {serial} into {site}'s custody.").format(
                              serial=code.serial, site=self.ctx.info.name)))

    def dispense(self) -> None:
        code = self._code()
        if code is None:
            return
        self.ctx.call(lambda s, _t: s.dispense(code), on_success=self._dispensed)

    def _dispensed(self, result: ScanResult) -> None:
        # Re-verifying a pack just dispensed says "already dispensed": true for a second
        # scan, alarming right after the hand-over. Confirm the action instead.
        self.show_result(result)
        code = result.code
        assert code is not None
        self.banner.set_state("done", self.tr("Dispensed and signed: hand the pack to the "
                                              "patient. It is now out of circulation; a later "
                                              "scan of this code will show it as already "
                                              "dispensed."),
                              self.tr("GTIN {gtin} · Lot {lot} · Serial {serial}").format(
                                  gtin=code.gtin, lot=code.lot or "–", serial=code.serial),
                              word=self.tr("DISPENSED"))
        self._set_actions(frozenset({PackAction.UNDO_DISPENSE}))
        self.ctx.notify(self.tr("Dispensed {serial}.").format(serial=code.serial))
        self.focus_input()

    def undo_dispense(self) -> None:
        code = self._code()
        if code is None:
            return
        if not dialogs.confirm(self, self.tr("Undo dispense"),
                               self.tr("Take pack {serial} back into stock? Only do this if "
                                       "it never left the pharmacy.").format(serial=code.serial)):
            self.focus_input()
            return
        self.ctx.call(lambda s, _t: s.undo_dispense(code),
                      on_success=lambda r: self._after(r, self.tr(
                          "Dispense of {serial} undone: the pack is back in your stock.").format(
                              serial=code.serial)))

    def report(self) -> None:
        code = self._code()
        if code is None:
            return
        reason = dialogs.ask_text(self, self.tr("Report suspect pack"),
                                  self.tr("What is wrong with this pack? (e.g. seal broken, "
                                          "print blurred, wrong colour)"))
        self.focus_input()
        if not reason:
            return
        self.ctx.call(lambda s, _t: s.report_suspect(code, reason),
                      on_success=lambda r: self._after(r, self.tr(
                          "Report filed and signed. Keep the pack aside until it is cleared.")))

    def _after(self, result: ScanResult, message: str) -> None:
        self.rescan_step.close_step()  # acted on the pack: no re-scan is pending
        self.show_result(result)
        self.ctx.notify(message)
        self.focus_input()

    # --- pictures and camera ----------------------------------------------------------
    def open_image(self) -> None:
        path = dialogs.open_file(self, self.tr("Open a picture of a code"),
                                 self.tr("Pictures (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"))
        self.focus_input()
        if path is not None:
            self.scan_image(path)

    def scan_image(self, path: Path) -> None:
        self.banner.set_state("busy", self.tr("Reading {file}…").format(file=path.name))
        self.ctx.call(lambda s, _t: s.scan_image(path), on_success=self._image_results)

    def _image_results(self, results: list[ScanResult]) -> None:
        self._verified(results[0])
        if len(results) > 1:
            self.ctx.notify(self.tr("The picture holds {count} codes; showing the "
                                    "first.").format(count=len(results)),
                            "info")

    def toggle_camera(self) -> None:
        if self.camera is not None:
            self.stop_camera()
        else:
            self.start_camera()

    def start_camera(self, source: int | Path | None = None) -> None:
        """Start the camera (``source``: an index, or a video file standing in for one)."""
        if self.camera is not None:
            return
        spec: int | Path = self.camera_choice.currentIndex() if source is None else source
        worker = CameraWorker(spec)
        worker.frame_ready.connect(self.preview.set_frame)
        worker.code_read.connect(self._camera_code)
        worker.failed.connect(self._camera_failed)
        worker.finished.connect(lambda w=worker: self._camera_finished(w))
        self.camera = worker
        self.camera_button.setText(self.tr("Stop camera"))
        self.preview.clear(self.tr("Starting the camera…"))
        worker.start()

    def stop_camera(self, wait: bool = False) -> None:
        worker = self.camera
        if worker is None:
            return
        worker.stop()
        self.camera_button.setText(self.tr("Stopping…"))
        if wait:
            worker.wait(3000)

    def _camera_finished(self, worker: CameraWorker) -> None:
        if self.camera is worker:
            self.camera = None
            self.camera_button.setText(self.tr("Start camera"))
            if self.preview.image is not None:
                self.preview.set_message(self.tr("Camera stopped"), overlay=True)
        worker.deleteLater()

    def _camera_failed(self, message: str) -> None:
        self.preview.clear(message)

    def _camera_code(self, text: str, corners: object, image: QImage) -> None:
        self.preview.set_outline(corners, image)  # type: ignore[arg-type]
        last_text, last_at = self._last_camera
        now = time.monotonic()
        if text == last_text and now - last_at < CAMERA_REPEAT_S:
            return
        self._last_camera = (text, now)
        self.verify(text, "camera")

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        self.stop_camera()
        super().hideEvent(event)  # type: ignore[arg-type]

    def shutdown(self) -> None:
        self.stop_camera(wait=True)


def _step_words(step: str) -> str:
    words = _STEP_WORDS.get(step)
    return QCoreApplication.translate("ScanView", words) if words else step

