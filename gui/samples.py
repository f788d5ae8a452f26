"""Sample packs for the demo network: pick one to scan it, or print them as a sheet of QR codes.

Shown in Scan & verify only when the open node belongs to the demo network. Picking a sample
hands its code to the scanner input, exactly as a USB scanner would type it; the sheet (a PDF
with a captioned QR label per verdict) is written off the GUI thread by the task runner. The
menu's own words are Qt's (context ``SamplePacksButton``); each sample's title comes from the
core already translated (``SamplePack.title``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from gui import dialogs
from gui.context import AppContext
from supplychain.demo.network import Demo
from supplychain.demo.samples import SAMPLE_SITE, SamplePack, sample_packs, write_sample_sheet


class SamplePacksButton(QToolButton):
    """A "Sample packs" menu: one entry per verdict, then the printable sheet."""

    picked = Signal(str)

    def __init__(self, demo: Demo, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.demo = demo
        self.ctx = ctx
        self.samples = sample_packs(demo)
        self.setText(self.tr("Sample packs"))
        self.setToolTip(self.tr("Demo network: pick a sample pack to scan (verdicts as at "
                                "{site}), or print them to scan with a camera").format(
                                    site=SAMPLE_SITE))
        self.setAccessibleName(self.tr("Sample packs"))
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scanner input keeps the focus
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMinimumHeight(40)
        self.menu_ = QMenu(self)
        self.menu_.setToolTipsVisible(True)
        for sample in self.samples:
            action = QAction(sample.title, self.menu_)
            action.setToolTip(sample.code)
            action.setData(sample.key)
            self.menu_.addAction(action)
        self.menu_.addSeparator()
        self.print_action = QAction(self.tr("Print sample sheet (PDF)…"), self.menu_)
        self.menu_.addAction(self.print_action)
        # One bound-method slot for the whole menu: no closures holding this widget (a cycle
        # that only the garbage collector breaks, possibly on a worker thread).
        self.menu_.triggered.connect(self._chosen)
        self.setMenu(self.menu_)

    def action_for(self, key: str) -> QAction:
        """The menu entry of sample ``key`` (e.g. "genuine")."""
        index = [s.key for s in self.samples].index(key)
        return self.menu_.actions()[index]

    def _chosen(self, action: QAction) -> None:
        if action is self.print_action:
            self.print_sheet_dialog()
            return
        key = action.data()
        self.pick(next(s for s in self.samples if s.key == key))

    def pick(self, sample: SamplePack) -> None:
        self.picked.emit(sample.code)

    def print_sheet_dialog(self) -> None:
        path = dialogs.save_file(self, self.tr("Save sample sheet"), "sample-packs.pdf",
                                 self.tr("PDF (*.pdf)"))
        if path is not None:
            self.print_sheet(path)

    def print_sheet(self, path: Path) -> None:
        demo = self.demo

        def saved(pages: int) -> None:
            if pages:
                self.ctx.notify(self.tr("Saved the sample sheet to {file}: print it and scan "
                                        "the codes with the camera.").format(file=path))

        self.ctx.tasks.run(lambda t: write_sample_sheet(demo, path, t.progress, t.cancelled),
                           node=False, on_success=saved, label=self.tr("sample sheet"))
