"""Commission & labels (manufacturer): create a lot, preview and print its labels; recall."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs, services
from gui.context import AppContext
from gui.models import RowsModel
from gui.services import LabelPreview
from gui.tasks import Task
from gui.widgets import big_button
from supplychain.codes.gs1 import PackCode
from supplychain.node.inspection import LotSummary


class CommissionView(QWidget):
    title = "Commission && labels"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.codes: list[PackCode] = []
        self.label_task: Task | None = None

        self.gtin = QComboBox()
        self.gtin.setEditable(True)
        self.gtin.setToolTip(self.tr("14-digit GTIN inside your GS1 company prefix"))
        self.lot = QLineEdit()
        self.lot.setPlaceholderText(self.tr("e.g. A2501"))
        self.lot.setMaxLength(20)
        self.expiry = QDateEdit(QDate.currentDate().addYears(2))
        self.expiry.setCalendarPopup(True)
        self.expiry.setDisplayFormat("yyyy-MM-dd")
        self.count = QSpinBox()
        self.count.setRange(1, 100_000)
        self.count.setValue(24)
        self.count.setGroupSeparatorShown(True)
        self.commission_button = big_button(self.tr("Commission lot"), focus=True)
        self.commission_button.clicked.connect(self.commission)
        self.commission_progress = QProgressBar()
        self.commission_progress.hide()
        self.commission_cancel = big_button(self.tr("Stop commissioning"), focus=True)
        self.commission_cancel.clicked.connect(self.cancel_commission)
        self.commission_cancel.hide()
        self.commission_task: Task | None = None
        form = QFormLayout()
        form.addRow(self.tr("Product (GTIN):"), self.gtin)
        form.addRow(self.tr("Lot:"), self.lot)
        form.addRow(self.tr("Expiry:"), self.expiry)
        form.addRow(self.tr("Number of packs:"), self.count)
        form.addRow(self.commission_button)
        form.addRow(self.commission_progress)
        form.addRow(self.commission_cancel)
        new_lot = QGroupBox(self.tr("New lot"))
        new_lot.setLayout(form)

        self.lots = RowsModel[LotSummary](
            [(self.tr("GTIN"), lambda s: s.gtin), (self.tr("Lot"), lambda s: s.lot),
             (self.tr("Expiry"), lambda s: s.expiry.isoformat()), (self.tr("Packs"),
                                                                   lambda s: str(s.count)),
             (self.tr("State"), lambda s: self.tr("RECALLED") if s.recalled
              else self.tr("active"))],
            colour=lambda s: "#fdecea" if s.recalled else None)
        self.lot_table = QTableView()
        self.lot_table.setModel(self.lots)
        self.lot_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lot_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lot_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.lot_table.horizontalHeader().setStretchLastSection(True)
        self.lot_table.verticalHeader().setVisible(False)
        self.recall_button = big_button(self.tr("Recall selected lot…"), focus=True)
        self.recall_button.setStyleSheet("QPushButton:enabled { color: #8a1c1c; "
                                         "font-weight: bold; }")
        self.recall_button.clicked.connect(self.recall_selected)
        lots_box = QGroupBox(self.tr("Your lots"))
        ll = QVBoxLayout(lots_box)
        ll.addWidget(self.lot_table)
        ll.addWidget(self.recall_button)

        self.symbol = QComboBox()
        self.symbol.addItem(self.tr("GS1 DataMatrix (EU and US packs)"),
                            services.LabelSymbol.DATA_MATRIX)
        self.symbol.addItem(self.tr("QR code (GS1 Digital Link)"), services.LabelSymbol.QR)
        self.symbol.setToolTip(self.tr("The code printed on each pack label"))
        self.symbol.currentIndexChanged.connect(self._symbol_changed)
        symbol_row = QFormLayout()
        symbol_row.addRow(self.tr("Code on the labels:"), self.symbol)
        self.preview_title = QLabel(self.tr("Commission a lot to preview its labels here."))
        self.preview_grid = QGridLayout()
        self.preview_grid.setSpacing(12)
        grid_host = QWidget()
        grid_host.setLayout(self.preview_grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        self.save_button = big_button(self.tr("Save label sheet (PDF)…"), focus=True)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_labels_dialog)
        self.cancel_button = big_button(self.tr("Cancel"), focus=True)
        self.cancel_button.clicked.connect(self.cancel_labels)
        self.cancel_button.hide()
        self.label_progress = QProgressBar()
        self.label_progress.hide()
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.label_progress, 1)
        save_row.addWidget(self.cancel_button)
        labels_box = QGroupBox(self.tr("Labels"))
        lb = QVBoxLayout(labels_box)
        lb.addLayout(symbol_row)
        lb.addWidget(self.preview_title)
        lb.addWidget(scroll, 1)
        lb.addLayout(save_row)

        left = QVBoxLayout()
        left.addWidget(new_lot)
        left.addWidget(lots_box, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(labels_box, 1)

    def refresh(self) -> None:
        self.ctx.call(lambda s, _t: (s.lots(), s.prefixes()), on_success=self._loaded)

    def _loaded(self, data: tuple[list[LotSummary], tuple[str, ...]]) -> None:
        lots, prefixes = data
        self.lots.set_rows(lots)
        current = self.gtin.currentText()
        gtins = sorted({s.gtin for s in lots})
        self.gtin.clear()
        self.gtin.addItems(gtins)
        if current:
            self.gtin.setCurrentText(current)
        if not gtins and prefixes:
            self.gtin.lineEdit().setPlaceholderText(self.tr("a GTIN starting {digits}…").format(
                digits=f"0{prefixes[0]}"))

    # --- commissioning ----------------------------------------------------------------
    def commission(self) -> None:
        gtin = self.gtin.currentText().strip()
        lot = self.lot.text().strip()
        expiry: date = self.expiry.date().toPython()  # type: ignore[assignment]
        count = self.count.value()
        symbol = self.label_symbol()
        if not gtin or not lot:
            self.ctx.notify(self.tr("Fill in the product code (GTIN) and the lot."), "error")
            return
        self.commission_button.setEnabled(False)
        self.commission_progress.setRange(0, count)
        self.commission_progress.setValue(0)
        self.commission_progress.show()
        self.commission_cancel.show()

        def work(s: services.LedgerService, task: Task) -> tuple[list[PackCode],
                                                                  list[LabelPreview], int]:
            codes = s.commission(gtin, lot, expiry, count, task.progress, task.cancelled)
            return codes, services.label_previews(codes, symbol=symbol), count

        def done() -> None:
            self.commission_task = None
            self.commission_button.setEnabled(True)
            self.commission_progress.hide()
            self.commission_cancel.hide()

        self.commission_task = self.ctx.call(work, on_success=self._commissioned,
                                             on_progress=self._commission_progress,
                                             on_done=done)

    def cancel_commission(self) -> None:
        if self.commission_task is not None:
            self.commission_task.cancel()

    def _commission_progress(self, done: int, total: int) -> None:
        self.commission_progress.setRange(0, total)
        self.commission_progress.setValue(done)

    def _commissioned(self, result: tuple[list[PackCode], list[LabelPreview], int]) -> None:
        codes, previews, asked = result
        if not codes:
            self.ctx.notify(self.tr("Commissioning stopped before any pack was signed; nothing was "
                            "written."), "info")
            return
        self.codes = codes
        if len(codes) < asked:
            self.ctx.notify(self.tr("Stopped: {done} of {asked} packs of lot {lot} were "
                                    "commissioned (they stay valid). Save their label sheet to "
                                    "print them.").format(done=len(codes), asked=asked,
                                                          lot=codes[0].lot), "info")
        else:
            self.ctx.notify(self.tr("Commissioned {count} packs of lot {lot}. Save the label "
                                    "sheet to print them.").format(count=len(codes),
                                                                   lot=codes[0].lot))
        self.show_previews(previews)
        self.save_button.setEnabled(True)
        self.refresh()

    def show_previews(self, previews: list[LabelPreview]) -> None:
        while self.preview_grid.count():
            item = self.preview_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for i, preview in enumerate(previews):
            pixmap = QPixmap()
            pixmap.loadFromData(preview.png)
            image = QLabel()
            image.setPixmap(pixmap.scaledToWidth(120, Qt.TransformationMode.FastTransformation))
            text = QLabel("\n".join(preview.lines))
            text.setStyleSheet("font-family: monospace; font-size: 9pt;")
            cell = QWidget()
            cl = QVBoxLayout(cell)
            cl.setContentsMargins(4, 4, 4, 4)
            cl.addWidget(image, 0, Qt.AlignmentFlag.AlignHCenter)
            cl.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
            self.preview_grid.addWidget(cell, i // 3, i % 3)
        more = len(self.codes) - len(previews)
        self.preview_title.setText(
            self.tr("First {shown} labels of {total}").format(shown=len(previews),
                                                               total=len(self.codes))
            + (" " + self.tr("({count} more on the sheet)").format(count=more) if more > 0
               else ""))

    def preview_count(self) -> int:
        return self.preview_grid.count()

    def label_symbol(self) -> services.LabelSymbol:
        """The code chosen for the labels (GS1 DataMatrix unless QR is picked)."""
        return services.LabelSymbol(self.symbol.currentData())

    def _symbol_changed(self) -> None:
        """Redraw the previews in the newly chosen code (the sheet follows the choice)."""
        if not self.codes:
            return
        codes, symbol = list(self.codes), self.label_symbol()
        self.ctx.tasks.run(lambda _t: services.label_previews(codes, symbol=symbol),
                           node=False, on_success=self.show_previews)

    # --- label sheet ------------------------------------------------------------------
    def save_labels_dialog(self) -> None:
        if not self.codes:
            return
        code = self.codes[0]
        path = dialogs.save_file(self, self.tr("Save label sheet"),
                                 f"labels-{code.gtin}-{code.lot}.pdf", self.tr("PDF (*.pdf)"))
        if path is not None:
            self.save_labels(path)

    def save_labels(self, path: Path) -> None:
        codes = list(self.codes)
        title = self.tr("GTIN {gtin} lot {lot}").format(gtin=codes[0].gtin, lot=codes[0].lot)
        self.label_progress.setRange(0, len(codes))
        self.label_progress.setValue(0)
        self.label_progress.show()
        self.cancel_button.show()
        self.save_button.setEnabled(False)

        def saved(pages: int) -> None:
            if pages:
                self.ctx.notify(self.tr("Saved {count} labels on {pages} pages to {file}.").format(
                    count=len(codes), pages=pages, file=path))
            else:
                self.ctx.notify(self.tr("Label sheet cancelled; nothing was written."), "info")

        def done() -> None:
            self.label_task = None
            self.label_progress.hide()
            self.cancel_button.hide()
            self.save_button.setEnabled(True)

        symbol = self.label_symbol()
        self.label_task = self.ctx.tasks.run(
            lambda t: services.save_label_sheet(codes, path, title, t.progress, t.cancelled,
                                                symbol),
            node=False, on_success=saved, on_progress=self._label_progress, on_done=done)

    def _label_progress(self, done: int, total: int) -> None:
        self.label_progress.setRange(0, total)
        self.label_progress.setValue(done)

    def cancel_labels(self) -> None:
        if self.label_task is not None:
            self.label_task.cancel()

    # --- recall -----------------------------------------------------------------------
    def recall_selected(self) -> None:
        rows = self.lot_table.selectionModel().selectedRows()
        if not rows:
            self.ctx.notify(self.tr("Select the lot to recall in the table first."), "info")
            return
        lot = self.lots.rows[rows[0].row()]
        reason = dialogs.ask_text(self, self.tr("Recall lot"),
                                  self.tr("Why is lot {lot} of {gtin} recalled? (shown to every "
                                          "pharmacy)").format(lot=lot.lot, gtin=lot.gtin))
        if not reason:
            return
        if not dialogs.confirm(self, self.tr("Recall lot"),
                               self.tr("Recall all {count} packs of lot {lot} (GTIN {gtin})? "
                                       "A recall cannot be undone.").format(
                                   count=lot.count, lot=lot.lot, gtin=lot.gtin)):
            return
        self.ctx.call(lambda s, _t: s.recall(lot.gtin, lot.lot, reason),
                      on_success=lambda _h: (self.ctx.notify(
                          self.tr("Lot {lot} recalled. Pharmacies see its packs as "
                                  "SUSPECT.").format(lot=lot.lot)),
                          self.refresh()))
