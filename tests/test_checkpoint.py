"""C2SP signed-note checkpoints: format, round trips, key IDs, tampering."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from supplychain.errors import CheckpointError
from supplychain.ledger.checkpoint import Checkpoint, SignedCheckpoint, key_id, sign_checkpoint
from supplychain.ledger.merkle import leaf_hash, root

# A fixed key, so the expected note below is a true vector (Ed25519 is deterministic).
PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = PRIVATE.public_key()
ORIGIN = "example.com/log42"
ROOT = root([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])
CHECKPOINT = Checkpoint(ORIGIN, 3, ROOT)
BODY = f"{ORIGIN}\n3\n{base64.b64encode(ROOT).decode()}\n".encode()


def signed() -> SignedCheckpoint:
    return sign_checkpoint(CHECKPOINT, ORIGIN, PRIVATE)


# --- body ----------------------------------------------------------------------------------
def test_body_format_and_round_trip() -> None:
    assert CHECKPOINT.to_body() == BODY
    assert Checkpoint.from_body(BODY) == CHECKPOINT
    empty = Checkpoint(ORIGIN, 0, bytes(32))
    assert empty.to_body().split(b"\n")[1] == b"0"
    assert Checkpoint.from_body(empty.to_body()) == empty


@pytest.mark.parametrize(
    "body",
    [
        BODY[:-1],  # no final newline
        BODY + b"extension line\n",  # extension lines are rejected on purpose
        BODY + b"\n",
        b"\n" + BODY,
        BODY.replace(b"\n3\n", b"\n03\n"),
        BODY.replace(b"\n3\n", b"\n-3\n"),
        BODY.replace(b"\n3\n", b"\n+3\n"),
        BODY.replace(b"\n3\n", b"\n3 \n"),
        BODY.replace(b"\n3\n", b"\n\xd9\xa3\n"),  # Arabic-Indic digit three
        BODY.replace(b"=\n", b"\n"),  # unpadded base64
        f"{ORIGIN}\n3\n{base64.b64encode(ROOT[:31]).decode()}\n".encode(),  # 31-byte root
        ORIGIN.encode() + b"\n3\n" + base64.urlsafe_b64encode(b"\xfb" * 32) + b"\n",  # URL-safe
        b"\n3\n" + BODY.split(b"\n")[2] + b"\n",  # empty origin
        BODY.replace(b"example", b"exa\tmple"),  # control character
        b"\xff" + BODY,  # not UTF-8
        f"{ORIGIN}\n3\n".encode(),
    ],
)
def test_malformed_bodies(body: bytes) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.from_body(body)


def test_invalid_checkpoint_values() -> None:
    for args in [("", 1, ROOT), ("a\nb", 1, ROOT), (ORIGIN, -1, ROOT), (ORIGIN, 1, ROOT[:31])]:
        with pytest.raises(CheckpointError):
            Checkpoint(*args)


# --- signed notes ----------------------------------------------------------------------------
def test_key_id_matches_go_sumdb_note_vector() -> None:
    """The published golang.org/x/mod/sumdb/note example key 'PeterNeumann+c74f20a3+...'."""
    raw = base64.b64decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    assert raw[0] == 1  # Ed25519 signature type
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    assert key_id("PeterNeumann", public) == bytes.fromhex("c74f20a3")


def test_signed_text_format() -> None:
    sc = signed()
    text = sc.to_text()
    body, sig_line = text.split("\n\n")
    assert (body + "\n").encode() == BODY
    assert sig_line.startswith(f"\u2014 {ORIGIN} ") and sig_line.endswith("\n")
    blob = base64.b64decode(sig_line.split(" ")[2])
    assert blob[:4] == key_id(ORIGIN, PUBLIC) == sc.key_id
    assert blob[4:] == sc.signature and len(sc.signature) == 64
    PUBLIC.verify(sc.signature, BODY)


def test_round_trip_both_ways() -> None:
    sc = signed()
    text = sc.to_text()
    assert SignedCheckpoint.parse(text) == sc
    assert SignedCheckpoint.parse(text.encode()) == sc
    assert SignedCheckpoint.parse(text).to_text() == text
    SignedCheckpoint.parse(text).verify(PUBLIC)


@given(
    origin=st.text(
        st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1, max_size=40
    ),
    size=st.integers(0, 2**63),
    root_hash=st.binary(min_size=32, max_size=32),
)
def test_property_round_trip(origin: str, size: int, root_hash: bytes) -> None:
    cp = Checkpoint(origin, size, root_hash)
    assert Checkpoint.from_body(cp.to_body()) == cp
    sc = sign_checkpoint(cp, "log.example/k", PRIVATE)
    assert SignedCheckpoint.parse(sc.to_text()) == sc


def test_tampered_body_fails() -> None:
    text = signed().to_text()
    for tampered in [text.replace("\n3\n", "\n4\n"), text.replace(ORIGIN + "\n", "evil.example\n")]:
        with pytest.raises(CheckpointError, match="bad signature"):
            SignedCheckpoint.parse(tampered).verify(PUBLIC)
    other_root = base64.b64encode(bytes(32)).decode()
    tampered = text.replace(base64.b64encode(ROOT).decode(), other_root)
    with pytest.raises(CheckpointError, match=r"example.com/log42 @ 3: bad signature"):
        SignedCheckpoint.parse(tampered).verify(PUBLIC)


@pytest.mark.parametrize("byte", range(64))
def test_tampered_signature_fails(byte: int) -> None:
    sc = signed()
    sig = bytearray(sc.signature)
    sig[byte] ^= 0x01
    bad = SignedCheckpoint.parse(dataclasses.replace(sc, signature=bytes(sig)).to_text())
    with pytest.raises(CheckpointError, match="bad signature"):
        bad.verify(PUBLIC)


def test_tampered_key_name_or_id_fails() -> None:
    sc = signed()
    text = sc.to_text().replace(f"\u2014 {ORIGIN}", "\u2014 other.example")
    renamed = SignedCheckpoint.parse(text)
    with pytest.raises(CheckpointError, match="key ID"):
        renamed.verify(PUBLIC)
    with pytest.raises(CheckpointError, match="key ID"):
        dataclasses.replace(sc, key_id=b"\0\0\0\0").verify(PUBLIC)


def test_wrong_public_key_fails() -> None:
    other = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    with pytest.raises(CheckpointError, match="key ID"):
        signed().verify(other)


def _with_line(line: str) -> str:
    return BODY.decode() + "\n" + line + "\n"


@pytest.mark.parametrize(
    "make",
    [
        lambda t: t.replace("\n\n", "\n"),  # no blank line
        lambda t: t[:-1],  # no final newline
        lambda t: t + "\n",  # trailing blank line
        lambda t: t + t.split("\n\n")[1],  # the same signature line twice
        lambda t: t.replace("\u2014", "-"),  # ASCII hyphen instead of em dash
        lambda t: t.replace("\u2014 ", "\u2014"),
        lambda t: t.replace("\u2014 ", "\u2014  "),
        lambda t: t.replace(f"{ORIGIN} ", f"{ORIGIN}  "),
        lambda t: t.replace(f"{ORIGIN} ", "a+b "),  # '+' not allowed in key names
        lambda t: t.replace("=\n", "\n"),  # non-canonical base64
        lambda t: t.rstrip("\n") + " extra\n",
        lambda t: t.replace("\n\n", "\nextension\n\n"),  # extension line in body
        lambda t: t.replace("example", "exa\rmple"),
        lambda t: t[: t.rindex(" ") + 1] + base64.b64encode(b"\0" * 60).decode() + "\n",
        lambda t: _with_line("\u2014 name !!notbase64!!"),
        lambda t: _with_line("\u2014  " + t.split(" ")[-1].strip()),  # empty key name
        lambda t: "",
    ],
)
def test_malformed_notes(make: object) -> None:
    text = make(signed().to_text())  # type: ignore[operator]
    with pytest.raises(CheckpointError):
        SignedCheckpoint.parse(text)


def test_bytes_not_utf8() -> None:
    with pytest.raises(CheckpointError, match="UTF-8"):
        SignedCheckpoint.parse(b"\xff\xfe" + signed().to_text().encode())


def test_bad_key_names_rejected_when_signing() -> None:
    for name in ["", "has space", "a+b", "tab\there", "nbsp\u00a0x"]:
        with pytest.raises(CheckpointError):
            sign_checkpoint(CHECKPOINT, name, PRIVATE)
