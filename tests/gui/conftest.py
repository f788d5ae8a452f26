"""GUI test set-up: pytest-qt on PySide6, one demo network per session copied per test."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTEST_QT_API", "pyside6")

from PySide6.QtCore import QSettings  # noqa: E402

from supplychain.demo.network import create_demo  # noqa: E402
from supplychain.identity.certificates import Role  # noqa: E402

WAIT_MS = 15_000


def pytest_configure(config: pytest.Config) -> None:
    # Same as `qt_api = "pyside6"` under [tool.pytest.ini_options]; harmless if set there.
    config.addinivalue_line("markers", "gui: desktop app tests (pytest-qt, offscreen)")


@pytest.fixture(autouse=True)
def collect_on_gui_thread() -> Iterator[None]:
    """As in the app (gui/collector.py): no cycle collection in worker threads during a GUI
    test, where it could destroy a Qt object off the GUI thread; collect here afterwards, on
    the GUI thread, and give the tests that follow their normal collector back."""
    gc.disable()
    yield
    gc.collect()
    gc.enable()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo-template")
    create_demo(root / "demo")
    return root / "demo"


@pytest.fixture
def data_dir(tmp_path: Path, demo_template: Path) -> Path:
    """A per-test data dir holding a copy of the session's demo network."""
    data = tmp_path / "data"
    shutil.copytree(demo_template, data / "demo")
    return data


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_window(qtbot, settings: QSettings, data_dir: Path,  # type: ignore[no-untyped-def]
                resize: bool = True):
    from gui.app import make_app
    from gui.main_window import MainWindow

    make_app([])
    window = MainWindow(settings, data_dir)
    qtbot.addWidget(window)
    if resize:
        window.resize(1366, 768)
    window.show()
    return window


@pytest.fixture
def window(qtbot, settings: QSettings, data_dir: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The app on the demo network, opened as the pharmacy."""
    win = make_window(qtbot, settings, data_dir)
    win.open_demo()
    qtbot.waitUntil(lambda: win.service is not None and "scan" in win.views, timeout=WAIT_MS)
    yield win
    win.close()


def play_as(qtbot, win, role: Role) -> None:  # type: ignore[no-untyped-def]
    """Switch the demo window to the organisation of ``role`` and wait for its views."""
    win.switch_demo_org(role)
    qtbot.waitUntil(lambda: win.service is not None and win.service.info.role is role
                    and bool(win.views), timeout=WAIT_MS)
