"""The facts a verdict decides on (``verdicts.PackFacts``), read from a node's ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from supplychain.clock import parse_iso
from supplychain.codes.gs1 import PackCode
from supplychain.errors import IdentityError
from supplychain.ledger.container_rows import container_of
from supplychain.ledger.events import EventType
from supplychain.ledger.freshness import SyncInfo
from supplychain.ledger.logs import Ledger
from supplychain.ledger.records import ChainStep, PackRecord
from supplychain.ledger.rules import PackStatus, report_counts
from supplychain.ledger.sparse import ProvenStore
from supplychain.ledger.verdicts import PackFacts


@dataclass
class SharedReads:
    """Per-log facts of one batch of verdicts (``Node.verify_many``), read once: each set of
    relevant logs' freshness, and how far each log is covered by a signed checkpoint."""

    freshness: dict[frozenset[str], SyncInfo] = field(default_factory=dict)
    covered: dict[str, int] = field(default_factory=dict)
    disputed_from: dict[str, int] | None = None  # per author: where its log is disputed


def gather_facts(ledger: Ledger, code: PackCode, record: PackRecord | None,
                 chain: Sequence[ChainStep] | None = None,
                 shared: SharedReads | None = None) -> PackFacts:
    """The facts the rules decide on; ``chain``: the pack's chain if already read."""
    pending = ledger.store.pending_for_pack(code.key)
    if record is None:
        return PackFacts(gtin_known=ledger.store.gtin_known(code.gtin),
                         reported=is_reported(ledger, code.key),
                         pending_events=pending)
    if chain is None:
        chain = ledger.chain(code.key)
    disputed = disputed_author(ledger, chain, shared)
    return PackFacts(
        gtin_known=True, registered_lot=record.lot, registered_expiry=record.expiry,
        status=record.status, custodian=record.custodian, recipient=record.recipient,
        forked=record.forked, recalled=bool(ledger.store.recalls(record.gtin, record.lot)),
        reported=is_reported(ledger, code.key, chain),
        integrity_ok=chain_intact(ledger, chain, shared), pending_events=pending,
        container=container_of(ledger.store, code.key),
        dispensed_at=dispensed_at(record, chain), disputed=disputed is not None,
        disputed_author=disputed)


def dispensed_at(record: PackRecord, chain: Sequence[ChainStep]) -> datetime | None:
    """When the pack's latest event (its head) is a dispense: that event's time."""
    if record.status is not PackStatus.DISPENSED:
        return None
    head = next((s for s in reversed(chain) if s.event_hash == record.head), None)
    if head is None or head.type is not EventType.DISPENSE:
        return None
    return parse_iso(head.time)


def disputed_author(ledger: Ledger, chain: Sequence[ChainStep],
                    shared: SharedReads | None = None) -> str | None:
    """The author ("name (GLN)") of the first rewritten log in whose disputed part an event of
    the chain lies (``supplychain.ledger.disputes``); None when no event does. One small
    query per verdict, or per batch through ``shared``."""
    if shared is not None and shared.disputed_from is not None:
        disputed = shared.disputed_from
    else:
        disputed = ledger.store.disputed_from()
        if shared is not None:
            shared.disputed_from = disputed
    if not disputed:
        return None
    for step in chain:
        start = disputed.get(step.log)
        if start is not None and step.index >= start:
            return f"{ledger.member_name(step.log)} ({step.log})"
    return None


def is_reported(ledger: Ledger, pack: str, chain: Sequence[ChainStep] | None = None) -> bool:
    """Whether a report that counts (``rules.report_counts``) names the pack."""
    reports = ledger.store.reports(pack)
    if not reports:
        return False
    parties = {gln for step in (ledger.chain(pack) if chain is None else chain)
               for gln in (step.custodian, step.recipient) if gln is not None}
    for report in reports:
        try:
            reporter = ledger.member(report.reporter).info
        except IdentityError:
            continue
        if report_counts(reporter, parties):
            return True
    return False


def chain_intact(ledger: Ledger, chain: Sequence[ChainStep],
                 shared: SharedReads | None = None) -> bool:
    """Whether every event of a pack's chain is held here under a signed checkpoint.

    Nothing is decoded or re-verified: the verdict relies on what ingest verified
    (docs/ARCHITECTURE.md, "Verdicts"); `audit` and the inspector re-verify it all."""
    covered: dict[str, int] = {} if shared is None else shared.covered
    for step in chain:
        gln, index = step.log, step.index
        if gln not in covered:
            latest = ledger.store.latest_checkpoint(gln)
            covered[gln] = 0 if latest is None else min(latest.size,
                                                        ledger.store.log_size(gln))
        if index < covered[gln]:
            continue
        held = ProvenStore(ledger.store).get(gln, index)
        if held is None or ledger.store.checkpoint_at(gln, held.size) is None:
            return False
    return True
