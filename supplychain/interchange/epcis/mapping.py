"""Import, first half: what one EPCIS event asks of this organisation's ledger.

``map_event`` is pure: it checks the event's type, bizStep, disposition and action against the
ledger's model (``vocabulary``; AggregationEvents: ``aggregation``), ties it to the acting
organisation (which must be us: only an organisation's own node signs its events) and returns a
``PlannedEvent``, or raises EpcisError with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from supplychain.codes.gs1 import PackCode
from supplychain.errors import CodeError, EpcisError
from supplychain.i18n import _
from supplychain.ids import GLN, GTIN, SSCC
from supplychain.interchange.epcis.aggregation import read_aggregation
from supplychain.interchange.epcis.uris import (
    EpcCode,
    epc_key,
    parse_epcs,
    parse_gln_uri,
    parse_lgtin,
)
from supplychain.interchange.epcis.vocabulary import (
    ALLOWED_ACTIONS,
    ALLOWED_DISPOSITIONS,
    CBVMDA,
    DISPOSITION_PREFIXES,
    SC_PREFIX,
    SOURCE_DESTINATION_PREFIXES,
    STEP_PREFIXES,
    SUPPORTED_STEPS,
    TERMINAL_DISPOSITIONS,
    cbv_word,
    extension_value,
)
from supplychain.ledger.events import MAX_ITEMS, EventType


@dataclass(frozen=True)
class PlannedEvent:
    """What one EPCIS event asks of the ledger, before it is turned into a signed event."""

    index: int
    kind: EventType
    time: str
    moment: datetime
    codes: tuple[EpcCode, ...] = ()
    """Packs and cases; shipping, receiving or destroying a case applies to all inside it."""
    to: GLN | None = None
    gtin: GTIN | None = None
    lot: str | None = None
    reason: str | None = None
    doc_hash: str | None = None
    parent: SSCC | None = None
    """Packing and unpacking: the case (``codes`` are its children; unpacking with none: all
    that is directly inside it)."""
    inside: SSCC | None = None
    """A case's shipping or receiving observed as an AggregationEvent: the children it names
    must be inside this case."""


#: Event times outside these years are typing errors (and years 1 and 9999 cannot even be
#: moved to another time zone offset).
EARLIEST_YEAR = 1970
LATEST_YEAR = 2999


def _event_time(obj: Mapping[str, Any]) -> tuple[str, datetime]:
    text, offset = obj.get("eventTime"), obj.get("eventTimeZoneOffset")
    if not isinstance(text, str):
        raise EpcisError(_("The event has no eventTime."))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise EpcisError(_("eventTime {text!r} is not an ISO 8601 date-time.")
                         .format(text=text)) from None
    if moment.tzinfo is None:
        raise EpcisError(_("eventTime {text!r} has no time zone offset.").format(text=text))
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise EpcisError(_("eventTime {text!r} is not a plausible time for a supply-chain event "
                           "(the year must be from {earliest_year} to {latest_year}).")
                         .format(text=text, earliest_year=EARLIEST_YEAR, latest_year=LATEST_YEAR))
    m = re.fullmatch(r"([+-])(\d{2}):(\d{2})", offset) if isinstance(offset, str) else None
    if m is None:
        raise EpcisError(_("eventTimeZoneOffset {offset!r} is not ±HH:MM.").format(offset=offset))
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
        raise EpcisError(_("The {what} has no id.").format(what=what))
    try:
        return parse_gln_uri(uri)
    except EpcisError as exc:
        raise EpcisError(_("The {what} cannot be tied to an organisation: {exc}")
                         .format(what=what, exc=exc)) from None


def _parties(obj: Mapping[str, Any], list_key: str, key: str) -> list[tuple[str, GLN]]:
    entries = obj.get(list_key) or []
    out: list[tuple[str, GLN]] = []
    for entry in entries if isinstance(entries, list) else []:
        kind = cbv_word(entry.get("type"), SOURCE_DESTINATION_PREFIXES, f"{list_key} type")
        uri = entry.get(key)
        if kind not in ("possessing_party", "owning_party", "location") or not isinstance(uri,
                                                                                            str):
            continue
        try:
            out.append((str(kind), parse_gln_uri(uri)))
        except EpcisError as exc:
            raise EpcisError(_("{list_key} {kind}: {exc}")
                             .format(list_key=list_key, kind=kind, exc=exc)) from None
    return out


def map_event(obj: Any, index: int, me: GLN,
              ext_keys: Sequence[str] = (f"{SC_PREFIX}:",),
              members: Collection[str] = ()) -> PlannedEvent:
    """Map one EPCIS event onto what this organisation's ledger would record.

    Pure: raises EpcisError with the reason when the event cannot be mapped, including when
    it describes another organisation's action (only that organisation's node may sign it).
    """
    if not isinstance(obj, dict):
        raise EpcisError(_("The event is not a JSON object."))
    etype = obj.get("type")
    if etype not in ("ObjectEvent", "AggregationEvent"):
        raise EpcisError(_("{etype} is not supported: only ObjectEvents about serialised packs "
                           "and AggregationEvents about their cases map onto the ledger.")
                         .format(etype=etype))
    if "errorDeclaration" in obj:
        raise EpcisError(_("The event is an error declaration (a correction of an earlier event); "
                           "the ledger's logs are append-only, so corrections are not imported."))
    when, moment = _event_time(obj)
    if etype == "AggregationEvent":
        return _map_aggregation(obj, index, me, when, moment, ext_keys, members)
    action = obj.get("action")
    step = cbv_word(obj.get("bizStep"), STEP_PREFIXES, "bizStep")
    disposition = cbv_word(obj.get("disposition"), DISPOSITION_PREFIXES, "disposition")
    reason = extension_value(obj, ext_keys, "reason")
    doc_hash = extension_value(obj, ext_keys, "documentHash")
    if reason is not None and not isinstance(reason, str):
        raise EpcisError(_("sc:reason is not text."))
    if doc_hash is not None and not isinstance(doc_hash, str):
        raise EpcisError(_("sc:documentHash is not text."))

    if step is None and disposition == "recalled":
        return _map_recall(obj, index, me, when, moment, reason, members)
    if step is None:
        raise EpcisError(_("The event has no bizStep, so the ledger cannot tell what happened."))
    if step not in SUPPORTED_STEPS:
        raise EpcisError(_("bizStep {step!r} has no equivalent in the ledger (supported: "
                           "{steps}; a lot recall has disposition "
                           "'recalled' and no bizStep).")
                         .format(step=step, steps=", ".join(SUPPORTED_STEPS)))
    if action not in ALLOWED_ACTIONS[step]:
        raise EpcisError(_("A {step} event must have action "
                           "{actions}, not {action!r}.")
                         .format(step=step, actions=" or ".join(sorted(ALLOWED_ACTIONS[step])),
                                 action=action))
    allowed = ALLOWED_DISPOSITIONS[step]
    if ((disposition in TERMINAL_DISPOSITIONS) if allowed is None
            else (disposition not in allowed)):
        raise EpcisError(_("Disposition {disposition!r} does not fit bizStep {step!r} in the "
                           "ledger's model of a pack's life.")
                         .format(disposition=disposition, step=step))

    _check_actor(obj, step, me, members)

    if obj.get("quantityList"):
        raise EpcisError(_("quantityList (class-level quantities) cannot be applied to "
                           "serialised packs: list each pack's SGTIN in epcList."))
    epcs = obj.get("epcList")
    if not isinstance(epcs, list) or not epcs:
        raise EpcisError(_("epcList is empty: the event names no pack."))
    if len(epcs) > MAX_ITEMS:
        raise EpcisError(_("epcList names {epcs_count} packs; at most {max_items} per event.")
                         .format(epcs_count=len(epcs), max_items=MAX_ITEMS))
    codes = parse_epcs(epcs, "epcList")
    keys = [epc_key(c) for c in codes]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise EpcisError(_("epcList names pack {dup} twice.").format(dup=dup))
    plan = _plan_object(obj, PlannedEvent(index, EventType.COMMISSION, when, moment,
                                          reason=reason, doc_hash=doc_hash),
                        step, disposition, codes, ext_keys)
    cases = [c for c in codes if not isinstance(c, PackCode)]
    if cases and not plan.kind.takes_containers:
        raise EpcisError(_("A {step} event names packs, not case {sscc} (an SSCC): only "
                           "shipping, receiving and destroying apply to a case and all inside "
                           "it; unpack the packs first.").format(sscc=cases[0].sscc, step=step))
    return plan


def _plan_object(obj: Mapping[str, Any], plan: PlannedEvent, step: str,
                 disposition: str | None, codes: list[EpcCode],
                 ext_keys: Sequence[str]) -> PlannedEvent:
    """The ledger event an ObjectEvent's bizStep and disposition name."""
    reason = plan.reason
    if step == "commissioning":
        packs = [c for c in codes if isinstance(c, PackCode)]
        if len(packs) < len(codes):
            return _replace(plan, codes=tuple(codes))  # a case: refused by the caller
        return _map_commission(obj, plan, packs, ext_keys)
    if step == "shipping":
        to = _recipient(obj)
        kind = EventType.RETURN if disposition == "returned" else EventType.SHIP
        return _replace(plan, kind=kind, codes=tuple(codes), to=to)
    if step == "receiving":
        return _replace(plan, kind=EventType.RECEIVE, codes=tuple(codes))
    leaving = _LEAVING.get((step, disposition))
    if leaving is not None:
        return _replace(plan, kind=leaving, codes=tuple(codes))
    if step == "dispensing" or (step == "decommissioning" and disposition == "dispensed"):
        return _replace(plan, kind=EventType.DISPENSE, codes=tuple(codes))
    if step in ("destroying", "decommissioning"):
        return _replace(plan, kind=EventType.DESTROY, codes=tuple(codes))
    if step == "stocking":  # only as the undo of our own dispense; the rules check it
        return _replace(plan, kind=EventType.UNDO_DISPENSE, codes=tuple(codes))
    held = _HOLDS.get((step, disposition))
    if held is not None:  # a quarantine or release by the custodian, with its reason
        if not reason:
            raise EpcisError(_("A {step} event with disposition {disposition} is a {kind}, "
                               "which the ledger records only with a reason "
                               "({sc_prefix}:reason).").format(
                                   step=step, disposition=disposition, kind=held.value,
                                   sc_prefix=SC_PREFIX))
        return _replace(plan, kind=held, codes=tuple(codes))
    # holding: a suspect report, which the ledger only records with a reason
    if not reason:
        raise EpcisError(_("A holding event becomes a suspect report only with a reason "
                           "({sc_prefix}:reason); a routine hold is not a suspicion.")
                         .format(sc_prefix=SC_PREFIX))
    return _replace(plan, kind=EventType.REPORT, codes=tuple(codes))


_LEAVING: dict[tuple[str, str | None], EventType] = {
    ("decommissioning", "stolen"): EventType.STOLEN,
    ("decommissioning", "inactive"): EventType.EXPORT,
    ("sampling", "non_sellable_other"): EventType.SAMPLE}
"""Packs leaving the chain besides dispense and destroy (docs/EPCIS.md)."""
_HOLDS: dict[tuple[str, str | None], EventType] = {
    ("holding", "unavailable"): EventType.QUARANTINE,
    ("inspecting", "available"): EventType.RELEASE}
"""A custodian's quarantine and its release (docs/EPCIS.md)."""


def _replace(plan: PlannedEvent, **changes: Any) -> PlannedEvent:
    return replace(plan, **changes)


def _map_aggregation(obj: Mapping[str, Any], index: int, me: GLN, when: str,
                     moment: datetime, ext_keys: Sequence[str],
                     members: Collection[str]) -> PlannedEvent:
    """An AggregationEvent (``aggregation.read_aggregation``), done by this organisation."""
    found = read_aggregation(obj)
    _check_actor(obj, found.step, me, members)
    reason = extension_value(obj, ext_keys, "reason")
    if reason is not None and not isinstance(reason, str):
        raise EpcisError(_("sc:reason is not text."))
    plan = PlannedEvent(index, found.kind, when, moment, codes=found.codes, reason=reason)
    if found.kind.is_aggregation:
        return _replace(plan, parent=found.parent)
    to = _recipient(obj) if found.kind is EventType.SHIP else None
    return _replace(plan, to=to, inside=found.parent)


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
        raise EpcisError(_("The event names no readPoint or bizLocation, so it cannot be tied to "
                           "the organisation that acted."))
    for rank, (where, gln) in enumerate(named):
        if gln != me and (rank == 0 or gln in members):
            raise EpcisError(_("This event describes an action by GLN {gln} (its {where}), not "
                               "by this organisation ({me}); only {gln}'s own node can sign it.")
                             .format(gln=gln, where=where, me=me))


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
    raise EpcisError(_("A shipping event needs a destinationList naming the recipient "
                       "(possessing_party, location or owning_party)."))


def _map_commission(obj: Mapping[str, Any], plan: PlannedEvent, codes: list[PackCode],
                    ext_keys: Sequence[str]) -> PlannedEvent:
    ilmd = obj.get("ilmd") or {}
    lot = extension_value(ilmd, ("cbvmda:", CBVMDA), "lotNumber")
    expiry_text = extension_value(ilmd, ("cbvmda:", CBVMDA), "itemExpirationDate")
    expiry: date | None = None
    if expiry_text is not None:
        if not isinstance(expiry_text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                                expiry_text):
            raise EpcisError(_("ilmd cbvmda:itemExpirationDate {expiry_text!r} is not a "
                               "YYYY-MM-DD date.").format(expiry_text=expiry_text))
        try:
            expiry = date.fromisoformat(expiry_text)
        except ValueError:
            raise EpcisError(_("ilmd cbvmda:itemExpirationDate {expiry_text!r} is not a real "
                               "date.").format(expiry_text=expiry_text)) from None
    if lot is not None and not isinstance(lot, str):
        raise EpcisError(_("ilmd cbvmda:lotNumber is not text."))
    packs: list[PackCode] = []
    for code in codes:
        for name, ours, theirs in (("lot", lot, code.lot), ("expiry", expiry, code.expiry)):
            if ours is not None and theirs is not None and ours != theirs:
                raise EpcisError(_("{key}: its Digital Link gives {name} {theirs}, the ilmd "
                                   "gives {ours}.")
                                 .format(key=code.key, name=name, theirs=theirs, ours=ours))
        pack_lot, pack_expiry = lot or code.lot, expiry or code.expiry
        if pack_lot is None or pack_expiry is None:
            raise EpcisError(_("Commissioning {key} needs its lot and expiry (ilmd "
                               "cbvmda:lotNumber and cbvmda:itemExpirationDate).")
                             .format(key=code.key))
        try:
            packs.append(PackCode(code.gtin, code.serial, pack_lot, pack_expiry))
        except CodeError as exc:
            raise EpcisError(_("{key}: {exc}").format(key=code.key, exc=exc)) from None
    return _replace(plan, kind=EventType.COMMISSION, codes=tuple(packs))


def _map_recall(obj: Mapping[str, Any], index: int, me: GLN, when: str, moment: datetime,
                reason: str | None, members: Collection[str]) -> PlannedEvent:
    if obj.get("action") != "OBSERVE":
        raise EpcisError(_("A recall event must have action OBSERVE, not {action!r}.")
                         .format(action=obj.get('action')))
    if obj.get("epcList"):
        raise EpcisError(_("The ledger recalls whole lots: name the lot in quantityList "
                           "(epcClass urn:epc:class:lgtin:...), not packs in epcList."))
    quantities = obj.get("quantityList")
    if not isinstance(quantities, list) or len(quantities) != 1:
        raise EpcisError(_("A recall names exactly one lot in quantityList (epcClass "
                           "urn:epc:class:lgtin:...)."))
    gtin, lot = parse_lgtin(str(quantities[0].get("epcClass")))
    if obj.get("readPoint") is not None or obj.get("bizLocation") is not None:
        _check_actor(obj, "recall", me, members)
    return PlannedEvent(index, EventType.RECALL, when, moment, gtin=gtin, lot=lot, reason=reason)

