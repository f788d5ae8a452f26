"""Packing and unpacking events: fixed bytes, and the shapes the strict parser refuses."""

from __future__ import annotations

import json

import pytest

from supplychain.codes.sscc import make_sscc
from supplychain.errors import EventError
from supplychain.ids import GLN, EventHash, PackKey
from supplychain.ledger.events import Event, EventType, Item, SignedEvent, is_container_key
from tests.test_events import FIXED_KEY

CASE = make_sscc("501234", 1)  # 050123400000000010
PACK_KEY = PackKey("05012345000015/ABC123")
PACKING = Event(EventType.PACK, GLN("5012345000039"), "0123456789abcdef",
                "2026-01-02T03:04:05.678+00:00",
                (Item(PackKey(CASE)), Item(PACK_KEY, EventHash("a" * 64))), parent=CASE)

# Pinned: the canonical bytes of a packing event (an EPCIS AggregationEvent ADD).
PACKING_BYTES = (
    b'{"author":"5012345000039","items":[{"pack":"' + CASE.encode() + b'","prev":null},'
    b'{"pack":"05012345000015/ABC123","prev":"' + b"a" * 64 + b'"}],'
    b'"key":"0123456789abcdef","parent":"' + CASE.encode() + b'",'
    b'"time":"2026-01-02T03:04:05.678+00:00","type":"pack","v":1}'
)


def test_packing_event_fixed_bytes_and_round_trip() -> None:
    assert CASE == "050123400000000010"
    assert PACKING.to_bytes() == PACKING_BYTES
    assert PACKING.children == (Item(PACK_KEY, EventHash("a" * 64)),)
    signed = SignedEvent(PACKING, FIXED_KEY.sign(PACKING_BYTES))
    assert SignedEvent.from_bytes(signed.to_bytes()) == signed
    assert is_container_key(CASE) and not is_container_key(PACK_KEY)


def _body(**changes: object) -> dict[str, object]:
    body = json.loads(PACKING_BYTES)
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(("changes", "phrase"), [
    ({"parent": None}, "must name its parent case or pallet"),
    ({"parent": make_sscc("501234", 2)}, "must list its parent"),
    ({"parent": "05012340000000001"}, "malformed parent"),
    ({"items": [{"pack": CASE, "prev": None}]}, "at least one pack or case besides"),
    ({"items": [{"pack": CASE[:-1] + "5", "prev": None}]}, "check"),
    ({"type": "unpack"}, "must name the previous event of " + CASE),
    ({"type": "ship", "to": "5012345000053"}, "Only packing and unpacking name a parent"),
    ({"type": "dispense", "parent": None}, "names packs, not a case or pallet"),
    ({"type": "report", "reason": "x", "parent": None,
      "items": [{"pack": CASE, "prev": None}]}, "names packs, not a case or pallet"),
])
def test_malformed_container_events_are_refused(changes: dict[str, object],
                                                phrase: str) -> None:
    with pytest.raises(EventError, match=phrase):
        Event.from_dict(_body(**changes))


def test_a_case_may_be_shipped_as_an_item() -> None:
    body = _body(type="ship", to="5012345000053", parent=None,
                 items=[{"pack": CASE, "prev": "b" * 64},
                        {"pack": "05012345000015/ABC123", "prev": "c" * 64}])
    event = Event.from_dict(body)
    assert [is_container_key(i.pack) for i in event.items] == [True, False]
