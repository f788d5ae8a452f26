"""Network: peer sync is not in this version; bundles are the way to exchange logs."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from gui.context import AppContext
from gui.widgets import big_button, heading

UNAVAILABLE = ("Peer sync is not available in this version; exchange bundles via File > "
               "Import/Export bundle")


class NetworkView(QWidget):
    title = "Network"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.reason = QLabel(f"{UNAVAILABLE}.")
        self.reason.setObjectName("networkUnavailable")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("QLabel { background: #e8f4fd; color: #0d3c61; border: 1px "
                                  "solid #0d3c61; border-radius: 4px; padding: 10px; "
                                  "font-size: 13pt; }")
        self.peers_box = QGroupBox("Peers (sync over the network)")
        peers = QListWidget()
        peers.addItem("No peers: peer sync is not built yet.")
        sync = big_button("Sync now")
        pl = QVBoxLayout(self.peers_box)
        pl.addWidget(peers)
        pl.addWidget(sync)
        self.peers_box.setEnabled(False)

        bundles = QGroupBox("Exchange bundles instead")
        explain = QLabel("A bundle is a file with every log this node holds and their signed "
                         "checkpoints. Export one and hand it to another member (USB stick, "
                         "e-mail); import theirs. Everything in an imported bundle is verified "
                         "— signatures, proofs, custody rules — and a bad bundle is refused "
                         "whole.")
        explain.setWordWrap(True)
        self.import_button = big_button("Import bundle…  (Ctrl+I)", focus=True)
        self.export_button = big_button("Export bundle…  (Ctrl+E)", focus=True)
        self.import_button.clicked.connect(lambda: self._window_call("import_bundle"))
        self.export_button.clicked.connect(lambda: self._window_call("export_bundle"))
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        bl = QVBoxLayout(bundles)
        bl.addWidget(explain)
        bl.addLayout(row)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Network", 16))
        layout.addWidget(self.reason)
        layout.addWidget(self.peers_box, 1)
        layout.addWidget(bundles)

    def _window_call(self, name: str) -> None:
        getattr(self.window(), name)()
