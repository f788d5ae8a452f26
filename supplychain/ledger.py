"""The ledger: verified logs in the store, and the pack state derived from them.

``Ledger`` checks every entry before it is stored (canonical form, author certificate,
signature, revocation), keeps each log's Merkle nodes so roots and proofs cost O(log n), and
derives pack state with the pure rules in ``supplychain.rules``. Derivation is order-independent:
an event whose ``prev`` has not arrived waits in ``pending``; a fork keeps both events.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from cryptography import x509

from supplychain import merkle
from supplychain.checkpoint import Checkpoint, SignedCheckpoint, sign_checkpoint
from supplychain.errors import (
    CheckpointError,
    EventError,
    IdentityError,
    InconsistentLog,
    InvalidSignature,
    LedgerError,
    RuleViolation,
)
from supplychain.events import EventType, SignedEvent
from supplychain.identity import (
    Member,
    Revocation,
    load_certificate,
    verify_member_certificate,
    verify_signature,
)
from supplychain.ids import GLN, EventHash
from supplychain.rules import PackState, PackStatus, apply_item, check_recall, split_pack_key
from supplychain.store import Store

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
        return merkle.inclusion_proof_from(StoredNodes(self.store, gln), index, size)

    def consistency_proof(self, gln: str, old_size: int, new_size: int) -> list[bytes]:
        return merkle.consistency_proof_from(StoredNodes(self.store, gln), old_size, new_size)

    def verify_entry(self, gln: str, index: int, data: bytes) -> SignedEvent:
        """Parse an entry of log ``gln`` and check its author and signature; raise if bad."""
        signed = SignedEvent.from_bytes(data)
        event = signed.event
        if event.author != gln:
            raise EventError(f"Entry {index} of log {gln} claims author {event.author}: an "
                             "organisation writes only to its own log.")
        member = self.member(gln, event.key_id)
        # An expired certificate signs nothing new. (Earlier dates are allowed: a member may
        # import its history from before it joined, e.g. from EPCIS.)
        expires = member.certificate.not_valid_after_utc
        if event.datetime > expires:
            raise EventError(
                f"Entry {index} of log {gln} is dated {event.time}, after the certificate "
                f"that signed it expired ({expires:%Y-%m-%d}).")
        try:
            verify_signature(member.public_key, signed.event_bytes, signed.signature)
        except InvalidSignature:
            raise InvalidSignature(
                f"Entry {index} of log {gln} ({member.info.name}) has a forged or damaged "
                "signature."
            ) from None
        return signed

    def append_entries(self, gln: str, start: int, entries: list[bytes]) -> list[SignedEvent]:
        """Verify and append entries ``start..`` to log ``gln``, deriving their state.

        Must run inside ``store.transaction()``; raises without writing on any bad entry.
        """
        size = self.store.log_size(gln)
        if start != size:
            raise LedgerError(f"Log {gln} holds {size} entries here; cannot append at {start}.")
        verified = [self.verify_entry(gln, start + i, data) for i, data in enumerate(entries)]
        compact = merkle.CompactRange.from_source(StoredNodes(self.store, gln), size)
        for i, (data, signed) in enumerate(zip(entries, verified, strict=True)):
            self.store.put_entry(gln, start + i, data, signed.hash)
            self.store.put_nodes(gln, compact.append(merkle.leaf_hash(data)))
        for i, signed in enumerate(verified):
            self._derive(signed, gln, start + i)
        return verified

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
            for gln, idx, data in self.store.all_entries():
                self._derive(SignedEvent.from_bytes(data), gln, idx)

    def _derive(self, signed: SignedEvent, gln: str, idx: int) -> None:
        h = signed.hash
        if self.store.event_row(h) is not None:
            self.store.put_alert("duplicate_entry", h, f"Event {h[:12]} appears twice in logs.",
                                 f"{gln}:{idx}")
            return
        self.store.put_event(h, gln, idx, signed.event.type.value, signed.event.time,
                             PENDING, None)
        queue: deque[tuple[str, SignedEvent]] = deque([(h, signed)])
        while queue:
            event_hash, current = queue.popleft()
            if self._evaluate(event_hash, current) == PENDING:
                continue
            for waiter in self.store.waiting_on(event_hash):
                self.store.clear_pending(waiter)
                row = self.store.event_row(waiter)
                assert row is not None
                queue.append((waiter, SignedEvent.from_bytes(self.store.entry(row[0], row[1]))))

    def _evaluate(self, h: str, signed: SignedEvent) -> str:
        """Try to apply one stored event; return its resulting status."""
        event = signed.event
        row = self.store.event_row(h)
        assert row is not None
        gln, idx = row[0], row[1]
        try:
            actor = self.member(gln, event.key_id).info
        except IdentityError as exc:
            return self._reject(h, str(exc))
        valid_size = self.store.revocation_size(gln)
        if valid_size is not None and idx >= valid_size:
            return self._reject(h, f"{actor.name} ({gln}) was revoked; entries from "
                                   f"{valid_size} on are rejected.")
        if event.type is EventType.RECALL:
            try:
                check_recall(event, actor)
            except RuleViolation as exc:
                return self._reject(h, str(exc))
            assert event.gtin is not None and event.lot is not None
            self.store.put_recall(event.gtin, event.lot, h)
            return self._set(h, APPLIED, None)
        if event.type is EventType.REPORT:
            for item in event.items:
                self.store.put_report(item.pack, h, gln, event.reason or "")
            return self._set(h, APPLIED, None)

        waiting: list[str] = []
        befores: list[tuple[PackState | None, int]] = []
        for item in event.items:
            if item.prev is None:
                befores.append((None, 0))
                continue
            prev_row = self.store.event_row(item.prev)
            if prev_row is None or prev_row[4] == PENDING:
                waiting.append(item.prev)
                continue
            if prev_row[4] == REJECTED:
                return self._reject(h, f"{item.pack}: its previous event {item.prev[:12]} was "
                                       "rejected.")
            state = self.store.item_state(item.prev, item.pack)
            if state is None:
                return self._reject(h, f"{item.pack}: the event named as previous "
                                       f"({item.prev[:12]}) does not concern this pack.")
            befores.append((replace(_state_from_row(item.pack, state), since=prev_row[3]),
                            state[0] + 1))
        if waiting:
            for prev in waiting:
                self.store.put_pending(h, prev)
            for item in event.items:
                self.store.put_pending_pack(h, item.pack)
            return PENDING
        try:
            afters = [apply_item(event, item, actor, before)
                      for item, (before, _) in zip(event.items, befores, strict=True)]
        except RuleViolation as exc:
            return self._reject(h, str(exc))
        for item, (_, depth), after in zip(event.items, befores, afters, strict=True):
            self.store.put_item(h, item.pack, item.prev, depth, after.lot,
                                after.expiry.isoformat(), after.status.value, after.custodian,
                                after.recipient)
            for sibling in self.store.siblings(item.pack, item.prev, h):
                pair = ",".join(sorted((h, sibling)))
                self.store.put_alert(
                    "forked_chain", item.pack,
                    f"Two events extend the same previous event of {item.pack}: a double "
                    "transfer or a cloned pack.", pair)
            self._refresh_pack(item.pack)
        return self._set(h, APPLIED, None)

    def _refresh_pack(self, pack: str) -> None:
        head = self.store.head_item(pack)
        assert head is not None
        gtin, serial = split_pack_key(pack)
        self.store.put_pack(pack, gtin, serial, head[1], head[2], head[3], head[4], head[5],
                            head[0], self.store.pack_is_forked(pack))

    def _reject(self, h: str, reason: str) -> str:
        self.store.put_alert("rejected_event", h, reason, h)
        return self._set(h, REJECTED, reason)

    def _set(self, h: str, status: str, reason: str | None) -> str:
        self.store.set_event_status(h, status, reason)
        return status

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
