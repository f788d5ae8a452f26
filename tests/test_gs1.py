"""Tests for supplychain.codes.gs1: parsing and writing GS1 pack codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.codes.gs1 import (
    PackCode,
    expiry_to_yymmdd,
    gtin_check_digit,
    gtin_in_prefix,
    parse_pack_code,
    validate_gln,
    validate_gtin,
)
from supplychain.errors import CodeError, DamagedCode, NotAPackCode
from supplychain.ids import GTIN
from tests.conftest import TEST_DATA

GTIN14 = GTIN("09506000134352")
FULL = PackCode(gtin=GTIN14, serial="ABC", lot="L1", expiry=date(2026, 6, 30))
BARCODES = TEST_DATA / "barcodes"
SYMBOLOGY_PREFIXES = ["", "]d2", "]Q3", "]C1", "]e0"]

# --- writing ----------------------------------------------------------------------


def test_key() -> None:
    assert FULL.key == "09506000134352/ABC"


def test_to_digital_link() -> None:
    assert FULL.to_digital_link() == "https://id.gs1.org/01/09506000134352/21/ABC?10=L1&17=260630"
    bare = PackCode(gtin=GTIN14, serial="A/B%C")
    assert bare.to_digital_link("https://example.com/") == (
        "https://example.com/01/09506000134352/21/A%2FB%25C"
    )
    assert PackCode(gtin=GTIN14, serial="S", lot="L&1").to_digital_link().endswith("?10=L%261")


def test_to_element_string() -> None:
    assert FULL.to_element_string() == "01095060001343521726063010L1\x1d21ABC"
    assert FULL.to_element_string(gs="<GS>") == "01095060001343521726063010L1<GS>21ABC"
    assert PackCode(gtin=GTIN14, serial="ABC").to_element_string() == "010950600013435221ABC"


def test_to_human_readable_and_label_lines() -> None:
    assert FULL.to_human_readable() == "(01)09506000134352(21)ABC(10)L1(17)260630"
    assert FULL.label_lines() == ["GTIN 09506000134352", "SN ABC", "LOT L1", "EXP 2026-06-30"]
    assert PackCode(gtin=GTIN14, serial="X").label_lines() == ["GTIN 09506000134352", "SN X"]


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"gtin": "09506000134353", "serial": "A"}, "digit should be 2"),
        ({"gtin": "9506000134352", "serial": "A"}, "14 digits"),
        ({"gtin": GTIN14, "serial": ""}, "serial number"),
        ({"gtin": GTIN14, "serial": "A B"}, "no spaces"),
        ({"gtin": GTIN14, "serial": "A" * 21}, "1 to 20"),
        ({"gtin": GTIN14, "serial": "A", "lot": "é"}, "batch/lot"),
    ],
)
def test_packcode_rejects_bad_fields(kwargs: dict[str, str], phrase: str) -> None:
    with pytest.raises(DamagedCode, match=phrase):
        PackCode(**kwargs)  # type: ignore[arg-type]


# --- accepted forms ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://id.gs1.org/01/09506000134352/21/ABC?10=L1&17=260630",
        "http://example.com/01/09506000134352/21/ABC?17=260630&10=L1",
        "https://brand.example/some/prefix/01/09506000134352/21/ABC?10=L1&17=260630",
        "https://id.gs1.org/01/09506000134352/10/L1/21/ABC?17=260630",
        "https://id.gs1.org/01/09506000134352/21/ABC?10=L1&17=260630&linkType=gs1:pip",
        "HTTPS://ID.GS1.ORG/01/09506000134352/21/ABC?10=L1&17=260630",
        "https://id.gs1.org/01/9506000134352/21/ABC?10=L1&17=260630",
        "010950600013435221ABC\x1d10L1\x1d17260630",
        "01095060001343521726063010L1\x1d21ABC",
        "01095060001343521726060010L1\x1d21ABC",  # day 00: last day of the month
        "(01)09506000134352(21)ABC(10)L1(17)260630",
        "(01) 09506000134352 (17) 260630 (10) L1 (21) ABC",
        "  010950600013435221ABC\x1d10L1\x1d17260630\r\n",
    ],
)
def test_accepted_forms(text: str) -> None:
    assert parse_pack_code(text) == FULL


@pytest.mark.parametrize("prefix", SYMBOLOGY_PREFIXES + ["]Q1", "]d1"])
@pytest.mark.parametrize(
    "body",
    [
        "010950600013435221ABC\x1d10L1\x1d17260630",
        "(01)09506000134352(21)ABC(10)L1(17)260630",
        "https://id.gs1.org/01/09506000134352/21/ABC?10=L1&17=260630",
    ],
)
def test_symbology_prefixes(prefix: str, body: str) -> None:
    assert parse_pack_code(prefix + body) == FULL


def test_percent_encoded_serial_and_lot() -> None:
    code = parse_pack_code("https://id.gs1.org/01/09506000134352/21/A%2FB%25?10=L%261")
    assert (code.serial, code.lot, code.expiry) == ("A/B%", "L&1", None)


def test_optional_lot_and_expiry() -> None:
    assert parse_pack_code("010950600013435221ABC") == PackCode(gtin=GTIN14, serial="ABC")


def test_extra_known_ais_are_accepted() -> None:
    text = "01095040000591012112345678p901\x1d101234567p\x1d171411208200http://www.gs1.org/demo/"
    assert parse_pack_code(text) == PackCode(
        gtin=GTIN("09504000059101"),
        serial="12345678p901",
        lot="1234567p",
        expiry=date(2014, 11, 20),
    )


# --- rejected forms ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "error", "phrase"),
    [
        ("https://example.com/products/1", NotAPackCode, "This is a web link (https://example.com"),
        ("https://example.com/blog/2024/01/x", NotAPackCode, "web link"),
        ("ftp://example.com/01/09506000134352", NotAPackCode, "link"),
        ("WIFI:S:clinic;T:WPA;P:secret;;", NotAPackCode, "Wi-Fi"),
        ("BEGIN:VCARD\nEND:VCARD", NotAPackCode, "contact card"),
        ("hello world", NotAPackCode, "plain text"),
        ("", NotAPackCode, "empty"),
        ("   \r\n", NotAPackCode, "empty"),
        ("5901234123457", NotAPackCode, "retail product barcode without a serial number"),
        ("]E05901234123457", NotAPackCode, "retail product barcode"),
        ("09506000134352", NotAPackCode, "retail product barcode"),
        ("00106141411234567897", NotAPackCode, "shipping case/pallet code (SSCC"),
        ("(00)106141411234567897", NotAPackCode, "SSCC"),
        ("https://id.gs1.org/00/106141411234567897", NotAPackCode, "SSCC"),
        ("0109506000134352", NotAPackCode, "no serial number"),
        ("0109506000134352\x1d10L1\x1d17260630", NotAPackCode, "no serial number"),
        ("https://id.gs1.org/01/09506000134352?10=L1", NotAPackCode, "no serial number"),
        ("https://id.gs1.org/414/9506000134352", NotAPackCode, "no product code"),
        ("10L1\x1d21ABC", NotAPackCode, "no product code"),
        ("010950600013435321ABC", DamagedCode, "should be 2, not 3"),
        ("https://id.gs1.org/01/09506000134353/21/ABC", DamagedCode, "should be 2, not 3"),
        ("(01)09506000134353(21)ABC", DamagedCode, "should be 2, not 3"),
        ("010950600013435221ABC\x1d17261340", DamagedCode, "261340 is not a real date"),
        ("010950600013435221ABC\x1d17260231", DamagedCode, "260231 is not a real date"),
        ("https://id.gs1.org/01/09506000134352/21/ABC?17=261340", DamagedCode, "not a real date"),
        ("(01)09506000134352(21)ABC(17)261340", DamagedCode, "cannot be read"),
        ("010950600013435221", DamagedCode, "serial number (AI 21) is empty"),
        ("010950600013435221\x1d10L1", DamagedCode, "serial number (AI 21) is empty"),
        ("https://id.gs1.org/01/09506000134352/21/", DamagedCode, "serial number (AI 21) is empty"),
        ("(01)09506000134352(21)", DamagedCode, "empty"),
        ("01095060001343", DamagedCode, "only 12 digits where 14"),
        ("]d20109506000", DamagedCode, "only 8 digits where 14"),
        ("010950600013435221ABC\x1dXYZ", DamagedCode, "after the valid part"),
        ("010950600013435221ABC\x1d17260630junk", DamagedCode, "after the valid part"),
        ("010950600013435221ABCDEFGHIJKLMNOPQRSTUVWXYZ", DamagedCode, "longer than allowed"),
        ("(01)09506000134352(21)ABC(xx)junk", DamagedCode, "not GS1 fields"),
        ("010950600013435221ABC\x1d21ABD", DamagedCode, "two different values"),
        ("https://id.gs1.org/01/09506000134352/21/AB/10/X", DamagedCode, "damaged or incomplete"),
        ("https://id.gs1.org/01/09506000134352/21/A%20B", DamagedCode, "not valid"),
        ("]d2hello", DamagedCode, "not a GS1 field"),
    ],
)
def test_rejected_forms(text: str, error: type[CodeError], phrase: str) -> None:
    with pytest.raises(error) as info:
        parse_pack_code(text)
    assert type(info.value) is error
    assert phrase in str(info.value)


# --- small helpers ---------------------------------------------------------------------


def test_gtin_check_digit() -> None:
    assert gtin_check_digit("0950600013435") == "2"
    assert gtin_check_digit("590123412345") == "7"
    with pytest.raises(ValueError):
        gtin_check_digit("12a")


@pytest.mark.parametrize(
    ("text", "gtin14"),
    [
        ("96385074", "00000096385074"),
        ("614141000036", "00614141000036"),
        ("5901234123457", "05901234123457"),
        ("09506000134352", "09506000134352"),
        (" 5901234123457\n", "05901234123457"),
    ],
)
def test_validate_gtin(text: str, gtin14: str) -> None:
    assert validate_gtin(text) == gtin14


def test_validate_gtin_errors() -> None:
    with pytest.raises(DamagedCode, match="should be 7, not 8"):
        validate_gtin("5901234123458")
    with pytest.raises(DamagedCode, match="10 digits"):
        validate_gtin("1234567890")
    with pytest.raises(NotAPackCode, match="only digits"):
        validate_gtin("59012341234X7")


def test_validate_gln() -> None:
    assert validate_gln("9506000134352") == "9506000134352"
    with pytest.raises(DamagedCode, match="should be 2, not 3"):
        validate_gln("9506000134353")
    with pytest.raises(DamagedCode, match="13 digits"):
        validate_gln("09506000134352")


def test_gtin_in_prefix() -> None:
    assert gtin_in_prefix(GTIN14, "9506000")
    assert gtin_in_prefix(GTIN14, "950600013")
    assert not gtin_in_prefix(GTIN14, "0950600")
    assert not gtin_in_prefix(GTIN14, "9506001")
    with pytest.raises(ValueError):
        gtin_in_prefix(GTIN14, "95O6")


def test_expiry_to_yymmdd() -> None:
    assert expiry_to_yymmdd(date(2026, 6, 30)) == "260630"
    assert expiry_to_yymmdd(date(2031, 1, 2)) == "310102"


# --- properties --------------------------------------------------------------------------

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_THIS_YEAR = date.today().year


@st.composite
def gtins(draw: st.DrawFn) -> GTIN:
    body = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    return GTIN(body + gtin_check_digit(body))


def cset82(alphabet: str = CSET82) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=1, max_size=20)


# GS1 reads YY within -49..+50 years of today; stay well inside that window.
expiries = st.dates(min_value=date(_THIS_YEAR - 40, 1, 1), max_value=date(_THIS_YEAR + 40, 12, 31))


def pack_codes(alphabet: str = CSET82) -> st.SearchStrategy[PackCode]:
    return st.builds(
        PackCode,
        gtin=gtins(),
        serial=cset82(alphabet),
        lot=st.none() | cset82(alphabet),
        expiry=st.none() | expiries,
    )


@given(pack_codes(), st.sampled_from(["https://id.gs1.org", "http://example.com/x/"]))
def test_digital_link_round_trip(code: PackCode, domain: str) -> None:
    assert parse_pack_code(code.to_digital_link(domain)) == code


@given(pack_codes(), st.sampled_from(SYMBOLOGY_PREFIXES))
def test_element_string_round_trip(code: PackCode, prefix: str) -> None:
    assert parse_pack_code(prefix + code.to_element_string()) == code


@given(pack_codes(CSET82.replace("(", "")))
def test_human_readable_round_trip(code: PackCode) -> None:
    assert parse_pack_code(code.to_human_readable()) == code


@given(pack_codes(), st.integers(0, 13), st.integers(1, 9))
def test_changed_gtin_digit_is_damaged(code: PackCode, position: int, delta: int) -> None:
    digit = str((int(code.gtin[position]) + delta) % 10)
    bad = code.gtin[:position] + digit + code.gtin[position + 1 :]
    texts = [code.to_element_string(), code.to_digital_link()]
    if "(" not in code.serial + (code.lot or ""):
        texts.append(code.to_human_readable())
    for text in texts:
        with pytest.raises(DamagedCode, match="check"):
            parse_pack_code(text.replace(code.gtin, bad, 1))


@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_code_errors(text: str) -> None:
    try:
        parse_pack_code(text)
    except CodeError:
        pass


# --- real barcode texts ------------------------------------------------------------------

EXP_2031 = date(2031, 6, 30)
REAL_FILES = sorted(BARCODES.glob("**/*.txt"))


def read_barcode_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_barcode_texts_raise_only_code_errors(path: Path) -> None:
    try:
        result = parse_pack_code(read_barcode_text(path))
    except CodeError:
        return
    assert isinstance(result, PackCode)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "datamatrix-4/gs1-figure-4.15.1-2-44x20.txt",
            PackCode(GTIN("09504000059101"), "12345678p901", "1234567p", date(2014, 11, 20)),
        ),
        (
            "datamatrix-5/issue794-3-2.txt",
            PackCode(GTIN("08903819987659"), "Y2GNX9ZR37SE0DAAT436", "BNav4Cam2", EXP_2031),
        ),
        (
            "datamatrix-5/issue794-12-1.txt",
            PackCode(GTIN("08903819987659"), "S1ND6MPPFCGG6B869XES", "BNav4Cam2", EXP_2031),
        ),
    ],
)
def test_real_gs1_pack_codes(name: str, expected: PackCode) -> None:
    assert parse_pack_code(read_barcode_text(BARCODES / name)) == expected
