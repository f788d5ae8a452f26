"""Custody events: their canonical bytes, hash and signature, and log entries.

An event is canonically encoded as RFC 8785 JSON (JCS): keys sorted, no whitespace, UTF-8
(``canonical_json``).
Its hash is SHA-256 over those bytes; its author signs the same bytes with Ed25519. A log
entry (a Merkle leaf) is the canonical JSON of ``{"event": <body>, "sig": <base64>}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import cached_property
from typing import Any

from supplychain.clock import parse_iso
from supplychain.codes.sscc import check_sscc
from supplychain.errors import BadTimestamp, CodeError, EventError
from supplychain.i18n import _
from supplychain.ids import GLN, GTIN, SSCC, EventHash, PackKey, check_gln
from supplychain.jsonlimits import load_json, too_deep
from supplychain.ledger.alert_events import AlertBody, AlertStep

FORMAT_VERSION = 1
MAX_ITEMS = 12_000
"""Items in one event: a pallet of 10,000 packs travels in one event with up to 2,000 cases
(and the pallet) around them."""
MAX_ENTRY_BYTES = 4 * 1024 * 1024
"""No log entry is larger (an event has at most 12,000 items, about 1.5-2.5 MB)."""
MAX_ENTRY_DEPTH = 4
"""A log entry nests exactly this deep: entry, event, items list, item."""
MAX_TEXT = 500

# Whole-string patterns: always used with fullmatch (a "$" would let a trailing newline in).
_HEX64 = re.compile(r"[0-9a-f]{64}")
_GTIN = re.compile(r"[0-9]{14}")
_PACK = re.compile(r"[0-9]{14}/[!-~]{1,20}")
_SSCC = re.compile(r"[0-9]{18}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")


class EventType(str, Enum):
    """What an event does. Chain events extend each pack's custody chain via ``prev``."""

    COMMISSION = "commission"
    SHIP = "ship"
    RECEIVE = "receive"
    DISPENSE = "dispense"
    UNDO_DISPENSE = "undo_dispense"
    DESTROY = "destroy"
    RECALL = "recall"
    REPORT = "report"
    PACK = "pack"
    """EPCIS AggregationEvent ADD (bizStep packing): children go into ``parent`` (an SSCC)."""
    UNPACK = "unpack"
    """EPCIS AggregationEvent DELETE (bizStep unpacking): children come out of ``parent``."""
    # --- packs leaving the chain, and returns (docs/ARCHITECTURE.md, "Exits and returns") ---
    STOLEN = "stolen"
    EXPORT = "export"
    SAMPLE = "sample"
    RETURN = "return"
    # --- suspect product (docs/ARCHITECTURE.md, "Quarantine and release") ---
    QUARANTINE = "quarantine"
    """The custodian sets a suspect pack aside: nothing moves it until a RELEASE."""
    RELEASE = "release"
    """The custodian clears a quarantined pack: it is active again."""
    # --- the life of an alert (docs/ARCHITECTURE.md, "Alerts that end") ---
    ALERT = "alert"
    """One step of an alert's life (``alert`` object); its items name packs, with no prev."""

    @property
    def names_recipient(self) -> bool:
        """True for the hand-overs that name a recipient ('to'): ship and return."""
        return self in (EventType.SHIP, EventType.RETURN)

    @property
    def is_chain(self) -> bool:
        """True when each item names the previous event of its pack."""
        return self not in (EventType.RECALL, EventType.REPORT, EventType.ALERT)

    @property
    def is_aggregation(self) -> bool:
        """Packing or unpacking: the event names a ``parent`` container."""
        return self in (EventType.PACK, EventType.UNPACK)

    @property
    def takes_containers(self) -> bool:
        """Whether an item of this event may be a case or pallet (an SSCC key)."""
        return self in (EventType.PACK, EventType.UNPACK, EventType.SHIP, EventType.RECEIVE,
                        EventType.DESTROY)


def is_container_key(key: str) -> bool:
    """Whether an item key names a case or pallet (its 18-digit SSCC) rather than a pack
    ('<gtin14>/<serial>')."""
    return len(key) == 18 and "/" not in key


@dataclass(frozen=True)
class Item:
    """One pack touched by an event, with the hash of the pack's previous event.

    ``pack`` is the item's key: a pack ('<gtin14>/<serial>') or, in the events that move or
    (un)pack containers, a case or pallet (its 18-digit SSCC): containers have chains too.
    """

    pack: PackKey
    prev: EventHash | None = None
    lot: str | None = None
    expiry: date | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pack": self.pack, "prev": self.prev}
        if self.lot is not None:
            out["lot"] = self.lot
        if self.expiry is not None:
            out["expiry"] = self.expiry.isoformat()
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Item:
        if not isinstance(data, dict):
            raise EventError(_("An event item is not an object."))
        _only_keys(data, {"pack", "prev", "lot", "expiry"}, "event item")
        pack = data.get("pack")
        if not isinstance(pack, str) or not (_PACK.fullmatch(pack) or _SSCC.fullmatch(pack)):
            raise EventError(_("Event item names no valid pack ({pack!r}).").format(pack=pack))
        if is_container_key(pack):
            try:
                check_sscc(pack)
            except CodeError as exc:
                raise EventError(_("Event item names no valid case or pallet: {exc}")
                                 .format(exc=exc)) from None
        prev = data.get("prev")
        if prev is not None and (not isinstance(prev, str) or not _HEX64.fullmatch(prev)):
            raise EventError(_("Event item for {pack} has a malformed 'prev' hash.")
                             .format(pack=pack))
        lot = data.get("lot")
        if lot is not None and (not isinstance(lot, str) or not 0 < len(lot) <= 20):
            raise EventError(_("Event item for {pack} has a malformed lot.").format(pack=pack))
        expiry_text = data.get("expiry")
        expiry = _parse_date(expiry_text, f"expiry of {pack}") if expiry_text is not None else None
        return cls(PackKey(pack), EventHash(prev) if prev else None, lot, expiry)


@dataclass(frozen=True)
class Event:
    """An unsigned event body. ``to_bytes`` gives the canonical bytes that are signed."""

    type: EventType
    author: GLN
    key_id: str
    time: str
    items: tuple[Item, ...] = ()
    to: GLN | None = None
    gtin: GTIN | None = None
    lot: str | None = None
    reason: str | None = None
    doc_hash: str | None = None
    version: int = FORMAT_VERSION
    parent: SSCC | None = None
    """Packing and unpacking: the case or pallet (EPCIS parentID); it is also one of the
    items, extending its own chain, and the other items are the children (childEPCs)."""
    alert: AlertBody | None = None
    """Alert events only: which alert and which step of its life."""

    @property
    def children(self) -> tuple[Item, ...]:
        """A packing or unpacking event's children: its items other than the parent."""
        return tuple(item for item in self.items if not self.is_parent(item))

    def is_parent(self, item: Item) -> bool:
        """Whether ``item`` is this packing or unpacking event's parent container."""
        return self.parent is not None and str(item.pack) == str(self.parent)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "v": self.version,
            "type": self.type.value,
            "author": self.author,
            "key": self.key_id,
            "time": self.time,
            "items": [item.to_dict() for item in self.items],
        }
        for name, value in (
            ("to", self.to),
            ("gtin", self.gtin),
            ("lot", self.lot),
            ("reason", self.reason),
            ("doc", self.doc_hash),
            ("parent", self.parent),
        ):
            if value is not None:
                out[name] = value
        if self.alert is not None:
            out["alert"] = self.alert.to_dict()
        return out

    def to_bytes(self) -> bytes:
        """The canonical (RFC 8785) bytes: what is hashed and signed."""
        return canonical_json(self.to_dict())

    @property
    def hash(self) -> EventHash:
        return EventHash(hashlib.sha256(self.to_bytes()).hexdigest())

    @cached_property
    def datetime(self) -> datetime:
        """The event's time (parsed once per event object)."""
        return parse_iso(self.time)

    @classmethod
    def from_dict(cls, data: Any) -> Event:
        """Parse and strictly validate an event body; raise EventError naming the fault."""
        if not isinstance(data, dict):
            raise EventError(_("An event is not a JSON object."))
        _only_keys(data, {"v", "type", "author", "key", "time", "items", "to", "gtin", "lot",
                          "reason", "doc", "parent", "alert"}, "event")
        if data.get("v") != FORMAT_VERSION:
            raise EventError(_("Unsupported event format version {v!r}.").format(v=data.get('v')))
        try:
            etype = EventType(data.get("type"))
        except ValueError:
            raise EventError(_("Unknown event type {type!r}.")
                             .format(type=data.get('type'))) from None
        author = _gln(data.get("author"), "author")
        key_id = data.get("key")
        if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
            raise EventError(_("Event has a malformed signing key id."))
        time = data.get("time")
        if not isinstance(time, str):
            raise EventError(_("Event has no time."))
        try:
            moment = parse_iso(time)
        except BadTimestamp as exc:
            raise EventError(_("Event: {exc}").format(exc=exc)) from None
        raw_items = data.get("items")
        if not isinstance(raw_items, list) or len(raw_items) > MAX_ITEMS:
            raise EventError(_("Event items must be a list of at most {max_items}.")
                             .format(max_items=MAX_ITEMS))
        items = tuple(Item.from_dict(item) for item in raw_items)
        if len({item.pack for item in items}) != len(items):
            raise EventError(_("Event names the same pack twice."))
        to = _gln(data["to"], "recipient") if "to" in data else None
        gtin = data.get("gtin")
        if gtin is not None and (not isinstance(gtin, str) or not _GTIN.fullmatch(gtin)):
            raise EventError(_("Event has a malformed GTIN."))
        lot = _text(data.get("lot"), "lot", 20)
        reason = _text(data.get("reason"), "reason", MAX_TEXT)
        doc = data.get("doc")
        if doc is not None and (not isinstance(doc, str) or not _HEX64.fullmatch(doc)):
            raise EventError(_("Event has a malformed document hash."))
        parent = data.get("parent")
        if parent is not None and (not isinstance(parent, str) or not _SSCC.fullmatch(parent)):
            raise EventError(_("Event has a malformed parent (an SSCC of 18 digits)."))
        alert = AlertBody.from_dict(data["alert"]) if "alert" in data else None
        event = cls(etype, author, key_id, time, items, to, GTIN(gtin) if gtin else None,
                    lot, reason, doc, FORMAT_VERSION, SSCC(parent) if parent else None, alert)
        event.check_shape()
        event.__dict__["datetime"] = moment  # the cached_property's value, parsed above
        return event

    def check_shape(self) -> None:
        """Check the fields each event type needs; raise EventError if one is missing."""
        t = self.type
        if t.is_chain and not self.items:
            raise EventError(_("A {t} event must name at least one pack.").format(t=t.value))
        if not t.takes_containers:
            for item in self.items:
                if is_container_key(item.pack):
                    raise EventError(_("A {t} event names packs, not a case or pallet "
                                       "({sscc}).").format(t=t.value, sscc=item.pack))
        if t.is_aggregation:
            self._check_aggregation()
        elif self.parent is not None:
            raise EventError(_("Only packing and unpacking name a parent case or pallet."))
        if t is EventType.COMMISSION:
            for item in self.items:
                if item.prev is not None:
                    raise EventError(_("A commission event starts a chain: 'prev' must be null."))
                if item.lot is None or item.expiry is None:
                    raise EventError(_("Commissioning {pack} needs its lot and expiry.")
                                     .format(pack=item.pack))
        elif t.is_chain:
            for item in self.items:
                if item.prev is None and not (t is EventType.PACK and self.is_parent(item)):
                    raise EventError(_("A {t} event must name the previous event of "
                                       "{pack}.").format(t=t.value, pack=item.pack))
                if item.lot is not None or item.expiry is not None:
                    raise EventError(_("Only commissioning records lot and expiry."))
        else:
            for item in self.items:
                if item.prev is not None or item.lot is not None or item.expiry is not None:
                    raise EventError(_("A {t} event item carries only the pack.").format(t=t.value))
        if t.names_recipient != (self.to is not None):
            raise EventError(_("A ship event names a recipient ('to'), and so does a return; "
                               "only a ship event or a return may."))
        if t is EventType.RECALL:
            if self.gtin is None or self.lot is None:
                raise EventError(_("A recall names the GTIN and the lot."))
            if self.items:
                raise EventError(_("A recall covers a lot, not listed packs."))
        elif self.gtin is not None or self.lot is not None:
            raise EventError(_("Only a recall names a GTIN and lot at event level."))
        if t is EventType.REPORT and not self.reason:
            raise EventError(_("A suspect report needs a reason."))
        if t is EventType.QUARANTINE and not self.reason:
            raise EventError(_("A quarantine needs a reason (what makes the pack suspect)."))
        if t is EventType.RELEASE and not self.reason:
            raise EventError(_("A release from quarantine needs a reason (why the pack is "
                               "cleared)."))
        if (t is EventType.ALERT) != (self.alert is not None):
            raise EventError(_("An alert event carries an 'alert' object, and only an alert "
                               "event does."))
        if self.alert is not None:
            self.alert.check()
            if self.items and self.alert.step is not AlertStep.RAISE:
                raise EventError(_("Only the raise of an alert names packs."))

    def _check_aggregation(self) -> None:
        """A packing or unpacking event names its parent as one item, and children."""
        if self.parent is None:
            raise EventError(_("A {t} event must name its parent case or pallet ('parent').")
                             .format(t=self.type.value))
        if not any(self.is_parent(item) for item in self.items):
            raise EventError(_("A {t} event must list its parent {sscc} among its items (it "
                               "extends the case's own chain).")
                             .format(t=self.type.value, sscc=self.parent))
        if len(self.items) < 2:
            raise EventError(_("A {t} event must name at least one pack or case besides its "
                               "parent {sscc}.").format(t=self.type.value, sscc=self.parent))


@dataclass(frozen=True)
class SignedEvent:
    """An event with its author's signature: the data of one log entry."""

    event: Event
    signature: bytes
    _event_bytes: bytes = field(default=b"", compare=False, repr=False)

    @property
    def event_bytes(self) -> bytes:
        """The canonical bytes of the event: what was signed."""
        return self._event_bytes or self.event.to_bytes()

    @property
    def hash(self) -> EventHash:
        return EventHash(hashlib.sha256(self.event_bytes).hexdigest())

    def to_bytes(self) -> bytes:
        """The entry bytes stored as a Merkle leaf."""
        return canonical_json(
            {"event": self.event.to_dict(), "sig": base64.b64encode(self.signature).decode()}
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> SignedEvent:
        """Parse entry bytes, insisting they are exactly canonical.

        Two readers, one verdict: the quick one (``_from_canonical_bytes``) accepts only what
        re-encodes to exactly ``data``; anything it does not accept goes to the careful one
        (``from_bytes_careful``), which refuses it with the error that names the fault. Both
        accept exactly the same entries (property tests compare them on random and hostile
        inputs).
        """
        try:
            quick = _from_canonical_bytes(data)
        except Exception:  # noqa: BLE001 - whatever it is, the careful reader names it
            quick = None
        return quick if quick is not None else cls.from_bytes_careful(data)

    @classmethod
    def from_bytes_careful(cls, data: bytes) -> SignedEvent:
        """``from_bytes`` by the strict JSON reader (``jsonlimits.load_json``: duplicate keys,
        long numbers, NaN refused by name), then the canonical check."""
        obj = load_json(data, max_bytes=MAX_ENTRY_BYTES, max_depth=MAX_ENTRY_DEPTH,
                        what="A log entry", error=EventError)
        if not isinstance(obj, dict) or set(obj) != {"event", "sig"}:
            raise EventError(_("A log entry must hold exactly 'event' and 'sig'."))
        event = Event.from_dict(obj["event"])
        try:
            signature = base64.b64decode(obj["sig"], validate=True)
        except (binascii.Error, TypeError):
            raise EventError(_("A log entry's signature is not base64.")) from None
        if len(signature) != 64:
            raise EventError(_("A log entry's signature is not 64 bytes long."))
        if canonical_json(obj) != data:
            raise EventError(_("A log entry is not in canonical form (its bytes were altered)."))
        # Canonical JSON sorts "event" before "sig", so the event's own canonical bytes are
        # exactly the text between them; the check above guarantees they match its fields.
        event_bytes = data[len(b'{"event":'):data.rindex(b',"sig":')]
        return cls(event, signature, event_bytes)


_ENTRY_START = b'{"event":{'
_ENTRY_SIG = b',"sig":"'


def _from_canonical_bytes(data: bytes) -> SignedEvent | None:
    """The quick reader of ``SignedEvent.from_bytes``: the entry when ``data`` is a valid
    entry in canonical form, else None (or an exception; the careful reader then decides).

    Sound because every check that matters is still made: the size and nesting caps before
    parsing, strict UTF-8, the event's fields (``Event.from_dict``), the signature's base64
    and length, and byte equality with the canonical re-encoding, which no duplicate key,
    escaped or reordered text, long or non-canonical number can survive. What it skips is
    only the per-value hooks of ``load_json``, whose faults the equality check also refuses.
    """
    if (type(data) is not bytes or len(data) > MAX_ENTRY_BYTES
            or not data.startswith(_ENTRY_START) or too_deep(data, MAX_ENTRY_DEPTH)):
        return None
    obj = json.loads(data.decode("utf-8"))
    if type(obj) is not dict or len(obj) != 2:
        return None
    sig_text = obj.get("sig")
    raw_event = obj.get("event")
    if type(sig_text) is not str or type(raw_event) is not dict:
        return None
    event = Event.from_dict(raw_event)
    signature = base64.b64decode(sig_text, validate=True)
    if len(signature) != 64 or canonical_json(obj) != data:
        return None
    return SignedEvent(event, signature, data[len(b'{"event":'):data.rindex(_ENTRY_SIG)])


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON for the values events hold.

    Events contain only strings, integers, null, lists and objects with ASCII keys; for those,
    JCS is exactly Python's sorted, compact, non-ASCII-escaping JSON in UTF-8 (a property test
    checks it against the `rfc8785` package), which is several times faster to produce. Text
    that is not valid Unicode (lone surrogates) is refused.
    """
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        raise EventError(_("An event holds a value that cannot be encoded ({exc}).")
                         .format(exc=exc)) from None


def _only_keys(data: Mapping[str, Any], allowed: set[str], what: str) -> None:
    extra = set(data) - allowed
    if extra:
        raise EventError(_("Unexpected field(s) in {what}: {fields}.")
                         .format(what=what, fields=", ".join(sorted(extra))))


_GLNS: dict[str, GLN] = {}  # GLNs that passed check_gln (a network has a few thousand)
_GLNS_MAX = 100_000


def _gln(value: Any, what: str) -> GLN:
    if type(value) is str:
        known = _GLNS.get(value)
        if known is not None:
            return known
    try:
        gln = check_gln(value)
        if len(_GLNS) >= _GLNS_MAX:
            _GLNS.clear()
        _GLNS[gln] = gln
        return gln
    except CodeError as exc:
        raise EventError(_("Event {what} is not a 13-digit GLN ({value!r}): {exc}")
                         .format(what=what, value=value, exc=exc)) from None


def _text(value: Any, what: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise EventError(_("Event {what} must be text of 1 to {limit} characters.")
                         .format(what=what, limit=limit))
    return value


def _parse_date(value: Any, what: str) -> date:
    if not isinstance(value, str):
        raise EventError(_("The {what} is not a date.").format(what=what))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise EventError(_("The {what} ({value!r}) is not a YYYY-MM-DD date.")
                         .format(what=what, value=value)) from None
