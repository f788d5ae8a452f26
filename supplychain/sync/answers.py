"""A full node answering light nodes' questions (``sync.questions``) from its ``Ledger``.

Every event goes out with its inclusion proof against the latest signed checkpoint of its
log held here; events a held checkpoint does not cover yet are left out (the next answer
carries them). Entitlement and rate limits: ``sync.pack_access``.
"""

from __future__ import annotations

import math

from supplychain.errors import RateLimited, ReadForbidden
from supplychain.i18n import _
from supplychain.identity.certificates import MemberInfo
from supplychain.ledger.events import SignedEvent, is_container_key
from supplychain.ledger.logs import Ledger
from supplychain.ledger.membership import sharing_policy
from supplychain.ledger.proven import ProvenEntry
from supplychain.ledger.records import CheckpointRecord
from supplychain.ledger.rules import split_pack_key
from supplychain.ledger.sparse import PackIndex
from supplychain.ledger.witnessing import cosigned_note
from supplychain.sync.pack_access import Access, TokenBucket, pack_access
from supplychain.sync.questions import (
    MAX_MEMBER_EVENTS,
    MAX_MEMBER_SHIPMENTS,
    MAX_PACK_EVENTS,
    MemberEntriesDoc,
    PackDoc,
    PackQuery,
)


class Answers:
    """Answers for one serving node; runs on the store's thread."""

    def __init__(self, ledger: Ledger, bucket: TokenBucket | None = None) -> None:
        self.ledger = ledger
        self.index = PackIndex(ledger.store)
        self.bucket = bucket or TokenBucket()

    def _proven(self, positions: list[tuple[str, int]], limit: int) -> list[ProvenEntry]:
        store = self.ledger.store
        latest: dict[str, tuple[CheckpointRecord, str] | None] = {}
        out: list[ProvenEntry] = []
        for gln, idx in positions:
            if gln not in latest:
                latest[gln] = self._proof_target(gln)
            target = latest[gln]
            if target is None or idx >= target[0].size:
                continue  # not covered by a checkpoint yet, or a log not held whole here
            cp, note = target
            out.append(ProvenEntry(gln, idx, store.entry(gln, idx), cp.size,
                                   tuple(self.ledger.inclusion_proof(gln, idx, cp.size)),
                                   note))
            if len(out) >= limit:
                break
        return out

    def _proof_target(self, gln: str) -> tuple[CheckpointRecord, str] | None:
        """The checkpoint log ``gln``'s events are proven against (the latest held, with the
        cosignatures kept for it), or None when the log is not held whole up to it."""
        store = self.ledger.store
        cp = store.latest_checkpoint(gln)
        if cp is None or store.log_size(gln) < cp.size:
            return None
        return cp, cosigned_note(store, gln) or cp.note

    def _closure(self, positions: list[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
        """``positions`` and the events every item of theirs names as previous, transitively:
        an event is derived whole, so a light node needs the previous events of all its items
        (a shipment of several lots: every lot's commissioning)."""
        found = set(positions)
        queue = list(positions)
        while queue and len(found) < limit:
            gln, idx = queue.pop()
            signed = SignedEvent.from_bytes(self.ledger.store.entry(gln, idx))
            prevs = {item.prev for item in signed.event.items if item.prev}
            for row in self.ledger.store.event_rows(prevs).values():
                if (row.log, row.index) not in found:
                    found.add((row.log, row.index))
                    queue.append((row.log, row.index))
        return sorted(found)

    def _positions_of(self, key: str) -> list[tuple[str, int]]:
        """Every event touching a pack (its chain, reports, recalls of its lot) or a case or
        pallet (an SSCC item key: its chain only; a case has no GTIN nor lot)."""
        if is_container_key(key):
            return self.index.positions_of_pack(key, "", None)
        gtin, _serial = split_pack_key(key)
        record = self.ledger.pack(key)
        return self.index.positions_of_pack(key, gtin, record.lot if record else None)

    def pack_events(self, pack: str) -> list[ProvenEntry]:
        positions = self._positions_of(pack)
        return self._proven(self._closure(positions, MAX_PACK_EVENTS), MAX_PACK_EVENTS)

    def pack_doc(self, caller: MemberInfo, q: PackQuery) -> PackDoc:
        """Raises ReadForbidden (403) or RateLimited (429)."""
        record = self.ledger.pack(q.key)
        parties = {g for step in self.ledger.chain(q.key)
                   for g in (step.log, step.custodian, step.recipient) if g is not None}
        owner = self.ledger.prefix_owners().owner(q.gtin)
        access = pack_access(caller, sharing_policy(self.ledger), parties, owner,
                             record, q.lot, q.expiry)
        if access is not Access.ENTITLED:  # every unentitled question counts, refused or not
            wait = self.bucket.take(caller.gln)
            if wait > 0:
                raise RateLimited(_("Too many pack questions from {gln}; try again in {n} "
                                    "s.").format(gln=caller.gln, n=math.ceil(wait)),
                                  wait)
        if access is Access.FORBIDDEN:
            raise ReadForbidden(_("Member {gln} may read pack {pack} only by presenting its "
                                  "full code (GTIN, serial, lot and expiry as the ledger "
                                  "holds them).").format(gln=caller.gln, pack=q.key))
        return PackDoc(q.gtin, q.serial, tuple(self.pack_events(q.key)))

    def member_entries_doc(self, caller: MemberInfo, gln: str, since: int) -> MemberEntriesDoc:
        """Shipments to ``gln`` after ``since`` and the events of their packs; only ``gln``
        itself may ask (ReadForbidden otherwise)."""
        if caller.gln != gln:
            raise ReadForbidden(_("Only member {gln} may read the entries addressed to it.")
                                .format(gln=gln))
        shipments = self.index.shipments_to(gln, since, MAX_MEMBER_SHIPMENTS)
        positions: set[tuple[str, int]] = set()
        nxt = since
        for shipment in shipments:
            before = len(positions)
            positions.add((shipment.gln, shipment.index))
            positions.update(self._positions_of(shipment.pack))
            if len(positions) > MAX_MEMBER_EVENTS and before:
                break  # this shipment goes into the next answer
            nxt = shipment.position
        events = self._proven(self._closure(sorted(positions), MAX_MEMBER_EVENTS),
                              MAX_MEMBER_EVENTS)
        return MemberEntriesDoc(gln, since, nxt, tuple(events))
