"""Witness cosignatures (C2SP tlog-cosignature) and cosigned checkpoint notes."""

from __future__ import annotations

import base64
import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.errors import CheckpointError, CosignatureError
from supplychain.identity.witness_policy import cosigner_key_id, parse_policy
from supplychain.ledger.checkpoint import Checkpoint, SignedCheckpoint, sign_checkpoint
from supplychain.ledger.cosignature import (
    Cosignature,
    cosign,
    cosigned_text,
    message,
    policy_accepts,
)

# The checkpoint and the cosignature line of the example in tlog-cosignature.md.
SPEC_CHECKPOINT = Checkpoint("example.com/behind-the-sofa", 20852163, base64.b64decode(
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="))
SPEC_LINE = ("\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OW"
             "XEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==")
LOG_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEYS = [Ed25519PrivateKey.from_private_bytes(bytes([i + 1]) * 32) for i in range(3)]
NAMES = ["w1.example/a", "w2.example/b", "w3.example/c"]


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def vkey(i: int) -> str:
    data = base64.b64encode(b"\x04" + raw(KEYS[i])).decode()
    return f"{NAMES[i]}+{cosigner_key_id(NAMES[i], raw(KEYS[i])).hex()}+{data}"


def authored() -> SignedCheckpoint:
    return sign_checkpoint(SPEC_CHECKPOINT, SPEC_CHECKPOINT.origin, LOG_KEY)


def test_the_signed_message_is_the_spec_example() -> None:
    assert message(SPEC_CHECKPOINT, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")


def test_the_spec_example_line_parses_to_its_timestamp_and_round_trips() -> None:
    parsed = Cosignature.parse_line(SPEC_LINE)
    assert parsed.key_name == "witness.example.com/w1"
    assert parsed.timestamp == 1679315147  # the time line of the spec's signed message
    assert parsed.key_id == bytes.fromhex("8d66cf3f")
    assert parsed.to_line() == SPEC_LINE


def test_cosign_round_trip_and_verify() -> None:
    cosignature = cosign(SPEC_CHECKPOINT, NAMES[0], KEYS[0], 1700000000)
    again = Cosignature.parse_line(cosignature.to_line())
    assert again == cosignature
    again.verify(SPEC_CHECKPOINT, KEYS[0].public_key())
    blob = base64.b64decode(cosignature.to_line().split(" ")[-1])
    assert blob[:4] == cosigner_key_id(NAMES[0], raw(KEYS[0]))
    assert int.from_bytes(blob[4:12], "big") == 1700000000
    KEYS[0].public_key().verify(blob[12:], message(SPEC_CHECKPOINT, 1700000000))


def test_a_flipped_byte_or_another_key_or_checkpoint_fails() -> None:
    cosignature = cosign(SPEC_CHECKPOINT, NAMES[0], KEYS[0], 1700000000)
    sig = bytearray(cosignature.signature)
    sig[10] ^= 1
    with pytest.raises(CosignatureError, match="does not verify"):
        dataclasses.replace(cosignature, signature=bytes(sig)).verify(
            SPEC_CHECKPOINT, KEYS[0].public_key())
    with pytest.raises(CosignatureError, match="does not verify"):
        dataclasses.replace(cosignature, timestamp=1700000001).verify(
            SPEC_CHECKPOINT, KEYS[0].public_key())
    with pytest.raises(CosignatureError, match="key ID"):
        cosignature.verify(SPEC_CHECKPOINT, KEYS[1].public_key())
    other = dataclasses.replace(SPEC_CHECKPOINT, size=SPEC_CHECKPOINT.size + 1)
    with pytest.raises(CosignatureError, match="does not verify"):
        cosignature.verify(other, KEYS[0].public_key())


def test_a_timestamp_is_required() -> None:
    with pytest.raises(CosignatureError, match="timestamp"):
        cosign(SPEC_CHECKPOINT, NAMES[0], KEYS[0], 0)


def test_cosigned_note_has_one_text_form_and_the_author_check_is_unchanged() -> None:
    signed = authored()
    a = cosign(SPEC_CHECKPOINT, NAMES[0], KEYS[0], 1700000000)
    b = cosign(SPEC_CHECKPOINT, NAMES[1], KEYS[1], 1700000005)
    text = cosigned_text(signed, [b, a, b])
    assert text == cosigned_text(signed, [a, b])
    assert text.startswith(signed.to_text())
    assert text.count("\u2014 ") == 3
    parsed = SignedCheckpoint.parse(text)
    assert parsed == signed  # the author's signature only: what we store as the checkpoint
    parsed.verify(LOG_KEY.public_key())
    # the author's line must come first: a note led by a cosignature fails the author check
    lines = text.split("\n")
    reordered = "\n".join(lines[:4] + [lines[5], lines[4]] + lines[6:])
    with pytest.raises(CheckpointError):
        SignedCheckpoint.parse(reordered).verify(LOG_KEY.public_key())


def test_unknown_lines_are_ignored_but_must_be_well_formed() -> None:
    signed = authored()
    unknown = cosign(SPEC_CHECKPOINT, "stranger.example/x", KEYS[2], 1700000000)
    text = cosigned_text(signed, [unknown]) + "\u2014 someone AAAAAAAAAAAAAAAA\n"
    SignedCheckpoint.parse(text).verify(LOG_KEY.public_key())
    with pytest.raises(CheckpointError):
        SignedCheckpoint.parse(text + "\u2014 broken !!!\n")
    with pytest.raises(CheckpointError, match="repeats"):
        SignedCheckpoint.parse(text + unknown.to_line() + "\n")


def test_policy_accepts_k_of_n() -> None:
    policy = parse_policy(f"witness A {vkey(0)}\nwitness B {vkey(1)}\nwitness C {vkey(2)}\n"
                          "group two 2 A B C\nquorum two\n")
    signed = authored()
    cos = [cosign(SPEC_CHECKPOINT, NAMES[i], KEYS[i], 1700000000 + i) for i in range(3)]
    assert policy_accepts(policy, signed.to_text()) == (False, ())
    assert policy_accepts(policy, cosigned_text(signed, cos[:1])) == (False, ("A",))
    assert policy_accepts(policy, cosigned_text(signed, [cos[0], cos[2]])) == (True, ("A", "C"))
    assert policy_accepts(policy, cosigned_text(signed, cos)) == (True, ("A", "B", "C"))
    # a stranger's cosignature does not count, and does not spoil the note
    stranger = cosign(SPEC_CHECKPOINT, "stranger.example/x", LOG_KEY, 1700000000)
    assert policy_accepts(policy, cosigned_text(signed, [cos[0], stranger])) == (False, ("A",))


def test_a_bad_cosignature_of_a_known_witness_spoils_the_note() -> None:
    policy = parse_policy(f"witness A {vkey(0)}\nwitness B {vkey(1)}\ngroup g any A B\n"
                          "quorum g\n")
    signed = authored()
    good = cosign(SPEC_CHECKPOINT, NAMES[0], KEYS[0], 1700000000)
    forged = dataclasses.replace(cosign(SPEC_CHECKPOINT, NAMES[1], KEYS[1], 1700000000),
                                 timestamp=1700000001)
    assert policy_accepts(policy, cosigned_text(signed, [good])) == (True, ("A",))
    assert policy_accepts(policy, cosigned_text(signed, [good, forged])) == (False, ())
    # a cosignature of another checkpoint moved onto this note does not verify either
    other = dataclasses.replace(SPEC_CHECKPOINT, size=1)
    moved = cosign(other, NAMES[1], KEYS[1], 1700000000)
    assert policy_accepts(policy, cosigned_text(signed, [moved])) == (False, ())


def test_quorum_none_accepts_an_uncosigned_note() -> None:
    assert policy_accepts(parse_policy("quorum none\n"), authored().to_text()) == (True, ())
    assert policy_accepts(parse_policy("quorum none\n"), "garbage") == (False, ())
