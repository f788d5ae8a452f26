"""Export: applied ledger events to an EPCIS 2.0 ``EPCISDocument``.

Each ledger event becomes ``ObjectEvent``(s) with CBV 2.0 bizSteps and dispositions, packing and
unpacking an ``AggregationEvent`` ADD / DELETE (parentID the case's SSCC), packs as SGTIN URNs,
cases and pallets as SSCC URNs, organisations as SGLN (locations) and PGLN (parties); shipping,
receiving or destroying a case lists the case and everything inside it, as the ledger event
does. Every event carries the ledger's own evidence
(event hash, log, index, signature, canonical event JSON) under the ``sc:`` extension
namespace, which ``extension_signed_event`` reads back. ``collect_records`` reads the ledger;
the rest is pure mapping.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from supplychain import clock
from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import ContainerCode
from supplychain.errors import EpcisError, IdentityError
from supplychain.i18n import _
from supplychain.identity.certificates import MemberInfo
from supplychain.ids import GLN, GTIN
from supplychain.interchange.epcis.schema import validate_document
from supplychain.interchange.epcis.uris import PrefixResolver
from supplychain.interchange.epcis.vocabulary import EPCIS_CONTEXT, SC_NAMESPACE, SC_PREFIX
from supplychain.ledger.events import Event, EventType, Item, SignedEvent, is_container_key
from supplychain.ledger.logs import Ledger
from supplychain.ledger.records import EventStatus
from supplychain.ledger.rules import split_pack_key

_EVENT_ID_NS = uuid.uuid5(uuid.NAMESPACE_URL, SC_NAMESPACE)


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

    code: PackCode | ContainerCode | None = None
    """A pack (its events, and recalls of its lot) or a case (the events that name it)."""
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
        return [resolver.item(item.pack) for item in items]

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
    if kind.is_aggregation:
        assert event.parent is not None
        packing = kind is EventType.PACK
        # The packer's prefix splits the SSCC when packing; unpacking may be another's case.
        body |= {"type": "AggregationEvent",
                 "parentID": resolver.container(event.parent, author if packing else None),
                 "childEPCs": epcs(event.children), "action": "ADD" if packing else "DELETE",
                 "bizStep": "packing" if packing else "unpacking", "disposition": "in_progress",
                 "readPoint": here, "bizLocation": here}
    elif kind is EventType.SHIP:
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
    elif kind in _LEAVING or kind in _HOLDS:  # stolen, exported, sample; quarantine, release
        step, disposition = _LEAVING.get(kind) or _HOLDS[kind]
        body |= {"bizStep": step, "disposition": disposition,
                 "epcList": epcs(event.items), "readPoint": here, "bizLocation": here}
    elif kind is EventType.RETURN:  # a ship back to the supplier, marked as a return
        assert event.to is not None
        body |= {"bizStep": "shipping", "disposition": "returned",
                 "epcList": epcs(event.items), "readPoint": here,
                 "sourceList": parties(author, "source"),
                 "destinationList": parties(event.to, "destination")}
    elif kind is EventType.RECALL:
        assert event.gtin is not None and event.lot is not None
        body |= {"disposition": "recalled",
                 "quantityList": [{"epcClass": resolver.lot_class(event.gtin, event.lot)}],
                 "readPoint": here}
    elif kind is EventType.REPORT:
        body |= {"bizStep": "holding", "disposition": "non_sellable_other",
                 "epcList": epcs(event.items), "readPoint": here, "bizLocation": here}
    else:  # pragma: no cover - every EventType is mapped above
        raise EpcisError(_("No EPCIS mapping for {kind} events.").format(kind=kind.value))
    return [body | evidence]


_LEAVING = {EventType.STOLEN: ("decommissioning", "stolen"),
            EventType.EXPORT: ("decommissioning", "inactive"),
            EventType.SAMPLE: ("sampling", "non_sellable_other")}
_HOLDS = {EventType.QUARANTINE: ("holding", "unavailable"),
          EventType.RELEASE: ("inspecting", "available")}
"""A custodian's quarantine and release (docs/EPCIS.md: CBV 2.0 has neither word)."""


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

    code_lot: str | None = None
    code_key: str | None = None
    if isinstance(selection.code, PackCode):
        code_key = selection.code.key
        code_lot = lot_of(code_key) or selection.code.lot
    elif selection.code is not None:
        code_key = selection.code.sscc
    records: list[ExportRecord] = []
    seen: set[str] = set()
    for entry in store.all_entries():
        gln, idx = entry.log, entry.index
        signed = SignedEvent.from_bytes(entry.data)
        event = signed.event
        status = ledger.event_status(signed.hash)
        if status is None or status.status is not EventStatus.APPLIED or signed.hash in seen:
            continue
        if event.type is EventType.ALERT:  # an alert's life is the ledger's, not an EPCIS fact
            continue
        if selection.org is not None and gln != selection.org:
            continue
        if since is not None and event.datetime < since:
            continue
        if code_key is not None:
            code = selection.code
            if not (any(i.pack == code_key for i in event.items)
                    or (isinstance(code, PackCode) and event.type is EventType.RECALL
                        and event.gtin == code.gtin and event.lot == code_lot)):
                continue
        if selection.gtin is not None:
            gtin, lot = selection.gtin, selection.lot
            if event.type is EventType.RECALL:
                if event.gtin != gtin or (lot is not None and event.lot != lot):
                    continue
            elif not any(not is_container_key(i.pack) and split_pack_key(i.pack)[0] == gtin
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
        raise EpcisError(_("The event carries no usable ledger evidence ({exc}).")
                         .format(exc=exc)) from None
    event = Event.from_dict(body)
    if event.to_bytes() != text.encode("utf-8"):
        raise EpcisError(_("The carried ledger event is not in canonical form."))
    computed = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not isinstance(claimed, str) or not hmac.compare_digest(computed, claimed):
        raise EpcisError(_("The carried ledger event hashes to {value}…, not to the "
                           "sc:eventHash {value2}….")
                         .format(value=computed[:16], value2=str(claimed)[:16]))
    return SignedEvent(event, signature)


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

