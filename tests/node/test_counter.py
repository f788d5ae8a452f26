"""The counter's re-scan step (node/counter.py): a scanner's fault closes the first scan's
alert as a scanning error with the diagnosis as note; a confirmed verdict keeps it open."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.codes.gs1 import GS, PackCode
from supplychain.codes.keyboard_layouts import Layout, LayoutMixup, mistype
from supplychain.codes.scanner_faults import PrintedFields, ScannerFault
from supplychain.codes.scanner_text import parse_scanned
from supplychain.errors import CodeError, MalformedInput
from supplychain.ledger.alert_life import AlertState, ClosingReason
from supplychain.ledger.verdicts import Verdict
from supplychain.node.alerts import get_alert, list_alerts
from supplychain.node.counter import check_rescan, is_rescan
from supplychain.node.operations import Node
from tests.conftest import PHARMACY, Network, packs_at_pharmacy

pytestmark = pytest.mark.both_backends


def _counter(network: Network) -> tuple[Node, list[PackCode]]:
    """A pharmacy holding three packs of lot L1 (serials with letters), one reported."""
    codes = packs_at_pharmacy(network, 3)
    assert all(any(c.isalpha() for c in code.serial) for code in codes)
    pharmacy = network[PHARMACY]
    pharmacy.report(codes[2:], "seal broken")
    return pharmacy, codes


def _read(text: str) -> PackCode | None:
    try:
        return parse_scanned(text)
    except CodeError:
        return None


def _faulty(fault: ScannerFault, clean: str) -> str:
    if fault is ScannerFault.CAPS_LOCK:
        return clean.swapcase()
    if fault is ScannerFault.KEYBOARD_LAYOUT:
        return mistype(clean, LayoutMixup(Layout.US, Layout.FR))  # AZERTY computer
    if fault is ScannerFault.TRUNCATED:
        return clean[:-3]
    return clean.replace(GS, "")


@pytest.mark.parametrize("fault", list(ScannerFault))
def test_a_scanner_fault_closes_the_alert_as_a_scanning_error(network: Network,
                                                              fault: ScannerFault) -> None:
    pharmacy, codes = _counter(network)
    clean = codes[0].to_element_string()
    first = _faulty(fault, clean)
    assert pharmacy.verify(clean).verdict is Verdict.GENUINE
    outcome = check_rescan(pharmacy, first, clean, None)
    assert outcome.diagnosis.fault is fault
    assert outcome.report is not None and outcome.report.code == codes[0]
    assert outcome.report.verdict is Verdict.GENUINE
    if _read(first) not in (None, codes[0]):  # as another pack, unknown: an alert
        closed = outcome.closed
        assert closed is not None and outcome.alert == closed
        assert closed.state is AlertState.CLOSED
        assert closed.closing is ClosingReason.SCANNING_ERROR
        assert closed.note == outcome.diagnosis.explanation
        assert get_alert(pharmacy, closed.id) == closed  # signed in the pharmacy's log
        assert not outcome.confirmed
    else:  # the first scan read as no pack code, or as this pack: no alert was due
        assert outcome.alert is None and outcome.closed is None


def test_printed_fields_alone_close_the_alert(network: Network) -> None:
    pharmacy, codes = _counter(network)
    code = codes[0]
    first = code.to_digital_link().swapcase()
    printed = PrintedFields(gtin=code.gtin, serial=code.serial, lot="L1",
                            expiry=date(2030, 1, 1))  # EXP 01/2030, as printed
    outcome = check_rescan(pharmacy, first, None, printed)
    assert outcome.diagnosis.fault is ScannerFault.CAPS_LOCK
    assert outcome.closed is not None
    assert [a.id for a in list_alerts(pharmacy, state=AlertState.CLOSED)] == [outcome.closed.id]


def test_a_confirmed_verdict_keeps_the_alert_open(network: Network) -> None:
    pharmacy, codes = _counter(network)
    reported = codes[2].to_element_string()
    outcome = check_rescan(pharmacy, reported, reported + "\r\n", None)
    assert outcome.diagnosis.fault is None and outcome.diagnosis.corrected is None
    assert outcome.report is not None and outcome.report.verdict is Verdict.SUSPECT
    assert outcome.confirmed and outcome.closed is None
    alert = outcome.alert
    assert alert is not None and alert.state is AlertState.INVESTIGATING
    assert alert.note is not None and alert.note.startswith("Re-scan confirms: SUSPECT.")
    again = check_rescan(pharmacy, reported, reported, None)  # one alert, still open
    assert again.alert is not None and again.alert.id == alert.id
    assert again.alert.state is AlertState.INVESTIGATING


def test_a_fault_that_hid_a_suspect_pack_keeps_it_open(network: Network) -> None:
    pharmacy, codes = _counter(network)
    clean = codes[2].to_element_string()  # reported: SUSPECT once read right
    outcome = check_rescan(pharmacy, clean.swapcase(), clean, None)
    assert outcome.diagnosis.fault is ScannerFault.CAPS_LOCK
    assert outcome.report is not None and outcome.report.verdict is Verdict.SUSPECT
    assert outcome.confirmed
    misread = outcome.closed  # the unknown serial of the misread: a scanning error
    assert misread is not None and misread.closing is ClosingReason.SCANNING_ERROR
    assert misread.subject == f"{codes[2].gtin}/{codes[2].serial.swapcase()}"
    alert = outcome.alert  # the reported pack's own alert stays open
    assert alert is not None and alert.id != misread.id
    assert alert.subject == codes[2].key and alert.state is AlertState.INVESTIGATING


def test_nothing_to_compare_with(network: Network) -> None:
    pharmacy, codes = _counter(network)
    with pytest.raises(MalformedInput):
        check_rescan(pharmacy, codes[0].to_element_string(), None, PrintedFields())


def test_is_rescan_tells_the_same_pack_from_another(network: Network) -> None:
    _pharmacy, codes = _counter(network)
    first = codes[0].to_element_string()
    assert is_rescan(first, first)
    assert is_rescan(first.swapcase(), first)  # the pack a fault turned the first scan into
    assert is_rescan(first[:-4], first)
    assert not is_rescan(first, codes[1].to_element_string())  # another pack: a new scan
    assert not is_rescan(first, "https://example.com/promo")  # no pack code: a new scan
