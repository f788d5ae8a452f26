"""The ledger: verified logs in the store, and the pack state derived from them.

``Ledger`` checks every entry before it is stored (canonical form, author certificate,
signature, revocation), keeps each log's Merkle nodes so roots and proofs cost O(log n), and
derives pack state with the pure rules in ``supplychain.ledger.rules``. Derivation is
order-independent: an event whose ``prev`` has not arrived waits in ``pending``; a fork keeps
both events.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.errors import (
    CheckpointError,
    EventError,
    IdentityError,
    InconsistentLog,
    InvalidSignature,
    LedgerError,
    RuleViolation,
)
from supplychain.identity.certificates import (
    Member,
    Revocation,
    load_certificate,
    verify_member_certificate,
    verify_signature,
)
from supplychain.ids import GLN, EventHash
from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import Checkpoint, SignedCheckpoint, sign_checkpoint
from supplychain.ledger.events import EventType, SignedEvent
from supplychain.ledger.rules import PackState, PackStatus, apply_item, check_recall, split_pack_key
from supplychain.ledger.store import Store

PARALLEL_MIN = 2_000  # entries: smaller batches are verified in this process
PARALLEL_CHUNK = 500  # entries per worker job (and per stored, derived chunk)
REBUILD_CHUNK = 1_000

APPLIED = "applied"
PENDING = "pending"
REJECTED = "rejected"


class StoredNodes:
    """A ``merkle.NodeSource`` reading one log's perfect subtree hashes from the store."""

    def __init__(self, store: Store, gln: str) -> None:
        self.store = store
        self.gln = gln

    def perfect(self, level: int, index: int) -> bytes:
        return self.store.node(self.gln, level, index)


class _Wanted:
    """A ``merkle.NodeSource`` noting which nodes are asked for, answering placeholders.

    Which perfect subtrees a root or proof reads depends only on the indices and sizes,
    never on hash values, so a dry run lists exactly the nodes the real one will read.
    """

    def __init__(self) -> None:
        self.asked: list[tuple[int, int]] = []

    def perfect(self, level: int, index: int) -> bytes:
        self.asked.append((level, index))
        return bytes(32)


class _FetchedNodes(StoredNodes):
    """Nodes read in advance; any other (a missing node) is asked of the store as before."""

    def __init__(self, store: Store, gln: str, found: dict[tuple[int, int], bytes]) -> None:
        super().__init__(store, gln)
        self.found = found

    def perfect(self, level: int, index: int) -> bytes:
        found = self.found.get((level, index))
        return found if found is not None else self.store.node(self.gln, level, index)


@dataclass(frozen=True)
class PackRecord:
    """The derived state of one pack (its head event), as the verdict needs it."""

    pack: str
    gtin: str
    serial: str
    lot: str
    expiry: date
    status: PackStatus
    custodian: GLN
    recipient: GLN | None
    head: EventHash
    forked: bool


@dataclass(frozen=True)
class ChainStep:
    """One event of a pack's custody chain, oldest first."""

    event_hash: EventHash
    prev: EventHash | None
    log: GLN
    index: int
    type: EventType
    time: str
    status: PackStatus
    custodian: GLN
    recipient: GLN | None


class Ledger:
    """Verified logs plus derived pack state, over one Store."""

    def __init__(self, store: Store, root_cert: x509.Certificate, consortium: str) -> None:
        self.store = store
        self.root_cert = root_cert
        self.consortium = consortium
        self._members: dict[tuple[str, str], Member] = {}
        self._latest: dict[str, Member] = {}  # newest certificate per GLN
        self._expiry: dict[tuple[str, str], tuple[Member, datetime]] = {}
        self.verify_workers = 0  # > 0: append_entries verifies big batches in worker processes

    # --- directory -----------------------------------------------------------------
    def add_member_certificate(self, pem: bytes) -> Member:
        """Verify a member certificate against the root and keep it."""
        member = verify_member_certificate(load_certificate(pem), self.root_cert)
        info = member.info
        self.store.put_member(info.gln, member.serial, member.key_id, info.name,
                              info.role.value, json.dumps(list(info.prefixes)), member.cert_pem)
        self._members[(info.gln, member.key_id)] = member
        self._latest.pop(info.gln, None)
        return member

    def member(self, gln: str, key_id: str | None = None) -> Member:
        """The verified member certificate of ``gln`` (with ``key_id`` if given)."""
        if key_id is not None and (gln, key_id) in self._members:
            return self._members[(gln, key_id)]
        if key_id is None and gln in self._latest:
            return self._latest[gln]
        if key_id is None:
            pems = self.store.member_certs(gln)
            if not pems:
                raise IdentityError(f"No member with GLN {gln} is known to this node.")
            pem = pems[-1]
        else:
            found = self.store.member_cert(gln, key_id)
            if found is None:
                raise IdentityError(
                    f"No certificate of member {gln} with key {key_id} is known to this node; "
                    "import the consortium's member list (a bundle) first."
                )
            pem = found
        # Certificates were verified when stored; verify again (the file may be tampered).
        member = verify_member_certificate(load_certificate(pem), self.root_cert,
                                           at=_cert_time(pem))
        self._members[(gln, member.key_id)] = member
        if key_id is None:
            self._latest[gln] = member
        return member

    def member_name(self, gln: str) -> str:
        try:
            return self.member(gln).info.name
        except IdentityError:
            return f"unknown organisation {gln}"

    def add_revocation(self, revocation: Revocation) -> bool:
        """Keep a root-signed revocation; rebuild derived state if it changes anything."""
        revocation.verify(self.root_cert)
        before = self.store.revocation_size(revocation.gln)
        self.store.put_revocation(revocation.gln, revocation.valid_log_size,
                                  json.dumps(revocation.to_dict(), sort_keys=True))
        after = self.store.revocation_size(revocation.gln)
        if before == after:
            return False
        if self.store.log_size(revocation.gln) > revocation.valid_log_size:
            self.rebuild()
        return True

    def revocations(self) -> list[Revocation]:
        return [Revocation.from_dict(json.loads(d)) for d in self.store.all_revocations()]

    # --- logs ----------------------------------------------------------------------
    def origin(self, gln: str) -> str:
        return f"supplychain/{_slug(self.consortium)}/{gln}"

    def log_size(self, gln: str) -> int:
        return self.store.log_size(gln)

    def root(self, gln: str, size: int | None = None) -> bytes:
        n = self.store.log_size(gln) if size is None else size
        return merkle.root_from(StoredNodes(self.store, gln), n)

    def inclusion_proof(self, gln: str, index: int, size: int) -> list[bytes]:
        """The proof, its O(log n) stored nodes read in one statement (see ``_Wanted``)."""
        wanted = _Wanted()
        try:
            merkle.inclusion_proof_from(wanted, index, size)
        except ValueError:  # out of range: let the real call raise its own error
            return merkle.inclusion_proof_from(StoredNodes(self.store, gln), index, size)
        found = self.store.nodes_at(gln, wanted.asked)
        return merkle.inclusion_proof_from(_FetchedNodes(self.store, gln, found), index, size)

    def consistency_proof(self, gln: str, old_size: int, new_size: int) -> list[bytes]:
        return merkle.consistency_proof_from(StoredNodes(self.store, gln), old_size, new_size)

    def verify_entry(self, gln: str, index: int, data: bytes) -> SignedEvent:
        """Parse an entry of log ``gln`` and check its author and signature; raise if bad."""
        signed, member = self._check_entry(gln, index, data)
        try:
            verify_signature(member.public_key, signed.event_bytes, signed.signature)
        except InvalidSignature:
            raise self._forged(gln, index, member) from None
        return signed

    def _check_entry(self, gln: str, index: int, data: bytes) -> tuple[SignedEvent, Member]:
        """Everything ``verify_entry`` checks but the signature; return the signer too."""
        signed = SignedEvent.from_bytes(data)
        event = signed.event
        if event.author != gln:
            raise EventError(f"Entry {index} of log {gln} claims author {event.author}: an "
                             "organisation writes only to its own log.")
        member = self.member(gln, event.key_id)
        # An expired certificate signs nothing new. (Earlier dates are allowed: a member may
        # import its history from before it joined, e.g. from EPCIS.)
        cached = self._expiry.get((gln, event.key_id))
        if cached is None or cached[0] is not member:
            cached = (member, member.certificate.not_valid_after_utc)
            self._expiry[(gln, event.key_id)] = cached
        expires = cached[1]
        if event.datetime > expires:
            raise EventError(
                f"Entry {index} of log {gln} is dated {event.time}, after the certificate "
                f"that signed it expired ({expires:%Y-%m-%d}).")
        return signed, member

    @staticmethod
    def _forged(gln: str, index: int, member: Member) -> InvalidSignature:
        return InvalidSignature(f"Entry {index} of log {gln} ({member.info.name}) has a forged "
                                "or damaged signature.")

    def append_entries(self, gln: str, start: int, entries: list[bytes],
                       workers: int | None = None) -> list[SignedEvent]:
        """Verify and append entries ``start..`` to log ``gln``, deriving their state.

        Must run inside ``store.transaction()``; raises without writing on any bad entry.
        ``workers`` (default ``self.verify_workers``, 0) > 0 verifies the signatures of a batch
        of at least ``PARALLEL_MIN`` entries in that many worker processes (verify_pool) while
        this process parses, checks and derives: same checks, same errors, same state.
        """
        size = self.store.log_size(gln)
        if start != size:
            raise LedgerError(f"Log {gln} holds {size} entries here; cannot append at {start}.")
        workers = self.verify_workers if workers is None else workers
        if workers > 0 and len(entries) >= PARALLEL_MIN:
            return self._append_parallel(gln, start, entries, workers)
        verified = [self.verify_entry(gln, start + i, data) for i, data in enumerate(entries)]
        compact = merkle.CompactRange.from_source(StoredNodes(self.store, gln), size)
        self._store_and_derive(gln, start, entries, verified, compact)
        return verified

    def _store_and_derive(self, gln: str, start: int, entries: list[bytes],
                          verified: list[SignedEvent], compact: merkle.CompactRange) -> None:
        """Write verified entries and their Merkle nodes, then derive them (one batch)."""
        hashes = [s.hash for s in verified]
        self.store.put_entries((gln, start + i, data, h)
                               for i, (data, h) in enumerate(zip(entries, hashes, strict=True)))
        nodes: list[tuple[int, int, bytes]] = []
        for data in entries:
            nodes.extend(compact.append(merkle.leaf_hash(data)))
        self.store.put_nodes(gln, nodes)
        self._derive_batch([(s, h, gln, start + i)
                            for i, (s, h) in enumerate(zip(verified, hashes, strict=True))])

    def _append_parallel(self, gln: str, start: int, entries: list[bytes],
                         workers: int) -> list[SignedEvent]:
        """``append_entries`` with signatures checked in worker processes, chunk by chunk.

        This process parses and checks chunk k+1 while the workers verify chunk k's
        signatures; a chunk is stored and derived only once all its signatures verified. The
        first bad entry (in log order, as the serial path finds it) raises its own error, and
        the savepoint undoes the chunks already stored.
        """
        from supplychain.ledger import verify_pool

        size = start
        out: list[SignedEvent] = []
        raw_keys: dict[int, bytes] = {}
        inflight: deque[tuple[int, list[bytes], list[tuple[SignedEvent, Member]],
                              Exception | None, object]] = deque()
        with self.store.savepoint():
            compact = merkle.CompactRange.from_source(StoredNodes(self.store, gln), size)

            def finish() -> None:
                first, chunk, checked, error, future = inflight.popleft()
                bad = future.result()  # type: ignore[attr-defined]
                if bad >= 0:
                    raise self._forged(gln, first + bad, checked[bad][1])
                if error is not None:
                    raise error
                verified = [signed for signed, _ in checked]
                self._store_and_derive(gln, first, chunk, verified, compact)
                out.extend(verified)

            for offset in range(0, len(entries), PARALLEL_CHUNK):
                chunk = entries[offset:offset + PARALLEL_CHUNK]
                first = start + offset
                checked: list[tuple[SignedEvent, Member]] = []
                error: Exception | None = None
                for i, data in enumerate(chunk):
                    try:
                        checked.append(self._check_entry(gln, first + i, data))
                    except Exception as exc:  # raised in log order, as the serial path would
                        error = exc
                        break
                jobs = []
                for signed, member in checked:
                    raw = raw_keys.get(id(member))
                    if raw is None:
                        raw = raw_keys[id(member)] = _raw_key(member)
                    jobs.append((raw, signed.event_bytes, signed.signature))
                future = verify_pool.submit(workers, jobs)
                inflight.append((first, chunk, checked, error, future))
                if error is not None:
                    break
                while len(inflight) > workers:
                    finish()
            while inflight:
                finish()
        return out

    # --- checkpoints ---------------------------------------------------------------
    def sign_own_checkpoint(self, gln: str, key: object) -> SignedCheckpoint:
        size = self.store.log_size(gln)
        checkpoint = Checkpoint(self.origin(gln), size, self.root(gln, size))
        signed = sign_checkpoint(checkpoint, self.origin(gln), key)  # type: ignore[arg-type]
        self.store.put_checkpoint(gln, size, checkpoint.root_hash, signed.to_text(), _now())
        return signed

    def accept_checkpoint(self, gln: str, note: str) -> SignedCheckpoint:
        """Verify a signed checkpoint of log ``gln`` against what this node holds, and keep it.

        Raises CheckpointError on a bad signature or origin, InconsistentLog when the root
        disagrees with the entries held here or with a checkpoint already held.
        """
        signed = SignedCheckpoint.parse(note)
        cp = signed.checkpoint
        if cp.origin != self.origin(gln):
            raise CheckpointError(f"Checkpoint origin {cp.origin!r} is not log {gln}'s.")
        verified = False
        for pem in self.store.member_certs(gln):
            try:
                member = verify_member_certificate(load_certificate(pem), self.root_cert,
                                                   at=_cert_time(pem))
                signed.verify(member.public_key)
                verified = True
                break
            except (CheckpointError, IdentityError):
                continue
        if not verified:
            raise CheckpointError(f"Checkpoint of log {gln} at size {cp.size} is not signed by "
                                  f"{gln}'s member key.")
        held = self.store.checkpoint_at(gln, cp.size)
        if held is not None and held[0] != cp.root_hash:
            raise InconsistentLog(f"Log {gln} has two signed checkpoints of size {cp.size} with "
                                  "different roots (equivocation).")
        if cp.size > self.store.log_size(gln):
            raise CheckpointError(f"Checkpoint of log {gln} covers {cp.size} entries; only "
                                  f"{self.store.log_size(gln)} are held here.")
        computed = self.root(gln, cp.size)
        if computed != cp.root_hash:
            raise InconsistentLog(
                f"Log {gln}: the signed root at size {cp.size} is {cp.root_hash.hex()[:16]}…, "
                f"the entries held give {computed.hex()[:16]}…"
            )
        self.store.put_checkpoint(gln, cp.size, cp.root_hash, signed.to_text(), _now())
        return signed

    def latest_checkpoint(self, gln: str) -> SignedCheckpoint | None:
        row = self.store.latest_checkpoint(gln)
        return None if row is None else SignedCheckpoint.parse(row[2])

    # --- derivation ----------------------------------------------------------------
    def rebuild(self) -> None:
        """Recompute every derived table from the logs (inside one transaction)."""
        with self.store.transaction():
            self.store.clear_derived()
            batch: list[tuple[SignedEvent, str, str, int]] = []
            for gln, idx, data in self.store.all_entries():
                signed = SignedEvent.from_bytes(data)
                batch.append((signed, signed.hash, gln, idx))
                if len(batch) >= REBUILD_CHUNK:
                    self._derive_batch(batch)
                    batch = []
            self._derive_batch(batch)

    def _derive_batch(self, batch: list[tuple[SignedEvent, str, str, int]]) -> None:
        """Derive stored entries ``(signed, hash, gln, idx)`` in order, as one unit of work.

        Exactly the effect of deriving them one by one; what derivation reads is fetched for
        the whole batch in a few statements and kept (``_Batch``), and the rows it writes to
        events, event_items, packs and alerts go out in one statement per table at the end.
        """
        if not batch:
            return
        b = _Batch(self.store, batch)
        for signed, h, gln, idx in batch:
            self._derive(b, signed, h, gln, idx)
        b.flush()

    def _derive(self, b: _Batch, signed: SignedEvent, h: str, gln: str, idx: int) -> None:
        if b.event(h) is not None:
            b.alert("duplicate_entry", h, f"Event {h[:12]} appears twice in logs.", f"{gln}:{idx}")
            return
        b.new_event(h, gln, idx, signed.event.type.value, signed.event.time, signed)
        queue: deque[tuple[str, SignedEvent]] = deque([(h, signed)])
        while queue:
            event_hash, current = queue.popleft()
            if self._evaluate(b, event_hash, current) == PENDING:
                continue
            for waiter in b.waiting_on(event_hash):
                self.store.clear_pending(waiter)
                row = b.event(waiter)
                assert row is not None
                queue.append((waiter, b.signed.get(waiter)
                              or SignedEvent.from_bytes(self.store.entry(row[0], row[1]))))

    def _evaluate(self, b: _Batch, h: str, signed: SignedEvent) -> str:
        """Try to apply one stored event; return its resulting status."""
        event = signed.event
        row = b.event(h)
        assert row is not None
        gln, idx = row[0], row[1]
        try:
            actor = self.member(gln, event.key_id).info
        except IdentityError as exc:
            return self._reject(b, h, str(exc))
        valid_size = b.revocation_size(gln)
        if valid_size is not None and idx >= valid_size:
            return self._reject(b, h, f"{actor.name} ({gln}) was revoked; entries from "
                                      f"{valid_size} on are rejected.")
        if event.type is EventType.RECALL:
            try:
                check_recall(event, actor)
            except RuleViolation as exc:
                return self._reject(b, h, str(exc))
            assert event.gtin is not None and event.lot is not None
            self.store.put_recall(event.gtin, event.lot, h)
            return b.set(h, APPLIED, None)
        if event.type is EventType.REPORT:
            for item in event.items:
                self.store.put_report(item.pack, h, gln, event.reason or "")
            return b.set(h, APPLIED, None)

        waiting: list[str] = []
        befores: list[tuple[PackState | None, int]] = []
        for item in event.items:
            if item.prev is None:
                befores.append((None, 0))
                continue
            prev_row = b.event(item.prev)
            if prev_row is None or prev_row[4] == PENDING:
                waiting.append(item.prev)
                continue
            if prev_row[4] == REJECTED:
                return self._reject(b, h, f"{item.pack}: its previous event {item.prev[:12]} "
                                          "was rejected.")
            state = b.item_state(item.prev, item.pack)
            if state is None:
                return self._reject(b, h, f"{item.pack}: the event named as previous "
                                          f"({item.prev[:12]}) does not concern this pack.")
            befores.append((replace(_state_from_row(item.pack, state), since=prev_row[3]),
                            state[0] + 1))
        if waiting:
            for prev in waiting:
                self.store.put_pending(h, prev)
                b.waited.add(prev)
            for item in event.items:
                self.store.put_pending_pack(h, item.pack)
            return PENDING
        try:
            afters = [apply_item(event, item, actor, before)
                      for item, (before, _) in zip(event.items, befores, strict=True)]
        except RuleViolation as exc:
            return self._reject(b, h, str(exc))
        for item, (_, depth), after in zip(event.items, befores, afters, strict=True):
            rows = b.add_item(h, item.pack, item.prev, depth, after.lot,
                              after.expiry.isoformat(), after.status.value, after.custodian,
                              after.recipient)
            # As SQL would list them: the pack's other items with the same prev, by hash.
            siblings = (sorted(r[0] for r in rows if r[1] == item.prev and r[0] != h)
                        if len(rows) > 1 else ())
            for sibling in siblings:
                pair = ",".join(sorted((h, sibling)))
                b.alert("forked_chain", item.pack,
                        f"Two events extend the same previous event of {item.pack}: a double "
                        "transfer or a cloned pack.", pair)
            b.refresh_pack(item.pack, rows)
        return b.set(h, APPLIED, None)

    def _reject(self, b: _Batch, h: str, reason: str) -> str:
        b.alert("rejected_event", h, reason, h)
        return b.set(h, REJECTED, reason)

    # --- reading derived state -----------------------------------------------------
    def event_status(self, h: str) -> tuple[str, str | None] | None:
        row = self.store.event_row(h)
        return None if row is None else (row[4], row[5])

    def pack(self, pack: str) -> PackRecord | None:
        row = self.store.pack_row(pack)
        if row is None:
            return None
        return PackRecord(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]),
                          PackStatus(row[5]), GLN(row[6]), GLN(row[7]) if row[7] else None,
                          EventHash(row[8]), bool(row[9]))

    def chain(self, pack: str) -> list[ChainStep]:
        """Every applied event of the pack, oldest first (forks included, by depth)."""
        return [ChainStep(EventHash(r[0]), EventHash(r[1]) if r[1] else None, GLN(r[3]),
                          int(r[4]), EventType(r[5]), r[6], PackStatus(r[7]), GLN(r[8]),
                          GLN(r[9]) if r[9] else None)
                for r in self.store.chain_of_pack(pack)]

    def signed_event(self, gln: str, index: int) -> SignedEvent:
        return SignedEvent.from_bytes(self.store.entry(gln, index))


class _Batch:
    """What one derivation batch has read and will write; the store sees the writes at flush.

    Reads derivation makes, answered here exactly as the SQL would answer them, given that
    every write of the batch to events, event_items, packs and alerts is held here until
    ``flush`` (pending, recalls and reports are written at once: rare, and read back only by
    ``waiting_on``, which asks the store whenever a pending row may exist):

    - ``event(h)``: events row, from the rows fetched for the batch's events and their
      ``prev``s in one statement, then the batch's own inserts and status changes;
    - ``item_state`` / siblings / head / forked: from every item row of each pack the batch
      touches (fetched in one statement), plus the batch's own items;
    - ``waiting_on(h)``: empty without a query unless a pending row may name ``h``.
    """

    def __init__(self, store: Store, batch: list[tuple[SignedEvent, str, str, int]]) -> None:
        self.store = store
        hashes = [h for _, h, _, _ in batch]
        prevs = {item.prev for s, _, _, _ in batch for item in s.event.items if item.prev}
        fetched = store.event_rows({*hashes, *prevs})
        self.events: dict[str, list[Any] | None] = {h: None for h in hashes}
        self.events.update({h: None for h in prevs})
        self.events.update({h: list(row) for h, row in fetched.items()})
        self.inserted: dict[str, None] = {}  # events new in this batch, in order
        self.changed: dict[str, None] = {}  # stored events whose status changed
        self.signed: dict[str, SignedEvent] = {}
        self.items: dict[str, list[tuple[Any, ...]]] = {}
        packs = {item.pack for s, _, _, _ in batch for item in s.event.items}
        self.items.update({p: [] for p in packs})
        for row in store.items_of_packs(packs):
            self.items[row[0]].append(row[1:])
        self.new_items: list[tuple[Any, ...]] = []
        self.packs: dict[str, tuple[Any, ...]] = {}
        self.alerts: list[tuple[str, str, str, str]] = []
        self.asked = set(hashes)  # events for which ``waited`` is known exactly
        self.waited = store.waited_on(hashes)
        self.revocations: dict[str, int | None] = {}

    def event(self, h: str) -> list[Any] | None:
        """The events row ``[gln, idx, type, time, status, reason]`` of ``h``, or None."""
        if h in self.events:
            return self.events[h]
        row = self.store.event_row(h)
        found = self.events[h] = None if row is None else list(row)
        return found

    def new_event(self, h: str, gln: str, idx: int, etype: str, time: str,
                  signed: SignedEvent) -> None:
        self.events[h] = [gln, idx, etype, time, PENDING, None]
        self.inserted[h] = None
        self.signed[h] = signed

    def set(self, h: str, status: str, reason: str | None) -> str:
        row = self.events[h]
        assert row is not None
        row[4], row[5] = status, reason
        if h not in self.inserted:
            self.changed[h] = None
        return status

    def revocation_size(self, gln: str) -> int | None:
        if gln not in self.revocations:
            self.revocations[gln] = self.store.revocation_size(gln)
        return self.revocations[gln]

    def pack_items(self, pack: str) -> list[tuple[Any, ...]]:
        """``(event_hash, prev, depth, lot, expiry, status, custodian, recipient)`` rows."""
        rows = self.items.get(pack)
        if rows is None:
            rows = self.items[pack] = [r[1:] for r in self.store.items_of_pack(pack)]
        return rows

    def item_state(self, h: str, pack: str) -> tuple[Any, ...] | None:
        for row in self.pack_items(pack):
            if row[0] == h:
                return row[2:]
        return None

    def add_item(self, h: str, pack: str, prev: str | None, depth: int, lot: str, expiry: str,
                 status: str, custodian: str, recipient: str | None) -> list[tuple[Any, ...]]:
        rows = self.pack_items(pack)
        rows.append((h, prev, depth, lot, expiry, status, custodian, recipient))
        self.new_items.append((h, pack, prev, depth, lot, expiry, status, custodian, recipient))
        return rows

    def refresh_pack(self, pack: str, rows: list[tuple[Any, ...]]) -> None:
        # HEAD_ITEM: ORDER BY depth DESC, event_hash DESC LIMIT 1; FORKED_PREVS: a prev
        # (NULL included) shared by two items.
        if len(rows) == 1:
            head, forked = rows[0], False
        else:
            head = max(rows, key=lambda r: (r[2], r[0]))
            prevs = [r[1] for r in rows]
            forked = len(set(prevs)) != len(prevs)
        gtin, serial = split_pack_key(pack)
        self.packs.pop(pack, None)  # keep the order of last writes
        self.packs[pack] = (pack, gtin, serial, head[3], head[4], head[5], head[6], head[7],
                            head[0], int(forked))

    def alert(self, kind: str, subject: str, detail: str, evidence: str) -> None:
        self.alerts.append((kind, subject, detail, evidence))

    def waiting_on(self, h: str) -> list[str]:
        if h in self.asked and h not in self.waited:
            return []
        return self.store.waiting_on(h)

    def flush(self) -> None:
        rows = self.events
        self.store.put_events((h, *rows[h]) for h in self.inserted)  # type: ignore[misc]
        self.store.set_events_status((rows[h][4], rows[h][5], h)  # type: ignore[index]
                                     for h in self.changed)
        self.store.put_items(self.new_items)
        self.store.put_packs(self.packs.values())
        self.store.put_alerts(self.alerts)


def _raw_key(member: Member) -> bytes:
    return member.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _state_from_row(pack: str, row: tuple[int, str, str, str, str, str | None]) -> PackState:
    gtin, serial = split_pack_key(pack)
    return PackState(gtin, serial, row[1], date.fromisoformat(row[2]), PackStatus(row[3]),
                     GLN(row[4]), GLN(row[5]) if row[5] else None)


def _cert_time(pem: bytes) -> datetime:
    """Verify stored certificates as of their own validity (entries outlive certificates)."""
    cert = load_certificate(pem)
    return cert.not_valid_before_utc


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in name.lower()).strip("-") or "c"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
