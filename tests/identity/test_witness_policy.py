"""The consortium's witness policy: C2SP tlog-policy text, parsed strictly."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.errors import WitnessPolicyError
from supplychain.identity.witness_policy import (
    Vkey,
    cosigner_key_id,
    member_policy,
    parse_policy,
    witness_key_name,
)

RAW = [Ed25519PrivateKey.from_private_bytes(bytes([i + 7]) * 32).public_key().public_bytes(
    Encoding.Raw, PublicFormat.Raw) for i in range(6)]


def wv(i: int, name: str | None = None) -> str:
    name = name or f"w{i}.example/k"
    data = base64.b64encode(b"\x04" + RAW[i]).decode()
    return f"{name}+{cosigner_key_id(name, RAW[i]).hex()}+{data}"


LOG_VKEY = "log.example/l+{}+{}".format(
    hashlib.sha256(b"log.example/l\n\x01" + RAW[0]).digest()[:4].hex(),
    base64.b64encode(b"\x01" + RAW[0]).decode())


SPEC_SHAPED = f"""# the example of tlog-policy.md, with real keys
witness X1 {wv(0)}
witness X2 {wv(1)}
witness X3 {wv(2)}
group X-witnesses 2 X1 X2 X3

\twitness Y1 {wv(3)} https://y1.example/
witness Y2 {wv(4)}
witness Y3 {wv(5)}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
"""


def test_the_spec_shaped_policy_parses_and_its_quorum_is_two_levels() -> None:
    policy = parse_policy(SPEC_SHAPED)
    assert [w.name for w in policy.witnesses] == ["X1", "X2", "X3", "Y1", "Y2", "Y3"]
    assert policy.witnesses[3].url == "https://y1.example/"
    assert policy.quorum == "X-and-Y"
    assert policy.satisfied_by({"X1", "X3", "Y2"})
    assert not policy.satisfied_by({"X1", "Y1", "Y2", "Y3"})  # one X is not two
    assert not policy.satisfied_by({"X1", "X2", "X3"})  # no Y
    assert not policy.satisfied_by({"X1", "X2", "nobody", "X-witnesses", "Y-witnesses"})
    assert policy.witness("w0.example/k", cosigner_key_id("w0.example/k", RAW[0])).name == "X1"
    assert policy.witness("w0.example/k", b"\0\0\0\0") is None


def test_a_member_policy_round_trips_and_defaults_to_all() -> None:
    text = member_policy([("5012345000022", RAW[1]), ("5012345000015", RAW[0])])
    policy = parse_policy(text)
    assert [w.name for w in policy.witnesses] == ["5012345000015", "5012345000022"]
    assert policy.witnesses[0].vkey.key_name == witness_key_name("5012345000015")
    assert not policy.satisfied_by({"5012345000015"})
    assert policy.satisfied_by({"5012345000015", "5012345000022"})
    one = parse_policy(member_policy([("5012345000015", RAW[0])]))
    assert one.quorum == "5012345000015" and one.satisfied_by({"5012345000015"})
    assert parse_policy(member_policy([])).satisfied_by(set())
    k1 = parse_policy(member_policy([("5012345000015", RAW[0]), ("5012345000022", RAW[1])], 1))
    assert k1.satisfied_by({"5012345000022"})


def test_vkey_round_trip_and_key_id_check() -> None:
    text = wv(0)
    assert Vkey.parse(text).to_text() == text
    with pytest.raises(WitnessPolicyError, match="key ID"):
        Vkey.parse(text.replace(text.split("+")[1], "00000000"))


@pytest.mark.parametrize("text, match", [
    ("", "quorum"),
    (f"witness A {wv(0)}\n", "quorum"),
    ("quorum A\n", "not defined"),
    ("quorum none\nquorum none\n", "second"),
    (f"witness A {wv(0)}\nwitness A {wv(1)}\nquorum A\n", "defined twice"),
    (f"witness none {wv(0)}\nquorum none\n", "reserved"),
    (f"witness A {wv(0)}\nwitness B {wv(0, 'other/name')}\nquorum A\n", "listed twice"),
    (f"witness A {wv(0)}\ngroup G 2 A\nquorum G\n", "threshold"),
    (f"witness A {wv(0)}\ngroup G 0 A\nquorum G\n", "threshold"),
    (f"witness A {wv(0)}\ngroup G 01 A\nquorum G\n", "threshold"),
    (f"witness A {wv(0)}\ngroup G any A A\nquorum G\n", "twice"),
    (f"group G any A\nwitness A {wv(0)}\nquorum G\n", "not defined above"),
    (f"witness A {wv(0)}\nquorum A\ncosigner B x\n", "expected"),
    ("witness A notavkey\nquorum A\n", "verifier key"),
    (f"witness A {LOG_VKEY}\nquorum A\n", "signature type 0x01, expected 0x04"),
    (f"witness A {wv(0)}\x0b\nquorum A\n", "control"),
    (f"log {wv(0)}\nquorum none\n", "signature type 0x04, expected 0x01"),
    ("quorum none\n" + "# x\n" * 1001, "lines"),
])
def test_malformed_policies_name_the_problem(text: str, match: str) -> None:
    with pytest.raises(WitnessPolicyError, match=match):
        parse_policy(text)


def test_a_log_line_with_a_log_key_is_accepted() -> None:
    assert parse_policy(f"log {LOG_VKEY} https://log.example/\nquorum none\n").logs[0].key_type == 1


def test_comments_blank_lines_and_tabs_are_allowed() -> None:
    policy = parse_policy(f"  # comment\n\n\twitness\tA\t{wv(0)}  \n quorum  A \n")
    assert policy.quorum == "A" and policy.satisfied_by({"A"})
