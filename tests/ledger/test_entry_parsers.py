"""The quick entry reader and the careful one accept exactly the same entries.

``SignedEvent.from_bytes`` tries ``_from_canonical_bytes`` (plain ``json.loads`` + the
canonical check) and falls back to ``from_bytes_careful`` (the strict ``load_json`` reader);
these compare the two on valid entries, random corruptions and hand-made hostile inputs.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.errors import EventError
from supplychain.ledger.events import Event, SignedEvent, _from_canonical_bytes
from tests.test_events import COMMISSION, FIXED_KEY, SHIP_BYTES, events

VALID = SignedEvent(COMMISSION, FIXED_KEY.sign(COMMISSION.to_bytes())).to_bytes()


def outcome(reader: Any, data: bytes) -> tuple[Any, ...]:
    try:
        signed = reader(data)
    except EventError as exc:
        return ("refused", type(exc), str(exc))
    return ("accepted", signed, signed.event_bytes)


def quick(data: bytes) -> SignedEvent | None:
    try:
        return _from_canonical_bytes(data)
    except Exception:  # noqa: BLE001 - the quick reader may fail any way; it is then unused
        return None


def check_same(data: bytes) -> None:
    careful = outcome(SignedEvent.from_bytes_careful, data)
    assert outcome(SignedEvent.from_bytes, data) == careful
    found = quick(data)
    if found is not None:  # the quick reader never accepts what the careful one refuses
        assert careful == ("accepted", found, found.event_bytes)


@settings(max_examples=200)
@given(events())
def test_valid_entries_are_read_alike_and_by_the_quick_reader(event: Event) -> None:
    data = SignedEvent(event, FIXED_KEY.sign(event.to_bytes())).to_bytes()
    assert quick(data) is not None
    check_same(data)


@settings(max_examples=400)
@given(events(), st.data())
def test_corrupted_entries_get_the_same_answer(event: Event, draw: st.DataObject) -> None:
    data = bytearray(SignedEvent(event, FIXED_KEY.sign(event.to_bytes())).to_bytes())
    for _ in range(draw.draw(st.integers(1, 3))):
        where = draw.draw(st.integers(0, len(data) - 1))
        what = draw.draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = draw.draw(st.sampled_from(list(b'{}[]",:\\ 0123456789aefnrtu\x00\xff\xc3\xa9')))
        if what == "replace":
            data[where] = byte
        elif what == "insert":
            data.insert(where, byte)
        elif len(data) > 1:
            del data[where]
    check_same(bytes(data))


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_random_bytes_get_the_same_answer(data: bytes) -> None:
    check_same(b'{"event":{' + data)
    check_same(data)


def _swap(text: bytes, old: bytes, new: bytes) -> bytes:
    assert old in text, old
    return text.replace(old, new, 1)


HOSTILE = [
    VALID,
    _swap(VALID, b'"v":1', b'"v":1.0'),
    _swap(VALID, b'"v":1', b'"v":1e0'),
    _swap(VALID, b'"v":1', b'"v":01'),
    _swap(VALID, b'"v":1', b'"v":' + b"1" * 30),
    _swap(VALID, b'"v":1', b'"v":' + b"9" * 5000),
    _swap(VALID, b'"v":1', b'"v":NaN'),
    _swap(VALID, b'"v":1', b'"v":Infinity'),
    _swap(VALID, b'"v":1', b'"v":1,"v":1'),  # a duplicate key with the same value
    _swap(VALID, b'"type":"commission"', b'"type":"commission","type":"commission"'),
    _swap(VALID, b'{"event":', b'{"event":{"author":"5012345000022"},"event":'),
    _swap(VALID, b'"LOT-7"', b'"LOT\\u002d7"'),  # an escaped character
    _swap(VALID, b'"LOT-7"', b'"LOT-\\u00e9"'),
    _swap(VALID, b'"LOT-7"', b'"LOT-\xc3\xa9"'),  # UTF-8 that is canonical but a bad lot?
    _swap(VALID, b'"LOT-7"', b'"LOT-\xed\xa0\x80"'),  # an encoded lone surrogate
    _swap(VALID, b'"LOT-7"', b'"LOT-\\ud800"'),
    _swap(VALID, b'"LOT-7"', b'"LOT-\xff"'),  # not UTF-8
    b"\xef\xbb\xbf" + VALID,  # a byte-order mark
    VALID + b"\n",
    VALID + b" ",
    b" " + VALID,
    VALID.replace(b",", b", "),
    _swap(VALID, b'"prev":null', b'"prev":null,"extra":1'),
    _swap(VALID, b'"items":[', b'"items":[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],'),
    b'{"event":{' + b"[" * 100_000,
    b'{"event":' + SHIP_BYTES + b',"sig":"' + b"A" * 86 + b'=="}',
    VALID[:-3] + b'=="}',  # a signature too long
    VALID.replace(b'"sig":"', b'"sig":"AAAA'),
    VALID.replace(b'"sig":"', b'"sig":" '),
    VALID.replace(b'{"event":', b'{"event" :'),
    b'{"sig":"' + VALID.split(b'"sig":"')[1][:-1] + b',"event":'
    + VALID[len(b'{"event":'):VALID.rindex(b',"sig":')] + b"}",  # keys in the wrong order
    b"[]", b"{}", b"null", b"", b'{"event":{}}', b'{"event":{},"sig":""}',
]


def test_hostile_entries_get_the_same_answer() -> None:
    for data in HOSTILE:
        check_same(data)
    assert quick(VALID) is not None and outcome(SignedEvent.from_bytes, VALID)[0] == "accepted"
