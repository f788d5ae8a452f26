"""Cases: scan a case label (SSCC), then the packs to put in it, then "Pack"; or scan a case
and "Unpack" it (everything comes out). The rules are the core's
(``supplychain.node.containers``)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.context import AppContext
from gui.models import RowsModel
from gui.views.goods_in import refusal_label, table
from gui.widgets import ScanInput, big_button, heading
from supplychain.codes.sscc import looks_like_sscc, parse_sscc


class CasesTab(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.sscc: str | None = None
        self.input = ScanInput(self.tr("Scan a case label first, then the packs to put in it"))
        self.input.scanned.connect(self.scan)
        self.case_line = heading(self.tr("No case scanned yet."), 14)
        self.refused = refusal_label()
        self.inside = RowsModel[str]([(self.tr("In the case now"), lambda k: k)])
        self.to_pack = RowsModel[str]([(self.tr("Scanned to pack"), lambda t: t[:80])])
        self.pack_button = big_button(self.tr("Pack into the case"), focus=True)
        self.pack_button.clicked.connect(self.pack)
        self.unpack_button = big_button(self.tr("Unpack the case (everything)"), focus=True)
        self.unpack_button.clicked.connect(self.unpack)
        tables = QHBoxLayout()
        tables.addWidget(table(self.inside))
        tables.addWidget(table(self.to_pack))
        buttons = QHBoxLayout()
        buttons.addWidget(self.unpack_button)
        buttons.addStretch(1)
        buttons.addWidget(self.pack_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.input)
        layout.addWidget(self.case_line)
        layout.addWidget(self.refused)
        layout.addWidget(QLabel(self.tr("A new case label starts a new case; a pack goes into "
                                        "the case on the left when you press Pack.")))
        layout.addLayout(tables, 1)
        layout.addLayout(buttons)
        self._update()

    def scan(self, text: str) -> None:
        self.refused.hide()
        if looks_like_sscc(text):
            self.to_pack.set_rows([])
            self.ctx.call(lambda s, _t: (text, s.case_contents(text)),
                          on_success=self._case)
        elif self.sscc is None:
            self._refuse(self.tr("Scan the case label (SSCC) first."))
        elif text not in self.to_pack.rows:
            self.to_pack.append(text)
        self._update()

    def _case(self, result: tuple[str, list[str]]) -> None:
        text, inside = result
        self.sscc = parse_sscc(text).sscc
        self.inside.set_rows(inside)
        self._update()

    def _refuse(self, error: str) -> None:
        self.refused.setText(f"⚠ {error}")
        self.refused.show()

    def _update(self) -> None:
        if self.sscc is None:
            self.case_line.setText(self.tr("No case scanned yet."))
        else:
            self.case_line.setText(self.tr("Case {sscc}: {inside} inside, {count} to pack")
                                   .format(sscc=self.sscc, inside=len(self.inside.rows),
                                           count=len(self.to_pack.rows)))
        self.pack_button.setEnabled(self.sscc is not None and bool(self.to_pack.rows))
        self.unpack_button.setEnabled(self.sscc is not None and bool(self.inside.rows))

    def pack(self) -> None:
        sscc, codes = self.sscc, list(self.to_pack.rows)
        if sscc is None:
            return

        def done(_hash: str) -> None:
            self.ctx.notify(self.tr("Packed {count} into case {sscc}.").format(
                count=len(codes), sscc=sscc))
            self.scan(sscc)

        self.ctx.call(lambda s, _t: s.pack_case(sscc, codes), on_success=done)

    def unpack(self) -> None:
        sscc = self.sscc
        if sscc is None:
            return

        def done(_hash: str) -> None:
            self.ctx.notify(self.tr("Case {sscc} unpacked: its packs are loose again.")
                            .format(sscc=sscc))
            self.scan(sscc)

        self.ctx.call(lambda s, _t: s.unpack_case(sscc), on_success=done)
