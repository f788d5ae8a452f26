"""Goods in: receive a delivery as scanned, with its exceptions (docs/ARCHITECTURE.md,
"Receiving with exceptions").

The clerk scans packs and case labels (a case ticks all its packs), marks damaged packs, and
receives: what is right is received in one signed event; shortage, damage and overage are
recorded in signed reports (the core decides: ``supplychain.node.receiving``)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from gui.models import RowsModel, when
from gui.services import LedgerService
from gui.widgets import ScanInput, big_button, heading
from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import looks_like_sscc
from supplychain.ledger.records import PackRecord
from supplychain.node.inspection import Shipment
from supplychain.node.receiving import CaseScan, Receipt
from supplychain.node.shipments import Candidate

OK, SHORT, DAMAGED = "#e9f6ec", "#fff4e5", "#fdecea"


def table(model: RowsModel) -> QTableView:  # type: ignore[type-arg]
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setDefaultSectionSize(170)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(True)
    return view


def refusal_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("QLabel { background: #fff4e5; color: #663c00; border: 1px solid "
                        "#f2a900; border-radius: 4px; padding: 6px; font-size: 12pt; }")
    label.hide()
    return label


@dataclass(frozen=True)
class Expected:
    """A row of the expected list: a pack (``record``) or a case (``sscc`` and its packs)."""

    record: PackRecord | None
    sender: str
    time: str
    sscc: str = ""
    """A pack: the case it is in (empty: loose). A case row: its own SSCC."""
    packs: tuple[str, ...] = ()


class IncomingTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.shipments: list[Shipment] = []
        self.scanned: set[str] = set()
        self.scanned_codes: dict[str, PackCode] = {}
        self.damaged: dict[str, PackCode] = {}
        self.cases: dict[str, str] = {}
        self.choice = QComboBox()
        self.choice.setMinimumHeight(36)
        self.choice.currentIndexChanged.connect(self._show_expected)
        refresh = big_button(self.tr("Refresh"), focus=True)
        refresh.clicked.connect(self.refresh)
        self.input = ScanInput(self.tr("Scan each pack or case label as you unpack it"))
        self.input.scanned.connect(self.scan)
        self.summary = heading(self.tr("No shipment on its way to you."), 14)
        self.refused = refusal_label()
        self.expected = RowsModel[Expected](
            [("", self.state_words),
             (self.tr("Case"), lambda e: e.sscc or "–"),
             (self.tr("From"), lambda e: e.sender), (self.tr("Shipped (UTC)"),
                                                     lambda e: when(e.time)),
             (self.tr("GTIN"), lambda e: e.record.gtin if e.record else self.tr("case")),
             (self.tr("Serial"), lambda e: e.record.serial if e.record else
              self.tr("{count} packs").format(count=len(e.packs))),
             (self.tr("Lot"), lambda e: e.record.lot if e.record else "–"),
             (self.tr("Expiry"), lambda e: e.record.expiry.isoformat() if e.record else "–")],
            colour=self.state_colour)
        self.unexpected = RowsModel[Candidate]([
            (self.tr("Scanned"), lambda c: f"SN {c.code.serial}" if c.code else c.text[:60]),
            (self.tr("Overage: why it is not expected"), lambda c: c.reason)])
        self.expected_table = table(self.expected)
        self.expected_table.setColumnWidth(0, 250)
        self.expected_table.setColumnWidth(1, 190)
        self.damaged_button = big_button(self.tr("Mark damaged (Ctrl+D)"), focus=True)
        self.damaged_button.clicked.connect(self.mark_damaged)
        QShortcut(QKeySequence("Ctrl+D"), self, self.mark_damaged)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Note for the exceptions (optional), e.g. "
                                               "\"wrap torn, case 2 crushed\""))
        self.receive_button = big_button(self.tr("Receive all scanned"), focus=True)
        self.receive_button.setStyleSheet("QPushButton:enabled { background: #0d47a1; "
                                          "color: white; font-weight: bold; }")
        self.receive_button.setMinimumWidth(260)
        self.receive_button.clicked.connect(self.receive_scanned)
        self.receive_button.setEnabled(False)
        self.legend = QLabel(self.tr("✔ scanned: received · ✖ damaged: not received, "
                                     "recorded · ? missing: not received, recorded as short "
                                     "if the rest of its shipment arrived · overage: "
                                     "recorded"))
        self.legend.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Shipment:")))
        top.addWidget(self.choice, 1)
        top.addWidget(refresh)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.expected_table)
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel(self.tr("Overage: scanned, not in the shipment (recorded when you "
                                    "receive):")))
        bl.addWidget(table(self.unexpected))
        split.addWidget(box)
        split.setSizes([300, 130])
        bottom = QHBoxLayout()
        bottom.addWidget(self.damaged_button)
        bottom.addWidget(self.reason, 1)
        bottom.addWidget(self.receive_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.input)
        layout.addWidget(self.summary)
        layout.addWidget(self.refused)
        layout.addWidget(split, 1)
        layout.addWidget(self.legend)
        layout.addLayout(bottom)

    # --- rows -----------------------------------------------------------------------
    def _keys_of(self, e: Expected) -> list[str]:
        return [e.record.pack] if e.record else list(e.packs)

    def state_words(self, e: Expected) -> str:
        keys = self._keys_of(e)
        damaged = sum(1 for k in keys if k in self.damaged)
        arrived = sum(1 for k in keys if k in self.scanned)
        if e.record is None:
            return self.tr("case: {arrived} of {count} arrived, {damaged} damaged").format(
                arrived=arrived, count=len(keys), damaged=damaged)
        if damaged:
            return self.tr("✖ damaged")
        return self.tr("✔ scanned") if arrived else self.tr("? missing")

    def state_colour(self, e: Expected) -> str | None:
        keys = self._keys_of(e)
        if any(k in self.damaged for k in keys):
            return DAMAGED
        if all(k in self.scanned for k in keys):
            return OK
        return SHORT

    # --- loading --------------------------------------------------------------------
    def refresh(self) -> None:
        def load(s: LedgerService) -> tuple[list[Shipment], dict[str, str]]:
            shipments = s.incoming()  # and the case of each pack, in the same task
            return shipments, s.cases_of([p.pack for x in shipments for p in x.packs])

        self.ctx.call(lambda s, _t: load(s), on_success=self._loaded)

    def _loaded(self, loaded: tuple[list[Shipment], dict[str, str]]) -> None:
        shipments, self.cases = loaded
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
        rows: list[Expected] = []
        for s in self._selected():
            in_case: dict[str, list[str]] = {}
            for p in s.packs:
                if p.pack in self.cases:
                    in_case.setdefault(self.cases[p.pack], []).append(p.pack)
            for sscc, packs in in_case.items():
                rows.append(Expected(None, s.sender_name, s.time, sscc, tuple(packs)))
            rows.extend(Expected(p, s.sender_name, s.time, self.cases.get(p.pack, ""))
                        for p in s.packs)
        self.expected.set_rows(rows)
        self._update()

    def expected_keys(self) -> list[str]:
        return [e.record.pack for e in self.expected.rows if e.record]

    # --- scanning -------------------------------------------------------------------
    def scan(self, text: str) -> None:
        expected = self.expected_keys()
        already = set(self.scanned)
        if looks_like_sscc(text):
            self.ctx.call(lambda s, _t: s.incoming_case(text, expected),
                          on_success=self._case)
            return
        self.ctx.call(lambda s, _t: s.incoming_candidate(text, expected, already),
                      on_success=self._candidate)

    def _case(self, scan: CaseScan) -> None:
        if scan.accepted:
            for code in scan.packs:
                self.scanned.add(code.key)
                self.scanned_codes[code.key] = code
            self.refused.hide()
            self.expected.set_rows(self.expected.rows)
        else:
            self.unexpected.append(Candidate(scan.text, None, False, scan.reason))
            self.refused.setText(f"⚠ {scan.reason}")
            self.refused.show()
        self._update()

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

    def mark_damaged(self) -> None:
        """The selected expected rows (a case row: all its packs) arrived damaged."""
        rows = {i.row() for i in self.expected_table.selectionModel().selectedRows()}
        for row in rows:
            e = self.expected.rows[row]
            for record in ([e.record] if e.record else
                           [x.record for x in self.expected.rows
                            if x.record and x.record.pack in e.packs]):
                assert record is not None
                self.damaged[record.pack] = PackCode(record.gtin, record.serial,  # type: ignore[arg-type]
                                                     record.lot, record.expiry)
        self.expected.set_rows(self.expected.rows)
        self._update()
        self.input.setFocus()

    def missing(self) -> list[str]:
        return [k for k in self.expected_keys() if k not in self.scanned and k not in self.damaged]

    def _update(self) -> None:
        expected = self.expected_keys()
        if not expected and not self.scanned:
            self.summary.setText(self.tr("No shipment on its way to you."))
        else:
            got = len([k for k in expected if k in self.scanned])
            text = self.tr("Scanned {got} of {expected} · missing {missing} · "
                           "unexpected {unexpected}").format(
                got=got, expected=len(expected), missing=len(self.missing()),
                unexpected=len(self.unexpected.rows))
            if self.damaged:
                text += " · " + self.tr("damaged {count}").format(count=len(self.damaged))
            self.summary.setText(text)
        right = [k for k in self.scanned if k not in self.damaged]
        self.receive_button.setEnabled(bool(self.scanned or self.damaged))
        exceptions = bool(self.damaged or self.unexpected.rows or self.missing())
        self.receive_button.setText(
            (self.tr("Receive {count}, record exceptions") if exceptions and self.scanned
             else self.tr("Receive all scanned ({count})")).format(count=len(right)))

    # --- receiving ------------------------------------------------------------------
    def receive_scanned(self) -> None:
        codes: list[PackCode | str] = [*self.scanned_codes.values(),
                                       *(c.text for c in self.unexpected.rows)]
        damaged = list(self.damaged.values())
        shipments = None if self.choice.currentIndex() <= 0 else [
            s.event_hash for s in self._selected()]
        reason = self.reason.text().strip() or None

        def received(receipt: Receipt) -> None:
            check = receipt.reconciliation
            text = self.tr("Received {count} packs into {site}'s custody.").format(
                count=len(check.to_receive), site=self.ctx.info.name)
            if check.shortage:
                text += " " + self.tr("{count} expected packs were not scanned: they stay in "
                                      "transit, recorded as short.").format(
                    count=len(check.shortage))
            if check.damaged:
                text += " " + self.tr("{count} damaged packs not received, recorded.").format(
                    count=len(check.damaged))
            reported = [o for o in check.overage if o.kind.reported]
            if reported:
                text += " " + self.tr("{count} overage scans recorded.").format(
                    count=len(reported))
            self.ctx.notify(text, "success" if check.clean else "info")
            self.scanned.clear()
            self.scanned_codes.clear()
            self.damaged.clear()
            self.unexpected.set_rows([])
            self.refused.hide()
            self.reason.clear()
            self.refresh()

        self.ctx.call(lambda s, _t: s.receive_delivery(codes, damaged, shipments, reason),
                      on_success=received)
