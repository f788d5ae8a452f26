"""Shipments: build and sign an outgoing shipment by scanning; receive an incoming one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs
from gui.context import AppContext
from gui.models import RowsModel
from gui.views.cases import CasesTab
from gui.views.goods_in import IncomingTab, refusal_label, table
from gui.views.returns import ReturnsTab
from gui.widgets import ScanInput, big_button, heading
from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import ContainerCode, looks_like_sscc, parse_sscc
from supplychain.identity.certificates import Role
from supplychain.node.receiving import CaseScan
from supplychain.node.shipments import Candidate

Line = PackCode | CaseScan
"""A line of an outgoing shipment: a pack, or a case (with the packs inside it)."""


class OutgoingTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.recipient = QComboBox()
        self.recipient.setMinimumHeight(36)
        for m in ctx.info.others():
            self.recipient.addItem(self.tr("{name} ({role}, GLN {gln})").format(
                name=m.name, role=m.role, gln=m.gln), m.gln)
        preferred = {Role.MANUFACTURER: "distributor", Role.DISTRIBUTOR: "pharmacy"}.get(
            ctx.info.role)
        for i, m in enumerate(ctx.info.others()):
            if m.role == preferred:
                self.recipient.setCurrentIndex(i)
                break
        self.input = ScanInput(
            self.tr("Scan each pack or case label into the shipment (F2 goes to Scan & "
                    "verify)"))
        self.input.scanned.connect(self.add)
        self.count = heading(self.tr("0 packs in this shipment"), 16)
        self.refused = refusal_label()
        self.packs = RowsModel[Line]([
            (self.tr("GTIN"), lambda c: c.gtin if isinstance(c, PackCode) else
             self.tr("Case {sscc}").format(sscc=c.sscc)),
            (self.tr("Serial"), lambda c: c.serial if isinstance(c, PackCode) else
             self.tr("{count} packs").format(count=len(c.packs))),
            (self.tr("Lot"), lambda c: (c.lot or "–") if isinstance(c, PackCode) else "–"),
            (self.tr("Expiry"), lambda c: c.expiry.isoformat()
             if isinstance(c, PackCode) and c.expiry else "–")])
        self.refusals = RowsModel[Candidate]([
            (self.tr("Scanned"), lambda c: f"SN {c.code.serial}" if c.code else c.text[:60]),
            (self.tr("Refused because"), lambda c: c.reason)])
        self.table = table(self.packs)
        self.refusal_table = table(self.refusals)
        self.remove_button = big_button(self.tr("Remove selected"), focus=True)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button = big_button(self.tr("Start over"), focus=True)
        self.clear_button.clicked.connect(self.clear)
        self.send_button = big_button(self.tr("Sign and send shipment"), focus=True)
        self.send_button.setStyleSheet("QPushButton:enabled { background: #0d47a1; color: white;"
                                       " font-weight: bold; }")
        self.send_button.setMinimumWidth(260)
        self.send_button.clicked.connect(self.send)
        self.send_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Ship to:")))
        top.addWidget(self.recipient, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        refused_box = QWidget()
        rl = QVBoxLayout(refused_box)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel(self.tr("Refused scans (not added):")))
        rl.addWidget(self.refusal_table)
        split.addWidget(refused_box)
        split.setSizes([300, 140])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.input)
        layout.addWidget(self.count)
        layout.addWidget(self.refused)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

    def keys(self) -> list[str]:
        """The pack keys in the shipment (a case's packs too) and the cases' SSCCs."""
        keys: list[str] = []
        for c in self.packs.rows:
            if isinstance(c, PackCode):
                keys.append(c.key)
            else:
                keys.extend([str(c.sscc), *(p.key for p in c.packs)])
        return keys

    def pack_count(self) -> int:
        return sum(1 if isinstance(c, PackCode) else len(c.packs) for c in self.packs.rows)

    def add(self, text: str) -> None:
        already = self.keys()
        if looks_like_sscc(text):
            self.ctx.call(lambda s, _t: s.outgoing_case(text, already), on_success=self._case)
            return
        self.ctx.call(lambda s, _t: s.outgoing_candidate(text, already),
                      on_success=self._candidate)

    def _case(self, scan: CaseScan) -> None:
        if scan.accepted:
            self.packs.append(scan)
            self.refused.hide()
            self.table.scrollToBottom()
        else:
            self.refusals.append(Candidate(scan.text, None, False, scan.reason))
            self.refused.setText(self.tr("⚠ Not added — {code}: {reason}").format(
                code=scan.sscc or self.tr("this code"), reason=scan.reason))
            self.refused.show()
        self._update()

    def _candidate(self, candidate: Candidate) -> None:
        if candidate.accepted and candidate.code is not None \
                and candidate.code.key in self.keys():
            candidate = Candidate(candidate.text, candidate.code, False,
                                  self.tr("Already in this shipment (scanned twice)."))
        if candidate.accepted and candidate.code is not None:
            self.packs.append(candidate.code)
            self.refused.hide()
            self.table.scrollToBottom()
        else:
            self.refusals.append(candidate)
            shown = candidate.code.serial if candidate.code else self.tr("this code")
            self.refused.setText(self.tr("⚠ Not added — {code}: {reason}").format(
                code=shown, reason=candidate.reason))
            self.refused.show()
        self._update()

    def _update(self) -> None:
        n = self.pack_count()
        self.count.setText((self.tr("{count} pack in this shipment") if n == 1 else
                            self.tr("{count} packs in this shipment")).format(count=n))
        self.send_button.setEnabled(n > 0)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()},
                      reverse=True)
        keep = [c for i, c in enumerate(self.packs.rows) if i not in rows]
        self.packs.set_rows(keep)
        self._update()

    def clear(self) -> None:
        self.packs.set_rows([])
        self.refusals.set_rows([])
        self.refused.hide()
        self._update()

    def send(self) -> None:
        codes: list[PackCode | ContainerCode] = [
            c if isinstance(c, PackCode) else parse_sscc(str(c.sscc)) for c in self.packs.rows]
        count = self.pack_count()
        to = str(self.recipient.currentData())
        name = self.recipient.currentText()
        if not codes or not dialogs.confirm(
                self, self.tr("Sign and send"),
                self.tr("Sign the hand-over of {count} packs to {name}?").format(
                    count=count, name=name)):
            return
        self.send_button.setEnabled(False)

        returning = self.ctx.info.role is Role.PHARMACY  # a pharmacy's outgoing are returns

        def sent(event_hash: str) -> None:
            self.ctx.notify(self.tr("Shipment signed: {count} packs to {name} (event {hash}…). "
                                    "It reaches them at the next sync round, or export a bundle "
                                    "(File > Export bundle).").format(
                count=count, name=name, hash=event_hash[:12]))
            self.clear()

        self.ctx.call(lambda s, _t: (s.return_packs if returning else s.ship)(to, codes),
                      on_success=sent, on_done=self._update)


class ShipmentsView(QWidget):
    title = "Shipments"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.outgoing = OutgoingTab(ctx)
        self.incoming = IncomingTab(ctx)
        self.tabs = QTabWidget()
        if ctx.info.role is Role.PHARMACY:
            self.tabs.addTab(self.incoming, self.tr("Incoming (goods in)"))
            self.tabs.addTab(self.outgoing, self.tr("Outgoing (returns)"))
        else:
            self.tabs.addTab(self.outgoing, self.tr("Outgoing"))
            self.tabs.addTab(self.incoming, self.tr("Incoming"))
        self.cases = CasesTab(ctx) if ctx.info.role is not Role.REGULATOR else None
        if self.cases is not None:  # pack and unpack cases
            self.tabs.addTab(self.cases, self.tr("Cases"))
        self.returns = ReturnsTab(ctx) if ctx.info.role is Role.DISTRIBUTOR else None
        if self.returns is not None:  # a pharmacy's returns, checked before resale
            self.tabs.addTab(self.returns, self.tr("Returns"))
        self.tabs.currentChanged.connect(self._focus)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        self.incoming.refresh()
        if self.returns is not None:
            self.returns.refresh()
        self._focus()

    def _focus(self) -> None:
        tab = self.tabs.currentWidget()
        if isinstance(tab, OutgoingTab | IncomingTab | ReturnsTab | CasesTab):
            tab.input.setFocus()
