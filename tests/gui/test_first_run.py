"""First run: demo creation, creating and joining a consortium; settings persist."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QSettings

from gui import dialogs, firstrun
from gui.firstrun import NewConsortium
from supplychain.demo.network import DEMO_PASSPHRASE, LAST_SYNC_FILE, Demo, last_demo_sync
from supplychain.identity.certificates import Role
from tests.gui.conftest import WAIT_MS, make_window


def test_demo_is_created_on_first_run_and_reopened_next_time(qtbot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    data = tmp_path / "fresh-data"
    win = make_window(qtbot, settings, data)
    assert win.pages.currentWidget() is win.first_run
    win.first_run.demo_button.click()
    assert win.first_run.progress.isVisible()
    qtbot.waitUntil(lambda: win.service is not None and bool(win.views), timeout=30_000)
    assert (data / "demo" / "demo.json").exists()
    assert win.service.info.role is Role.PHARMACY
    assert win.current_view() == "scan"
    assert win.org_combo.count() == 8
    win.resize(1200, 700)
    win.close()

    # Days later: the restarted app syncs the demo's nodes again before showing verdicts.
    (data / "demo" / LAST_SYNC_FILE).write_text('{"synced": "2020-01-01T00:00:00+00:00"}')
    again = make_window(qtbot, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                        data, resize=False)
    again.restore_last_node()
    qtbot.waitUntil(lambda: again.service is not None and bool(again.views), timeout=30_000)
    assert again.service.info.role is Role.PHARMACY
    synced = last_demo_sync(Demo.load(data / "demo"))
    assert synced is not None and synced.year > 2020
    assert again.size().height() == 700  # the offscreen screen is 800 px wide: width clamps
    again.close()


def test_switching_demo_organisation_changes_role_views(qtbot, window) -> None:
    assert list(window.views) == ["scan", "alerts", "shipments", "inspector", "network"]
    window.org_combo.setCurrentIndex(1)  # Acme Pharma Ltd, the manufacturer
    window.org_combo.activated.emit(1)
    qtbot.waitUntil(lambda: window.service is not None
                    and window.service.info.role is Role.MANUFACTURER and bool(window.views),
                    timeout=WAIT_MS)
    assert "commission" in window.views
    assert window.current_view() == "commission"


def test_create_consortium(qtbot, monkeypatch, settings, tmp_path: Path) -> None:
    win = make_window(qtbot, settings, tmp_path / "data")
    spec = NewConsortium("Test Network", "Test Agency", "5012345000015", tmp_path / "cons",
                         b"long enough passphrase")
    monkeypatch.setattr(firstrun, "ask_new_consortium", lambda *_: spec)
    win.first_run.create_button.click()
    qtbot.waitUntil(lambda: win.service is not None and bool(win.views), timeout=WAIT_MS)
    assert win.service.info.role is Role.REGULATOR
    assert win.service.info.name == "Test Agency"
    assert (tmp_path / "cons" / "consortium" / "root.key").exists()
    assert win.current_view() == "inspector"
    assert "scan" in win.views and "commission" not in win.views
    win.close()


def test_join_consortium_with_enrolled_node(qtbot, monkeypatch, settings, tmp_path: Path,
                                            demo_template: Path) -> None:
    home = tmp_path / "my-node"
    shutil.copytree(demo_template / "nodes" / "5012345000039", home)
    win = make_window(qtbot, settings, tmp_path / "data")
    monkeypatch.setattr(dialogs, "pick_directory", lambda *_: home)
    monkeypatch.setattr(dialogs, "ask_passphrase", lambda *_: b"wrong passphrase")
    win.first_run.join_button.click()
    qtbot.waitUntil(lambda: win.banner.isVisible() and win.banner.kind == "error",
                    timeout=WAIT_MS)
    assert "passphrase" in win.banner.text.text().lower()
    assert "Traceback" not in win.banner.text.text()
    assert win.service is None

    monkeypatch.setattr(dialogs, "ask_passphrase", lambda *_: DEMO_PASSPHRASE)
    win.first_run.join_button.click()
    qtbot.waitUntil(lambda: win.service is not None and bool(win.views), timeout=WAIT_MS)
    assert win.service.info.name == "North Wholesale"
    assert win.current_view() == "shipments"
    assert settings.value("node/home") == str(home)
    win.close()


def test_not_a_node_folder_is_said_plainly(qtbot, monkeypatch, settings, tmp_path: Path) -> None:
    win = make_window(qtbot, settings, tmp_path / "data")
    monkeypatch.setattr(dialogs, "pick_directory", lambda *_: tmp_path)
    win.first_run.join_button.click()
    assert win.banner.isVisible() and "not a node folder" in win.banner.text.text()
    win.close()


def test_no_screen_gives_a_plain_message_instead_of_a_qt_abort() -> None:
    from gui.app import no_screen_message
    message = no_screen_message({}, "linux")
    assert message is not None and "xvfb-run" in message
    assert no_screen_message({"DISPLAY": ":0"}, "linux") is None
    assert no_screen_message({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert no_screen_message({}, "win32") is None
