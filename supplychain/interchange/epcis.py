"""GS1 EPCIS 2.0 interchange: ledger events to and from EPCIS 2.0 JSON-LD documents.

Export turns applied ledger events into ``ObjectEvent``s with CBV 2.0 bizSteps and
dispositions, packs as SGTIN URNs, organisations as SGLN (locations) and PGLN (parties), and
the ledger's own evidence (event hash, log, index, signature, canonical event JSON) in the
extension namespace ``sc:`` (``SC_NAMESPACE``). Import maps the EPCIS events another system
wrote onto this organisation's own signed events, all or nothing. docs/EPCIS.md has the tables.

Everything here is pure mapping except ``collect_records`` (reads the ledger) and
``import_document`` (appends through the Node); files are read and written by cli_epcis.
Nothing is fetched from the network: the schema ships with the package and $refs only its own
definitions; the JSON-LD context is named by URL but never retrieved (the EPCIS 2.0 JSON
binding fixes the term names, so no JSON-LD expansion is needed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import jsonschema
from biip.gs1_prefixes import GS1CompanyPrefix
from jsonschema.exceptions import best_match

from supplychain import clock
from supplychain.codes.gs1 import (
    PackCode,
    gtin_check_digit,
    gtin_in_prefix,
    parse_pack_code,
    validate_gln,
    validate_gtin,
)
from supplychain.errors import (
    CodeError,
    EpcisError,
    EpcisSchemaError,
    EventError,
    IdentityError,
    RuleViolation,
)
from supplychain.identity.certificates import MemberInfo
from supplychain.ids import GLN, GTIN
from supplychain.ledger.events import MAX_ITEMS, Event, EventType, Item, SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.records import EventStatus
from supplychain.ledger.rules import split_pack_key

if TYPE_CHECKING:
    from supplychain.node.operations import Node

__all__ = [
    "EPCIS_CONTEXT",
    "SC_NAMESPACE",
    "ExportRecord",
    "ImportReport",
    "PlannedEvent",
    "PrefixResolver",
    "Selection",
    "build_document",
    "collect_records",
    "extension_signed_event",
    "import_document",
    "map_event",
    "parse_document",
    "parse_gln_uri",
    "parse_lgtin",
    "parse_pack_epc",
    "parse_sgtin",
    "lgtin_uri",
    "pgln_uri",
    "schema_problems",
    "sgln_uri",
    "sgtin_uri",
    "validate_document",
]

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
"""The standard EPCIS 2.0 JSON-LD context (named, never fetched)."""
SC_PREFIX = "sc"
SC_NAMESPACE = "https://supplychain.example/ns/epcis/"
"""Our extension namespace. A placeholder domain (RFC 2606 .example): a deployment replaces
it with an IRI under its consortium's own domain; readers match the IRI, not the prefix."""
CBVMDA = "urn:epcglobal:cbv:mda:"
DIGITAL_LINK_DOMAIN = "https://id.gs1.org"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "EPCIS-JSON-Schema.json"
MIN_PREFIX, MAX_PREFIX = 6, 12  # GS1 company prefix lengths the EPC Tag Data Standard allows

_EVENT_ID_NS = uuid.uuid5(uuid.NAMESPACE_URL, SC_NAMESPACE)

# --- EPC URI components (GS1 EPC Tag Data Standard, GS3A3 escaping) ---------------------------
_EPC_SAFE = re.compile(r"[A-Za-z0-9!'()*+,\-.:;=_]")
_EPC_ESCAPE = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E",
               "?": "%3F"}
_EPC_UNESCAPE = {code[1:]: ch for ch, code in _EPC_ESCAPE.items()}


def escape_epc(text: str) -> str:
    """Escape a serial or lot for an EPC pure-identity URI: the seven characters of GS1 set 82
    that a URN cannot carry become %22 %25 %26 %2F %3C %3E %3F; every other character must be
    one the URN carries as it is."""
    out: list[str] = []
    for ch in text:
        if ch in _EPC_ESCAPE:
            out.append(_EPC_ESCAPE[ch])
        elif _EPC_SAFE.fullmatch(ch):
            out.append(ch)
        else:
            raise EpcisError(f"{text!r} holds {ch!r}, which no EPC URI can carry (GS1 "
                             "character set 82 only).")
    return "".join(out)


def unescape_epc(text: str, what: str) -> str:
    """Undo ``escape_epc`` strictly: only the seven escapes, only URN-safe characters."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            code = text[i + 1:i + 3].upper()
            if code not in _EPC_UNESCAPE:
                raise EpcisError(f"The {what} holds '%{text[i + 1:i + 3]}', not one of the "
                                 "escapes an EPC URI allows (%22 %25 %26 %2F %3C %3E %3F).")
            out.append(_EPC_UNESCAPE[code])
            i += 3
        elif _EPC_SAFE.fullmatch(ch):
            out.append(ch)
            i += 1
        else:
            raise EpcisError(f"The {what} holds {ch!r}, which an EPC URI must not contain.")
    if not out:
        raise EpcisError(f"The {what} is empty.")
    return "".join(out)


def _check_prefix_length(length: int) -> None:
    if not MIN_PREFIX <= length <= MAX_PREFIX:
        raise EpcisError(f"A GS1 company prefix has {MIN_PREFIX} to {MAX_PREFIX} digits in an "
                         f"EPC URI, not {length}.")


def sgtin_uri(gtin: str, serial: str, prefix_length: int) -> str:
    """``urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial`` for a GTIN-14 and serial."""
    _check_prefix_length(prefix_length)
    item = gtin[0] + gtin[1 + prefix_length:13]
    return f"urn:epc:id:sgtin:{gtin[1:1 + prefix_length]}.{item}.{escape_epc(serial)}"


def lgtin_uri(gtin: str, lot: str, prefix_length: int) -> str:
    """``urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot``: one lot of one product."""
    _check_prefix_length(prefix_length)
    item = gtin[0] + gtin[1 + prefix_length:13]
    return f"urn:epc:class:lgtin:{gtin[1:1 + prefix_length]}.{item}.{escape_epc(lot)}"


def sgln_uri(gln: str, prefix_length: int, extension: str = "0") -> str:
    """``urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension`` ("0": no extension)."""
    _check_prefix_length(prefix_length)
    return f"urn:epc:id:sgln:{gln[:prefix_length]}.{gln[prefix_length:12]}.{extension}"


def pgln_uri(gln: str, prefix_length: int) -> str:
    """``urn:epc:id:pgln:CompanyPrefix.PartyRef``: a GLN naming a party, not a place."""
    _check_prefix_length(prefix_length)
    return f"urn:epc:id:pgln:{gln[:prefix_length]}.{gln[prefix_length:12]}"


_SGTIN = re.compile(r"urn:epc:id:sgtin:([0-9]+)\.([0-9]+)\.(.*)")
_LGTIN = re.compile(r"urn:epc:class:lgtin:([0-9]+)\.([0-9]+)\.(.*)")
_SGLN = re.compile(r"urn:epc:id:sgln:([0-9]+)\.([0-9]*)\.(.+)")
_PGLN = re.compile(r"urn:epc:id:pgln:([0-9]+)\.([0-9]*)")
_DL_GLN = re.compile(r"https?://[^?#]+?/(414|417)/([0-9]+)(?:/254/[^/?#]+)?/?")
_DL_LOT = re.compile(r"https?://[^?#]+?/01/([0-9]+)/10/([^/?#]+)/?")


def _gtin_from_parts(prefix: str, item: str, uri: str) -> GTIN:
    if not MIN_PREFIX <= len(prefix) <= MAX_PREFIX or len(prefix) + len(item) != 13:
        raise EpcisError(f"{uri}: the company prefix ({MIN_PREFIX}-{MAX_PREFIX} digits) and the "
                         "indicator + item reference must have 13 digits together.")
    body = item[0] + prefix + item[1:]
    return GTIN(body + gtin_check_digit(body))


def parse_sgtin(uri: str) -> tuple[GTIN, str]:
    """(GTIN-14, serial) of an SGTIN URN; EpcisError naming the fault if it is malformed."""
    m = _SGTIN.fullmatch(uri)
    if m is None:
        raise EpcisError(f"{uri!r} is not an SGTIN URN (urn:epc:id:sgtin:Prefix.Item.Serial).")
    gtin = _gtin_from_parts(m.group(1), m.group(2), uri)
    return gtin, unescape_epc(m.group(3), f"serial of {uri}")


def parse_lgtin(uri: str) -> tuple[GTIN, str]:
    """(GTIN-14, lot) of an LGTIN class URN or a GS1 Digital Link ``/01/<gtin>/10/<lot>``."""
    m = _LGTIN.fullmatch(uri)
    if m is not None:
        return _gtin_from_parts(m.group(1), m.group(2), uri), unescape_epc(m.group(3),
                                                                           f"lot of {uri}")
    d = _DL_LOT.fullmatch(uri)
    if d is not None:
        try:
            code = PackCode(validate_gtin(d.group(1)), "0", unquote(d.group(2)))
        except CodeError as exc:
            raise EpcisError(f"{uri}: {exc}") from None
        assert code.lot is not None
        return code.gtin, code.lot
    raise EpcisError(f"{uri!r} names no lot of a product (expected urn:epc:class:lgtin:... or "
                     "a GS1 Digital Link with /01/<GTIN>/10/<lot>).")


def parse_gln_uri(uri: str) -> GLN:
    """The GLN of an SGLN or PGLN URN or a Digital Link /414/ or /417/ (extension ignored)."""
    for pattern in (_SGLN, _PGLN):
        m = pattern.fullmatch(uri)
        if m is not None:
            prefix, ref = m.group(1), m.group(2)
            if not MIN_PREFIX <= len(prefix) <= MAX_PREFIX or len(prefix) + len(ref) != 12:
                raise EpcisError(f"{uri}: the company prefix and the location/party reference "
                                 "must have 12 digits together.")
            return GLN(prefix + ref + gtin_check_digit(prefix + ref))
    d = _DL_GLN.fullmatch(uri)
    if d is not None:
        try:
            return validate_gln(d.group(2))
        except CodeError as exc:
            raise EpcisError(f"{uri}: {exc}") from None
    raise EpcisError(f"{uri!r} names no GLN (expected urn:epc:id:sgln:..., urn:epc:id:pgln:... "
                     "or a GS1 Digital Link with /414/ or /417/).")


def parse_pack_epc(uri: Any) -> PackCode:
    """The pack an epcList entry names: SGTIN URN or GS1 Digital Link (lot/expiry kept)."""
    if not isinstance(uri, str):
        raise EpcisError(f"{uri!r} is not an identifier.")
    if uri.startswith("urn:epc:id:sgtin:"):
        gtin, serial = parse_sgtin(uri)
        try:
            return PackCode(gtin, serial)
        except CodeError as exc:
            raise EpcisError(f"{uri}: {exc}") from None
    if uri.startswith("urn:epc:id:sscc:"):
        raise EpcisError(f"{uri} is a case or pallet (SSCC); the ledger has no aggregation: "
                         "list the packs' SGTINs instead.")
    if uri.startswith("urn:epc:"):
        raise EpcisError(f"{uri} is not a serialised trade item (SGTIN); the ledger holds packs "
                         "only.")
    if re.match(r"(?i)https?://", uri):
        try:
            return parse_pack_code(uri)
        except CodeError as exc:
            raise EpcisError(f"{uri}: {exc}") from None
    raise EpcisError(f"{uri!r} is neither an EPC URI nor a GS1 Digital Link.")


class PrefixResolver:
    """Chooses the GS1 company prefix length that EPC URIs need.

    For a GTIN: the longest company prefix of a known manufacturer certificate that owns it;
    for a GLN: the longest prefix of its own member's certificate that it starts with. Else
    biip's table of GS1 prefix lengths. When neither knows, the identifier is written as a GS1
    Digital Link URI instead (EPCIS 2.0 accepts both forms), so nothing is ever guessed.
    """

    def __init__(self, members: Iterable[MemberInfo], domain: str = DIGITAL_LINK_DOMAIN) -> None:
        members = list(members)
        self.domain = domain.rstrip("/")
        self._all = sorted({p for m in members for p in m.prefixes}, key=len, reverse=True)
        self._own: dict[str, list[str]] = {
            m.gln: sorted(m.prefixes, key=len, reverse=True) for m in members}

    def gtin_prefix(self, gtin: str) -> str | None:
        for prefix in self._all:
            if MIN_PREFIX <= len(prefix) <= MAX_PREFIX and gtin_in_prefix(GTIN(gtin), prefix):
                return prefix
        return _biip_prefix(gtin[1:])

    def gln_prefix(self, gln: str) -> str | None:
        for prefix in self._own.get(gln, []):
            if MIN_PREFIX <= len(prefix) <= MAX_PREFIX and gln.startswith(prefix):
                return str(prefix)
        return _biip_prefix(gln)

    def pack(self, gtin: str, serial: str) -> str:
        prefix = self.gtin_prefix(gtin)
        if prefix is None:
            return f"{self.domain}/01/{gtin}/21/{quote(serial, safe='')}"
        return sgtin_uri(gtin, serial, len(prefix))

    def lot_class(self, gtin: str, lot: str) -> str:
        prefix = self.gtin_prefix(gtin)
        if prefix is None:
            return f"{self.domain}/01/{gtin}/10/{quote(lot, safe='')}"
        return lgtin_uri(gtin, lot, len(prefix))

    def location(self, gln: str) -> str:
        prefix = self.gln_prefix(gln)
        return f"{self.domain}/414/{gln}" if prefix is None else sgln_uri(gln, len(prefix))

    def party(self, gln: str) -> str:
        prefix = self.gln_prefix(gln)
        return f"{self.domain}/417/{gln}" if prefix is None else pgln_uri(gln, len(prefix))


def _biip_prefix(digits13: str) -> str | None:
    found = GS1CompanyPrefix.extract(digits13)
    if found is None or not MIN_PREFIX <= len(found.value) <= MAX_PREFIX:
        return None
    return str(found.value)


# --- export -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportRecord:
    """One applied ledger event and where it sits, ready for mapping."""

    signed: SignedEvent
    log: GLN
    index: int
    source: GLN | None = None
    """For a receive: the party that shipped every pack (author of the items' ship events)."""


@dataclass(frozen=True)
class Selection:
    """Which events an export holds; all given conditions must hold."""

    code: PackCode | None = None
    gtin: GTIN | None = None
    lot: str | None = None
    org: GLN | None = None
    since: date | None = None


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _event_id(h: str, part: int) -> str:
    return f"urn:uuid:{uuid.uuid5(_EVENT_ID_NS, f'{h}/{part}')}"


def _sc(name: str) -> str:
    return f"{SC_PREFIX}:{name}"


def epcis_events(record: ExportRecord, resolver: PrefixResolver) -> list[dict[str, Any]]:
    """The EPCIS ObjectEvent(s) for one ledger event (a commission of several lots gives one
    ObjectEvent per lot, since ILMD applies to every EPC of an event)."""
    signed, event = record.signed, record.signed.event
    author = event.author
    common: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": event.time,
        "eventTimeZoneOffset": _offset(event.datetime),
    }
    evidence: dict[str, Any] = {
        _sc("type"): event.type.value,
        _sc("eventHash"): signed.hash,
        _sc("log"): record.log,
        _sc("index"): record.index,
        _sc("keyId"): event.key_id,
        _sc("signature"): base64.b64encode(signed.signature).decode(),
        _sc("event"): event.to_bytes().decode("utf-8"),
    }
    if event.reason is not None:
        evidence[_sc("reason")] = event.reason
    if event.doc_hash is not None:
        evidence[_sc("documentHash")] = event.doc_hash
    here = {"id": resolver.location(author)}

    def epcs(items: Iterable[Item]) -> list[str]:
        return [resolver.pack(*split_pack_key(item.pack)) for item in items]

    def parties(gln: str, key: str) -> list[dict[str, str]]:
        return [{"type": "possessing_party", key: resolver.party(gln)},
                {"type": "location", key: resolver.location(gln)}]

    kind = event.type
    body: dict[str, Any]
    if kind is EventType.COMMISSION:
        groups: dict[tuple[str | None, date | None], list[Item]] = {}
        for item in event.items:
            groups.setdefault((item.lot, item.expiry), []).append(item)
        out = []
        for part, ((lot, expiry), items) in enumerate(groups.items()):
            assert lot is not None and expiry is not None
            body = {"eventID": _event_id(signed.hash, part), **common, "action": "ADD",
                    "bizStep": "commissioning", "disposition": "active",
                    "epcList": epcs(items), "readPoint": here, "bizLocation": here,
                    "ilmd": {"cbvmda:lotNumber": lot,
                             "cbvmda:itemExpirationDate": expiry.isoformat()},
                    **evidence}
            if len(groups) > 1:
                body[_sc("part")] = f"{part + 1}/{len(groups)}"
            out.append(body)
        return out
    body = {"eventID": _event_id(signed.hash, 0), **common, "action": "OBSERVE"}
    if kind is EventType.SHIP:
        assert event.to is not None
        body |= {"bizStep": "shipping", "disposition": "in_transit",
                 "epcList": epcs(event.items), "readPoint": here,
                 "sourceList": parties(author, "source"),
                 "destinationList": parties(event.to, "destination")}
    elif kind is EventType.RECEIVE:
        body |= {"bizStep": "receiving", "disposition": "in_progress",
                 "epcList": epcs(event.items), "readPoint": here, "bizLocation": here}
        if record.source is not None:
            body["sourceList"] = parties(record.source, "source")
        body["destinationList"] = parties(author, "destination")
    elif kind is EventType.DISPENSE:
        body |= {"bizStep": "dispensing", "disposition": "dispensed",
                 "epcList": epcs(event.items), "readPoint": here, "bizLocation": here}
    elif kind is EventType.UNDO_DISPENSE:
        # CBV has no "undispense": the pack goes back into the pharmacy's sellable stock.
        body |= {"bizStep": "stocking", "disposition": "sellable_accessible",
                 "epcList": epcs(event.items), "readPoint": here, "bizLocation": here}
    elif kind is EventType.DESTROY:
        body |= {"action": "DELETE", "bizStep": "destroying", "disposition": "destroyed",
                 "epcList": epcs(event.items), "readPoint": here, "bizLocation": here}
    elif kind is EventType.RECALL:
        assert event.gtin is not None and event.lot is not None
        body |= {"disposition": "recalled",
                 "quantityList": [{"epcClass": resolver.lot_class(event.gtin, event.lot)}],
                 "readPoint": here}
    elif kind is EventType.REPORT:
        body |= {"bizStep": "holding", "disposition": "non_sellable_other",
                 "epcList": epcs(event.items), "readPoint": here, "bizLocation": here}
    else:  # pragma: no cover - every EventType is mapped above
        raise EpcisError(f"No EPCIS mapping for {kind.value} events.")
    return [body | evidence]


def build_document(records: Iterable[ExportRecord], resolver: PrefixResolver, *,
                   created: datetime, exporter: GLN | None = None,
                   consortium: str | None = None) -> dict[str, Any]:
    """An EPCIS 2.0 ``EPCISDocument`` holding the records' events, in the order given."""
    events = [e for record in records for e in epcis_events(record, resolver)]
    doc: dict[str, Any] = {
        "@context": [EPCIS_CONTEXT, {SC_PREFIX: SC_NAMESPACE}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": clock.to_iso(created),
    }
    if exporter is not None:
        doc["sender"] = resolver.party(exporter)
        doc[_sc("exporter")] = exporter
    if consortium is not None:
        doc[_sc("consortium")] = consortium
    doc["epcisBody"] = {"eventList": events}
    return doc


def collect_records(ledger: Ledger, selection: Selection = Selection()) -> list[ExportRecord]:
    """The applied events this node holds that match ``selection``, oldest first.

    Pending and rejected entries are left out: an EPCIS reader takes every event as a fact.
    """
    store = ledger.store
    since = (datetime.combine(selection.since, time(0), UTC)
             if selection.since is not None else None)
    lots: dict[str, str | None] = {}

    def lot_of(pack: str) -> str | None:
        if pack not in lots:
            record = ledger.pack(pack)
            lots[pack] = record.lot if record else None
        return lots[pack]

    code_lot = None
    if selection.code is not None:
        code_lot = lot_of(selection.code.key) or selection.code.lot
    records: list[ExportRecord] = []
    seen: set[str] = set()
    for entry in store.all_entries():
        gln, idx = entry.log, entry.index
        signed = SignedEvent.from_bytes(entry.data)
        event = signed.event
        status = ledger.event_status(signed.hash)
        if status is None or status.status is not EventStatus.APPLIED or signed.hash in seen:
            continue
        if selection.org is not None and gln != selection.org:
            continue
        if since is not None and event.datetime < since:
            continue
        if selection.code is not None:
            code = selection.code
            if not (any(i.pack == code.key for i in event.items)
                    or (event.type is EventType.RECALL and event.gtin == code.gtin
                        and event.lot == code_lot)):
                continue
        if selection.gtin is not None:
            gtin, lot = selection.gtin, selection.lot
            if event.type is EventType.RECALL:
                if event.gtin != gtin or (lot is not None and event.lot != lot):
                    continue
            elif not any(split_pack_key(i.pack)[0] == gtin
                         and (lot is None or lot_of(i.pack) == lot) for i in event.items):
                continue
        seen.add(signed.hash)
        source = None
        if event.type is EventType.RECEIVE:
            shippers = {row.log for item in event.items if item.prev is not None
                        for row in [store.event_row(item.prev)] if row is not None}
            if len(shippers) == 1:
                source = GLN(shippers.pop())
        records.append(ExportRecord(signed, GLN(gln), idx, source))
    records.sort(key=lambda r: (r.signed.event.datetime, r.log, r.index))
    return records


def extension_signed_event(obj: Mapping[str, Any]) -> SignedEvent:
    """The ledger event an exported ObjectEvent carries in its ``sc:`` extension.

    Checks that the canonical event JSON hashes to ``sc:eventHash``; the caller checks the
    signature against the author's member certificate (identity.verify_signature), so a reader
    needs neither our ledger nor our code beyond SHA-256 and Ed25519.
    """
    try:
        text, claimed, sig = obj[_sc("event")], obj[_sc("eventHash")], obj[_sc("signature")]
        signature = base64.b64decode(sig, validate=True)
        body = json.loads(text)
    except (KeyError, TypeError, ValueError) as exc:
        raise EpcisError(f"The event carries no usable ledger evidence ({exc}).") from None
    event = Event.from_dict(body)
    if event.to_bytes() != text.encode("utf-8"):
        raise EpcisError("The carried ledger event is not in canonical form.")
    computed = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not isinstance(claimed, str) or not hmac.compare_digest(computed, claimed):
        raise EpcisError(f"The carried ledger event hashes to {computed[:16]}…, not to the "
                         f"sc:eventHash {str(claimed)[:16]}….")
    return SignedEvent(event, signature)


# --- schema -------------------------------------------------------------------------------
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    try:
        schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EpcisError(f"The EPCIS schema {SCHEMA_PATH} cannot be read ({exc}); reinstall "
                         "the package.") from exc
    return schema


def _strict_formats() -> jsonschema.FormatChecker:
    """Draft 7 formats are annotations by default; this checker asserts the two EPCIS uses."""
    checker = jsonschema.FormatChecker()

    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _DATE_TIME.fullmatch(value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time with offset")
        datetime.fromisoformat(value.replace("z", "Z"))
        return True

    def _uri(value: object) -> bool:
        if isinstance(value, str) and not _URI.fullmatch(value):
            raise ValueError(f"{value!r} is not an absolute URI")
        return True

    checker.checks("date-time", raises=ValueError)(_date_time)
    checker.checks("uri", raises=ValueError)(_uri)
    return checker


@lru_cache(maxsize=2)
def _validator(strict_formats: bool) -> jsonschema.Draft7Validator:
    checker = _strict_formats() if strict_formats else None
    return jsonschema.Draft7Validator(_schema(), format_checker=checker)


def schema_problems(doc: Any, *, strict_formats: bool = False
                    ) -> tuple[dict[int, str], list[str]]:
    """Schema errors as (one reason per event index, document-level reasons).

    ``strict_formats`` also asserts "uri" and "date-time" formats (our exports pass it; the
    standard's own examples do not: their document id "_:document1" is a blank node).
    """
    by_event: dict[int, list[jsonschema.ValidationError]] = {}
    document: list[jsonschema.ValidationError] = []
    for error in _validator(strict_formats).iter_errors(doc):
        path = list(error.absolute_path)
        at = path.index("eventList") + 1 if "eventList" in path else len(path)
        if at < len(path) and isinstance(path[at], int):
            by_event.setdefault(path[at], []).append(error)
        else:
            document.append(error)
    return ({i: _describe(best_match(errs)) for i, errs in sorted(by_event.items())},
            [_describe(e) for e in document])


def _describe(error: jsonschema.ValidationError) -> str:
    deepest = best_match(error.context) if error.context else error
    where = "/".join(str(p) for p in deepest.absolute_path) or "(document)"
    message = deepest.message
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{where}: {message}"


def validate_document(doc: Any, *, strict_formats: bool = True) -> None:
    """Raise EpcisSchemaError unless ``doc`` validates against GS1's EPCIS 2.0 schema."""
    per_event, document = schema_problems(doc, strict_formats=strict_formats)
    problems = document + [f"event {i}: {r}" for i, r in per_event.items()]
    if problems:
        raise EpcisSchemaError("The document does not validate against the EPCIS 2.0 schema: "
                               + "; ".join(problems[:5]))


def parse_document(data: bytes) -> dict[str, Any]:
    """JSON bytes to an object; EpcisError with the position when it is not JSON."""
    try:
        doc = json.loads(data)
    except UnicodeDecodeError:
        raise EpcisError("The file is not UTF-8 text, so not an EPCIS JSON document.") from None
    except ValueError as exc:
        raise EpcisError(f"The file is not valid JSON ({exc}); nothing was imported.") from None
    if not isinstance(doc, dict):
        raise EpcisError("The file holds JSON but not an EPCIS document (an object).")
    return doc


def _event_list(doc: Mapping[str, Any]) -> list[Any]:
    body = doc.get("epcisBody")
    if doc.get("type") == "EPCISQueryDocument" and isinstance(body, dict):
        body = (body.get("queryResults") or {}).get("resultsBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if doc.get("type") not in ("EPCISDocument", "EPCISQueryDocument") or not isinstance(events,
                                                                                        list):
        raise EpcisError("This is not an EPCISDocument (or EPCISQueryDocument) with an "
                         "eventList; nothing was imported.")
    return events


# --- import: mapping ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedEvent:
    """What one EPCIS event asks of the ledger, before it is turned into a signed event."""

    index: int
    kind: EventType
    time: str
    moment: datetime
    codes: tuple[PackCode, ...] = ()
    to: GLN | None = None
    gtin: GTIN | None = None
    lot: str | None = None
    reason: str | None = None
    doc_hash: str | None = None


_STEP_PREFIXES = ("https://ref.gs1.org/cbv/BizStep-", "https://gs1.org/voc/BizStep-",
                  "urn:epcglobal:cbv:bizstep:")
_DISP_PREFIXES = ("https://ref.gs1.org/cbv/Disp-", "https://gs1.org/voc/Disp-",
                  "urn:epcglobal:cbv:disp:")
SUPPORTED_STEPS = ("commissioning", "shipping", "receiving", "dispensing", "decommissioning",
                   "destroying", "holding", "stocking")
_TERMINAL = frozenset({"destroyed", "dispensed", "partially_dispensed", "disposed",
                       "retail_sold", "stolen", "encoded", "inactive"})
_ALLOWED_DISPOSITIONS: dict[str, frozenset[str | None] | None] = {
    "commissioning": frozenset({None, "active"}),
    "dispensing": frozenset({None, "dispensed"}),
    "destroying": frozenset({None, "destroyed", "disposed"}),
    "decommissioning": frozenset({"dispensed", "destroyed", "disposed"}),
    "holding": frozenset({None, "non_sellable_other", "sellable_not_accessible"}),
    "stocking": frozenset({"sellable_accessible"}),  # back in stock: an undone dispense
    "shipping": None,   # any but _TERMINAL
    "receiving": None,
}
_ALLOWED_ACTIONS = {
    "commissioning": {"ADD"},
    "shipping": {"OBSERVE"},
    "receiving": {"OBSERVE"},
    "holding": {"OBSERVE"},
    "stocking": {"OBSERVE"},
    "dispensing": {"OBSERVE", "DELETE"},
    "decommissioning": {"OBSERVE", "DELETE"},
    "destroying": {"OBSERVE", "DELETE"},
}


def _vocab(value: Any, prefixes: tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise EpcisError(f"The {what} is not text.")
    for prefix in prefixes:
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def extension_keys(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The key prefixes under which this document writes our namespace's terms."""
    keys = [SC_NAMESPACE]
    context = doc.get("@context")
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            keys += [f"{term}:" for term, iri in entry.items() if iri == SC_NAMESPACE]
    return tuple(keys)


def _ext(obj: Mapping[str, Any], prefixes: Sequence[str], name: str) -> Any:
    for prefix in prefixes:
        if prefix + name in obj:
            return obj[prefix + name]
    return None


def _event_time(obj: Mapping[str, Any]) -> tuple[str, datetime]:
    text, offset = obj.get("eventTime"), obj.get("eventTimeZoneOffset")
    if not isinstance(text, str):
        raise EpcisError("The event has no eventTime.")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise EpcisError(f"eventTime {text!r} is not an ISO 8601 date-time.") from None
    if moment.tzinfo is None:
        raise EpcisError(f"eventTime {text!r} has no time zone offset.")
    m = re.fullmatch(r"([+-])(\d{2}):(\d{2})", offset) if isinstance(offset, str) else None
    if m is None:
        raise EpcisError(f"eventTimeZoneOffset {offset!r} is not ±HH:MM.")
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    tz = timezone(timedelta(minutes=-minutes if m.group(1) == "-" else minutes))
    local = moment.astimezone(tz)
    keep = re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}", text)
    if keep and moment.utcoffset() == local.utcoffset():
        return text, moment  # as written: a round trip keeps the ledger's bytes
    return local.isoformat(timespec="milliseconds"), moment


def _gln_at(value: Any, what: str) -> GLN:
    uri = value.get("id") if isinstance(value, dict) else None
    if not isinstance(uri, str):
        raise EpcisError(f"The {what} has no id.")
    try:
        return parse_gln_uri(uri)
    except EpcisError as exc:
        raise EpcisError(f"The {what} cannot be tied to an organisation: {exc}") from None


def _parties(obj: Mapping[str, Any], list_key: str, key: str) -> list[tuple[str, GLN]]:
    entries = obj.get(list_key) or []
    out: list[tuple[str, GLN]] = []
    for entry in entries if isinstance(entries, list) else []:
        kind = _vocab(entry.get("type"), ("https://ref.gs1.org/cbv/SDT-",
                                          "urn:epcglobal:cbv:sdt:"), f"{list_key} type")
        uri = entry.get(key)
        if kind not in ("possessing_party", "owning_party", "location") or not isinstance(uri,
                                                                                            str):
            continue
        try:
            out.append((str(kind), parse_gln_uri(uri)))
        except EpcisError as exc:
            raise EpcisError(f"{list_key} {kind}: {exc}") from None
    return out


def map_event(obj: Any, index: int, me: GLN,
              ext_keys: Sequence[str] = (f"{SC_PREFIX}:",),
              members: Collection[str] = ()) -> PlannedEvent:
    """Map one EPCIS event onto what this organisation's ledger would record.

    Pure: raises EpcisError with the reason when the event cannot be mapped, including when
    it describes another organisation's action (only that organisation's node may sign it).
    """
    if not isinstance(obj, dict):
        raise EpcisError("The event is not a JSON object.")
    etype = obj.get("type")
    if etype == "AggregationEvent":
        raise EpcisError("AggregationEvent is not supported yet (no aggregation in the ledger); "
                         "record the packs themselves in ObjectEvents.")
    if etype != "ObjectEvent":
        raise EpcisError(f"{etype} is not supported: only ObjectEvents about serialised packs "
                         "map onto the ledger.")
    if "errorDeclaration" in obj:
        raise EpcisError("The event is an error declaration (a correction of an earlier event); "
                         "the ledger's logs are append-only, so corrections are not imported.")
    when, moment = _event_time(obj)
    action = obj.get("action")
    step = _vocab(obj.get("bizStep"), _STEP_PREFIXES, "bizStep")
    disposition = _vocab(obj.get("disposition"), _DISP_PREFIXES, "disposition")
    reason = _ext(obj, ext_keys, "reason")
    doc_hash = _ext(obj, ext_keys, "documentHash")
    if reason is not None and not isinstance(reason, str):
        raise EpcisError("sc:reason is not text.")
    if doc_hash is not None and not isinstance(doc_hash, str):
        raise EpcisError("sc:documentHash is not text.")

    if step is None and disposition == "recalled":
        return _map_recall(obj, index, me, when, moment, reason, members)
    if step is None:
        raise EpcisError("The event has no bizStep, so the ledger cannot tell what happened.")
    if step not in SUPPORTED_STEPS:
        raise EpcisError(f"bizStep {step!r} has no equivalent in the ledger (supported: "
                         f"{', '.join(SUPPORTED_STEPS)}; a lot recall has disposition "
                         "'recalled' and no bizStep).")
    if action not in _ALLOWED_ACTIONS[step]:
        raise EpcisError(f"A {step} event must have action "
                         f"{' or '.join(sorted(_ALLOWED_ACTIONS[step]))}, not {action!r}.")
    allowed = _ALLOWED_DISPOSITIONS[step]
    if (disposition in _TERMINAL) if allowed is None else (disposition not in allowed):
        raise EpcisError(f"Disposition {disposition!r} does not fit bizStep {step!r} in the "
                         "ledger's model of a pack's life.")

    _check_actor(obj, step, me, members)

    if obj.get("quantityList"):
        raise EpcisError("quantityList (class-level quantities) cannot be applied to "
                         "serialised packs: list each pack's SGTIN in epcList.")
    epcs = obj.get("epcList")
    if not isinstance(epcs, list) or not epcs:
        raise EpcisError("epcList is empty: the event names no pack.")
    if len(epcs) > MAX_ITEMS:
        raise EpcisError(f"epcList names {len(epcs)} packs; at most {MAX_ITEMS} per event.")
    codes: list[PackCode] = []
    problems: list[str] = []
    for i, uri in enumerate(epcs):
        try:
            codes.append(parse_pack_epc(uri))
        except EpcisError as exc:
            problems.append(f"epcList[{i}]: {exc}")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise EpcisError("; ".join(problems[:3]) + more)
    keys = [c.key for c in codes]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise EpcisError(f"epcList names pack {dup} twice.")

    plan = PlannedEvent(index, EventType.COMMISSION, when, moment, reason=reason,
                        doc_hash=doc_hash)
    if step == "commissioning":
        return _map_commission(obj, plan, codes, ext_keys)
    if step == "shipping":
        to = _recipient(obj)
        return _replace(plan, kind=EventType.SHIP, codes=tuple(codes), to=to)
    if step == "receiving":
        return _replace(plan, kind=EventType.RECEIVE, codes=tuple(codes))
    if step == "dispensing" or (step == "decommissioning" and disposition == "dispensed"):
        return _replace(plan, kind=EventType.DISPENSE, codes=tuple(codes))
    if step in ("destroying", "decommissioning"):
        return _replace(plan, kind=EventType.DESTROY, codes=tuple(codes))
    if step == "stocking":  # only as the undo of our own dispense; the rules check it
        return _replace(plan, kind=EventType.UNDO_DISPENSE, codes=tuple(codes))
    # holding: a suspect report, which the ledger only records with a reason
    if not reason:
        raise EpcisError("A holding event becomes a suspect report only with a reason "
                         f"({SC_PREFIX}:reason); a routine hold is not a suspicion.")
    return _replace(plan, kind=EventType.REPORT, codes=tuple(codes))


def _replace(plan: PlannedEvent, **changes: Any) -> PlannedEvent:
    return replace(plan, **changes)


def _check_actor(obj: Mapping[str, Any], step: str, me: GLN, members: Collection[str]) -> None:
    """The acting organisation must be us.

    The actor is the first of: (shipping) the source party, (receiving) the destination
    party, then bizLocation, then readPoint. Every other GLN the event names (a dock door's
    readPoint, a location entry) must be ours too or belong to no other member: an
    organisation may have sub-locations the consortium does not know, but never another
    member's site.
    """
    named: list[tuple[str, GLN]] = []
    if step == "shipping":
        named += _ranked(_parties(obj, "sourceList", "source"), "sourceList")
    if step == "receiving":
        named += _ranked(_parties(obj, "destinationList", "destination"), "destinationList")
    for key in ("bizLocation", "readPoint"):
        if obj.get(key) is not None:
            named.append((key, _gln_at(obj[key], key)))
    if not named:
        raise EpcisError("The event names no readPoint or bizLocation, so it cannot be tied to "
                         "the organisation that acted.")
    for rank, (where, gln) in enumerate(named):
        if gln != me and (rank == 0 or gln in members):
            raise EpcisError(f"This event describes an action by GLN {gln} (its {where}), not "
                             f"by this organisation ({me}); only {gln}'s own node can sign it.")


def _ranked(parties: list[tuple[str, GLN]], list_key: str) -> list[tuple[str, GLN]]:
    order = {"possessing_party": 0, "owning_party": 1, "location": 2}
    ranked = sorted(parties, key=lambda p: order[p[0]])
    parties_first = [p for p in ranked if p[0] != "location"]
    locations = [p for p in ranked if p[0] == "location"]
    return [(f"{list_key} {k}", g) for k, g in parties_first + locations]


def _recipient(obj: Mapping[str, Any]) -> GLN:
    found = dict(reversed(_parties(obj, "destinationList", "destination")))
    for kind in ("possessing_party", "location", "owning_party"):
        if kind in found:
            return found[kind]
    raise EpcisError("A shipping event needs a destinationList naming the recipient "
                     "(possessing_party, location or owning_party).")


def _map_commission(obj: Mapping[str, Any], plan: PlannedEvent, codes: list[PackCode],
                    ext_keys: Sequence[str]) -> PlannedEvent:
    ilmd = obj.get("ilmd") or {}
    lot = _ext(ilmd, ("cbvmda:", CBVMDA), "lotNumber")
    expiry_text = _ext(ilmd, ("cbvmda:", CBVMDA), "itemExpirationDate")
    expiry: date | None = None
    if expiry_text is not None:
        if not isinstance(expiry_text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                                expiry_text):
            raise EpcisError(f"ilmd cbvmda:itemExpirationDate {expiry_text!r} is not a "
                             "YYYY-MM-DD date.")
        try:
            expiry = date.fromisoformat(expiry_text)
        except ValueError:
            raise EpcisError(f"ilmd cbvmda:itemExpirationDate {expiry_text!r} is not a real "
                             "date.") from None
    if lot is not None and not isinstance(lot, str):
        raise EpcisError("ilmd cbvmda:lotNumber is not text.")
    packs: list[PackCode] = []
    for code in codes:
        for name, ours, theirs in (("lot", lot, code.lot), ("expiry", expiry, code.expiry)):
            if ours is not None and theirs is not None and ours != theirs:
                raise EpcisError(f"{code.key}: its Digital Link gives {name} {theirs}, the ilmd "
                                 f"gives {ours}.")
        pack_lot, pack_expiry = lot or code.lot, expiry or code.expiry
        if pack_lot is None or pack_expiry is None:
            raise EpcisError(f"Commissioning {code.key} needs its lot and expiry (ilmd "
                             "cbvmda:lotNumber and cbvmda:itemExpirationDate).")
        try:
            packs.append(PackCode(code.gtin, code.serial, pack_lot, pack_expiry))
        except CodeError as exc:
            raise EpcisError(f"{code.key}: {exc}") from None
    return _replace(plan, kind=EventType.COMMISSION, codes=tuple(packs))


def _map_recall(obj: Mapping[str, Any], index: int, me: GLN, when: str, moment: datetime,
                reason: str | None, members: Collection[str]) -> PlannedEvent:
    if obj.get("action") != "OBSERVE":
        raise EpcisError(f"A recall event must have action OBSERVE, not {obj.get('action')!r}.")
    if obj.get("epcList"):
        raise EpcisError("The ledger recalls whole lots: name the lot in quantityList "
                         "(epcClass urn:epc:class:lgtin:...), not packs in epcList.")
    quantities = obj.get("quantityList")
    if not isinstance(quantities, list) or len(quantities) != 1:
        raise EpcisError("A recall names exactly one lot in quantityList (epcClass "
                         "urn:epc:class:lgtin:...).")
    gtin, lot = parse_lgtin(str(quantities[0].get("epcClass")))
    if obj.get("readPoint") is not None or obj.get("bizLocation") is not None:
        _check_actor(obj, "recall", me, members)
    return PlannedEvent(index, EventType.RECALL, when, moment, gtin=gtin, lot=lot, reason=reason)


# --- import: applying ---------------------------------------------------------------------------
APPLIED_STATUS = "applied"
VALID_STATUS = "valid"
REJECTED_STATUS = "rejected"


@dataclass(frozen=True)
class EventOutcome:
    """What became of one EPCIS event of an imported document."""

    index: int
    event_id: str | None
    summary: str
    status: str
    reason: str | None = None
    event_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "eventID": self.event_id, "summary": self.summary,
                "status": self.status, "reason": self.reason, "event": self.event_hash}

    def text(self) -> str:
        head = f"event {self.index}"
        if self.event_id:
            head += f" ({self.event_id})"
        line = f"{head}: {self.summary} -> {self.status}"
        if self.reason:
            line += f": {self.reason}"
        elif self.event_hash:
            line += f" (ledger event {self.event_hash[:16]})"
        return line


@dataclass(frozen=True)
class ImportReport:
    """The per-event result of an import; ``committed`` says whether anything was written."""

    outcomes: tuple[EventOutcome, ...]
    document_errors: tuple[str, ...] = ()
    committed: bool = False
    dry_run: bool = False

    @property
    def rejected(self) -> list[EventOutcome]:
        return [o for o in self.outcomes if o.status == REJECTED_STATUS]

    @property
    def ok(self) -> bool:
        return not self.document_errors and not self.rejected

    def to_dict(self) -> dict[str, Any]:
        return {"imported": self.committed, "dry_run": self.dry_run,
                "events": len(self.outcomes), "rejected": len(self.rejected),
                "document_errors": list(self.document_errors),
                "outcomes": [o.to_dict() for o in self.outcomes]}

    def text(self) -> str:
        lines = [f"document: {e}" for e in self.document_errors]
        lines += [o.text() for o in self.outcomes]
        if self.committed:
            lines.append(f"Imported {len(self.outcomes)} event(s).")
        elif self.ok:
            lines.append(f"Dry run: all {len(self.outcomes)} event(s) would be imported; "
                         "nothing was written.")
        else:
            lines.append(f"Nothing imported: {len(self.rejected)} of {len(self.outcomes)} "
                         "event(s) cannot be imported" + (" and the document is invalid"
                                                           if self.document_errors else "")
                         + "; the import is all or nothing.")
        return "\n".join(lines)


class _Rollback(Exception):
    """Raised to undo the dry run's transaction."""


def _summary(obj: Any) -> str:
    if not isinstance(obj, dict):
        return "(not an object)"
    kind = obj.get("type", "?")
    step = _vocab(obj.get("bizStep"), _STEP_PREFIXES, "bizStep") if isinstance(
        obj.get("bizStep"), str) else None
    epcs = obj.get("epcList")
    count = f" of {len(epcs)} pack(s)" if isinstance(epcs, list) else ""
    return f"{kind} {step or obj.get('disposition') or ''}{count}".replace("  ", " ").strip()


def _chain_items(node: Node, codes: Sequence[PackCode], verb: str) -> list[Item]:
    items = []
    for code in codes:
        record = node.ledger.pack(code.key)
        if record is None:
            raise RuleViolation(f"{code.key} is not known to this node; cannot {verb} it "
                                "(import or sync its earlier events first).")
        if record.forked:
            raise RuleViolation(f"{code.key} has a forked custody chain; quarantine and report "
                                "it instead.")
        items.append(Item(code.key, record.head))
    return items


def _build(node: Node, plan: PlannedEvent) -> Event:
    """The event this node would sign for ``plan``, from the ledger's current state."""
    kind = plan.kind
    items: list[Item] = []
    to = None
    if kind is EventType.COMMISSION:
        for code in plan.codes:
            if node.ledger.pack(code.key) is not None:
                raise RuleViolation(f"{code.key} is already commissioned; commissioning it "
                                    "again would clone it.")
            items.append(Item(code.key, None, code.lot, code.expiry))
    elif kind is EventType.SHIP:
        assert plan.to is not None
        try:
            node.ledger.member(plan.to)
        except IdentityError:
            raise RuleViolation(f"The recipient GLN {plan.to} is not a member known to this "
                                "node; import a bundle that carries its certificate first."
                                ) from None
        to = plan.to
        items = _chain_items(node, plan.codes, "ship")
    elif kind is EventType.REPORT:
        items = [Item(c.key) for c in plan.codes]
    elif kind is not EventType.RECALL:
        items = _chain_items(node, plan.codes, kind.value)
    event = Event(kind, node.gln, node.me.key_id, plan.time, tuple(items), to=to,
                  gtin=plan.gtin, lot=plan.lot, reason=plan.reason, doc_hash=plan.doc_hash)
    event.check_shape()
    held = node.store.event_row(event.hash)
    if held is not None:
        raise RuleViolation(f"This exact event is already in the ledger (log {held.log}, entry "
                            f"{held.index}); it was imported or recorded before.")
    return event


def import_document(node: Node, data: bytes, *, dry_run: bool = False) -> ImportReport:
    """Import an EPCIS document as this organisation's own signed events, all or nothing.

    Every event is validated (schema), mapped and rule-checked in eventTime order inside one
    transaction that is always rolled back; only when every event passes are they appended in
    one ``Node.append`` (one transaction, one checkpoint). Raises EpcisError when the file is
    not an EPCIS document at all; otherwise returns the per-event report.
    """
    doc = parse_document(data)
    events = _event_list(doc)
    per_event, document_errors = schema_problems(doc)
    keys = extension_keys(doc)
    members = frozenset(m.gln for m in node.store.member_names())
    outcomes: dict[int, EventOutcome] = {}
    ids = {i: (e.get("eventID") if isinstance(e, dict) and isinstance(e.get("eventID"), str)
               else None) for i, e in enumerate(events)}
    summaries = {i: _summary(e) for i, e in enumerate(events)}

    def reject(i: int, reason: str) -> None:
        outcomes[i] = EventOutcome(i, ids[i], summaries[i], REJECTED_STATUS, reason)

    plans: list[PlannedEvent] = []
    for i, obj in enumerate(events):
        if i in per_event:
            reject(i, f"does not validate against the EPCIS 2.0 schema: {per_event[i]}")
            continue
        try:
            plans.append(map_event(obj, i, node.gln, keys, members))
        except (EpcisError, EventError) as exc:
            reject(i, str(exc))
    plans.sort(key=lambda p: (p.moment, p.index))

    built: list[tuple[PlannedEvent, Event]] = []
    try:
        with node.store.transaction():
            for plan in plans:
                try:
                    event = _build(node, plan)
                    node.append([event])  # joins the outer transaction, undone below
                except (RuleViolation, EventError, IdentityError) as exc:
                    reject(plan.index, str(exc))
                    continue
                built.append((plan, event))
                outcomes[plan.index] = EventOutcome(plan.index, ids[plan.index],
                                                    summaries[plan.index], VALID_STATUS,
                                                    event_hash=event.hash)
            raise _Rollback
    except _Rollback:
        pass

    ok = not document_errors and all(o.status != REJECTED_STATUS for o in outcomes.values())
    committed = False
    if ok and not dry_run and built:
        signed = node.append([event for _, event in built])
        committed = True
        for (plan, _), s in zip(built, signed, strict=True):
            outcomes[plan.index] = EventOutcome(plan.index, ids[plan.index],
                                                summaries[plan.index], APPLIED_STATUS,
                                                event_hash=s.hash)
    return ImportReport(tuple(outcomes[i] for i in sorted(outcomes)), tuple(document_errors),
                        committed, dry_run)


def members_of(ledger: Ledger) -> Iterator[MemberInfo]:
    """Every member this node knows (for the prefix resolver)."""
    for known in ledger.store.member_names():
        try:
            yield ledger.member(known.gln).info
        except IdentityError:
            continue


def export_document(ledger: Ledger, selection: Selection = Selection(), *,
                    exporter: GLN | None = None, created: datetime | None = None
                    ) -> tuple[dict[str, Any], int]:
    """Collect, map and validate: the EPCIS document for ``selection`` and its ledger event
    count. Raises EpcisSchemaError if the result would not validate (a bug, never shipped)."""
    records = collect_records(ledger, selection)
    resolver = PrefixResolver(members_of(ledger))
    doc = build_document(records, resolver, created=created or clock.now(),
                         exporter=exporter, consortium=ledger.consortium)
    validate_document(doc, strict_formats=True)
    return doc, len(records)

