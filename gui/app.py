"""Start the desktop app: ``gui.app.run(argv)`` (called by main.py)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication

from gui import errors
from gui.main_window import MainWindow

ORGANISATION = "supplychain"
APPLICATION = "Medicines Provenance Ledger"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"

STYLE = """
QListWidget#navigation { font-size: 13pt; background: #f5f7f8; border: none; }
QListWidget#navigation::item { padding: 12px 10px; border-bottom: 1px solid #e0e4e7; }
QListWidget#navigation::item:selected { background: #0d47a1; color: white; }
QGroupBox { font-weight: bold; }
QPushButton:disabled { color: #9e9e9e; }
QHeaderView::section { font-weight: bold; padding: 4px; }
"""


def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("icon.svg", "icon-256.png", "icon-64.png"):
        path = RESOURCES / name
        if path.exists():
            icon.addFile(str(path))
    return icon


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir("supplychain", appauthor=False))


def make_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(app_icon())
    font = QFont(app.font())
    font.setPointSize(max(font.pointSize(), 11))
    app.setFont(font)
    app.setStyleSheet(STYLE)
    return app


def run(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = make_app(argv)
    sys.excepthook = errors.excepthook
    window = MainWindow(QSettings(ORGANISATION, APPLICATION), data_dir())
    window.show()
    window.restore_last_node()
    return app.exec()
