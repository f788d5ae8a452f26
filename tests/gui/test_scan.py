"""Scan & verify: typed scanner text, picture files, actions, the cannot-read state."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from gui import dialogs, errors
from supplychain.codes.gs1 import parse_pack_code
from supplychain.codes.labels import write_qr_png
from supplychain.errors import SupplyChainError
from supplychain.node.actions import PackAction
from tests.gui.conftest import WAIT_MS

COLOURS = {"genuine": "#1b7f3b", "suspect": "#f2a900", "counterfeit": "#c62828",
           "unreadable": "#546e7a", "information": "#3b6e8f"}


def scan_view(window):  # type: ignore[no-untyped-def]
    return window.views["scan"]


def type_like_scanner(qtbot, widget, text: str, gs: str = "ctrl") -> None:  # type: ignore[no-untyped-def]
    """Type as a keyboard-wedge scanner: characters, GS (ASCII 29) between fields, Enter.

    QTest cannot type ASCII 29 itself; a scanner sends it as Ctrl+] or as a key event whose
    text is the raw control character (``gs="raw"``).
    """
    for i, part in enumerate(text.split("\x1d")):
        if i:
            if gs == "ctrl":
                qtbot.keyClick(widget, Qt.Key.Key_BracketRight,
                               Qt.KeyboardModifier.ControlModifier)
            else:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(widget, QKeyEvent(
                        kind, 0, Qt.KeyboardModifier.NoModifier, "\x1d"))
        qtbot.keyClicks(widget, part)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def type_scan(qtbot, window, text: str, gs: str = "ctrl") -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    before = view.verifications
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.input, timeout=WAIT_MS)
    type_like_scanner(qtbot, QApplication.focusWidget(), text, gs)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)


@pytest.mark.parametrize(("sample", "verdict", "word"), [
    ("genuine", "genuine", "GENUINE"),
    ("reported_suspect", "suspect", "SUSPECT"),
    ("recalled", "suspect", "SUSPECT"),
    ("unknown_serial", "counterfeit", "COUNTERFEIT"),
    ("bolt_dispensed_at_hospital", "counterfeit", "COUNTERFEIT"),
    ("already_dispensed", "information", "ALREADY DISPENSED HERE"),  # scanned twice here
])
def test_typed_scan_shows_verdict(qtbot, window, sample: str, verdict: str, word: str) -> None:
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples[sample])
    assert view.banner.property("verdict") == verdict
    assert view.banner.title.text() == word
    assert view.banner.colour().name() == COLOURS[verdict]
    assert view.banner.icon.state == verdict  # a shape, not colour alone
    assert view.banner.message.text()
    assert QApplication.focusWidget() is view.input  # ready for the next scan


def test_scanner_element_string_with_gs_separator(qtbot, window) -> None:
    """A USB scanner types the GS1 element string with ASCII 29 between fields."""
    code = parse_pack_code(window.demo.samples["genuine"])
    view = scan_view(window)
    type_scan(qtbot, window, code.to_element_string())
    assert view.banner.property("verdict") == "genuine"
    assert view.fields["serial"].text() == code.serial
    assert view.fields["lot"].text() == code.lot
    assert "High Street Pharmacy" in view.fields["custodian"].text()
    assert view.timeline.rowCount() >= 3


def test_scanner_raw_gs_character(qtbot, window) -> None:
    code = parse_pack_code(window.demo.samples["recalled"])
    type_scan(qtbot, window, code.to_element_string(), gs="raw")
    assert scan_view(window).banner.property("verdict") == "suspect"


def test_scanner_gs_substitute_text(qtbot, window) -> None:
    code = parse_pack_code(window.demo.samples["genuine"])
    type_scan(qtbot, window, code.to_element_string(gs="<GS>"))
    assert scan_view(window).banner.property("verdict") == "genuine"


def test_web_link_is_cannot_read_not_a_verdict(qtbot, window) -> None:
    view = scan_view(window)
    type_scan(qtbot, window, "https://example.com/hello")
    assert view.banner.property("verdict") == "unreadable"
    assert view.banner.title.text() == "CANNOT READ THIS CODE"
    assert "not a verdict" in view.banner.detail.text()
    assert view.banner.colour().name() == COLOURS["unreadable"]
    assert not view.report_button.isEnabled()


def test_scan_from_picture_file(qtbot, window, tmp_path: Path) -> None:
    view = scan_view(window)
    png = tmp_path / "code.png"
    write_qr_png(window.demo.samples["recalled"], png)
    view.scan_image(png)
    qtbot.waitUntil(lambda: view.verifications == 1, timeout=WAIT_MS)
    assert view.banner.property("verdict") == "suspect"
    assert "recalled" in view.banner.message.text()


def test_picture_of_web_link_qr(qtbot, window, tmp_path: Path) -> None:
    view = scan_view(window)
    png = tmp_path / "web.png"
    write_qr_png("https://example.com/not-a-pack", png)
    view.scan_image(png)
    qtbot.waitUntil(lambda: view.verifications == 1, timeout=WAIT_MS)
    assert view.banner.property("verdict") == "unreadable"


def test_unreadable_picture_file_error_in_banner(qtbot, window, tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a picture")
    scan_view(window).scan_image(bad)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=WAIT_MS)
    assert window.banner.kind == "error"
    assert "Traceback" not in window.banner.text.text()


def test_receive_then_dispense(qtbot, window) -> None:
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples["genuine_in_transit"])
    assert view.banner.property("verdict") == "genuine"
    assert PackAction.RECEIVE in view.result.actions
    assert view.receive_button.isEnabled() and not view.dispense_button.isEnabled()
    before = view.verifications
    qtbot.mouseClick(view.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    assert view.fields["status"].text() == "active"
    assert view.dispense_button.isEnabled()
    before = view.verifications
    qtbot.mouseClick(view.dispense_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    assert view.banner.title.text() == "DISPENSED"
    assert QApplication.focusWidget() is view.input
    # The same pack scanned again at this counter: an answer, not a red alert.
    type_scan(qtbot, window, window.demo.samples["genuine_in_transit"])
    assert view.banner.property("verdict") == "information"
    assert view.banner.title.text() == "ALREADY DISPENSED HERE"
    assert view.banner.colour().name() == COLOURS["information"]
    assert view.banner.icon.state == "information"
    assert "if you just scanned it twice, no action is needed" in view.banner.message.text()
    assert view.undo_button.isVisible() and not view.dispense_button.isEnabled()


def test_a_mistaken_dispense_can_be_undone(qtbot, window, monkeypatch) -> None:
    view = scan_view(window)
    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    type_scan(qtbot, window, window.demo.samples["genuine"])
    assert view.undo_button.isHidden()
    before = view.verifications
    qtbot.mouseClick(view.dispense_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    assert view.undo_button.isVisible() and view.undo_button.isEnabled()
    before = view.verifications
    qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    assert view.banner.property("verdict") == "genuine"
    assert view.fields["status"].text() == "active"
    assert view.undo_button.isHidden() and view.dispense_button.isEnabled()


def test_report_suspect_and_quarantine(qtbot, window, monkeypatch) -> None:
    view = scan_view(window)
    monkeypatch.setattr(dialogs, "ask_text", lambda *_: "Seal broken")
    type_scan(qtbot, window, window.demo.samples["genuine"])
    before = view.verifications
    qtbot.mouseClick(view.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    assert view.banner.property("verdict") == "suspect"
    assert "reported" in view.banner.message.text()

    type_scan(qtbot, window, window.demo.samples["not_in_custody"])
    assert PackAction.QUARANTINE in view.result.actions
    before = view.verifications
    qtbot.mouseClick(view.quarantine_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    assert "quarantined at High Street Pharmacy" in window.banner.text.text()


def test_errors_become_plain_banner_words(qtbot, window) -> None:
    errors.show_error(SupplyChainError("the ledger is busy"))
    assert window.banner.isVisible() and window.banner.kind == "error"
    assert window.banner.text.text() == "The ledger is busy"
    errors.show_error(KeyError("boom"))
    assert "Something unexpected went wrong" in window.banner.text.text()
    assert "boom" not in window.banner.text.text()


def test_shortcuts_switch_views_and_f2_focuses_scanner(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "inspector"
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert window.current_view() == "scan"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is scan_view(window).input,
                    timeout=WAIT_MS)
