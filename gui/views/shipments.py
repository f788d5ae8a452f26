"""Shipments: build and sign an outgoing shipment by scanning; receive an incoming one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui import dialogs
from gui.context import AppContext
from gui.models import RowsModel, when
from gui.views.returns import ReturnsTab
from gui.widgets import ScanInput, big_button, heading
from supplychain.codes.gs1 import PackCode
from supplychain.identity.certificates import Role
from supplychain.ledger.records import PackRecord
from supplychain.node.inspection import Shipment
from supplychain.node.shipments import Candidate


def _table(model: RowsModel) -> QTableView:  # type: ignore[type-arg]
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setDefaultSectionSize(170)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(True)
    return view


def _refusal_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("QLabel { background: #fff4e5; color: #663c00; border: 1px solid "
                        "#f2a900; border-radius: 4px; padding: 6px; font-size: 12pt; }")
    label.hide()
    return label


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
            self.tr("Scan each pack into the shipment (F2 goes to Scan & verify)"))
        self.input.scanned.connect(self.add)
        self.count = heading(self.tr("0 packs in this shipment"), 16)
        self.refused = _refusal_label()
        self.packs = RowsModel[PackCode]([
            (self.tr("GTIN"), lambda c: c.gtin), (self.tr("Serial"), lambda c: c.serial),
            (self.tr("Lot"), lambda c: c.lot or "–"),
            (self.tr("Expiry"), lambda c: c.expiry.isoformat() if c.expiry else "–")])
        self.refusals = RowsModel[Candidate]([
            (self.tr("Scanned"), lambda c: f"SN {c.code.serial}" if c.code else c.text[:60]),
            (self.tr("Refused because"), lambda c: c.reason)])
        self.table = _table(self.packs)
        self.refusal_table = _table(self.refusals)
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
        return [c.key for c in self.packs.rows]

    def add(self, text: str) -> None:
        already = self.keys()
        self.ctx.call(lambda s, _t: s.outgoing_candidate(text, already),
                      on_success=self._candidate)

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
        n = len(self.packs.rows)
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
        codes = list(self.packs.rows)
        to = str(self.recipient.currentData())
        name = self.recipient.currentText()
        if not codes or not dialogs.confirm(
                self, self.tr("Sign and send"),
                self.tr("Sign the hand-over of {count} packs to {name}?").format(
                    count=len(codes), name=name)):
            return
        self.send_button.setEnabled(False)

        def sent(event_hash: str) -> None:
            self.ctx.notify(self.tr("Shipment signed: {count} packs to {name} (event {hash}…). "
                                    "Peer sync is not available yet: export a bundle (File > "
                                    "Export bundle) for the recipient.").format(
                count=len(codes), name=name, hash=event_hash[:12]))
            self.clear()

        self.ctx.call(lambda s, _t: s.ship(to, codes), on_success=sent,
                      on_done=self._update)


@dataclass(frozen=True)
class Expected:
    record: PackRecord
    sender: str
    time: str


class IncomingTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.shipments: list[Shipment] = []
        self.scanned: set[str] = set()
        self.scanned_codes: dict[str, PackCode] = {}
        self.choice = QComboBox()
        self.choice.setMinimumHeight(36)
        self.choice.currentIndexChanged.connect(self._show_expected)
        refresh = big_button(self.tr("Refresh"), focus=True)
        refresh.clicked.connect(self.refresh)
        self.input = ScanInput(self.tr("Scan each pack as you unpack it"))
        self.input.scanned.connect(self.scan)
        self.summary = heading(self.tr("No shipment on its way to you."), 14)
        self.refused = _refusal_label()
        self.expected = RowsModel[Expected](
            [("", lambda e: self.tr("✔ scanned") if e.record.pack in self.scanned
              else self.tr("missing")),
             (self.tr("From"), lambda e: e.sender), (self.tr("Shipped (UTC)"),
                                                     lambda e: when(e.time)),
             (self.tr("GTIN"), lambda e: e.record.gtin), (self.tr("Serial"),
                                                          lambda e: e.record.serial),
             (self.tr("Lot"), lambda e: e.record.lot), (self.tr("Expiry"),
                                                        lambda e: e.record.expiry.isoformat())],
            colour=lambda e: "#e9f6ec" if e.record.pack in self.scanned else None)
        self.unexpected = RowsModel[Candidate]([
            (self.tr("Scanned"), lambda c: f"SN {c.code.serial}" if c.code else c.text[:60]),
            (self.tr("Why it is not expected"), lambda c: c.reason)])
        self.receive_button = big_button(self.tr("Receive all scanned"), focus=True)
        self.receive_button.setStyleSheet("QPushButton:enabled { background: #0d47a1; "
                                          "color: white; font-weight: bold; }")
        self.receive_button.setMinimumWidth(260)
        self.receive_button.clicked.connect(self.receive_scanned)
        self.receive_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Shipment:")))
        top.addWidget(self.choice, 1)
        top.addWidget(refresh)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(_table(self.expected))
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel(self.tr("Unexpected scans (not in the shipment):")))
        bl.addWidget(_table(self.unexpected))
        split.addWidget(box)
        split.setSizes([300, 130])
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.receive_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.input)
        layout.addWidget(self.summary)
        layout.addWidget(self.refused)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

    def refresh(self) -> None:
        self.ctx.call(lambda s, _t: s.incoming(), on_success=self._loaded)

    def _loaded(self, shipments: list[Shipment]) -> None:
        self.shipments = shipments
        self.choice.blockSignals(True)
        self.choice.clear()
        total = sum(len(s.packs) for s in shipments)
        self.choice.addItem(self.tr("All incoming shipments ({count} packs)").format(count=total))
        for s in shipments:
            self.choice.addItem(self.tr("From {sender}, {time} — {count} packs").format(
                sender=s.sender_name, time=when(s.time), count=len(s.packs)))
        self.choice.blockSignals(False)
        self._show_expected()

    def _selected(self) -> list[Shipment]:
        i = self.choice.currentIndex()
        return self.shipments if i <= 0 else [self.shipments[i - 1]]

    def _show_expected(self) -> None:
        rows = [Expected(p, s.sender_name, s.time) for s in self._selected() for p in s.packs]
        self.expected.set_rows(rows)
        self._update()

    def expected_keys(self) -> list[str]:
        return [e.record.pack for e in self.expected.rows]

    def scan(self, text: str) -> None:
        expected = self.expected_keys()
        already = set(self.scanned)
        self.ctx.call(lambda s, _t: s.incoming_candidate(text, expected, already),
                      on_success=self._candidate)

    def _candidate(self, candidate: Candidate) -> None:
        if candidate.accepted and candidate.code is not None:
            self.scanned.add(candidate.code.key)
            self.scanned_codes[candidate.code.key] = candidate.code
            self.refused.hide()
            self.expected.set_rows(self.expected.rows)
        else:
            self.unexpected.append(candidate)
            self.refused.setText(f"⚠ {candidate.reason}")
            self.refused.show()
        self._update()

    def missing(self) -> list[str]:
        return [k for k in self.expected_keys() if k not in self.scanned]

    def _update(self) -> None:
        expected = self.expected_keys()
        if not expected and not self.scanned:
            self.summary.setText(self.tr("No shipment on its way to you."))
        else:
            got = len([k for k in expected if k in self.scanned])
            self.summary.setText(self.tr("Scanned {got} of {expected} · missing {missing} · "
                                         "unexpected {unexpected}").format(
                got=got, expected=len(expected), missing=len(self.missing()),
                unexpected=len(self.unexpected.rows)))
        self.receive_button.setEnabled(bool(self.scanned))
        self.receive_button.setText(self.tr("Receive all scanned ({count})").format(
            count=len(self.scanned)))

    def receive_scanned(self) -> None:
        codes = list(self.scanned_codes.values())
        missing = self.missing()

        def received(_hash: str) -> None:
            text = self.tr("Received {count} packs into {site}'s custody.").format(
                count=len(codes), site=self.ctx.info.name)
            if missing:
                text += " " + self.tr("{count} expected packs were not scanned: they stay in "
                                      "transit; report them to the sender if they are not in "
                                      "the box.").format(count=len(missing))
            self.ctx.notify(text)
            self.scanned.clear()
            self.scanned_codes.clear()
            self.unexpected.set_rows([])
            self.refresh()

        self.ctx.call(lambda s, _t: s.receive_packs(codes), on_success=received)


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
        if isinstance(tab, OutgoingTab | IncomingTab | ReturnsTab):
            tab.input.setFocus()
