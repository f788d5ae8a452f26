"""The ledger: verified logs in the store, and the pack state derived from them.

``Ledger`` checks every entry before it is stored (canonical form, author certificate,
signature, revocation), keeps each log's Merkle nodes so roots and proofs cost O(log n), signs
and accepts checkpoints, and hands stored entries to ``supplychain.ledger.derivation`` for the
pack state (order-independent: an event whose ``prev`` has not arrived waits; a fork keeps
both events).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.clock import now_iso
from supplychain.errors import (
    CheckpointError,
    DuplicateEntry,
    EventError,
    IdentityError,
    InconsistentLog,
    InvalidSignature,
    LedgerError,
)
from supplychain.i18n import _
from supplychain.identity.certificates import (
    Member,
    load_certificate,
    verify_member_certificate,
    verify_stored_certificate,
)
from supplychain.identity.keys import verify_signature
from supplychain.identity.prefixes import PrefixOwners
from supplychain.identity.revocations import Revocation
from supplychain.ledger import merkle, verify_pool
from supplychain.ledger.alerts import AlertKind
from supplychain.ledger.checkpoint import Checkpoint, SignedCheckpoint, sign_checkpoint
from supplychain.ledger.derivation import StoredEvent, derive_batch
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.records import AlertRecord, ChainStep, EventRecord, PackRecord
from supplychain.ledger.sparse import proven_batch
from supplychain.ledger.store import Store

PARALLEL_MIN = 1_000  # entries (a sync batch's most): smaller batches verified here
PARALLEL_CHUNK = 250  # entries per worker job (and per stored, derived chunk)
REBUILD_CHUNK = 1_000


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


class Ledger:
    """Verified logs plus derived pack state, over one Store."""

    def __init__(self, store: Store, root_cert: x509.Certificate, consortium: str) -> None:
        self.store = store
        self.root_cert = root_cert
        self.consortium = consortium
        self._members: dict[tuple[str, str], Member] = {}
        self._latest: dict[str, Member] = {}  # newest certificate per GLN
        self._expiry: dict[tuple[str, str], tuple[Member, datetime]] = {}
        self._owners: PrefixOwners | None = None  # cache of prefix_owners()
        self.verify_workers = verify_pool.default_workers()  # for big batches (> 0: on)

    # --- directory -----------------------------------------------------------------
    def add_member_certificate(self, pem: bytes) -> Member:
        """Verify a member certificate against the root and keep it."""
        member = verify_member_certificate(load_certificate(pem), self.root_cert)
        info = member.info
        self.store.put_member(info.gln, member.serial, member.key_id, info.name,
                              info.role.value, json.dumps(list(info.prefixes)), member.cert_pem)
        self._members[(info.gln, member.key_id)] = member
        self._latest.pop(info.gln, None)
        if info.prefixes and self.store.revocation_size(info.gln) is None:
            owners = self.prefix_owners()
            self._owners = owners.adding(info, member.certificate.not_valid_before_utc)
            if owners.clashes_with(info):
                self.rebuild()  # who owns the GTINs both claim may change; flags the overlap
        return member

    def prefix_owners(self) -> PrefixOwners:
        """The company prefixes of every unrevoked manufacturer this node knows."""
        if self._owners is None:
            revoked = {Revocation.from_dict(json.loads(d)).gln
                       for d in self.store.all_revocations()}
            self._owners = PrefixOwners.of(
                (m, min(load_certificate(pem).not_valid_before_utc
                        for pem in self.store.member_certs(m.gln)))
                for m in self.store.manufacturer_prefixes() if m.gln not in revoked)
        return self._owners

    def _flag_overlapping_prefixes(self) -> None:
        """An alert for each pair of unrevoked members whose company prefixes overlap."""
        self.store.put_alerts(
            AlertRecord(AlertKind.OVERLAPPING_PREFIXES.value,
                        f"{clash.first_prefix} {clash.second_prefix}",
                        f"The consortium certified overlapping GS1 company prefixes: "
                        f"{clash.describe()}. Neither member may commission or recall the "
                        "GTINs both claim until the regulator revokes the certificate issued "
                        "by mistake.", f"{clash.first},{clash.second}")
            for clash in self.prefix_owners().clashes())

    def member(self, gln: str, key_id: str | None = None) -> Member:
        """The verified member certificate of ``gln`` (with ``key_id`` if given)."""
        if key_id is not None and (gln, key_id) in self._members:
            return self._members[(gln, key_id)]
        if key_id is None and gln in self._latest:
            return self._latest[gln]
        if key_id is None:
            pems = self.store.member_certs(gln)
            if not pems:
                raise IdentityError(_("No member with GLN {gln} is known to this node.")
                                    .format(gln=gln))
            pem = pems[-1]
        else:
            found = self.store.member_cert(gln, key_id)
            if found is None:
                raise IdentityError(
                    _("No certificate of member {gln} with key {key_id} is known to this node; "
                      "import the consortium's member list (a bundle) first.")
                    .format(gln=gln, key_id=key_id)
                )
            pem = found
        # Certificates were verified when stored; verify again (the file may be tampered).
        member = verify_stored_certificate(pem, self.root_cert)
        self._members[(gln, member.key_id)] = member
        if key_id is None:
            self._latest[gln] = member
        return member

    def member_name(self, gln: str) -> str:
        try:
            return self.member(gln).info.name
        except IdentityError:
            return _("unknown organisation {gln}").format(gln=gln)

    def add_revocation(self, revocation: Revocation) -> bool:
        """Keep a root-signed revocation; rebuild derived state if it changes anything."""
        revocation.verify(self.root_cert)
        before = self.store.revocation_size(revocation.gln)
        self.store.put_revocation(revocation.gln, revocation.valid_log_size,
                                  json.dumps(revocation.to_dict(), sort_keys=True))
        after = self.store.revocation_size(revocation.gln)
        if before == after:
            return False
        clashed = any(revocation.gln in (c.first, c.second)
                      for c in self.prefix_owners().clashes())
        self._owners = None  # a revoked member's prefixes no longer claim GTINs
        if clashed or self.store.log_size(revocation.gln) > revocation.valid_log_size:
            self.rebuild()
        return True

    def revocations(self) -> list[Revocation]:
        return [Revocation.from_dict(json.loads(d)) for d in self.store.all_revocations()]

    # --- logs ----------------------------------------------------------------------
    def origin(self, gln: str) -> str:
        return log_origin(self.consortium, gln)

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
            raise EventError(_("Entry {index} of log {gln} claims author {author}: an "
                               "organisation writes only to its own log.")
                             .format(index=index, gln=gln, author=event.author))
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
                _("Entry {index} of log {gln} is dated {time}, after the certificate "
                  "that signed it expired ({expires:%Y-%m-%d}).")
                .format(index=index, gln=gln, time=event.time, expires=expires))
        return signed, member

    @staticmethod
    def _forged(gln: str, index: int, member: Member) -> InvalidSignature:
        return InvalidSignature(_("Entry {index} of log {gln} ({name}) has a forged "
                                  "or damaged signature.")
                                .format(index=index, gln=gln, name=member.info.name))

    def append_entries(self, gln: str, start: int, entries: list[bytes],
                       workers: int | None = None) -> list[SignedEvent]:
        """Verify and append entries ``start..`` to log ``gln``, deriving their state.

        Must run inside ``store.transaction()``; raises without writing on any bad entry.
        ``workers`` (default ``self.verify_workers``: one per core on a machine with two or
        more, see ``verify_pool.default_workers``) > 0 verifies the signatures of a batch
        of at least ``PARALLEL_MIN`` entries in that many worker processes (verify_pool) while
        this process parses, checks and derives: same checks, same errors, same state.
        """
        size = self.store.log_size(gln)
        if start != size:
            raise LedgerError(_("Log {gln} holds {size} entries here; cannot append at {start}.")
                              .format(gln=gln, size=size, start=start))
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
        self._refuse_repeats(gln, start, hashes)
        self.store.put_entries((gln, start + i, data, h)
                               for i, (data, h) in enumerate(zip(entries, hashes, strict=True)))
        nodes: list[tuple[int, int, bytes]] = []
        for data in entries:
            nodes.extend(compact.append(merkle.leaf_hash(data)))
        self.store.put_nodes(gln, nodes)
        derive_batch(self.store, self.member,
                     [(s, h, gln, start + i)
                      for i, (s, h) in enumerate(zip(verified, hashes, strict=True))],
                     self.prefix_owners(), unseen=True)

    def _refuse_repeats(self, gln: str, start: int, hashes: Sequence[str]) -> None:
        """Raise DuplicateEntry if an entry repeats one of this batch or one already stored.

        An event names its author and an author writes only to its own log, so a repeat can
        only be within one log; an honest author never appends the same signed event twice.
        """
        first: dict[str, int] = {}
        for i, h in enumerate(hashes):
            if h in first:
                raise DuplicateEntry(
                    _("Entry {value} of log {gln} repeats entry {value2} (event "
                      "{value3}): a log never holds the same event twice. Nothing was stored.")
                    .format(value=start + i, gln=gln, value2=start + first[h], value3=h[:12]))
            first[h] = i
        stored = self.store.event_rows(hashes)
        if stored:
            h, row = min(stored.items(), key=lambda item: first[item[0]])
            raise DuplicateEntry(
                _("Entry {value} of log {gln} repeats entry {index} of log "
                  "{log} (event {value2}): a log never holds the same event twice. Nothing "
                  "was stored.")
                .format(value=start + first[h], gln=gln, index=row.index, log=row.log,
                        value2=h[:12]))

    def _append_parallel(self, gln: str, start: int, entries: list[bytes],
                         workers: int) -> list[SignedEvent]:
        """``append_entries`` with signatures checked in worker processes, chunk by chunk.

        This process parses and checks chunk k+1 while the workers verify chunk k's
        signatures; a chunk is stored and derived only once all its signatures verified. The
        first bad entry (in log order, as the serial path finds it) raises its own error, and
        the savepoint undoes the chunks already stored.
        """
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
                verified = [signed for signed, _problem in checked]
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
        self.store.put_checkpoint(gln, size, checkpoint.root_hash, signed.to_text(), now_iso())
        return signed

    def verify_checkpoint_note(self, gln: str, note: str) -> SignedCheckpoint:
        """Parse a signed checkpoint of log ``gln``; check its origin and the author's
        signature (not yet its root). Raises CheckpointError."""
        signed = SignedCheckpoint.parse(note)
        cp = signed.checkpoint
        if cp.origin != self.origin(gln):
            raise CheckpointError(_("Checkpoint origin {origin!r} is not log {gln}'s.")
                                  .format(origin=cp.origin, gln=gln))
        for pem in self.store.member_certs(gln):
            try:
                member = verify_stored_certificate(pem, self.root_cert)
                signed.verify(member.public_key)
                return signed
            except (CheckpointError, IdentityError):
                continue
        raise CheckpointError(_("Checkpoint of log {gln} at size {size} is not signed by "
                                "{gln}'s member key.").format(gln=gln, size=cp.size))

    def covered_size(self, gln: str) -> int:
        """How many entries of log ``gln`` a signed checkpoint held here covers (the largest
        checkpoint's size; 0 without one). Entries beyond it are not yet vouched for."""
        latest = self.store.latest_checkpoint(gln)
        return 0 if latest is None else latest.size

    def drop_uncovered(self, gln: str, size: int) -> list[bytes]:
        """Drop log ``gln``'s entries from index ``size`` on and rebuild the derived state;
        return the dropped entries (for the evidence).

        Only entries that no signed checkpoint held here covers may go: the author's signed
        checkpoint wins over them (a node upgraded from a version that stored entries beyond
        the checkpoint, or a pull cut off before its checkpoint). Raises LedgerError for a
        covered entry. Must run inside ``store.transaction()``.
        """
        covered = self.covered_size(gln)
        if size < covered:
            raise LedgerError(_("Log {gln}: entries below {covered} are covered by a signed "
                                "checkpoint held here; cannot drop from {size}.")
                              .format(gln=gln, covered=covered, size=size))
        dropped = self.store.entries(gln, size, self.store.log_size(gln))
        if dropped:
            self.store.truncate_log(gln, size)
            self.rebuild()
        return dropped

    def accept_checkpoint(self, gln: str, note: str) -> SignedCheckpoint:
        """Verify a signed checkpoint of log ``gln`` against what this node holds, and keep it.

        Raises CheckpointError on a bad signature or origin, InconsistentLog when the root
        disagrees with the entries held here or with a checkpoint already held.
        """
        signed = self.verify_checkpoint_note(gln, note)
        cp = signed.checkpoint
        held = self.store.checkpoint_at(gln, cp.size)
        if held is not None and held.root != cp.root_hash:
            raise InconsistentLog(_("Log {gln} has two signed checkpoints of size {size} with "
                                    "different roots (equivocation).")
                                  .format(gln=gln, size=cp.size))
        if cp.size > self.store.log_size(gln):
            raise CheckpointError(_("Checkpoint of log {gln} covers {size} entries; only "
                                    "{log_size} are held here.")
                                  .format(gln=gln, size=cp.size, log_size=self.store.log_size(gln)))
        computed = self.root(gln, cp.size)
        if computed != cp.root_hash:
            raise InconsistentLog(
                _("Log {gln}: the signed root at size {size} is {value}…, "
                  "the entries held give {value2}…")
                .format(gln=gln, size=cp.size, value=cp.root_hash.hex()[:16],
                        value2=computed.hex()[:16])
            )
        self.store.put_checkpoint(gln, cp.size, cp.root_hash, signed.to_text(), now_iso())
        return signed

    def latest_checkpoint(self, gln: str) -> SignedCheckpoint | None:
        row = self.store.latest_checkpoint(gln)
        return None if row is None else SignedCheckpoint.parse(row.note)

    # --- derivation ----------------------------------------------------------------
    def rebuild(self) -> None:
        """Recompute every derived table from the logs (inside one transaction)."""
        with self.store.transaction():
            self.store.clear_derived()
            batch: list[StoredEvent] = []
            for entry in self.store.all_entries():
                signed = SignedEvent.from_bytes(entry.data)
                batch.append((signed, signed.hash, entry.log, entry.index))
                if len(batch) >= REBUILD_CHUNK:
                    derive_batch(self.store, self.member, batch, self.prefix_owners())
                    batch = []
            derive_batch(self.store, self.member, batch, self.prefix_owners())
            derive_batch(self.store, self.member, proven_batch(self.store),  # a light node's
                         self.prefix_owners(), sparse=True)
            self._flag_overlapping_prefixes()

    # --- reading derived state -----------------------------------------------------
    def event_status(self, h: str) -> EventRecord | None:
        """The stored event ``h``: its place in its log and its status (None if unknown)."""
        return self.store.event_row(h)

    def pack(self, pack: str) -> PackRecord | None:
        return self.store.pack_row(pack)

    def chain(self, pack: str) -> list[ChainStep]:
        """Every applied event of the pack, oldest first (forks included, by depth)."""
        return self.store.chain_of_pack(pack)

    def signed_event(self, gln: str, index: int) -> SignedEvent:
        return SignedEvent.from_bytes(self.store.entry(gln, index))


def _raw_key(member: Member) -> bytes:
    return member.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def log_origin(consortium: str, gln: str) -> str:
    """Log ``gln``'s checkpoint origin and key name; ``consortium``: the root's common name."""
    slug = "".join(c if c.isalnum() or c in "-." else "-" for c in consortium.lower())
    return f"supplychain/{slug.strip('-') or 'c'}/{gln}"
