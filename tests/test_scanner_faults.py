"""Tests for supplychain.codes.scanner_faults: the re-scan step's diagnosis of scanner faults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from supplychain.codes.gs1 import GS, PackCode
from supplychain.codes.keyboard_layouts import LAYOUT_MIXUPS, Layout, LayoutMixup, mistype
from supplychain.codes.scanner_faults import (
    NOT_A_FAULT,
    Diagnosis,
    PrintedFields,
    ScannerFault,
    diagnose,
)
from supplychain.codes.scanner_text import parse_scanned
from supplychain.errors import CodeError, MalformedInput
from supplychain.ids import GTIN
from tests.conftest import TEST_DATA
from tests.test_wedge import pack_codes

# Real scanner text: zxing-cpp's sample of an Indian pharma pack (serial with Y and Z).
REAL = (TEST_DATA / "barcodes" / "datamatrix-5" / "issue794-3-2.txt").read_text("utf-8")
REAL_CODE = PackCode(gtin=GTIN("08903819987659"), serial="Y2GNX9ZR37SE0DAAT436",
                     lot="BNav4Cam2", expiry=date(2031, 6, 30))
REAL_PRINTED = PrintedFields(gtin="8903819987659", serial="Y2GNX9ZR37SE0DAAT436",
                             lot="BNav4Cam2", expiry=date(2031, 6, 1))
CLEAN = "010950600013435217260630" + "10L1y" + GS + "21AbYz-9"
CLEAN_CODE = PackCode(gtin=GTIN("09506000134352"), serial="AbYz-9", lot="L1y",
                      expiry=date(2026, 6, 30))


def test_real_scan_reads_as_expected() -> None:
    assert parse_scanned(REAL) == REAL_CODE


# --- each fault, by hand ------------------------------------------------------------------


@pytest.mark.parametrize("printed", [None, REAL_PRINTED], ids=["rescan", "rescan+printed"])
def test_clean_scan_is_not_a_fault(printed: PrintedFields | None) -> None:
    assert diagnose(REAL, REAL + "\r\n", printed) == Diagnosis(None, None, NOT_A_FAULT)
    assert diagnose(REAL, None, REAL_PRINTED) == Diagnosis(None, None, NOT_A_FAULT)


def test_dropped_gs() -> None:
    # The re-scan with the separator, or the serial read off the pack, tells the split.
    for rescan, printed in [(REAL, None), (None, PrintedFields(serial=REAL_CODE.serial))]:
        found = diagnose(REAL.replace(GS, ""), rescan, printed)
        assert found.fault is ScannerFault.DROPPED_GS
        assert found.corrected == REAL_CODE
        assert "dropped the GS separators" in found.explanation
        assert "<GS>" in found.explanation


def test_dropped_gs_with_too_few_fields_typed_names_the_fault_but_no_code() -> None:
    # 10 and 21 both variable: "10L121X21S" splits as lot L1/serial X21S or lot L121X/serial S.
    first = "0109506000134352" + "10L121X" + "21S"
    found = diagnose(first, None, PrintedFields(gtin="09506000134352"))
    assert found.fault is ScannerFault.DROPPED_GS and found.corrected is None
    assert "Type the serial and lot" in found.explanation
    exact = diagnose(first, None, PrintedFields(serial="S"))
    assert exact.corrected == PackCode(gtin=GTIN("09506000134352"), serial="S", lot="L121X")


def test_caps_lock() -> None:
    found = diagnose(CLEAN.swapcase(), CLEAN, None)
    assert found == Diagnosis(ScannerFault.CAPS_LOCK, CLEAN_CODE, found.explanation)
    assert found.explanation.startswith("Caps Lock was on")
    assert "turn caps lock off" in found.explanation.lower()
    typed = diagnose(CLEAN.swapcase(), None, PrintedFields(serial="AbYz-9"))
    assert typed.fault is ScannerFault.CAPS_LOCK and typed.corrected == CLEAN_CODE


def test_caps_lock_on_a_digital_link() -> None:
    uri = CLEAN_CODE.to_digital_link()
    found = diagnose(uri.swapcase(), uri, None)
    assert found.fault is ScannerFault.CAPS_LOCK and found.corrected == CLEAN_CODE


def test_qwertz_swaps_y_and_z_on_the_real_scan() -> None:
    first = REAL.replace("Y", "\0").replace("Z", "Y").replace("\0", "Z")
    found = diagnose(first, REAL, None)
    assert found.fault is ScannerFault.KEYBOARD_LAYOUT and found.corrected == REAL_CODE
    assert "German (QWERTZ)" in found.explanation
    assert '"Z" came in for "Y"' in found.explanation
    assert "keyboard layout to match the computer's" in found.explanation


@pytest.mark.parametrize("mixup", LAYOUT_MIXUPS, ids=str)
def test_each_layout_mixup_on_element_string_and_digital_link(mixup: LayoutMixup) -> None:
    for clean in ["]d2" + CLEAN, CLEAN_CODE.to_digital_link()]:
        found = diagnose(mistype(clean, mixup), clean, None)
        assert found.fault is ScannerFault.KEYBOARD_LAYOUT, (mixup, found)
        assert found.corrected == CLEAN_CODE


def test_azerty_digits_typed_shifted() -> None:
    azerty_on_us = LayoutMixup(Layout.FR, Layout.US)
    first = mistype(CLEAN, azerty_on_us)
    assert first.startswith(")!)(%")  # "0109506..." typed with Shift on a US computer
    found = diagnose(first, None, PrintedFields(gtin="09506000134352", serial="AbYz-9"))
    assert found.fault is ScannerFault.KEYBOARD_LAYOUT and found.corrected == CLEAN_CODE
    assert "French (AZERTY)" in found.explanation
    assert "US English" in found.explanation


@pytest.mark.parametrize("cut", [1, 5, 20, len(REAL) - 3])
def test_truncated(cut: int) -> None:
    first = REAL[: len(REAL) - cut]
    exact = PrintedFields(gtin=REAL_CODE.gtin, serial=REAL_CODE.serial, lot=REAL_CODE.lot,
                          expiry=REAL_CODE.expiry)
    for rescan, printed in [(REAL, None), (None, exact)]:
        found = diagnose(first, rescan, printed)
        assert found.fault is ScannerFault.TRUNCATED and found.corrected == REAL_CODE
        assert f"({cut} characters missing)" in found.explanation


def test_truncated_before_the_expiry_takes_the_month_typed_as_its_last_day() -> None:
    first = REAL[:30]  # inside the serial
    found = diagnose(first, None, REAL_PRINTED)  # EXP typed as 2031-06-01
    assert found.fault is ScannerFault.TRUNCATED
    assert found.corrected == replace(REAL_CODE, expiry=date(2031, 6, 1))
    cut_in_expiry = REAL[: REAL.index("17310630") + 8]
    found = diagnose(cut_in_expiry, None, REAL_PRINTED)
    assert found.corrected == REAL_CODE  # the day the code holds


def test_printed_fields_overrule_a_rescan_with_the_same_fault() -> None:
    # Caps Lock still on for the re-scan: only the typed serial shows the case was wrong.
    found = diagnose(CLEAN.swapcase(), CLEAN.swapcase(), PrintedFields(serial="AbYz-9"))
    assert found.fault is ScannerFault.CAPS_LOCK and found.corrected == CLEAN_CODE


def test_unexplained_difference_gives_the_rescan_code() -> None:
    other = CLEAN.replace("AbYz-9", "Q7")
    found = diagnose(CLEAN, other, None)
    assert found.fault is None
    assert found.corrected == parse_scanned(other)
    assert "no known scanner fault" in found.explanation
    typed = diagnose(CLEAN, None, PrintedFields(serial="Q7"))
    assert typed.fault is None and typed.corrected is None
    assert "SN Q7" in typed.explanation


def test_unreadable_rescan_and_nothing_typed() -> None:
    found = diagnose(CLEAN, "hello", None)
    assert found.fault is None and found.corrected is None
    assert "could not be read either" in found.explanation


@pytest.mark.parametrize("printed", [None, PrintedFields()])
def test_nothing_to_compare_with(printed: PrintedFields | None) -> None:
    with pytest.raises(MalformedInput, match="scan the pack again or type the fields"):
        diagnose(CLEAN, "  \r\n", printed)


def test_printed_fields_compare_expiry_by_month_and_gtin_as_14_digits() -> None:
    assert PrintedFields(gtin="9506000134352", expiry=date(2026, 6, 1)).matches(CLEAN_CODE)
    assert not PrintedFields(expiry=date(2026, 7, 1)).matches(CLEAN_CODE)
    assert not PrintedFields(lot="L2").matches(CLEAN_CODE)
    assert PrintedFields(gtin="9506000134352", serial="S").code() == PackCode(
        gtin=GTIN("09506000134352"), serial="S")
    assert PrintedFields(gtin="123", serial="S").code() is None
    assert not PrintedFields(gtin="09506000134353").matches(CLEAN_CODE)  # bad check digit


# --- properties ---------------------------------------------------------------------------


def _reads_as(text: str) -> PackCode | None:
    try:
        return parse_scanned(text)
    except CodeError:
        return None


def _printed(code: PackCode) -> PrintedFields:
    return PrintedFields(gtin=code.gtin, serial=code.serial, lot=code.lot, expiry=code.expiry)


renderings: st.SearchStrategy[Callable[[PackCode], str]] = st.sampled_from([
    PackCode.to_element_string,
    lambda code: "]d2" + code.to_element_string(),
    PackCode.to_digital_link,
])


@given(code=pack_codes(), render=renderings, by_printed=st.booleans())
def test_clean_scan_is_never_a_fault(code: PackCode, render: Callable[[PackCode], str],
                                     by_printed: bool) -> None:
    clean = render(code)
    assume(_reads_as(clean) == code)  # a GS-less code may split more than one way
    found = diagnose(clean, None if by_printed else clean, _printed(code) if by_printed else None)
    assert found == Diagnosis(None, None, NOT_A_FAULT)


@given(code=pack_codes(), by_printed=st.booleans())
def test_dropped_gs_is_recovered(code: PackCode, by_printed: bool) -> None:
    clean = code.to_element_string()
    assume(GS in clean)
    assume(_reads_as(clean) == code)
    _check(ScannerFault.DROPPED_GS, code, clean, clean.replace(GS, ""), by_printed)


@given(code=pack_codes(), render=renderings, by_printed=st.booleans())
def test_caps_lock_is_recovered(code: PackCode, render: Callable[[PackCode], str],
                                by_printed: bool) -> None:
    clean = render(code)
    first = clean.swapcase()
    assume(_reads_as(clean) == code and _reads_as(first) != code)
    _check(ScannerFault.CAPS_LOCK, code, clean, first, by_printed)


@given(code=pack_codes(), render=renderings, mixup=st.sampled_from(LAYOUT_MIXUPS),
       by_printed=st.booleans())
def test_keyboard_layout_is_recovered(code: PackCode, render: Callable[[PackCode], str],
                                      mixup: LayoutMixup, by_printed: bool) -> None:
    clean = render(code)
    first = mistype(clean, mixup)
    assume(_reads_as(clean) == code and _reads_as(first) != code)
    _check(ScannerFault.KEYBOARD_LAYOUT, code, clean, first, by_printed)


@given(code=pack_codes(), render=renderings, data=st.data(), by_printed=st.booleans())
def test_truncated_is_recovered(code: PackCode, render: Callable[[PackCode], str],
                                data: st.DataObject, by_printed: bool) -> None:
    clean = render(code)
    assume(_reads_as(clean) == code)
    cut = data.draw(st.integers(1, len(clean) - 1))
    first = clean[: len(clean) - cut]
    assume(not first.endswith(GS))  # a cut right after GS reads as the same cut before it
    found = _check(ScannerFault.TRUNCATED, code, clean, first, by_printed)
    assert f"({cut} characters missing)" in found.explanation


def _check(fault: ScannerFault, code: PackCode, clean: str, first: str,
           by_printed: bool) -> Diagnosis:
    rescan, printed = (None, _printed(code)) if by_printed else (clean, None)
    found = diagnose(first, rescan, printed)
    assert found.fault is fault, found
    assert found.corrected == code
    return found


@pytest.mark.parametrize(("typed", "expiry"), [
    ("2026-06-30", date(2026, 6, 30)), ("30.06.2026", date(2026, 6, 30)),
    ("2026-06", date(2026, 6, 30)), ("06/2026", date(2026, 6, 30)), ("2/28", date(2028, 2, 29)),
    ("260630", date(2026, 6, 30)), ("260600", date(2026, 6, 30)), (" ", None),
])
def test_printed_fields_from_typed_text(typed: str, expiry: date | None) -> None:
    fields = PrintedFields.from_text(" 9506000134352 ", "AbYz-9", "", typed)
    assert fields == PrintedFields("9506000134352", "AbYz-9", None, expiry)


@pytest.mark.parametrize("typed", ["June 2026", "2026-13-01", "31/02/2026", "2026-02-30"])
def test_printed_expiry_that_is_no_date(typed: str) -> None:
    with pytest.raises(MalformedInput, match="is not a date: type it as printed"):
        PrintedFields.from_text(expiry=typed)
