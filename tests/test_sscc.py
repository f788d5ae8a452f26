"""Tests for supplychain.codes.sscc: case and pallet codes (SSCC, AI 00) in every scanned form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.codes.gs1 import PackCode, gtin_check_digit
from supplychain.codes.sscc import (
    ContainerCode,
    looks_like_sscc,
    make_sscc,
    parse_pack_or_container,
    parse_sscc,
    sscc_in_prefix,
)
from supplychain.errors import DamagedCode, NotAContainerCode, NotAPackCode

# GS1 General Specifications' worked SSCC example: extension 3, prefix 0614141, reference
# 123456789, check digit 1 (GS1 General Specifications, section 2.2.1 / 7.9 check digit).
SSCC = "306141411234567891"


def forms(sscc: str) -> list[str]:
    """Every way a scanner or a person hands us the same SSCC."""
    return [
        sscc,
        f"00{sscc}",
        f"]d200{sscc}",      # GS1 DataMatrix symbology identifier
        f"]C100{sscc}",      # GS1-128
        f"]Q300{sscc}",      # GS1 QR
        f"00{sscc}\x1d",
        f"(00){sscc}",
        f"(00) {sscc}",
        f"https://id.gs1.org/00/{sscc}",
        f"https://example.com/dl/00/{sscc}?linkType=all",
        f"  {sscc[0]} {sscc[1:8]} {sscc[8:17]} {sscc[17]}  ",  # as printed under a barcode
        f"(00){sscc}(02)09506000134352(37)40",                    # logistic label, more fields
        f"00{sscc}0209506000134352\x1d3740",
    ]


def test_make_sscc_matches_the_gs1_worked_example() -> None:
    assert make_sscc("0614141", 123456789, extension=3) == SSCC


@pytest.mark.parametrize("text", forms(SSCC))
def test_every_form_reads_as_the_same_container(text: str) -> None:
    assert looks_like_sscc(text)
    assert parse_sscc(text) == ContainerCode(SSCC)
    assert parse_pack_or_container(text) == ContainerCode(SSCC)


@given(prefix=st.from_regex(r"[0-9]{7,10}", fullmatch=True),
       reference=st.integers(min_value=0, max_value=999_999),
       extension=st.integers(min_value=0, max_value=9),
       which=st.integers(min_value=0, max_value=len(forms(SSCC)) - 1))
def test_built_ssccs_read_back_in_every_form(prefix: str, reference: int, extension: int,
                                             which: int) -> None:
    sscc = make_sscc(prefix, reference, extension)
    assert len(sscc) == 18 and sscc[-1] == gtin_check_digit(sscc[:-1])
    assert sscc_in_prefix(sscc, prefix)
    assert parse_sscc(forms(sscc)[which]).sscc == sscc


@given(position=st.integers(min_value=0, max_value=17), digit=st.sampled_from("0123456789"))
def test_any_single_wrong_digit_is_refused(position: int, digit: str) -> None:
    wrong = SSCC[:position] + digit + SSCC[position + 1:]
    if wrong == SSCC:
        return
    with pytest.raises(DamagedCode, match="check"):
        parse_sscc(f"(00){wrong}")


def test_wrong_check_digit_names_the_expected_digit() -> None:
    with pytest.raises(DamagedCode, match="should be 1, not 0"):
        parse_sscc("00306141411234567890")


@pytest.mark.parametrize("text", ["0030614141123456789", "(00)3061414112345", "https://id.gs1.org/00/123"])
def test_truncated_sscc_is_damaged_not_a_pack(text: str) -> None:
    with pytest.raises(DamagedCode, match="an SSCC has 18"):
        parse_pack_or_container(text)


@pytest.mark.parametrize("text", ["]d2010950600013435221ABC", "https://id.gs1.org/01/09506000134352/21/ABC",
                                  "hello", "https://example.com/x"])
def test_pack_codes_and_other_text_are_not_containers(text: str) -> None:
    assert not looks_like_sscc(text)
    with pytest.raises(NotAContainerCode, match="not a case or pallet code"):
        parse_sscc(text)


def test_a_pack_code_still_parses_as_a_pack() -> None:
    assert parse_pack_or_container("]d2010950600013435221ABC") == PackCode("09506000134352", "ABC")
    with pytest.raises(NotAPackCode):
        parse_pack_or_container("hello")


def test_prefix_ownership() -> None:
    assert sscc_in_prefix(SSCC, "0614141")
    assert not sscc_in_prefix(SSCC, "3061414")  # the extension digit is not part of the prefix


def test_make_sscc_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError):
        make_sscc("0614141", 10**9, 0)
    with pytest.raises(ValueError):
        make_sscc("06141", 1, 0)
    with pytest.raises(ValueError):
        make_sscc("0614141", 1, 10)


def test_container_code_writes_every_form() -> None:
    code = ContainerCode(SSCC)
    assert code.to_element_string() == f"00{SSCC}"
    assert code.to_digital_link() == f"https://id.gs1.org/00/{SSCC}"
    assert code.to_human_readable() == f"(00) {SSCC}"
    for text in (code.to_element_string(), code.to_digital_link(), code.to_human_readable()):
        assert parse_sscc(text) == code
