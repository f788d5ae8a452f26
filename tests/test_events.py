"""Canonical event bytes: a fixed vector, strict parsing, and round-trip properties."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.codes.sscc import make_sscc
from supplychain.errors import EventError
from supplychain.ids import GLN, EventHash, PackKey
from supplychain.ledger.alert_events import AlertBody, AlertCause, AlertStep, ClosingReason
from supplychain.ledger.events import Event, EventType, Item, SignedEvent

FIXED_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
COMMISSION = Event(EventType.COMMISSION, GLN("5012345000022"), "0123456789abcdef",
                   "2026-01-02T03:04:05.678+00:00",
                   (Item(PackKey("05012345000015/ABC123"), None, "LOT-7", date(2027, 6, 30)),))

# Pinned: changing the encoding breaks every signature in every deployed ledger.
COMMISSION_BYTES = (
    b'{"author":"5012345000022","items":[{"expiry":"2027-06-30","lot":"LOT-7",'
    b'"pack":"05012345000015/ABC123","prev":null}],"key":"0123456789abcdef",'
    b'"time":"2026-01-02T03:04:05.678+00:00","type":"commission","v":1}'
)
COMMISSION_HASH = "b73df07d2deb9f549746111741a04263d1b0e69e231ab52d34eea75f3a3575c1"
COMMISSION_SIG = ("9c6423322abc164578b505e1b06c7ce62c05dbc6614232fd455abd32482f6cd68d481be2519b"
                  "7d5f3efc1349393cebf8881c71976b24ef8d94ce93c6b6bf9d08")
SHIP_BYTES = (
    b'{"author":"5012345000022","items":[{"pack":"05012345000015/ABC123","prev":"'
    + b"a" * 64 + b'"}],"key":"0123456789abcdef","time":"2026-01-02T03:04:05.678+00:00",'
    b'"to":"5012345000039","type":"ship","v":1}'
)


def test_fixed_vector_bytes_hash_and_signature() -> None:
    assert COMMISSION.to_bytes() == COMMISSION_BYTES
    assert COMMISSION.hash == COMMISSION_HASH
    assert hashlib.sha256(COMMISSION_BYTES).hexdigest() == COMMISSION_HASH
    signed = SignedEvent(COMMISSION, FIXED_KEY.sign(COMMISSION.to_bytes()))
    assert signed.signature.hex() == COMMISSION_SIG
    assert SignedEvent.from_bytes(signed.to_bytes()) == signed


def test_fixed_vector_ship() -> None:
    ship = Event(EventType.SHIP, GLN("5012345000022"), "0123456789abcdef",
                 "2026-01-02T03:04:05.678+00:00",
                 (Item(PackKey("05012345000015/ABC123"), EventHash("a" * 64)),),
                 to=GLN("5012345000039"))
    assert ship.to_bytes() == SHIP_BYTES
    assert Event.from_dict(json.loads(SHIP_BYTES)) == ship


def _entry(**changes: object) -> bytes:
    signed = SignedEvent(COMMISSION, FIXED_KEY.sign(COMMISSION.to_bytes()))
    obj = json.loads(signed.to_bytes())
    obj["event"].update(changes)
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"not json", "not valid JSON"),
        (b'{"event":{}}', "exactly 'event' and 'sig'"),
        (_entry(type="teleport"), "Unknown event type"),
        (_entry(author="123"), "not a 13-digit GLN"),
        (_entry(time="yesterday"), "not ISO 8601"),
        (_entry(time="2026-01-02T03:04:05"), "no time zone"),
        (_entry(extra=1), "Unexpected field"),
        (_entry(v=2), "Unsupported event format version"),
        (_entry(items=[]), "must name at least one pack"),
        (_entry(to="5012345000039"), "only a ship event"),
    ],
)
def test_malformed_entries_are_refused_with_a_reason(data: bytes, phrase: str) -> None:
    with pytest.raises(EventError, match=phrase):
        SignedEvent.from_bytes(data)


def test_non_canonical_bytes_are_refused() -> None:
    signed = SignedEvent(COMMISSION, FIXED_KEY.sign(COMMISSION.to_bytes()))
    spaced = json.dumps(json.loads(signed.to_bytes()), indent=1).encode()
    with pytest.raises(EventError, match="not in canonical form"):
        SignedEvent.from_bytes(spaced)


def test_duplicate_pack_in_one_event_is_refused() -> None:
    item = {"pack": "05012345000015/A", "prev": "b" * 64}
    body = json.loads(SHIP_BYTES)
    body["items"] = [item, item]
    with pytest.raises(EventError, match="same pack twice"):
        Event.from_dict(body)


serials = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-./", min_size=1, max_size=20)
hashes = st.binary(min_size=32, max_size=32).map(lambda b: EventHash(b.hex()))


NEEDS_REASON = (EventType.REPORT, EventType.QUARANTINE, EventType.RELEASE)


@st.composite
def events(draw: st.DrawFn) -> Event:
    kind = draw(st.sampled_from(list(EventType)))
    packs = draw(st.lists(serials, min_size=1, max_size=5, unique=True))
    keys = [PackKey(f"05012345000015/{s}") for s in packs]
    time = draw(st.datetimes(timezones=st.just(__import__("datetime").UTC))).isoformat()
    alert: AlertBody | None = None
    if kind is EventType.COMMISSION:
        expiry = draw(st.dates(date(2020, 1, 1), date(2049, 12, 31)))
        items = tuple(Item(k, None, draw(serials), expiry) for k in keys)
    elif kind is EventType.RECALL:
        items = ()
    elif kind is EventType.REPORT:
        items = tuple(Item(k) for k in keys)
    elif kind is EventType.ALERT:
        alert = draw(alert_bodies())
        items = tuple(Item(k) for k in keys) if alert.step is AlertStep.RAISE else ()
    else:
        items = tuple(Item(k, draw(hashes)) for k in keys)
    parent = None
    if kind.takes_containers and draw(st.booleans()):  # cases among the items
        cases = draw(st.lists(st.integers(0, 10**9), min_size=1, max_size=3, unique=True))
        codes = [make_sscc("501234", n) for n in cases]
        if kind.is_aggregation:
            parent = codes[0]
        items += tuple(Item(PackKey(c), None if kind is EventType.PACK and c == parent
                            and draw(st.booleans()) else draw(hashes)) for c in codes)
    elif kind.is_aggregation:
        parent = make_sscc("501234", draw(st.integers(0, 10**9)))
        items += (Item(PackKey(parent), draw(hashes)),)
    return Event(kind, GLN("5012345000022"), "0123456789abcdef", time, items, parent=parent,
                 to=GLN("5012345000039") if kind.names_recipient else None,
                 gtin="05012345000015" if kind is EventType.RECALL else None,  # type: ignore
                 lot=draw(serials) if kind is EventType.RECALL else None,
                 reason=draw(st.text(min_size=1, max_size=40)) if kind in NEEDS_REASON
                 else None, alert=alert)


@st.composite
def alert_bodies(draw: st.DrawFn) -> AlertBody:
    alert_id = draw(st.text("0123456789abcdef", min_size=16, max_size=16))
    step = draw(st.sampled_from(list(AlertStep)))
    if step is AlertStep.RAISE:
        return AlertBody(alert_id, step, cause=draw(st.sampled_from(list(AlertCause))),
                         subject=draw(st.from_regex(r"[!-~][ -~]{0,20}[!-~]", fullmatch=True)))
    if step is AlertStep.REPORT:
        glns = draw(st.lists(st.sampled_from(["5012345000015", "5012345000039"]), unique=True))
        return AlertBody(alert_id, step, notified=tuple(sorted(GLN(g) for g in glns)))
    if step is AlertStep.CLOSE:
        return AlertBody(alert_id, step, closing=draw(st.sampled_from(list(ClosingReason))))
    return AlertBody(alert_id, step)


@settings(max_examples=200)
@given(events())
def test_canonical_round_trip(event: Event) -> None:
    data = event.to_bytes()
    again = Event.from_dict(json.loads(data))
    assert again == event
    assert again.to_bytes() == data
    signed = SignedEvent(event, FIXED_KEY.sign(data))
    parsed = SignedEvent.from_bytes(signed.to_bytes())
    assert parsed == signed
    assert parsed.event_bytes == data and parsed.hash == event.hash


@settings(max_examples=100)
@given(events(), st.data())
def test_any_changed_field_changes_the_hash(event: Event, data: st.DataObject) -> None:
    obj = json.loads(event.to_bytes())
    obj["time"] = obj["time"].replace("+00:00", "+01:00")
    changed = Event.from_dict(obj)
    assert changed.hash != event.hash


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127), max_size=8),
                      children, max_size=4),
    max_leaves=12)


@settings(max_examples=300)
@given(json_values)
def test_canonical_json_is_rfc8785(value: object) -> None:
    import rfc8785

    from supplychain.ledger.events import canonical_json
    try:
        expected = rfc8785.dumps(value)
    except Exception:  # noqa: BLE001 - rfc8785 refuses lone surrogates; so must we
        with pytest.raises(EventError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


def test_lone_surrogate_in_an_entry_is_refused() -> None:
    signed = SignedEvent(COMMISSION, FIXED_KEY.sign(COMMISSION.to_bytes()))
    data = signed.to_bytes().replace(b"\"LOT-7\"", b"\"\\ud800\"")
    with pytest.raises(EventError):
        SignedEvent.from_bytes(data)
