"""Cases & pallets (manufacturer): pack a lot into cases on one pallet, then ship the pallet.

Long work runs on the node thread (``AppContext.call``) with a progress bar: packing signs one
event per case, and Stop ends it between events (the cases packed so far stay packed, whole;
the pallet is not packed). Shipping a pallet is one event: a busy bar, no stop once signed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs, services
from gui.context import AppContext
from gui.tasks import Task
from gui.widgets import big_button
from supplychain.identity.certificates import Role
from supplychain.node.bulk import PalletPacking
from supplychain.node.inspection import LotSummary


class PackingView(QWidget):
    title = "Cases && pallets"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.task: Task | None = None
        self.result: PalletPacking | None = None

        self.lot = QComboBox()
        self.lot.setMinimumHeight(32)
        self.pallet = QLineEdit()
        self.pallet.setPlaceholderText(self.tr("SSCC of the pallet, e.g. 150123400000009001"))
        self.first_case = QLineEdit()
        self.first_case.setPlaceholderText(self.tr("SSCC of the first case; the next count up"))
        self.cases = QSpinBox()
        self.cases.setRange(1, 2000)
        self.cases.setValue(40)
        self.pack_button = big_button(self.tr("Pack onto the pallet"))
        self.pack_button.clicked.connect(self.pack)
        self.progress = QProgressBar()
        self.progress.hide()
        self.stop_button = big_button(self.tr("Stop packing"), focus=True)
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("Lot"), self.lot)
        form.addRow(self.tr("Pallet"), self.pallet)
        form.addRow(self.tr("First case"), self.first_case)
        form.addRow(self.tr("Cases"), self.cases)
        form.addRow(self.pack_button)
        form.addRow(self.progress)
        form.addRow(self.stop_button)
        form.addRow(self.status)
        packing = QGroupBox(self.tr("Pack a lot into cases on a pallet"))
        packing.setLayout(form)

        self.recipient = QComboBox()
        self.recipient.setMinimumHeight(32)
        for m in ctx.info.others():
            if m.role != Role.REGULATOR.value:
                self.recipient.addItem(self.tr("{name} ({role}, GLN {gln})").format(
                    name=m.name, role=m.role, gln=m.gln), m.gln)
        self.ship_button = big_button(self.tr("Ship the pallet"))
        self.ship_button.clicked.connect(self.ship)
        self.ship_progress = QProgressBar()
        self.ship_progress.setRange(0, 0)  # one event: busy, not a fraction
        self.ship_progress.hide()
        ship_form = QFormLayout()
        ship_form.addRow(self.tr("To"), self.recipient)
        ship_form.addRow(self.ship_button)
        ship_form.addRow(self.ship_progress)
        shipping = QGroupBox(self.tr("Ship the pallet (one signed event for everything on it)"))
        shipping.setLayout(ship_form)

        layout = QVBoxLayout(self)
        layout.addWidget(packing)
        layout.addWidget(shipping)
        layout.addStretch(1)

    def refresh(self) -> None:
        self.ctx.call(lambda s, _t: s.lots(), on_success=self._lots)

    def _lots(self, lots: list[LotSummary]) -> None:
        current = self.lot.currentData()
        self.lot.clear()
        for summary in lots:
            if not summary.recalled:
                self.lot.addItem(self.tr("{lot} ({gtin}, {count} packs)").format(
                    lot=summary.lot, gtin=summary.gtin, count=summary.count),
                    f"{summary.gtin} {summary.lot}")  # a lot (GS1 AI 10) has no space
        index = self.lot.findData(current)
        if index >= 0:
            self.lot.setCurrentIndex(index)

    # --- packing ------------------------------------------------------------------------
    def pack(self) -> None:
        chosen = self.lot.currentData()
        pallet, first = self.pallet.text().strip(), self.first_case.text().strip()
        if not chosen or not pallet or not first:
            self.ctx.notify(self.tr("Choose a lot and give the pallet's and the first case's "
                                    "SSCC."), "error")
            return
        gtin, lot = str(chosen).split(" ", 1)
        cases = self.cases.value()
        self.pack_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.stop_button.show()
        self.status.clear()

        def work(s: services.LedgerService, task: Task) -> PalletPacking:
            return s.pack_lot(gtin, lot, pallet, first, cases, task.progress, task.cancelled)

        def done() -> None:
            self.task = None
            self.pack_button.setEnabled(True)
            self.progress.hide()
            self.stop_button.hide()

        self.task = self.ctx.call(work, on_success=self._packed, on_progress=self._progress,
                                  on_done=done)

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _packed(self, result: PalletPacking) -> None:
        self.result = result
        if result.complete:
            text = self.tr("Packed {packs} packs into {cases} cases on pallet {sscc}.").format(
                packs=result.packs, cases=len(result.cases), sscc=self.pallet.text().strip())
            self.ctx.notify(text)
        else:
            text = self.tr("Stopped: {cases} cases ({packs} packs) are packed, each whole; the "
                           "rest of the lot and the pallet are not. Pack again to go on with "
                           "new case codes, or unpack the cases.").format(
                cases=len(result.cases), packs=result.packs)
            self.ctx.notify(text, "info")
        self.status.setText(text)
        self.refresh()

    # --- shipping -----------------------------------------------------------------------
    def ship(self) -> None:
        pallet = self.pallet.text().strip()
        to = str(self.recipient.currentData())
        if not pallet or not dialogs.confirm(
                self, self.tr("Sign and send"),
                self.tr("Sign the hand-over of pallet {sscc} and everything on it to "
                        "{name}?").format(sscc=pallet, name=self.recipient.currentText())):
            return
        self.ship_button.setEnabled(False)
        self.ship_progress.show()

        def shipped(packs: int) -> None:
            self.ctx.notify(self.tr("Shipment signed: pallet {sscc} with {packs} packs.")
                            .format(sscc=pallet, packs=packs))

        def done() -> None:
            self.ship_button.setEnabled(True)
            self.ship_progress.hide()

        self.ctx.call(lambda s, _t: s.ship_pallet(to, pallet), on_success=shipped,
                      on_done=done)
