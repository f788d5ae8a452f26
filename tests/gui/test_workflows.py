"""Shipments, commissioning and the inspector (the network view: test_network.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from gui import dialogs
from gui.services import LabelSymbol
from supplychain.codes.gs1 import parse_pack_code
from supplychain.identity.certificates import Role
from tests.gui.conftest import WAIT_MS, play_as


def scan_into(qtbot, tab, text: str) -> None:  # type: ignore[no-untyped-def]
    before = tab.packs.rowCount() + tab.refusals.rowCount() if hasattr(tab, "packs") else None
    tab.input.setFocus()
    qtbot.keyClicks(tab.input, text)
    qtbot.keyClick(tab.input, Qt.Key.Key_Return)
    if before is not None:
        qtbot.waitUntil(lambda: tab.packs.rowCount() + tab.refusals.rowCount() == before + 1,
                        timeout=WAIT_MS)


def test_build_and_send_a_shipment(qtbot, window, monkeypatch) -> None:
    play_as(qtbot, window, Role.DISTRIBUTOR)
    samples = window.demo.samples
    assert window.current_view() == "shipments"
    tab = window.views["shipments"].outgoing
    scan_into(qtbot, tab, samples["not_in_custody"])  # held by North Wholesale
    scan_into(qtbot, tab, samples["lot_b_at_distributor"])
    assert tab.packs.rowCount() == 2
    assert tab.count.text() == "2 packs in this shipment"
    scan_into(qtbot, tab, samples["not_in_custody"])
    assert "scanned twice" in tab.refused.text()
    scan_into(qtbot, tab, samples["genuine"])
    assert "Not in our custody" in tab.refused.text()
    scan_into(qtbot, tab, samples["unknown_serial"])
    assert "Unknown pack" in tab.refused.text()
    scan_into(qtbot, tab, samples["already_dispensed"])
    assert "Decommissioned" in tab.refused.text()
    scan_into(qtbot, tab, samples["forked_chain"])
    assert "Forked" in tab.refused.text()
    scan_into(qtbot, tab, "https://example.com/")
    assert "Cannot read" in tab.refused.text()
    assert tab.packs.rowCount() == 2 and tab.refusals.rowCount() == 6

    pharmacy = next(i for i in range(tab.recipient.count())
                    if "High Street" in tab.recipient.itemText(i))
    tab.recipient.setCurrentIndex(pharmacy)
    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.packs.rowCount() == 0, timeout=WAIT_MS)
    assert "Shipment signed: 2 packs to High Street Pharmacy" in window.banner.text.text()
    record = window.service.node.ledger.pack(parse_pack_code(samples["not_in_custody"]).key)
    assert record.status.value == "in_transit" and record.recipient == "5012345000053"


def test_a_pharmacys_outgoing_shipment_is_a_signed_return(qtbot, window, monkeypatch) -> None:
    play_as(qtbot, window, Role.PHARMACY)
    samples = window.demo.samples
    window.show_view("shipments")
    tab = window.views["shipments"].outgoing
    scan_into(qtbot, tab, samples["genuine"])  # received by High Street from North Wholesale
    assert tab.packs.rowCount() == 1
    wholesaler = next(i for i in range(tab.recipient.count())
                      if "North Wholesale" in tab.recipient.itemText(i))
    tab.recipient.setCurrentIndex(wholesaler)
    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.packs.rowCount() == 0, timeout=WAIT_MS)
    assert "Shipment signed: 1 packs to North Wholesale" in window.banner.text.text()
    assert "next sync round" in window.banner.text.text()
    key = parse_pack_code(samples["genuine"]).key
    record = window.service.node.ledger.pack(key)
    assert record.status.value == "in_transit" and record.recipient == "5012345000039"
    assert window.service.node.ledger.chain(key)[-1].type.value == "return"


def test_receive_a_shipment_by_scanning(qtbot, window) -> None:
    samples = window.demo.samples
    window.show_view("shipments")
    view = window.views["shipments"]
    tab = view.incoming
    assert view.tabs.currentWidget() is tab  # a pharmacy starts at goods-in
    qtbot.waitUntil(lambda: tab.expected.rowCount() == 2, timeout=WAIT_MS)
    assert "North Wholesale" in tab.choice.itemText(1)
    scan_into(qtbot, tab, samples["genuine_in_transit"])
    qtbot.waitUntil(lambda: len(tab.scanned) == 1, timeout=WAIT_MS)
    scan_into(qtbot, tab, samples["unknown_serial"])
    qtbot.waitUntil(lambda: tab.unexpected.rowCount() == 1, timeout=WAIT_MS)
    assert tab.summary.text() == "Scanned 1 of 2 · missing 1 · unexpected 1"
    assert len(tab.missing()) == 1
    qtbot.mouseClick(tab.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.expected.rowCount() == 1 and not tab.scanned, timeout=WAIT_MS)
    assert "Received 1 packs" in window.banner.text.text()
    assert "1 expected packs were not scanned" in window.banner.text.text()


def test_commission_a_small_lot_preview_save_and_recall(qtbot, window, monkeypatch,
                                                        tmp_path: Path) -> None:
    play_as(qtbot, window, Role.MANUFACTURER)
    view = window.views["commission"]
    qtbot.waitUntil(lambda: view.lots.rowCount() == 3, timeout=WAIT_MS)
    view.gtin.setCurrentText("05012345000015")
    view.lot.setText("T2601")
    view.count.setValue(5)
    qtbot.mouseClick(view.commission_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.preview_count() == 5 and view.lots.rowCount() == 4,
                    timeout=WAIT_MS)
    assert len(view.codes) == 5
    assert view.preview_title.text() == "First 5 labels of 5"
    pdf = tmp_path / "labels.pdf"
    view.save_labels(pdf)
    qtbot.waitUntil(lambda: view.label_task is None, timeout=WAIT_MS)
    assert pdf.read_bytes().startswith(b"%PDF")

    row = next(i for i, s in enumerate(view.lots.rows) if s.lot == "T2601")
    view.lot_table.selectRow(row)
    monkeypatch.setattr(dialogs, "ask_text", lambda *_: "Label misprint")
    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    qtbot.mouseClick(view.recall_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(s.lot == "T2601" and s.recalled for s in view.lots.rows),
                    timeout=WAIT_MS)


def test_commissioning_can_be_stopped_and_keeps_what_was_signed(qtbot, window) -> None:
    play_as(qtbot, window, Role.MANUFACTURER)
    view = window.views["commission"]
    qtbot.waitUntil(lambda: view.lots.rowCount() == 3, timeout=WAIT_MS)
    view.gtin.setCurrentText("05012345000015")
    view.lot.setText("STOP1")
    view.count.setValue(5000)
    # Press "Stop" as soon as the first signed event (1,000 packs) is reported.
    view.commission_progress.valueChanged.connect(
        lambda value: value and view.commission_cancel.click())
    qtbot.mouseClick(view.commission_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.commission_task is None, timeout=WAIT_MS * 4)
    assert 1000 <= len(view.codes) < 5000
    assert len(view.codes) % 1000 == 0
    assert "Stopped" in window.banner.text.text()
    assert view.commission_button.isEnabled() and view.commission_cancel.isHidden()


def test_label_sheet_can_be_cancelled(qtbot, window, tmp_path: Path) -> None:
    play_as(qtbot, window, Role.MANUFACTURER)
    view = window.views["commission"]
    view.codes = [parse_pack_code(window.demo.samples["genuine"])] * 200
    pdf = tmp_path / "cancelled.pdf"
    view.save_labels(pdf)
    view.cancel_labels()
    qtbot.waitUntil(lambda: view.label_task is None, timeout=WAIT_MS)
    assert not pdf.exists()


def _preview_lines(view) -> list[str]:  # type: ignore[no-untyped-def]
    cells = [view.preview_grid.itemAt(i).widget() for i in range(view.preview_count())]
    return [label.text() for cell in cells for label in cell.findChildren(QLabel)
            if label.text()]


def test_labels_are_gs1_datamatrix_unless_qr_is_chosen(qtbot, window, tmp_path: Path) -> None:
    play_as(qtbot, window, Role.MANUFACTURER)
    view = window.views["commission"]
    assert view.label_symbol() is LabelSymbol.DATA_MATRIX
    code = parse_pack_code(window.demo.samples["genuine"])
    view.codes = [code]
    view.symbol.setCurrentIndex(view.symbol.findData(LabelSymbol.QR))
    assert view.label_symbol() is LabelSymbol.QR
    qtbot.waitUntil(lambda: _preview_lines(view) == ["\n".join(code.label_lines())],
                    timeout=WAIT_MS)
    view.symbol.setCurrentIndex(view.symbol.findData(LabelSymbol.DATA_MATRIX))
    qtbot.waitUntil(lambda: _preview_lines(view) == ["\n".join(code.eu_label_lines())],
                    timeout=WAIT_MS)
    pdf = tmp_path / "labels.pdf"
    view.save_labels(pdf)
    qtbot.waitUntil(lambda: view.label_task is None, timeout=WAIT_MS)
    document = pdfium.PdfDocument(str(pdf))
    try:
        page = np.array(document[0].render(scale=300 / 72).to_pil().convert("L"))
    finally:
        document.close()
    (read,) = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.DataMatrix,
                                     text_mode=zxingcpp.TextMode.Plain)
    assert read.symbology_identifier == "]d2"
    assert read.text == code.to_element_string()


def test_inspector_shows_the_fork_alert(qtbot, window, tmp_path: Path) -> None:
    play_as(qtbot, window, Role.REGULATOR)
    assert window.current_view() == "inspector"
    view = window.views["inspector"]
    view.search(window.demo.samples["forked_chain"])
    qtbot.waitUntil(lambda: view.inspection is not None, timeout=WAIT_MS)
    assert view.results.rows[0].forked
    assert "Forked chain" in view.pack_alerts.text()
    assert view.summary.property("verdict") == "counterfeit"
    assert len(view.inspection.checks) == 2
    assert all(c.signature_ok and c.proof_ok for c in view.inspection.checks)
    assert view.chain.data(view.chain.index(0, 4)) == "✔ checked"
    assert view.graph.forked_depths == {0}
    qtbot.waitUntil(lambda: view.alerts.rowCount() >= 1, timeout=WAIT_MS)
    assert view.tabs.tabText(1).startswith("Alerts (")
    kinds = [a.kind for a in view.alerts.rows]
    view.alerts_view.selectRow(kinds.index("forked_chain"))
    qtbot.waitUntil(lambda: "commission" in view.evidence.toPlainText(), timeout=WAIT_MS)
    assert view.evidence.toPlainText().count("— Event") == 2

    # A pack commissioned in the same event as the cloned one carries no fork alert.
    view.search(window.demo.samples["not_in_custody"])
    qtbot.waitUntil(lambda: view.inspection is not None and view.inspection.report.code.serial
                    in window.demo.samples["not_in_custody"], timeout=WAIT_MS)
    assert view.pack_alerts.text() == "No alert names this pack."
    assert "No problem found" in view.summary.text()  # not "in your custody" for a regulator
    view.search(window.demo.samples["forked_chain"])
    qtbot.waitUntil(lambda: view.inspection is not None and view.inspection.report.code.serial
                    in window.demo.samples["forked_chain"], timeout=WAIT_MS)

    pdf = tmp_path / "report.pdf"
    view.export_report(pdf)
    qtbot.waitUntil(lambda: pdf.exists() and view.report_button.isEnabled(), timeout=WAIT_MS)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_inspector_search_by_lot_and_organisation(qtbot, window) -> None:
    play_as(qtbot, window, Role.REGULATOR)
    view = window.views["inspector"]
    view.search("R2403")
    qtbot.waitUntil(lambda: view.results.rowCount() == 4, timeout=WAIT_MS)
    view.search("medicines regulatory agency")  # holds no stock
    qtbot.waitUntil(lambda: "No pack" in view.result_count.text(), timeout=WAIT_MS)
    view.search("south wholesale")
    qtbot.waitUntil(lambda: view.results.rowCount() == 6, timeout=WAIT_MS)
    view.search("North Wholesale")
    qtbot.waitUntil(lambda: view.results.rowCount() == 16, timeout=WAIT_MS)
