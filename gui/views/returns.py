"""Returns at goods-in (a wholesaler): scan each pack a pharmacy sent back, see the outcome of
its saleable-returns check, and receive the packs that pass back into saleable stock
(docs/ARCHITECTURE.md, "Exits and returns"; the check is ``supplychain.node.returns``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from gui.models import RowsModel
from gui.widgets import ScanInput, big_button, heading
from supplychain.identity.certificates import Role
from supplychain.ledger.records import PackRecord
from supplychain.node.returns import ReturnCheck, ReturnsReceipt, outcome_words


class ReturnsTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.pharmacy = QComboBox()
        self.pharmacy.setMinimumHeight(36)
        for m in ctx.info.others():
            if m.role == Role.PHARMACY.value:
                self.pharmacy.addItem(self.tr("{name} (GLN {gln})").format(name=m.name,
                                                                          gln=m.gln), m.gln)
        self.pharmacy.currentIndexChanged.connect(self.clear)
        refresh = big_button(self.tr("Refresh"), focus=True)
        refresh.clicked.connect(self.refresh)
        self.waiting = heading(self.tr("No returns on their way to you."), 14)
        self.input = ScanInput(self.tr("Scan each returned pack"))
        self.input.scanned.connect(self.scan)
        self.checks = RowsModel[ReturnCheck](
            [(self.tr("Serial"), lambda c: c.code.serial),
             (self.tr("Lot"), lambda c: c.code.lot or "–"),
             (self.tr("Check"), lambda c: outcome_words(c.outcome)),
             (self.tr("What to do"), lambda c: c.message)],
            colour=lambda c: "#e9f6ec" if c.accepted else "#fff4e5")
        table = QTableView()
        table.setModel(self.checks)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setWordWrap(True)
        self.quarantine = QCheckBox(self.tr("Quarantine and report the packs that should not "
                                            "exist (unknown, dispensed, not the pharmacy's)"))
        self.quarantine.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.receive_button = big_button(self.tr("Receive accepted packs"), focus=True)
        self.receive_button.setStyleSheet("QPushButton:enabled { background: #0d47a1; "
                                          "color: white; font-weight: bold; }")
        self.receive_button.setMinimumWidth(260)
        self.receive_button.clicked.connect(self.receive)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Returned by:")))
        top.addWidget(self.pharmacy, 1)
        top.addWidget(refresh)
        bottom = QHBoxLayout()
        bottom.addWidget(self.quarantine, 1)
        bottom.addWidget(self.receive_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.waiting)
        layout.addWidget(self.input)
        layout.addWidget(table, 1)
        layout.addLayout(bottom)
        self._update()

    def selected_pharmacy(self) -> str | None:
        gln = self.pharmacy.currentData()
        return str(gln) if gln else None

    def refresh(self) -> None:
        self.ctx.call(lambda s, _t: s.incoming_returns(), on_success=self._loaded)

    def _loaded(self, records: list[PackRecord]) -> None:
        by_pharmacy = {gln: sum(1 for r in records if r.custodian == gln)
                       for gln in {r.custodian for r in records}}
        names = {m.gln: m.name for m in self.ctx.info.members}
        self.waiting.setText(
            self.tr("Returns on their way to you: {list}.").format(list=", ".join(
                f"{names.get(g, g)} ({n})" for g, n in sorted(by_pharmacy.items())))
            if records else self.tr("No returns on their way to you."))

    def scan(self, text: str) -> None:
        pharmacy = self.selected_pharmacy()
        if pharmacy is None:
            return
        self.ctx.call(lambda s, _t: s.check_return(pharmacy, text), on_success=self._checked)

    def _checked(self, check: ReturnCheck) -> None:
        rows = [c for c in self.checks.rows if c.code.key != check.code.key]
        self.checks.set_rows([*rows, check])
        self._update()

    def accepted(self) -> list[ReturnCheck]:
        return [c for c in self.checks.rows if c.accepted]

    def _update(self) -> None:
        count = len(self.accepted())
        self.receive_button.setText(self.tr("Receive accepted packs ({count})").format(
            count=count))
        self.receive_button.setEnabled(count > 0 or (self.quarantine.isChecked()
                                                     and bool(self.checks.rows)))

    def clear(self) -> None:
        self.checks.set_rows([])
        self._update()

    def receive(self) -> None:
        pharmacy = self.selected_pharmacy()
        if pharmacy is None:
            return
        codes = [c.code for c in self.checks.rows]
        quarantine = self.quarantine.isChecked()
        self.receive_button.setEnabled(False)
        self.ctx.call(lambda s, _t: s.receive_returns(pharmacy, codes, quarantine),
                      on_success=self._received, on_done=self._update)

    def _received(self, receipt: ReturnsReceipt) -> None:
        received = len(receipt.received.event.items) if receipt.received else 0
        text = self.tr("Received {count} returned pack(s) back into saleable stock.").format(
            count=received)
        refused = len(receipt.checks) - received
        if refused:
            text += " " + self.tr("{count} pack(s) not received: set them aside as the table "
                                  "says.").format(count=refused)
        if receipt.reports:
            text += " " + self.tr("{count} pack(s) quarantined and reported.").format(
                count=len(receipt.reports))
        self.ctx.notify(text, "success" if not refused else "info")
        self.checks.set_rows([c for c in receipt.checks if not c.accepted])
        self.refresh()
