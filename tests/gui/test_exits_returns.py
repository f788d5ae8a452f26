"""The app's exits and returns: the Scan & verify actions (report stolen, return to the
wholesaler, the wholesaler's check of a pack coming back) and the Returns tab at goods-in."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui import dialogs
from supplychain.codes.gs1 import parse_pack_code
from supplychain.demo.network import DEMO_PASSPHRASE
from supplychain.identity.certificates import Role
from supplychain.interchange.bundle import exchange
from supplychain.ledger.rules import PackStatus
from supplychain.node.operations import Node
from supplychain.node.returns import return_to_supplier
from tests.gui.conftest import WAIT_MS, play_as
from tests.gui.test_scan import scan_view, type_like_scanner, type_scan


def _pass_on(window, source: Role, target: Role) -> None:  # type: ignore[no-untyped-def]
    """What a sync would do: the target node gets every log the source holds."""
    with Node(window.demo.node(source).home, lambda: DEMO_PASSPHRASE) as a, \
            Node(window.demo.node(target).home, lambda: DEMO_PASSPHRASE) as b:
        exchange(a, b)


def _status_at(window, role: Role, text: str) -> tuple[PackStatus, str]:  # type: ignore[no-untyped-def]
    with Node(window.demo.node(role).home, lambda: DEMO_PASSPHRASE) as node:
        record = node.ledger.pack(parse_pack_code(text).key)
        assert record is not None
        return record.status, record.custodian


def _click_and_wait(qtbot, view, button) -> None:  # type: ignore[no-untyped-def]
    before = view.verifications
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)


def test_a_pharmacy_returns_a_pack_and_the_wholesaler_checks_it_back_in(
        qtbot, window, monkeypatch) -> None:
    genuine = window.demo.samples["genuine"]
    view = scan_view(window)
    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    type_scan(qtbot, window, genuine)
    exits = view.exits
    assert exits.isVisible()
    assert exits.return_button.isVisible() and exits.return_button.isEnabled()
    assert exits.stolen_button.isVisible() and exits.sample_button.isVisible()
    assert exits.export_button.isHidden()  # a pharmacy does not export
    assert exits.check_return_button.isHidden()
    _click_and_wait(qtbot, view, exits.return_button)
    assert view.banner.title.text() == "RETURNED"
    assert "on its way back to North Wholesale" in view.banner.message.text()
    assert view.fields["status"].text().startswith("in transit to North Wholesale")
    assert not exits.return_button.isVisible()

    _pass_on(window, Role.PHARMACY, Role.DISTRIBUTOR)
    play_as(qtbot, window, Role.DISTRIBUTOR)
    window.show_view("scan")
    view = scan_view(window)
    type_scan(qtbot, window, genuine)
    assert view.exits.check_return_button.isVisible()
    assert not view.receive_button.isEnabled()  # a return goes through the check
    _click_and_wait(qtbot, view, view.exits.check_return_button)
    assert view.banner.title.text() == "RECEIVED BACK"
    assert "Passes the saleable-returns check" in view.banner.message.text()
    assert _status_at(window, Role.DISTRIBUTOR, genuine) == (PackStatus.ACTIVE,
                                                              "5012345000039")


def test_reporting_a_pack_stolen_takes_it_out_of_the_chain(qtbot, window,
                                                           monkeypatch) -> None:
    view = scan_view(window)
    monkeypatch.setattr(dialogs, "ask_text", lambda *_: "break-in, police ref 77")
    type_scan(qtbot, window, window.demo.samples["genuine"])
    _click_and_wait(qtbot, view, view.exits.stolen_button)
    assert view.banner.title.text() == "REPORTED STOLEN"  # a confirmation, not an alarm
    assert view.fields["status"].text() == "stolen"
    assert "Reported stolen and signed" in window.banner.text.text()
    assert not view.exits.isVisible()  # nothing more to do with it but report it
    assert view.report_button.isEnabled()
    # Scanned again (found, or a copy turning up): a pharmacist is told not to dispense it.
    type_scan(qtbot, window, window.demo.samples["genuine"])
    assert view.banner.property("verdict") == "counterfeit"
    assert view.banner.message.text().startswith("This pack was reported stolen")


def test_the_returns_tab_checks_each_pack_and_receives_those_that_pass(qtbot, window) -> None:
    samples = window.demo.samples
    with Node(window.demo.node(Role.PHARMACY).home, lambda: DEMO_PASSPHRASE) as pharmacy:
        return_to_supplier(pharmacy, [parse_pack_code(samples["genuine"]),
                                      parse_pack_code(samples["recalled"])], "overstock")
    _pass_on(window, Role.PHARMACY, Role.DISTRIBUTOR)
    play_as(qtbot, window, Role.DISTRIBUTOR)
    window.show_view("shipments")
    tab = window.views["shipments"].returns
    window.views["shipments"].tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: "High Street Pharmacy (2)" in tab.waiting.text(), timeout=WAIT_MS)
    assert tab.selected_pharmacy() == "5012345000053"
    for n, text in enumerate((samples["genuine"], samples["recalled"],
                              samples["already_dispensed"]), start=1):
        tab.input.setFocus()
        type_like_scanner(qtbot, tab.input, text)
        qtbot.waitUntil(lambda n=n: tab.checks.rowCount() == n, timeout=WAIT_MS)
    assert [c.outcome.value for c in tab.checks.rows] == ["accepted", "recalled", "dispensed"]
    assert tab.receive_button.text() == "Receive accepted packs (1)"
    qtbot.mouseClick(tab.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.checks.rowCount() == 2, timeout=WAIT_MS)
    assert "Received 1 returned pack(s) back into saleable stock" in window.banner.text.text()
    assert _status_at(window, Role.DISTRIBUTOR, samples["genuine"]) == (PackStatus.ACTIVE,
                                                                         "5012345000039")
    assert _status_at(window, Role.DISTRIBUTOR, samples["recalled"])[0] is \
        PackStatus.IN_TRANSIT  # not taken back into saleable stock
    qtbot.waitUntil(lambda: "High Street Pharmacy (1)" in tab.waiting.text(), timeout=WAIT_MS)


def test_a_wholesaler_exports_a_pack_and_hands_one_over_as_a_sample(qtbot, window,
                                                                     monkeypatch) -> None:
    monkeypatch.setattr(dialogs, "ask_text", lambda *_: "-")  # the detail left out
    play_as(qtbot, window, Role.DISTRIBUTOR)
    window.show_view("scan")
    view = scan_view(window)
    pack = window.demo.samples["lot_b_at_distributor"]
    type_scan(qtbot, window, pack)
    exits = view.exits
    assert exits.export_button.isVisible() and exits.sample_button.isVisible()
    assert exits.return_button.isHidden()  # only a pharmacy returns
    _click_and_wait(qtbot, view, exits.export_button)
    assert view.banner.title.text() == "EXPORTED"
    assert view.fields["status"].text() == "exported"
    assert _status_at(window, Role.DISTRIBUTOR, pack) == (PackStatus.EXPORTED, "5012345000039")
    type_scan(qtbot, window, pack)
    assert view.banner.property("verdict") == "suspect"
    assert "not for sale here" in view.banner.message.text()
