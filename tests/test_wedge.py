"""Tests for supplychain.codes.scanner_text: what USB keyboard-wedge scanners type."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from supplychain.codes.gs1 import PackCode, gtin_check_digit, parse_pack_code
from supplychain.codes.scanner_text import (
    AMBIGUOUS_SPLIT,
    DEFAULT_GS_SUBSTITUTES,
    normalise_scanner_text,
    parse_scanned,
)
from supplychain.errors import CodeError, DamagedCode, NotAPackCode
from supplychain.ids import GTIN
from tests.conftest import TEST_DATA

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
SYMBOLOGY_PREFIXES = ["", "]d2", "]Q3", "]C1", "]e0"]
BARCODES = TEST_DATA / "barcodes"
REAL_FILES = sorted(BARCODES.glob("**/*.txt"))
_THIS_YEAR = date.today().year


def pack_codes() -> st.SearchStrategy[PackCode]:
    """Random valid pack codes (dates well inside GS1's +-50 year window)."""
    cset82 = st.text(alphabet=CSET82, min_size=1, max_size=20)
    bodies = st.text(alphabet="0123456789", min_size=13, max_size=13)
    return st.builds(
        PackCode,
        gtin=bodies.map(lambda body: GTIN(body + gtin_check_digit(body))),
        serial=cset82,
        lot=st.none() | cset82,
        expiry=st.none() | st.dates(date(_THIS_YEAR - 40, 1, 1), date(_THIS_YEAR + 40, 12, 31)),
    )


def read_barcode_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


GTIN14 = GTIN("09506000134352")
FULL = PackCode(gtin=GTIN14, serial="ABC", lot="L1", expiry=date(2026, 6, 30))
CLEAN = "010950600013435221ABC\x1d10L1\x1d17260630"


@pytest.mark.parametrize("substitute", DEFAULT_GS_SUBSTITUTES)
def test_substitutes_become_gs(substitute: str) -> None:
    typed = CLEAN.replace("\x1d", substitute)
    assert normalise_scanner_text(typed) == CLEAN
    assert parse_scanned(typed) == FULL


def test_custom_substitute() -> None:
    typed = CLEAN.replace("\x1d", "~")
    assert normalise_scanner_text(typed, gs_substitutes=["~"]) == CLEAN
    assert parse_scanned(typed, gs_substitutes=["~"]) == FULL


@pytest.mark.parametrize("enter", ["\r\n", "\n", "\r", ""])
@pytest.mark.parametrize("prefix", ["", "]d2", "]Q3"])
def test_enter_stripped_and_symbology_kept(enter: str, prefix: str) -> None:
    assert normalise_scanner_text(prefix + CLEAN + enter) == prefix + CLEAN
    assert parse_scanned(prefix + CLEAN + enter) == FULL


def test_digital_link_and_bracketed_pass_through() -> None:
    uri = FULL.to_digital_link()
    assert normalise_scanner_text(uri + "\r\n") == uri
    assert parse_scanned(FULL.to_human_readable() + "\n") == FULL


# --- separators dropped ------------------------------------------------------------------


def test_recovers_serial_then_trailing_expiry() -> None:
    text = "0109506000134352211234567891017260630\r\n"
    assert normalise_scanner_text(text) == "01095060001343522112345678910\x1d17260630"
    assert parse_scanned(text) == PackCode(GTIN14, "12345678910", None, date(2026, 6, 30))


def test_fixed_length_fields_need_no_separator() -> None:
    text = "01095060001343521724063010LOT123"
    assert normalise_scanner_text(text) == text
    with pytest.raises(NotAPackCode, match="no serial number"):
        parse_scanned(text)
    assert parse_scanned("01095060001343521724063021SER") == PackCode(
        GTIN14, "SER", None, date(2024, 6, 30)
    )


def test_recovers_lot_then_serial() -> None:
    text = "01095060001343521724063010LOT21SERIAL"
    assert normalise_scanner_text(text) == "01095060001343521724063010LOT\x1d21SERIAL"
    assert parse_scanned(text) == PackCode(GTIN14, "SERIAL", "LOT", date(2024, 6, 30))


def test_recovers_real_code_with_dropped_separator() -> None:
    text = "]d2010890381998765921Y2GNX9ZR37SE0DAAT4361731063010BNav4Cam2"
    assert parse_scanned(text) == PackCode(
        GTIN("08903819987659"), "Y2GNX9ZR37SE0DAAT436", "BNav4Cam2", date(2031, 6, 30)
    )


@pytest.mark.parametrize(
    "text",
    [
        "010950600013435221AB10CD",  # serial AB10CD, or serial AB + lot CD?
        "01095060001343521726063010AB21CD21EF",  # the lot or the serial holds '21'
    ],
)
def test_ambiguous_split_is_refused(text: str) -> None:
    with pytest.raises(DamagedCode) as info:
        normalise_scanner_text(text)
    assert str(info.value) == AMBIGUOUS_SPLIT
    with pytest.raises(DamagedCode, match="cannot be split unambiguously"):
        parse_scanned(text)


def test_unsplittable_codes_keep_their_specific_error() -> None:
    with pytest.raises(DamagedCode, match="should be 2, not 3"):
        parse_scanned("010950600013435321ABC10L1")
    with pytest.raises(NotAPackCode, match="SSCC"):
        parse_scanned("00106141411234567897")
    with pytest.raises(NotAPackCode, match="plain text"):
        parse_scanned("hello\r\n")


def test_gs_free_code_with_one_valid_split_is_kept() -> None:
    text = "01095060001343521726063021ABC"
    assert normalise_scanner_text(text) == text
    assert parse_scanned(text) == PackCode(GTIN14, "ABC", None, date(2026, 6, 30))


# --- properties -----------------------------------------------------------------------------


@given(
    pack_codes().filter(lambda c: c.lot is not None),
    st.sampled_from(SYMBOLOGY_PREFIXES),
    st.sampled_from(["", "\r\n", "\n"]),
)
def test_gs_substitute_round_trip(code: PackCode, prefix: str, enter: str) -> None:
    assume("<GS>" not in code.serial and "<GS>" not in (code.lot or ""))
    typed = prefix + code.to_element_string(gs="<GS>") + enter
    # With no separator at all (serial is the only variable field), a split may be refused.
    assume("<GS>" in typed)
    assert normalise_scanner_text(typed) == prefix + code.to_element_string()
    assert parse_scanned(typed) == code


@given(pack_codes().filter(lambda c: c.expiry is not None))
def test_dropped_separators_never_give_a_wrong_pack(code: PackCode) -> None:
    """With the expiry used up, a recovered split is the true one, or the scan is refused."""
    try:
        result = parse_scanned(code.to_element_string(gs=""), gs_substitutes=())
    except DamagedCode as exc:
        assert str(exc) == AMBIGUOUS_SPLIT
    else:
        assert result == code


@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_code_errors(text: str) -> None:
    try:
        parse_scanned(text)
    except CodeError:
        pass


@given(st.text(alphabet="0123456789ABL", max_size=70))
def test_digit_soup_raises_only_code_errors(tail: str) -> None:
    try:
        parse_scanned("0109506000134352" + tail)
    except CodeError:
        pass


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_barcode_texts_raise_only_code_errors(path: Path) -> None:
    text = read_barcode_text(path)
    try:
        result = parse_scanned(text)
    except CodeError:
        return
    assert isinstance(result, PackCode)
    assert result == parse_pack_code(text)
