"""Start the desktop app: ``gui.app.run(argv)`` (called by main.py)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication

from gui import collector, errors, language
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
    collector.install()  # before any worker thread exists
    return app


def no_screen_message(env: dict[str, str], platform: str) -> str | None:
    """A plain sentence when a Linux machine has no screen to open the window on."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    # Said before Qt starts, so in English unless a translator is already installed.
    return QCoreApplication.translate(
        "app", "No screen was found to open the window on. Start the app from a desktop "
               "session, or on a server run it under a virtual screen: xvfb-run -a ./dev app. "
               "The command line works without a screen: ./dev cli --help")


def run(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    message = no_screen_message(dict(os.environ), sys.platform)
    if message:
        print(message, file=sys.stderr)
        return 2
    app = make_app(argv)
    sys.excepthook = errors.excepthook
    settings = QSettings(ORGANISATION, APPLICATION)
    language.install(app, settings)  # before any window: its text is translated when built
    window = MainWindow(settings, data_dir())
    window.show()
    window.restore_last_node()
    return app.exec()
