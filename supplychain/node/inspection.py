"""Read-only questions an inspector (or a goods-in screen) asks of a ledger.

- ``check_chain``: re-verify every event of a pack's custody chain — the author's signature
  and the entry's inclusion proof in the latest signed checkpoint of its log — and return one
  result per event, so a screen or a report can mark each one checked (or say what failed).
  ``gather_event`` reads the evidence of one event; ``assess_event`` judges it (pure).
- ``find_packs``: packs by code, pack key, GTIN, lot or organisation (GLN or name).
- ``incoming_shipments``: shipments addressed to a member whose packs are still in transit.
- ``lots_of``: the lots a manufacturer commissioned, with counts and recall state.
- ``alerts_naming``: the alerts about a pack or an event of its chain.
- ``evidence_events``: the signed events an alert names as evidence.
- ``code_of_pack``: the pack code of a pack the ledger knows.

Everything here uses the Ledger's and Store's public methods; nothing writes. The searches
walk every log entry (no dedicated SQL index yet), which is fine up to a few hundred thousand
packs and runs off the GUI thread.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from supplychain.codes.gs1 import PackCode, parse_pack_code
from supplychain.errors import CodeError, MerkleError, RuleViolation, SupplyChainError
from supplychain.i18n import _
from supplychain.ids import GLN, EventHash
from supplychain.ledger import merkle
from supplychain.ledger.events import EventType, SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.records import AlertRecord, ChainStep, LogEntry, PackRecord
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.sparse import ProvenStore

_PACK_KEY = re.compile(r"[0-9]{14}/[!-~]{1,20}")


@dataclass(frozen=True)
class EventCheck:
    """The re-verification of one event of a pack's chain."""

    step: ChainStep
    author_name: str
    signature_ok: bool
    proof_ok: bool
    checkpoint_size: int | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.signature_ok and self.proof_ok


@dataclass(frozen=True)
class EventEvidence:
    """What the store holds about one event of a pack's chain, gathered for ``assess_event``."""

    step: ChainStep
    author_name: str
    entry: bytes | None = None
    """The log entry at the step's index (None when it could not be read)."""
    entry_event_hash: str | None = None
    """The hash of the entry's event, once its author's signature verified."""
    checkpoint: tuple[int, bytes] | None = None
    """Size and root of the latest signed checkpoint of the log, when it covers the entry."""
    proof: tuple[bytes, ...] = ()
    """The entry's inclusion proof in that checkpoint."""
    problem: str | None = None
    """Why the entry could not be read or verified, or its proof computed."""


def check_chain(ledger: Ledger, pack: str) -> list[EventCheck]:
    """Re-verify each event of ``pack``'s chain; one result per event, oldest first."""
    return [assess_event(gather_event(ledger, step)) for step in ledger.chain(pack)]


def gather_event(ledger: Ledger, step: ChainStep) -> EventEvidence:
    """Read one chain event's entry, verify its signature, and fetch its inclusion proof."""
    name = ledger.member_name(step.log)
    store = ledger.store
    try:
        data = store.entry(step.log, step.index)
        signed = ledger.verify_entry(step.log, step.index, data)
    except SupplyChainError as exc:
        return EventEvidence(step, name, problem=str(exc))
    evidence = EventEvidence(step, name, data, signed.hash)
    if signed.hash != step.event_hash:
        return evidence
    try:
        latest = store.latest_checkpoint(step.log)
    except SupplyChainError as exc:
        return replace(evidence, problem=str(exc))
    if latest is None or latest.size <= step.index:
        return evidence
    checkpoint = (latest.size, latest.root)
    try:
        proof = tuple(ledger.inclusion_proof(step.log, step.index, latest.size))
    except SupplyChainError as exc:
        return replace(evidence, checkpoint=checkpoint, problem=str(exc))
    return replace(evidence, checkpoint=checkpoint, proof=proof)


def assess_event(evidence: EventEvidence) -> EventCheck:
    """Judge one chain event from its evidence: the signed entry is the event the chain
    names, a signed checkpoint covers it, and its inclusion proof leads to that root."""
    step, name = evidence.step, evidence.author_name
    if evidence.entry is None or evidence.entry_event_hash is None:
        return EventCheck(step, name, False, False, None, evidence.problem
                          or _("Entry {index} of log {log} was not verified.").format(
                              index=step.index, log=step.log))
    if evidence.entry_event_hash != step.event_hash:
        return EventCheck(step, name, False, False, None,
                          _("Entry {index} of log {log} hashes to {found}…, the chain "
                            "names {named}…").format(index=step.index, log=step.log,
                                                     found=evidence.entry_event_hash[:12],
                                                     named=step.event_hash[:12]))
    size = evidence.checkpoint[0] if evidence.checkpoint is not None else None
    if evidence.problem is not None:
        return EventCheck(step, name, True, False, size, evidence.problem)
    if evidence.checkpoint is None:
        return EventCheck(step, name, True, False, None,
                          _("No signed checkpoint of {name}'s log covers entry {index} yet.")
                          .format(name=name, index=step.index))
    size, root = evidence.checkpoint
    try:
        merkle.verify_inclusion(merkle.leaf_hash(evidence.entry), step.index, size,
                                evidence.proof, root)
    except MerkleError as exc:
        return EventCheck(step, name, True, False, size, str(exc))
    return EventCheck(step, name, True, True, size)


def all_alerts(ledger: Ledger) -> list[AlertRecord]:
    """Every alert, by kind and subject."""
    return ledger.store.alerts()


def alerts_naming(ledger: Ledger, pack: str,
                  checks: Iterable[EventCheck]) -> list[AlertRecord]:
    """The alerts whose subject is ``pack`` or one of the events of its checked chain."""
    subjects = {pack} | {c.step.event_hash for c in checks}
    return [a for a in all_alerts(ledger) if a.subject in subjects]


def code_of_pack(ledger: Ledger, pack: str) -> PackCode:
    """The pack code (GTIN, serial, lot, expiry) of a pack this ledger knows."""
    record = ledger.pack(pack)
    if record is None:
        raise RuleViolation(_("{pack} is not known to this node.").format(pack=pack))
    return PackCode(record.gtin, record.serial, record.lot, record.expiry)  # type: ignore[arg-type]


def _events(ledger: Ledger, *, proven: bool = False) -> Iterator[tuple[str, int, SignedEvent]]:
    """Every event held in whole logs (``proven``: and a light node's proven entries)."""
    entries: Iterable[LogEntry] = ledger.store.all_entries()
    if proven:
        entries = itertools.chain(entries, ProvenStore(ledger.store).all())
    for entry in entries:
        try:
            yield entry.log, entry.index, SignedEvent.from_bytes(entry.data)
        except SupplyChainError:
            continue


def find_packs(ledger: Ledger, query: str, limit: int = 500) -> list[PackRecord]:
    """Packs matching ``query``: a scanned code, a pack key, a GTIN, a lot, a GLN or a name."""
    text = query.strip()
    if not text:
        return []
    keys: list[str] = []
    if _PACK_KEY.fullmatch(text):
        keys = [text]
    else:
        try:
            keys = [parse_pack_code(text).key]
        except CodeError:
            keys = []
    if keys:
        return [r for r in (ledger.pack(k) for k in keys) if r is not None]

    digits = text.isdigit()
    gtin = text.zfill(14) if digits and len(text) in (8, 12, 14) else None
    gln = text if digits and len(text) == 13 else None
    lowered = text.lower()
    orgs: set[str] = {m.gln for m in ledger.store.member_names() if lowered in m.name.lower()}
    if gln:
        orgs.add(gln)
    found: dict[str, None] = {}
    for log, _index, signed in _events(ledger):
        event = signed.event
        for item in event.items:
            pack_gtin = item.pack.split("/", 1)[0]
            if (gtin and pack_gtin == gtin) or (item.lot is not None and item.lot == text) \
                    or log in orgs or (event.to is not None and event.to in orgs):
                found.setdefault(item.pack)
        if event.type is EventType.RECALL and event.lot == text and event.gtin:
            for pack in ledger.store.packs_of_lot(event.gtin, event.lot):
                found.setdefault(pack)
        if len(found) >= limit:
            break
    records = [ledger.pack(k) for k in found]
    return sorted((r for r in records if r is not None), key=lambda r: (r.gtin, r.lot, r.serial))


@dataclass(frozen=True)
class Shipment:
    """A shipment addressed to a member, with the packs of it still in transit to them."""

    event_hash: EventHash
    sender: GLN
    sender_name: str
    time: str
    packs: tuple[PackRecord, ...]


def incoming_shipments(ledger: Ledger, gln: str) -> list[Shipment]:
    """Shipments to ``gln`` with at least one pack still in transit to it, oldest first (a
    light node finds them among its proven entries)."""
    shipments: list[Shipment] = []
    for log, _index, signed in _events(ledger, proven=True):
        event = signed.event
        if event.type is not EventType.SHIP or event.to != gln:
            continue
        packs = []
        for item in event.items:
            record = ledger.pack(item.pack)
            if (record is not None and record.status is PackStatus.IN_TRANSIT
                    and record.recipient == gln and record.head == signed.hash):
                packs.append(record)
        if packs:
            shipments.append(Shipment(signed.hash, GLN(log), ledger.member_name(log),
                                      event.time, tuple(packs)))
    return sorted(shipments, key=lambda s: s.time)


@dataclass(frozen=True)
class LotSummary:
    gtin: str
    lot: str
    expiry: date
    count: int
    recalled: bool


def lots_of(ledger: Ledger, gln: str) -> list[LotSummary]:
    """The lots ``gln`` commissioned, newest first by expiry."""
    lots: dict[tuple[str, str], tuple[date, set[str]]] = {}
    for log, _index, signed in _events(ledger):
        event = signed.event
        if log != gln or event.type is not EventType.COMMISSION:
            continue
        for item in event.items:
            if item.lot is None or item.expiry is None:
                continue
            key = (item.pack.split("/", 1)[0], item.lot)
            lots.setdefault(key, (item.expiry, set()))[1].add(item.pack)
    return sorted((LotSummary(g, lot, exp, len(packs), bool(ledger.store.recalls(g, lot)))
                   for (g, lot), (exp, packs) in lots.items()),
                  key=lambda s: (s.gtin, s.lot))


@dataclass(frozen=True)
class EvidenceEvent:
    """A signed event named as evidence by an alert, readable by people."""

    event_hash: str
    log: str
    index: int
    author_name: str
    type: str
    time: str
    body: str


def evidence_events(ledger: Ledger, evidence: str) -> list[EvidenceEvent]:
    """The stored events among the comma-separated hashes in an alert's evidence."""
    out: list[EvidenceEvent] = []
    for part in evidence.split(","):
        row = ledger.store.event_row(part.strip())
        if row is None:
            continue
        log, idx = row.log, row.index
        signed = ledger.signed_event(log, idx)
        body = json.dumps({"event": signed.event.to_dict(),
                           "signature": signed.signature.hex()}, indent=2)
        out.append(EvidenceEvent(part.strip(), log, idx, ledger.member_name(log),
                                 signed.event.type.value, signed.event.time, body))
    return out
