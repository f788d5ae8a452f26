"""The app in German: the Language setting, Qt's translators and the core's sentences."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from gui import language
from supplychain import i18n
from tests.gui.conftest import WAIT_MS, make_window
from tests.gui.test_scan import scan_view, type_scan

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "gui" / "translations" / "supplychain_de.ts"
# The scan-and-verify path (with the demo's sample packs), the verdict banner, the main window,
# the first-run screen, goods in and out (Shipments) and the sync round's result lines.
COMPLETE_CONTEXTS = {"ScanView", "VerdictBanner", "MainWindow", "FirstRunPage",
                     "CreateConsortiumDialog", "PreviewWidget", "MessageBanner", "language",
                     "roles", "errors", "SamplePacksButton", "ShipmentsView", "IncomingTab",
                     "OutgoingTab", "SyncRound"}


@pytest.fixture
def german(qtbot, settings: QSettings) -> Iterator[QSettings]:  # type: ignore[no-untyped-def]
    """The Language setting set to Deutsch and applied, as at start-up (gui/app.py)."""
    from gui.app import make_app

    app = make_app([])
    settings.setValue(language.LANGUAGE_KEY, "de")
    assert language.install(app, settings) == "de"
    yield settings
    language.uninstall(app)
    i18n.set_language("en")


@pytest.fixture
def german_window(qtbot, german: QSettings, data_dir: Path):  # type: ignore[no-untyped-def]
    win = make_window(qtbot, german, data_dir)
    win.open_demo()
    qtbot.waitUntil(lambda: win.service is not None and "scan" in win.views, timeout=WAIT_MS)
    yield win
    win.close()


def test_scan_view_in_german(qtbot, german_window) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(german_window)
    assert view.banner.title.text() == "BEREIT ZUM SCANNEN"
    assert view.receive_button.text() == "Annehmen"
    assert view.dispense_button.text() == "Abgeben"
    assert view.quarantine_button.text() == "Quarantäne"
    assert view.input.placeholderText() == ("Packung scannen, oder Code eintippen und Eingabe "
                                            "drücken")
    assert german_window.nav.item(0).text() == "Scannen & prüfen\nStrg+1"  # Qt's own German
    menus = [a.text() for a in german_window.menuBar().actions()]
    assert menus == ["&Datei", "&Ansicht", "&Sprache", "&Hilfe"]

    type_scan(qtbot, german_window, german_window.demo.samples["recalled"])
    assert view.banner.property("verdict") == "suspect"  # the state name is not translated
    assert view.banner.title.text() == "VERDÄCHTIG"
    assert view.banner.message.text().startswith("Diese Charge wurde zurückgerufen")
    assert "Charge" in view.banner.detail.text() and "Verfall" in view.banner.detail.text()

    type_scan(qtbot, german_window, german_window.demo.samples["unknown_serial"])
    assert view.banner.title.text() == "FÄLSCHUNG"
    assert "Seriennummer wurde von seinem Hersteller nie vergeben" in view.banner.message.text()

    type_scan(qtbot, german_window, german_window.demo.samples["genuine"])
    assert view.banner.title.text() == "ECHT"
    assert view.fields["status"].text() == "aktiv"

    type_scan(qtbot, german_window, "https://example.com/promo")
    assert view.banner.title.text() == "CODE NICHT LESBAR"
    assert view.banner.message.text().startswith("Dies ist ein Weblink")
    assert view.banner.detail.text().startswith("Dies ist kein Prüfergebnis über die Packung")


def test_sample_packs_menu_in_german(qtbot, german_window) -> None:  # type: ignore[no-untyped-def]
    button = scan_view(german_window).samples_button
    assert button is not None
    assert button.text() == "Beispielpackungen"
    assert button.toolTip().startswith("Demo-Netzwerk: eine Beispielpackung zum Scannen wählen")
    titles = [a.text() for a in button.menu().actions() if a.text()]
    assert titles[0] == "ECHT: in Ihrem Bestand"  # the core's words, translated when shown
    assert "VERDÄCHTIG: ihre Charge ist zurückgerufen" in titles
    assert titles[-2] == "CODE NICHT LESBAR: ein Weblink, kein Packungscode"
    assert titles[-1] == "Beispielbogen drucken (PDF)…"


def test_first_run_in_german(qtbot, german: QSettings, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    win = make_window(qtbot, german, data_dir)
    assert win.first_run.demo_button.text() == "Demo-Netzwerk öffnen"
    assert win.windowTitle() == "Herkunftsnachweis für Arzneimittel"
    win.close()


def test_language_menu_stores_the_choice_for_the_next_start(qtbot, window, settings) -> None:  # type: ignore[no-untyped-def]
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Language")
    choices = {a.text(): a for a in menu.actions()}
    assert list(choices) == ["System language", "English", "Deutsch"]
    assert choices["System language"].isChecked()
    choices["Deutsch"].trigger()
    assert settings.value(language.LANGUAGE_KEY) == "de"
    assert "start the app again" in window.banner.text.text()
    assert choices["Deutsch"].isChecked() and not choices["English"].isChecked()
    assert scan_view(window).receive_button.text() == "Receive"  # applied on restart


def test_system_language_follows_the_environment(qtbot, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gui.app import make_app

    app = make_app([])
    monkeypatch.setenv("SUPPLYCHAIN_LANG", "de")
    try:
        assert language.install(app, settings) == "de"  # no setting stored: System
        assert i18n.current_language() == "de"
        assert QApplication.translate("ScanView", "Receive") == "Annehmen"
        settings.setValue(language.LANGUAGE_KEY, "en")
        assert language.install(app, settings) == "en"
        assert QApplication.translate("ScanView", "Receive") == "Receive"
    finally:
        language.uninstall(app)


def test_german_app_catalog_is_complete_and_compiled(tmp_path: Path) -> None:
    unfinished = []
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name")
        if name not in COMPLETE_CONTEXTS:
            continue
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            if translation.get("type") == "unfinished" or not (translation.text or "").strip():
                unfinished.append((name, message.findtext("source")))
    assert unfinished == []
    for message in ET.parse(TS).getroot().iter("message"):
        source, text = message.findtext("source") or "", message.findtext("translation") or ""
        if text:
            assert set(re.findall(r"{\w*}", text)) == set(re.findall(r"{\w*}", source)), source
    qm = tmp_path / "check.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), str(TS), "-qm", str(qm)], check=True, capture_output=True)
    assert qm.read_bytes() == TS.with_suffix(".qm").read_bytes(), (
        "gui/translations/supplychain_de.qm is not compiled from its .ts: run "
        "scripts/update_translations.py")
