"""Cases in the app: a distributor packs a case (Cases tab) and ships it by its label
(Outgoing); the pharmacy scans the case label at goods in (it ticks all its packs), marks a
pack damaged, scans a stranger, and receives what is right with the exceptions recorded;
Scan & verify shows one verdict for a scanned case label."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui import dialogs
from supplychain.codes.gs1 import parse_pack_code
from supplychain.codes.sscc import make_sscc
from supplychain.demo.network import DEMO_PASSPHRASE
from supplychain.identity.certificates import Role
from supplychain.interchange.bundle import exchange
from supplychain.ledger.container_rows import container_row
from supplychain.ledger.containers import sscc_owner_prefixes
from supplychain.ledger.events import EventType
from supplychain.node.operations import Node
from tests.gui.conftest import WAIT_MS, play_as
from tests.gui.test_scan import scan_view, type_scan


def _type(qtbot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def _pass_on(window, source: Role, target: Role) -> None:  # type: ignore[no-untyped-def]
    with Node(window.demo.node(source).home, lambda: DEMO_PASSPHRASE) as a, \
            Node(window.demo.node(target).home, lambda: DEMO_PASSPHRASE) as b:
        exchange(a, b)


def _pack_and_ship_a_case(qtbot, window, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """As the distributor: pack two packs into a new case, ship the case by its label."""
    samples = window.demo.samples
    play_as(qtbot, window, Role.DISTRIBUTOR)
    sscc = make_sscc(sscc_owner_prefixes(window.service.node.me.info)[0], 42)
    window.show_view("shipments")
    view = window.views["shipments"]
    cases = view.cases
    view.tabs.setCurrentWidget(cases)
    _type(qtbot, cases.input, f"(00){sscc}")
    qtbot.waitUntil(lambda: cases.sscc == sscc, timeout=WAIT_MS)
    _type(qtbot, cases.input, samples["not_in_custody"])
    _type(qtbot, cases.input, samples["lot_b_at_distributor"])
    assert cases.case_line.text() == f"Case {sscc}: 0 inside, 2 to pack"
    qtbot.mouseClick(cases.pack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(cases.inside.rows) == 2, timeout=WAIT_MS)
    assert f"Packed 2 into case {sscc}" in window.banner.text.text()

    out = view.outgoing
    view.tabs.setCurrentWidget(out)
    _type(qtbot, out.input, sscc)
    qtbot.waitUntil(lambda: out.packs.rowCount() == 1, timeout=WAIT_MS)
    assert out.count.text() == "2 packs in this shipment"
    assert out.packs.data(out.packs.index(0, 0)) == f"Case {sscc}"
    _type(qtbot, out.input, samples["not_in_custody"])  # already in the case
    qtbot.waitUntil(lambda: out.refusals.rowCount() == 1, timeout=WAIT_MS)
    pharmacy = next(i for i in range(out.recipient.count())
                    if "High Street" in out.recipient.itemText(i))
    out.recipient.setCurrentIndex(pharmacy)
    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    qtbot.mouseClick(out.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: out.packs.rowCount() == 0, timeout=WAIT_MS)
    assert "Shipment signed: 2 packs" in window.banner.text.text()
    _pass_on(window, Role.DISTRIBUTOR, Role.PHARMACY)
    return sscc


def test_a_case_is_packed_shipped_and_received_with_exceptions(
        qtbot, window, monkeypatch) -> None:
    samples = window.demo.samples
    sscc = _pack_and_ship_a_case(qtbot, window, monkeypatch)
    play_as(qtbot, window, Role.PHARMACY)
    window.show_view("shipments")
    tab = window.views["shipments"].incoming
    qtbot.waitUntil(lambda: len(tab.expected_keys()) == 4, timeout=WAIT_MS)
    case_row = next(e for e in tab.expected.rows if e.record is None)
    assert case_row.sscc == sscc and len(case_row.packs) == 2
    _type(qtbot, tab.input, f"(00){sscc}")  # the case label ticks both packs
    qtbot.waitUntil(lambda: len(tab.scanned) == 2, timeout=WAIT_MS)
    assert tab.state_words(case_row) == "case: 2 of 2 arrived, 0 damaged"
    in_transit = parse_pack_code(samples["genuine_in_transit"]).key
    row = next(i for i, e in enumerate(tab.expected.rows)
               if e.record and e.record.pack == in_transit)
    tab.expected_table.selectRow(row)
    qtbot.keyClick(tab.expected_table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert tab.state_words(tab.expected.rows[row]) == "✖ damaged"
    _type(qtbot, tab.input, samples["unknown_serial"])
    qtbot.waitUntil(lambda: tab.unexpected.rowCount() == 1, timeout=WAIT_MS)
    assert tab.summary.text() == ("Scanned 2 of 4 · missing 1 · unexpected 1 · damaged 1")
    assert tab.receive_button.text() == "Receive 2, record exceptions"
    _type(qtbot, tab.reason, "wrap torn")
    qtbot.mouseClick(tab.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.scanned and not tab.damaged, timeout=WAIT_MS)
    banner = window.banner.text.text()
    assert "Received 2 packs" in banner and "1 damaged packs not received" in banner
    assert "1 expected packs were not scanned" in banner and "1 overage" in banner
    node = window.service.node
    case = container_row(node.store, sscc)
    assert case is not None and case.custodian == node.gln
    reports = [e for e in (node.ledger.signed_event(node.gln, i).event
                           for i in range(node.ledger.log_size(node.gln)))
               if e.type is EventType.REPORT and "Receiving exception" in (e.reason or "")]
    assert len(reports) == 3 and all("wrap torn" in (r.reason or "") for r in reports)

    view = scan_view(window)  # the case's one verdict
    window.show_view("scan")
    type_scan(qtbot, window, sscc)
    assert view.banner.title.text() == "GENUINE"
    assert f"Case {sscc} and all 2 packs in it are genuine." in view.banner.message.text()
    assert view.fields["serial"].text() == f"Case {sscc}"
    assert view.timeline.rowCount() >= 3  # the case's life: packed, shipped, received

    # A pack in the case reported suspect: the case is SUSPECT, and the pack is named.
    inside = parse_pack_code(samples["lot_b_at_distributor"])
    done: list[str] = []
    view.ctx.call(lambda s, _t: s.node.report([inside], "seal tampered").hash,
                  on_success=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)
    type_scan(qtbot, window, f"https://id.gs1.org/00/{sscc}")
    assert view.banner.title.text() == "SUSPECT"
    assert f"Not genuine: 1 of the 2 packs in case {sscc}." in view.banner.message.text()
    assert f"Not genuine: SN {inside.serial} (SUSPECT" in view.banner.detail.text()

    # Unpack the case at the pharmacy (Cases tab): its packs are loose again.
    window.show_view("shipments")
    shipments = window.views["shipments"]
    cases = shipments.cases
    shipments.tabs.setCurrentWidget(cases)
    _type(qtbot, cases.input, sscc)
    qtbot.waitUntil(lambda: cases.sscc == sscc and len(cases.inside.rows) == 2,
                    timeout=WAIT_MS)
    qtbot.mouseClick(cases.unpack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not cases.inside.rows and "unpacked" in window.banner.text.text(),
                    timeout=WAIT_MS)
    assert not cases.unpack_button.isEnabled()
