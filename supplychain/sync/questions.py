"""Questions a light node asks a full node (sans-I/O): documents, paths and limits.

- ``GET /v1/packs/{gtin}/{serial}?lot=&expiry=``: every event touching the pack, each with
  its inclusion proof against a signed checkpoint the server holds (``PackDoc``).
- ``GET /v1/members/{gln}/entries?since=POS``: the shipments addressed to that member since a
  server-local position, and the events of the packs they carry, same shape, plus ``next``
  (``MemberEntriesDoc``).
See docs/SYNC.md, "Questions to a full node".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from supplychain.errors import ProtocolError
from supplychain.i18n import _
from supplychain.ledger.checkpoint import MAX_NOTE_BYTES
from supplychain.ledger.proven import ProvenEntry
from supplychain.sync.protocol import (
    API,
    MAX_ENTRY_BYTES,
    _b64,
    _b64e,
    _hashes,
    _int,
    _list,
    _str,
    check_gln,
    load_document,
    query_int,
)

PATH_PACK = API + "/packs/{gtin}/{serial}"
PATH_MEMBER_ENTRIES = API + "/members/{gln}/entries"
FORMAT_PACK = "supplychain.sync.pack.v1"
FORMAT_MEMBER_ENTRIES = "supplychain.sync.member-entries.v1"

ASK_TIMEOUT = 10.0
"""Seconds a light node waits for its full nodes' answers before deciding offline."""
MAX_PACK_EVENTS = 2_000
"""At most this many events in one pack answer (a pack's chain is short; recalls, reports)."""
MAX_MEMBER_SHIPMENTS = 200
"""At most this many shipments per member-entries answer (``next`` pages on)."""
MAX_MEMBER_EVENTS = 20_000
"""At most this many events in one member-entries answer."""
_GTIN = re.compile(r"[0-9]{14}")
_SERIAL = re.compile(r"[\x21-\x7e]{1,20}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _event_json(e: ProvenEntry) -> dict[str, Any]:
    return {"gln": e.gln, "index": e.index, "entry": _b64e(e.data), "size": e.size,
            "proof": [_b64e(p) for p in e.proof], "checkpoint": e.checkpoint}


def _events(doc: Mapping[str, Any], limit: int) -> tuple[ProvenEntry, ...]:
    out = []
    for raw in _list(doc, "events", limit):
        if not isinstance(raw, dict):
            raise ProtocolError(_("Each event of an answer must be an object."))
        gln, index, size = check_gln(raw.get("gln")), _int(raw, "index"), _int(raw, "size")
        note = _str(raw, "checkpoint")
        if len(note) > MAX_NOTE_BYTES:
            raise ProtocolError(_("The checkpoint of an event in the answer is too long."))
        if not index < size:
            raise ProtocolError(_("Event {index} of log {gln} is proven in a tree of only "
                                  "{size} entries.").format(index=index, gln=gln, size=size))
        out.append(ProvenEntry(gln, index, _b64(raw.get("entry"), f"entry {index}",
                                                MAX_ENTRY_BYTES),
                               size, tuple(_hashes(raw, "proof")), note))
    return tuple(out)


@dataclass(frozen=True)
class PackQuery:
    """The pack asked about: GTIN and serial, and the lot and expiry printed on it (the full
    code: what a caller presents to show it holds the pack)."""

    gtin: str
    serial: str
    lot: str | None = None
    expiry: str | None = None

    @property
    def key(self) -> str:
        return f"{self.gtin}/{self.serial}"

    def query(self) -> dict[str, str]:
        out = {}
        if self.lot is not None:
            out["lot"] = self.lot
        if self.expiry is not None:
            out["expiry"] = self.expiry
        return out

    @classmethod
    def parse(cls, gtin: str, serial: str, params: Mapping[str, str]) -> PackQuery:
        if not _GTIN.fullmatch(gtin) or not _SERIAL.fullmatch(serial):
            raise ProtocolError(_("A pack is asked for by a 14-digit GTIN and a serial of 1 to "
                                  "20 printable characters."))
        lot, expiry = params.get("lot"), params.get("expiry")
        if lot is not None and not _SERIAL.fullmatch(lot):
            raise ProtocolError(_("The lot must be 1 to 20 printable characters."))
        if expiry is not None and not _DATE.fullmatch(expiry):
            raise ProtocolError(_("The expiry must be a date YYYY-MM-DD."))
        return cls(gtin, serial, lot, expiry)


@dataclass(frozen=True)
class PackDoc:
    gtin: str
    serial: str
    events: tuple[ProvenEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_PACK, "gtin": self.gtin, "serial": self.serial,
                "events": [_event_json(e) for e in self.events]}

    @classmethod
    def parse(cls, body: bytes, asked: PackQuery) -> PackDoc:
        doc = load_document(body, FORMAT_PACK)
        if (doc.get("gtin"), doc.get("serial")) != (asked.gtin, asked.serial):
            raise ProtocolError(_("Asked about pack {pack}; the answer is about another.")
                                .format(pack=asked.key))
        return cls(asked.gtin, asked.serial, _events(doc, MAX_PACK_EVENTS))


@dataclass(frozen=True)
class MemberEntriesDoc:
    gln: str
    since: int
    next: int
    events: tuple[ProvenEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_MEMBER_ENTRIES, "gln": self.gln, "since": self.since,
                "next": self.next, "events": [_event_json(e) for e in self.events]}

    @classmethod
    def parse(cls, body: bytes, gln: str, since: int) -> MemberEntriesDoc:
        doc = load_document(body, FORMAT_MEMBER_ENTRIES)
        if check_gln(doc.get("gln")) != gln or _int(doc, "since") != since:
            raise ProtocolError(_("Asked for entries of member {gln} since {since}; the answer "
                                  "is about something else.").format(gln=gln, since=since))
        nxt = _int(doc, "next")
        if nxt < since:
            raise ProtocolError(_("The answer's next position goes back."))
        return cls(gln, since, nxt, _events(doc, MAX_MEMBER_EVENTS))


def parse_since(params: Mapping[str, str]) -> int:
    value = query_int(params, "since", required=False)
    return 0 if value is None else value
