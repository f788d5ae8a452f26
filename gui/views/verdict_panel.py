"""The top of the counter screen: the verdict banner, how fresh the ledger copy behind it is,
and which witnesses vouched for the logs it relies on."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.display import witnesses_line
from gui.widgets import VerdictBanner
from supplychain.ledger.freshness import SyncInfo, freshness_line


class VerdictPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = VerdictBanner()
        # How fresh the ledger copy behind the verdict is (VerdictReport.sync).
        self.freshness = QLabel()
        self.freshness.setObjectName("verdictFreshness")
        self.freshness.setWordWrap(True)
        self.freshness.setProperty("stale", False)
        self.freshness.hide()
        # Which witnesses vouched for the logs behind the verdict (one plain line).
        self.witnessed = QLabel()
        self.witnessed.setObjectName("verdictWitnesses")
        self.witnessed.setWordWrap(True)
        self.witnessed.setStyleSheet("QLabel { color: #37474f; padding: 2px 10px; }")
        self.witnessed.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.freshness)
        layout.addWidget(self.witnessed)

    def show_sync(self, sync: SyncInfo | None) -> None:
        """The freshness line (a warning when stale) and the witnesses line of a verdict."""
        text, stale = freshness_line(sync)
        self.freshness.setProperty("stale", stale)
        if stale:
            self.freshness.setText(f"⚠  {text}")
            self.freshness.setStyleSheet(
                "QLabel { background: #fff4d6; color: #5c3c00; border: 1px solid #f2a900; "
                "border-radius: 4px; padding: 4px 10px; font-size: 11pt; font-weight: bold; }")
        else:
            self.freshness.setText(f"⟳  {text}")
            self.freshness.setStyleSheet("QLabel { color: #37474f; padding: 2px 10px; "
                                         "font-size: 11pt; }")
        self.freshness.setVisible(bool(text))
        vouched = witnesses_line(sync.witnesses if sync else ())
        self.witnessed.setText(vouched)
        self.witnessed.setVisible(bool(vouched))

    def hide_sync(self) -> None:
        self.freshness.hide()
        self.witnessed.hide()
