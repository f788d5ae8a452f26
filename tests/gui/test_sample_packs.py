"""The demo's "Sample packs" menu in Scan & verify: pick a sample to scan it; print a sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from gui import dialogs
from tests.gui.conftest import WAIT_MS


def _pick(qtbot, view, key: str) -> None:  # type: ignore[no-untyped-def]
    before = view.verifications
    view.samples_button.action_for(key).trigger()
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)


@pytest.mark.parametrize(("key", "verdict"), [
    ("genuine", "genuine"),
    ("recalled", "suspect"),
    ("forked_chain", "counterfeit"),
    ("not_a_pack_code", "unreadable"),
])
def test_picking_a_sample_scans_it(qtbot, window, key: str, verdict: str) -> None:
    view = window.views["scan"]
    button = view.samples_button
    assert button is not None and button.isVisible()
    titles = [a.text() for a in button.menu().actions() if a.text()]
    assert titles[0] == "GENUINE: in your custody" and titles[-1].startswith("Print sample")
    assert {s.verdict.value for s in button.samples if s.verdict} == {
        "genuine", "suspect", "counterfeit", "information"}
    _pick(qtbot, view, key)
    assert view.banner.property("verdict") == verdict
    assert QApplication.focusWidget() is view.input and view.input.text() == ""


def test_the_genuine_sample_is_not_stale(qtbot, window) -> None:
    view = window.views["scan"]
    _pick(qtbot, view, "genuine")
    assert view.banner.property("verdict") == "genuine"
    assert view.freshness.property("stale") is False
    assert "⚠" not in view.freshness.text()


def test_the_sample_sheet_is_printed_off_the_gui_thread(qtbot, window, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "samples.pdf"
    monkeypatch.setattr(dialogs, "save_file", lambda *a, **k: target)
    button = window.views["scan"].samples_button
    button.print_action.trigger()
    qtbot.waitUntil(lambda: "sample sheet" in window.banner.text.text(), timeout=WAIT_MS)
    assert target.read_bytes().startswith(b"%PDF-")
