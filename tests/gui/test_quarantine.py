"""The counter's Quarantine and Release on real widgets: a pack this pharmacy holds is held
by a signed quarantine (the app confirms it, the next scan says where it is held and offers
the release), the release frees it; a pack held elsewhere in the ledger gets a suspect
report, as before."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui import dialogs
from supplychain.node.actions import PackAction
from tests.gui.test_scan import COLOURS, WAIT_MS, scan_view, type_scan


def _click(qtbot, view, button) -> None:  # type: ignore[no-untyped-def]
    before = view.verifications
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)


def test_quarantine_holds_our_pack_until_it_is_released(qtbot, window, monkeypatch) -> None:
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples["genuine"])  # in High Street's custody
    _click(qtbot, view, view.quarantine_button)
    assert view.banner.property("verdict") == "done"
    assert view.banner.title.text() == "QUARANTINED"
    assert "cannot be dispensed or shipped until it is released" in view.banner.message.text()
    assert "quarantined at High Street Pharmacy" in window.banner.text.text()
    assert view.fields["status"].text() == "in quarantine"
    assert not view.dispense_button.isEnabled() and not view.quarantine_button.isEnabled()
    assert view.exits.release_button.isVisible()

    type_scan(qtbot, window, window.demo.samples["genuine"])  # scanned again: held here
    assert view.banner.property("verdict") == "suspect"
    assert view.banner.colour().name() == COLOURS["suspect"]
    assert view.banner.message.text().startswith("This pack is held in quarantine at this site")
    assert PackAction.RELEASE in view.result.actions

    monkeypatch.setattr(dialogs, "ask_text", lambda *_: "manufacturer confirmed the seal")
    _click(qtbot, view, view.exits.release_button)
    assert view.banner.property("verdict") == "genuine"
    assert view.fields["status"].text() == "active"
    assert "Released from quarantine and signed" in window.banner.text.text()
    assert view.dispense_button.isEnabled() and view.exits.release_button.isHidden()


def test_a_pack_not_ours_in_the_ledger_gets_a_suspect_report(qtbot, window) -> None:
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples["not_in_custody"])  # North Wholesale's
    _click(qtbot, view, view.quarantine_button)
    assert "Reported as 'quarantined at High Street Pharmacy'" in window.banner.text.text()
    assert view.banner.property("verdict") == "suspect"
    assert view.fields["status"].text() == "active"  # still the wholesaler's, not held here
