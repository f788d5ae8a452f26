"""Signed pack codes: canonical bytes, URI round trip, tamper and wrong-signer checks."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.codes.gs1 import PackCode, gtin_check_digit, parse_pack_code
from supplychain.codes.signed_codes import (
    KEY_ID_AI,
    SIGNATURE_AI,
    CodeSignature,
    code_signature,
    code_signing_bytes,
    sign_code,
    signed_element_string,
    split_signature,
    verify_code_signature,
)
from supplychain.errors import DamagedCode, IdentityError, InvalidSignature
from supplychain.identity.certificates import (
    Member,
    MemberInfo,
    Role,
    create_root,
    issue_member_certificate,
    verify_member_certificate,
)
from supplychain.identity.keys import generate_member_key
from supplychain.ids import GLN, GTIN

GTIN_IN_PREFIX = GTIN("05012345000015")  # prefix 501234
CODE = PackCode(GTIN_IN_PREFIX, "SN12345", "LOT7", date(2027, 6, 30))
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Signer:
    key: Ed25519PrivateKey
    member: Member


def _member(root: tuple[Ed25519PrivateKey, object], info: MemberInfo) -> Signer:
    root_key, root_cert = root
    key = generate_member_key()
    cert = issue_member_certificate(root_key, root_cert, key.public_key(), info)  # type: ignore[arg-type]
    return Signer(key, verify_member_certificate(cert, root_cert))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def root() -> tuple[Ed25519PrivateKey, object]:
    return create_root("Test Consortium")


@pytest.fixture(scope="module")
def maker(root: tuple[Ed25519PrivateKey, object]) -> Signer:
    info = MemberInfo("Acme Pharma", GLN("5012345000022"), Role.MANUFACTURER, ("501234",))
    return _member(root, info)


@pytest.fixture(scope="module")
def other_maker(root: tuple[Ed25519PrivateKey, object]) -> Signer:
    info = MemberInfo("Other Pharma", GLN("5012345000060"), Role.MANUFACTURER, ("950600",))
    return _member(root, info)


@pytest.fixture(scope="module")
def pharmacy(root: tuple[Ed25519PrivateKey, object]) -> Signer:
    info = MemberInfo("High Street Pharmacy", GLN("5012345000053"), Role.PHARMACY)
    return _member(root, info)


def _sign(signer: Signer, code: PackCode = CODE) -> CodeSignature:
    uri = sign_code(code, signer.key, signer.member.key_id)
    _, sig = split_signature(uri)
    assert sig is not None
    return sig


# --- canonical bytes ------------------------------------------------------------------


def test_signing_bytes_fixed_vector() -> None:
    assert code_signing_bytes(CODE) == (
        b'{"expiry":"2027-06-30","gtin":"05012345000015","lot":"LOT7",'
        b'"serial":"SN12345","type":"supplychain.code.v1"}'
    )


def test_signing_bytes_without_lot_and_expiry() -> None:
    assert code_signing_bytes(PackCode(GTIN_IN_PREFIX, "A")) == (
        b'{"expiry":"","gtin":"05012345000015","lot":"","serial":"A","type":"supplychain.code.v1"}'
    )


def test_fixed_key_gives_fixed_signed_uri() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = hashlib.sha256(raw).hexdigest()[:16]
    assert key_id == "56475aa75463474c"
    # Ed25519 is deterministic: this pins the message format and the URI layout together.
    assert sign_code(CODE, key, key_id) == (
        "https://id.gs1.org/01/05012345000015/21/SN12345?10=LOT7&17=270630"
        "&sig=1oaW8bEai9Gksu2e7DA5A_uDqLTK004BFemuhlaK1UTHW8ZQBPFoaAa-TfLj47i_sav1a54zLrQO6xP0c5w8BA"
        "&kid=56475aa75463474c"
    )


# --- round trip -----------------------------------------------------------------------


def test_round_trip(maker: Signer) -> None:
    uri = sign_code(CODE, maker.key, maker.member.key_id)
    assert uri.startswith(CODE.to_digital_link() + "&sig=")
    assert uri.endswith(f"&kid={maker.member.key_id}")
    assert len(uri) == len(CODE.to_digital_link()) + 112
    rest, sig = split_signature(uri)
    assert rest == CODE.to_digital_link()
    assert sig is not None and sig.key_id == maker.member.key_id and len(sig.signature) == 64
    code = parse_pack_code(rest)
    assert code == CODE
    verify_code_signature(code, sig, maker.member)


def test_signed_uri_still_parses_as_plain_pack_code(maker: Signer) -> None:
    assert parse_pack_code(sign_code(CODE, maker.key, maker.member.key_id)) == CODE


def test_code_without_query_gets_question_mark(maker: Signer) -> None:
    code = PackCode(GTIN_IN_PREFIX, "X1")
    uri = sign_code(code, maker.key, maker.member.key_id)
    assert uri.startswith("https://id.gs1.org/01/05012345000015/21/X1?sig=")
    rest, sig = split_signature(uri)
    assert rest == "https://id.gs1.org/01/05012345000015/21/X1" and sig is not None
    verify_code_signature(parse_pack_code(rest), sig, maker.member)


def test_domain_is_not_signed(maker: Signer) -> None:
    uri = sign_code(CODE, maker.key, maker.member.key_id, domain="https://example.com/dl")
    rest, sig = split_signature(uri)
    assert rest.startswith("https://example.com/dl/01/") and sig is not None
    verify_code_signature(parse_pack_code(rest), sig, maker.member)


def test_symbology_identifier_kept(maker: Signer) -> None:
    uri = sign_code(CODE, maker.key, maker.member.key_id)
    rest, sig = split_signature("]Q1" + uri + "\r\n")
    assert rest == "]Q1" + CODE.to_digital_link() and sig is not None
    verify_code_signature(parse_pack_code(rest), sig, maker.member)


def test_other_query_parameters_keep_their_order(maker: Signer) -> None:
    sig = _sign(maker)
    uri = f"https://id.gs1.org/01/{CODE.gtin}/21/SN12345?10=LOT7&{sig.to_query()}&17=270630&x=1"
    rest, parsed = split_signature(uri)
    assert rest == f"https://id.gs1.org/01/{CODE.gtin}/21/SN12345?10=LOT7&17=270630&x=1"
    assert parsed == sig


@pytest.mark.parametrize(
    "text",
    [
        CODE.to_digital_link(),
        CODE.to_element_string(),
        CODE.to_human_readable(),
        "https://example.com/?q=1",
        "",
    ],
)
def test_unsigned_text_passes_through(text: str) -> None:
    assert split_signature(text) == (text, None)


# --- tampering ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tampered",
    [
        replace(CODE, serial="SN12346"),
        replace(CODE, lot="LOT8"),
        replace(CODE, lot=None),
        replace(CODE, expiry=date(2028, 6, 30)),
        replace(CODE, expiry=None),
        PackCode(GTIN("05012345000022"), "SN12345", "LOT7", date(2027, 6, 30)),
    ],
)
def test_tampered_code_fails(maker: Signer, tampered: PackCode) -> None:
    sig = _sign(maker)
    with pytest.raises(InvalidSignature) as info:
        verify_code_signature(tampered, sig, maker.member)
    assert str(info.value) == (
        "This code's manufacturer signature does not match: the code was not issued by Acme Pharma."
    )


def test_tampered_uri_fails(maker: Signer) -> None:
    uri = sign_code(CODE, maker.key, maker.member.key_id).replace("/21/SN12345", "/21/SN12399")
    rest, sig = split_signature(uri)
    assert sig is not None
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_code_signature(parse_pack_code(rest), sig, maker.member)


@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_flipped_signature_byte_fails(maker: Signer, index: int) -> None:
    sig = _sign(maker)
    raw = bytearray(sig.signature)
    raw[index] ^= 0x01
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_code_signature(CODE, CodeSignature(sig.key_id, bytes(raw)), maker.member)


# --- wrong signer ---------------------------------------------------------------------


def test_other_manufacturers_signature_names_key_mismatch(
    maker: Signer, other_maker: Signer
) -> None:
    sig = _sign(other_maker)
    with pytest.raises(InvalidSignature, match=f"signed with key {other_maker.member.key_id}"):
        verify_code_signature(CODE, sig, maker.member)


def test_other_key_under_makers_key_id_fails(maker: Signer, other_maker: Signer) -> None:
    forged = CodeSignature(maker.member.key_id, other_maker.key.sign(code_signing_bytes(CODE)))
    with pytest.raises(InvalidSignature, match="not issued by Acme Pharma"):
        verify_code_signature(CODE, forged, maker.member)


def test_sign_code_refuses_a_key_id_of_another_key(maker: Signer, other_maker: Signer) -> None:
    with pytest.raises(IdentityError, match="does not belong to the signing key"):
        sign_code(CODE, other_maker.key, maker.member.key_id)


def test_manufacturer_outside_its_prefixes_fails(other_maker: Signer) -> None:
    sig = _sign(other_maker)  # a real signature, but over a GTIN of prefix 501234
    with pytest.raises(InvalidSignature, match="does not own the product code"):
        verify_code_signature(CODE, sig, other_maker.member)


def test_non_manufacturer_fails(pharmacy: Signer) -> None:
    sig = _sign(pharmacy)
    with pytest.raises(InvalidSignature, match="is a pharmacy, not a manufacturer"):
        verify_code_signature(CODE, sig, pharmacy.member)


# --- malformed signature parameters ----------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("query", "phrase"),
    [
        (f"sig={_b64(bytes(64))}", "incomplete or repeated"),
        ("kid=0123456789abcdef", "incomplete or repeated"),
        (f"sig={_b64(bytes(64))}&sig={_b64(bytes(64))}&kid=0123456789abcdef", "repeated"),
        (f"sig={_b64(bytes(63))}&kid=0123456789abcdef", "should be 86 characters"),
        (f"sig={_b64(bytes(64))}A&kid=0123456789abcdef", "should be 86 characters"),
        (f"sig={_b64(bytes(64))[:-1]}B&kid=0123456789abcdef", "not a valid ending"),
        (f"sig={'+' * 86}&kid=0123456789abcdef", "base64url"),
        (f"sig={_b64(bytes(64))}&kid=0123456789ABCDEF", "16 lower-case hex"),
        (f"sig={_b64(bytes(64))}&kid=0123", "16 lower-case hex"),
    ],
)
def test_malformed_signature_is_damaged_code(query: str, phrase: str) -> None:
    with pytest.raises(DamagedCode, match=phrase):
        split_signature(f"{CODE.to_digital_link()}&{query}")


def test_code_signature_checks_lengths() -> None:
    with pytest.raises(DamagedCode, match="64 bytes"):
        CodeSignature("0123456789abcdef", bytes(63))


def test_to_query_parse_round_trip() -> None:
    sig = CodeSignature("0123456789abcdef", bytes(range(64)))
    value = sig.to_query().split("&")[0].split("=", 1)[1]
    assert len(value) == 86
    assert CodeSignature.parse(value, sig.key_id) == sig


# --- property -------------------------------------------------------------------------


@st.composite
def codes_in_prefix(draw: st.DrawFn) -> PackCode:
    body = "0501234" + draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    text = st.text(alphabet=CSET82, min_size=1, max_size=20)
    return PackCode(
        GTIN(body + gtin_check_digit(body)),
        draw(text),
        draw(st.none() | text),
        draw(st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))),
    )


@settings(max_examples=60, deadline=None)
@given(codes_in_prefix())
def test_property_round_trip(maker: Signer, code: PackCode) -> None:
    rest, sig = split_signature(sign_code(code, maker.key, maker.member.key_id))
    assert sig is not None
    parsed = parse_pack_code(rest)
    assert parsed == code
    verify_code_signature(parsed, sig, maker.member)
    if parsed.serial != "0":
        with pytest.raises(InvalidSignature):
            verify_code_signature(
                replace(parsed, serial=parsed.serial[:-1] or "0"), sig, maker.member
            )


# --- signed element strings (GS1 DataMatrix) ----------------------------------------------


def _signed_elements(signer: Signer, code: PackCode = CODE) -> str:
    return signed_element_string(code, code_signature(code, signer.key, signer.member.key_id))


def test_fixed_key_gives_fixed_signed_element_string() -> None:
    """The same signature as the Digital Link's, in AI 8030, with the key id in AI 91."""
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    sig = code_signature(CODE, key, "56475aa75463474c")
    assert signed_element_string(CODE, sig) == (
        "01050123450000151727063010LOT7\x1d21SN12345"
        "\x1d8030"
        "1oaW8bEai9Gksu2e7DA5A_uDqLTK004BFemuhlaK1UTHW8ZQBPFoaAa-TfLj47i_sav1a54zLrQO6xP0c5w8BA"
        "\x1d91" "56475aa75463474c"
    )
    assert SIGNATURE_AI == "8030" and KEY_ID_AI == "91"


@pytest.mark.parametrize("prefix", ["", "]d2"])
def test_element_string_round_trip(maker: Signer, prefix: str) -> None:
    rest, sig = split_signature(prefix + _signed_elements(maker))
    assert rest == prefix + CODE.to_element_string()
    assert sig == _sign(maker)  # Ed25519 is deterministic: one signature, two carriers
    code = parse_pack_code(rest)
    assert code == CODE
    verify_code_signature(code, sig, maker.member)


def test_signed_element_string_still_parses_as_plain_pack_code(maker: Signer) -> None:
    assert parse_pack_code(_signed_elements(maker)) == CODE


def test_scanner_gs_substitutes_are_understood(maker: Signer) -> None:
    typed = _signed_elements(maker).replace("\x1d", "<GS>")
    rest, sig = split_signature(typed)
    assert sig == _sign(maker)
    assert parse_pack_code(rest) == CODE


def test_key_id_field_alone_is_not_a_signature() -> None:
    """AI 91 is company-internal data; without AI 8030 it is someone else's, left alone."""
    text = CODE.to_element_string() + "\x1d91ANYTHING"
    assert split_signature(text) == (text, None)


@pytest.mark.parametrize(
    ("tail", "phrase"),
    [
        ("\x1d8030" + "A" * 86, "exactly one field (8030) and one field (91)"),
        ("\x1d8030" + "A" * 86 + "\x1d8030" + "A" * 86 + "\x1d91" + "a" * 16,
         "exactly one field"),
        ("\x1d8030" + "A" * 85 + "\x1d91" + "a" * 16, "should be 86 characters"),
        ("\x1d8030" + "A" * 86 + "\x1d91" + "A" * 16, "16 lower-case hex"),
    ],
)
def test_malformed_element_signature_is_damaged_code(tail: str, phrase: str) -> None:
    with pytest.raises(DamagedCode, match=re.escape(phrase)):
        split_signature(CODE.to_element_string() + tail)


def test_tampered_element_string_fails(maker: Signer) -> None:
    signed = _signed_elements(maker).replace("21SN12345", "21SN12346")
    rest, sig = split_signature(signed)
    assert sig is not None
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_code_signature(parse_pack_code(rest), sig, maker.member)


@settings(max_examples=40, deadline=None)
@given(codes_in_prefix())
def test_property_element_string_round_trip(maker: Signer, code: PackCode) -> None:
    rest, sig = split_signature(_signed_elements(maker, code))
    assert sig is not None
    parsed = parse_pack_code(rest)
    assert parsed == code
    verify_code_signature(parsed, sig, maker.member)
