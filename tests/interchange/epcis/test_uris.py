"""EPC URIs and Digital Links: Tag Data Standard vectors, bad identifiers, round trips, and
prefix lengths."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.codes.gs1 import PackCode, gtin_check_digit
from supplychain.codes.sscc import ContainerCode, make_sscc
from supplychain.errors import EpcisError
from supplychain.interchange.epcis.uris import (
    PrefixResolver,
    lgtin_uri,
    parse_epc,
    parse_gln_uri,
    parse_lgtin,
    parse_pack_epc,
    parse_sgtin,
    parse_sscc_epc,
    pgln_uri,
    sgln_uri,
    sgtin_uri,
    sscc_uri,
)
from tests.conftest import DIST_A, GTIN, MAKER, MEMBERS
from tests.interchange.epcis.helpers import CSET82


def test_sgtin_vector_from_the_tag_data_standard() -> None:
    assert sgtin_uri("80614141123458", "6789", 7) == "urn:epc:id:sgtin:0614141.812345.6789"
    assert parse_sgtin("urn:epc:id:sgtin:0614141.812345.6789") == ("80614141123458", "6789")
    assert sgtin_uri("80614141123458", 'A/B%"?', 7) == \
        "urn:epc:id:sgtin:0614141.812345.A%2FB%25%22%3F"
    assert sgln_uri("0614141000005", 7) == "urn:epc:id:sgln:0614141.00000.0"
    assert parse_gln_uri("urn:epc:id:sgln:0614141.07346.1234") == "0614141073467"
    assert parse_gln_uri("urn:epc:id:pgln:0614141.00001") == "0614141000012"
    assert parse_gln_uri("https://id.gs1.org/414/0614141000012") == "0614141000012"
    assert parse_lgtin("urn:epc:class:lgtin:4012345.012345.998877") == ("04012345123456",
                                                                         "998877")


@pytest.mark.parametrize(("uri", "phrase"), [
    ("urn:epc:id:sgtin:06141.8123456.1", "13 digits together"),          # prefix too short
    ("urn:epc:id:sgtin:0614141.81234.1", "13 digits together"),          # a digit missing
    ("urn:epc:id:sgtin:0614141.812345.A%41", "not one of the escapes"),
    ("urn:epc:id:sgtin:0614141.812345.A#B", "must not contain"),
    ("urn:epc:id:sgtin:0614141.812345.", "empty"),
    ("urn:epc:id:sscc:0614141.1234567890", "is a case or pallet .SSCC., not a pack"),
    ("https://id.gs1.org/00/106141412345678908", "is a case or pallet .SSCC., not a pack"),
    ("urn:epc:id:grai:0614141.12345.400", "not a serialised trade item"),
    ("https://id.gs1.org/01/09506000134353/21/X1", "check"),                # bad check digit
    ("mailto:someone@example.com", "neither an EPC URI"),
])
def test_bad_pack_identifiers_say_why(uri: str, phrase: str) -> None:
    with pytest.raises(EpcisError, match=phrase):
        parse_pack_epc(uri)


gtins = st.builds(lambda body: body + gtin_check_digit(body),
                  st.text("0123456789", min_size=13, max_size=13))
serials = st.text(CSET82, min_size=1, max_size=20)


@settings(max_examples=300)
@given(gtin=gtins, serial=serials, length=st.integers(6, 12))
def test_sgtin_round_trip(gtin: str, serial: str, length: int) -> None:
    uri = sgtin_uri(gtin, serial, length)
    assert uri.split(":")[4].split(".")[0] == gtin[1:1 + length]
    assert parse_sgtin(uri) == (gtin, serial)
    assert parse_pack_epc(uri) == PackCode(gtin, serial)  # type: ignore[arg-type]
    assert parse_lgtin(lgtin_uri(gtin, serial, length)) == (gtin, serial)


@settings(max_examples=200)
@given(body=st.text("0123456789", min_size=12, max_size=12), length=st.integers(6, 12))
def test_sgln_and_pgln_round_trip(body: str, length: int) -> None:
    gln = body + gtin_check_digit(body)
    assert parse_gln_uri(sgln_uri(gln, length)) == gln
    assert parse_gln_uri(pgln_uri(gln, length)) == gln


def test_prefix_resolver_prefers_the_certificate_then_biip_then_digital_link() -> None:
    resolver = PrefixResolver(MEMBERS)
    # The maker's certificate says 501234 (6 digits); biip's table would say 7.
    assert resolver.pack(GTIN, "S1") == "urn:epc:id:sgtin:501234.0500001.S1"
    assert resolver.location(MAKER) == "urn:epc:id:sgln:501234.500002.0"
    # A distributor holds no prefixes: biip's GS1 prefix table (GS1 UK: 7 digits).
    assert resolver.location(DIST_A) == "urn:epc:id:sgln:5012345.00003.0"
    assert resolver.party(DIST_A) == "urn:epc:id:pgln:5012345.00003"
    # No company prefix is known for GS1 restricted ranges (02...): Digital Link instead.
    restricted = "0" + "200000000000" + gtin_check_digit("0200000000000")
    assert resolver.pack(restricted, "A/1") == f"https://id.gs1.org/01/{restricted}/21/A%2F1"
    assert parse_pack_epc(resolver.pack(restricted, "A/1")).serial == "A/1"


def test_sscc_vector_from_the_tag_data_standard() -> None:
    """TDS: SSCC 1 0614141 234567890 8 is urn:epc:id:sscc:0614141.1234567890 (the extension
    digit leads the serial reference; the check digit is left out)."""
    assert sscc_uri("106141412345678908", 7) == "urn:epc:id:sscc:0614141.1234567890"
    assert parse_sscc_epc("urn:epc:id:sscc:0614141.1234567890") == "106141412345678908"
    assert parse_epc("https://id.gs1.org/00/106141412345678908") == \
        ContainerCode("106141412345678908")  # type: ignore[arg-type]
    assert parse_epc("urn:epc:id:sgtin:0614141.812345.6789") == \
        PackCode("80614141123458", "6789")  # type: ignore[arg-type]


@settings(max_examples=200)
@given(body=st.text("0123456789", min_size=17, max_size=17), length=st.integers(6, 12))
def test_sscc_round_trip(body: str, length: int) -> None:
    sscc = body + gtin_check_digit(body)
    uri = sscc_uri(sscc, length)
    assert uri.split(":")[4].split(".")[0] == sscc[1:1 + length]
    assert parse_sscc_epc(uri) == sscc
    assert parse_epc(uri) == ContainerCode(sscc)  # type: ignore[arg-type]


@pytest.mark.parametrize(("uri", "phrase"), [
    ("urn:epc:id:sscc:0614141.123456789", "17 digits together"),
    ("urn:epc:id:sscc:06141.123456789012", "17 digits together"),  # prefix too short
    ("urn:epc:id:sscc:0614141.12345678AB", "names no case or pallet"),
    ("https://id.gs1.org/00/106141412345678901", "check"),
    ("https://id.gs1.org/00/1061414123456789", "has 16 digits"),
    ("urn:epc:id:sgtin:0614141.812345.6789", "names no case or pallet"),
])
def test_bad_case_identifiers_say_why(uri: str, phrase: str) -> None:
    with pytest.raises(EpcisError, match=phrase):
        parse_sscc_epc(uri)


def test_prefix_resolver_splits_an_sscc_at_its_packers_prefix() -> None:
    resolver = PrefixResolver(MEMBERS)
    # The maker packs under its certified prefix, a distributor under its GLN's prefix.
    maker_case, dist_case = make_sscc("501234", 1), make_sscc("5012345", 9)
    assert resolver.container(maker_case, MAKER) == "urn:epc:id:sscc:501234.00000000001"
    assert resolver.container(dist_case) == "urn:epc:id:sscc:5012345.0000000009"
    assert resolver.item(dist_case, DIST_A) == resolver.container(dist_case)
    # Nobody's prefix and none biip knows (restricted 02...): a Digital Link.
    restricted = make_sscc("020000", 1)
    assert resolver.container(restricted) == f"https://id.gs1.org/00/{restricted}"
    assert parse_sscc_epc(resolver.container(restricted)) == restricted
