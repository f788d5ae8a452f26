"""Every validation pattern matches the whole string: a trailing newline is refused.

(A regex ending in ``$`` matches before a final newline, so ``"...\\n"`` would slip through;
the project uses ``fullmatch`` instead.)
"""

from __future__ import annotations

import json

import pytest

from supplychain.codes.gs1 import parse_pack_code
from supplychain.codes.signed_codes import CodeSignature
from supplychain.errors import (
    CodeError,
    DamagedCode,
    EventError,
    IdentityError,
    ProtocolError,
)
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.revocations import Revocation
from supplychain.ids import GLN, EventHash, PackKey, check_gln
from supplychain.ledger.events import Event, EventType, Item
from supplychain.sync.protocol import check_gln as protocol_check_gln
from supplychain.sync.protocol import query_int

GOOD_GLN = "5012345000022"
EVENT = Event(EventType.SHIP, GLN(GOOD_GLN), "0123456789abcdef", "2026-01-02T03:04:05.678+00:00",
              (Item(PackKey("05012345000015/ABC123"), EventHash("a" * 64)),),
              to=GLN("5012345000039"), doc_hash="b" * 64)


def _event_with(field: str, value: str) -> dict[str, object]:
    data = EVENT.to_dict()
    if field in ("pack", "prev"):
        data["items"][0][field] = value  # type: ignore[index]
    else:
        data[field] = value
    return data


def test_the_unchanged_event_parses() -> None:
    assert Event.from_dict(EVENT.to_dict()) == EVENT


@pytest.mark.parametrize(
    ("field", "good"),
    [("author", GOOD_GLN), ("to", "5012345000039"), ("key", "0123456789abcdef"),
     ("pack", "05012345000015/ABC123"), ("prev", "a" * 64), ("doc", "b" * 64)],
)
def test_event_fields_refuse_a_trailing_newline(field: str, good: str) -> None:
    Event.from_dict(_event_with(field, good))  # the same value without "\n" is fine
    with pytest.raises(EventError):
        Event.from_dict(_event_with(field, good + "\n"))


def test_recall_gtin_refuses_a_trailing_newline() -> None:
    recall = Event(EventType.RECALL, GLN(GOOD_GLN), "0123456789abcdef",
                   "2026-01-02T03:04:05.678+00:00", (), gtin="05012345000015", lot="L1",
                   reason="contaminated")
    data = recall.to_dict()
    assert Event.from_dict(data) == recall
    data["gtin"] = "05012345000015\n"
    with pytest.raises(EventError, match="GTIN"):
        Event.from_dict(data)


def test_event_time_refuses_a_trailing_newline() -> None:
    with pytest.raises(EventError, match="not ISO 8601"):
        Event.from_dict(_event_with("time", "2026-01-02T03:04:05.678+00:00\n"))


def test_gln_check_refuses_a_trailing_newline() -> None:
    assert check_gln(GOOD_GLN) == GOOD_GLN
    with pytest.raises(CodeError, match="13 digits"):
        check_gln(GOOD_GLN + "\n")
    with pytest.raises(ProtocolError, match="13-digit GLN"):
        protocol_check_gln(GOOD_GLN + "\n")


def test_member_info_refuses_a_trailing_newline() -> None:
    MemberInfo("Acme", GLN(GOOD_GLN), Role.MANUFACTURER, ("501234",))
    with pytest.raises(IdentityError, match="13 digits"):
        MemberInfo("Acme", GLN(GOOD_GLN + "\n"), Role.MANUFACTURER, ("501234",))
    with pytest.raises(IdentityError, match="6 to 12 digits"):
        MemberInfo("Acme", GLN(GOOD_GLN), Role.MANUFACTURER, ("501234\n",))


def test_protocol_integers_refuse_a_trailing_newline() -> None:
    assert query_int({"start": "12"}, "start") == 12
    with pytest.raises(ProtocolError, match="non-negative integer"):
        query_int({"start": "12\n"}, "start")


def test_revocation_serial_refuses_a_trailing_newline() -> None:
    data = {"type": "supplychain.revocation.v1", "gln": GOOD_GLN, "cert_serial": "12",
            "valid_log_size": 3, "reason": "key stolen",
            "revoked_at": "2026-01-02T03:04:05.678+00:00",
            "signature": "A" * 86 + "=="}
    assert Revocation.from_dict(data).cert_serial == 12
    with pytest.raises(IdentityError, match="decimal string"):
        Revocation.from_dict({**data, "cert_serial": "12\n"})


def test_code_signature_key_id_refuses_a_trailing_newline() -> None:
    CodeSignature("0123456789abcdef", bytes(64))
    with pytest.raises(DamagedCode, match="signing key id"):
        CodeSignature("0123456789abcdef\n", bytes(64))


def test_pack_code_serial_refuses_a_trailing_newline() -> None:
    link = "https://id.gs1.org/01/05012345000015/21/ABC"
    assert parse_pack_code(link).serial == "ABC"
    with pytest.raises(DamagedCode, match="serial number"):
        parse_pack_code(link + "%0A")


def test_event_json_with_newline_in_gln_is_refused_from_bytes() -> None:
    raw = json.dumps(_event_with("author", GOOD_GLN + "\n"))
    with pytest.raises(EventError, match="13-digit GLN"):
        Event.from_dict(json.loads(raw))
