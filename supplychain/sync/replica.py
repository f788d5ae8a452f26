"""The store side of sync: serving documents from a Ledger, and verifying what a peer sent.

Synchronous and free of sockets: the HTTP adapters call these methods on the thread that owns
the store. Every method that takes something from a peer either keeps it (verified) or raises
``PeerMisbehaved`` with the evidence; a batch is applied inside one transaction that a failed
check rolls back, so nothing a liar sent in that batch is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from supplychain.clock import now_iso
from supplychain.errors import (
    AuthorMisbehaved,
    CheckpointError,
    DirectoryError,
    Equivocation,
    EventError,
    IdentityError,
    InconsistentLog,
    MerkleError,
    PeerMisbehaved,
    ProtocolError,
    SupplyChainError,
)
from supplychain.i18n import _
from supplychain.identity.certificates import verify_stored_certificate
from supplychain.identity.directory import MemberDirectory
from supplychain.identity.revocations import Revocation
from supplychain.ledger.alerts import AlertKind
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.disputes import (
    DisputeChannel,
    conflict_from_checkpoint,
    conflict_from_entries,
    keep_dispute,
    refusal,
)
from supplychain.ledger.logs import Ledger
from supplychain.ledger.membership import DirectoryUpdate, held_directory, offer_directory
from supplychain.ledger.witnessing import cosigned_note, keep_cosignatures
from supplychain.sync.protocol import (
    BATCH_BYTES,
    CheckpointsDoc,
    DirectoryDoc,
    EntriesDoc,
    LogHead,
    LogPull,
    ProofDoc,
    parse_entries_query,
    parse_proof_query,
    plan_pull,
)

log = logging.getLogger("supplychain.sync")

# Evidence kinds (their words: supplychain.ledger.alerts). Blocking kinds cut a peer off;
# the others are alerts only.
FORGED_ENTRY = AlertKind.FORGED_ENTRY
ROOT_MISMATCH = AlertKind.ROOT_MISMATCH
INCONSISTENT_HISTORY = AlertKind.INCONSISTENT_HISTORY
EQUIVOCATION = AlertKind.EQUIVOCATION
BAD_CHECKPOINT = AlertKind.BAD_CHECKPOINT
FORGED_REVOCATION = AlertKind.FORGED_REVOCATION
FORGED_DIRECTORY = AlertKind.FORGED_DIRECTORY
BAD_RESPONSE = AlertKind.BAD_RESPONSE
UNREACHABLE = AlertKind.UNREACHABLE
REFUSED_PEER = AlertKind.REFUSED_PEER
REFUSED_CONNECTION = AlertKind.REFUSED_CONNECTION
REFUSED_READ = AlertKind.REFUSED_READ
DROPPED_ENTRIES = AlertKind.DROPPED_ENTRIES


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class DirectoryResult:
    new_members: int
    new_revocations: int


class Replica:
    """Sync operations over one node's Ledger (own log and replicas alike)."""

    def __init__(self, ledger: Ledger, gln: str) -> None:
        self.ledger = ledger
        self.store = ledger.store
        self.gln = gln

    # --- serving ---------------------------------------------------------------------------
    def checkpoints_doc(self) -> CheckpointsDoc:
        heads = []
        for gln in self.store.log_sizes():
            latest = self.store.latest_checkpoint(gln)
            if latest is not None:
                heads.append(LogHead(gln, cosigned_note(self.store, gln) or latest.note))
        return CheckpointsDoc(
            self.ledger.consortium, self.gln, tuple(self.store.all_member_certs()),
            tuple(json.loads(r) for r in self.store.all_revocations()), tuple(heads))

    def directory_doc(self) -> DirectoryDoc:
        held = held_directory(self.ledger)
        return DirectoryDoc(held.to_dict() if held is not None else None)

    def entries_doc(self, gln: str, params: dict[str, str]) -> EntriesDoc:
        held = self.store.log_size(gln)
        start, end, size = parse_entries_query(params, held)
        entries: list[bytes] = []
        total = 0
        for data in self.store.entries(gln, start, end):
            if entries and total + len(data) > BATCH_BYTES:
                break
            entries.append(data)
            total += len(data)
        end = start + len(entries)
        proof = self.ledger.consistency_proof(gln, end, size) if end < size else []
        cp = self.store.checkpoint_at(gln, end)
        return EntriesDoc(gln, start, end, size, tuple(entries), tuple(proof),
                          cp.note if cp else None)

    def consistency_doc(self, gln: str, params: dict[str, str]) -> ProofDoc:
        old, new = parse_proof_query(params, "old", "new", self.store.log_size(gln))
        proof = self.ledger.consistency_proof(gln, old, new) if old < new else []
        return ProofDoc(gln, "consistency", old, new, tuple(proof))

    def inclusion_doc(self, gln: str, params: dict[str, str]) -> ProofDoc:
        index, size = parse_proof_query(params, "index", "size", self.store.log_size(gln))
        return ProofDoc(gln, "inclusion", index, size,
                        tuple(self.ledger.inclusion_proof(gln, index, size)))

    def log_sizes(self) -> dict[str, int]:
        return self.store.log_sizes()

    # --- pulling: directory ---------------------------------------------------------------
    def ingest_directory(self, doc: CheckpointsDoc, peer: str) -> DirectoryResult:
        """Keep new member certificates and revocations that verify against our root."""
        if doc.consortium != self.ledger.consortium:
            raise ProtocolError(_("Peer belongs to consortium {consortium!r}, not ours.")
                                .format(consortium=doc.consortium))
        known = set(self.store.all_member_certs())
        new_members = new_revocations = 0
        with self.store.transaction():
            for pem in doc.members:
                if pem in known:
                    continue
                try:
                    self.ledger.add_member_certificate(pem)
                    new_members += 1
                except IdentityError as exc:  # expired or foreign: keep nothing, carry on
                    log.warning("peer %s: skipped a member certificate: %s", peer, exc)
            for item in doc.revocations:
                try:
                    revocation = Revocation.from_dict(item)
                    if self.ledger.add_revocation(revocation):
                        new_revocations += 1
                except IdentityError as exc:
                    raise PeerMisbehaved(
                        _("Peer {peer} served a revocation the consortium root did not sign: "
                          "{exc}").format(peer=peer, exc=exc), FORGED_REVOCATION, "directory",
                        json.dumps({"revocation": item}, sort_keys=True)) from None
        return DirectoryResult(new_members, new_revocations)

    def ingest_member_directory(self, doc: DirectoryDoc, peer: str) -> DirectoryUpdate | None:
        """Keep the peer's member directory if it is newer than ours (older: ignored).

        One that does not verify against our root is a forgery: PeerMisbehaved.
        """
        if doc.directory is None:
            return None
        try:
            return offer_directory(self.ledger, MemberDirectory.from_dict(doc.directory))
        except DirectoryError as exc:
            raise PeerMisbehaved(
                _("Peer {peer} served a member directory the consortium root did not sign: "
                  "{exc}").format(peer=peer, exc=exc), FORGED_DIRECTORY, "directory",
                json.dumps({"directory": doc.directory}, sort_keys=True)) from None

    # --- pulling: one log -------------------------------------------------------------------
    def verify_checkpoint(self, gln: str, note: str, peer: str) -> SignedCheckpoint:
        """Signature and origin of a peer's checkpoint of log ``gln`` (not yet its root)."""
        try:
            signed = SignedCheckpoint.parse(note)
            if signed.checkpoint.origin != self.ledger.origin(gln):
                raise CheckpointError(_("origin {origin!r} is not log {gln}'s")
                                      .format(origin=signed.checkpoint.origin, gln=gln))
            for pem in self.store.member_certs(gln):
                try:
                    member = verify_stored_certificate(pem, self.ledger.root_cert)
                    signed.verify(member.public_key)
                    return signed
                except (CheckpointError, IdentityError):
                    continue
            raise CheckpointError(_("not signed by a key of member {gln}").format(gln=gln))
        except CheckpointError as exc:
            raise PeerMisbehaved(_("Peer {peer} served a bad checkpoint of log {gln}: {exc}")
                                 .format(peer=peer, gln=gln, exc=exc),
                                 BAD_CHECKPOINT, gln,
                                 json.dumps({"log": gln, "theirs": note})) from None

    def plan(self, gln: str, signed: SignedCheckpoint, peer: str,
             batch: int) -> LogPull | None:
        """Compare a verified remote checkpoint with what we hold.

        Returns a LogPull when the peer has more, None when we already hold its tree (after
        checking that the roots agree), and raises PeerMisbehaved on equivocation.
        """
        cp = signed.checkpoint
        held = self.store.log_size(gln)
        covered = self.ledger.covered_size(gln)
        if covered < held and cp.size > covered:
            # Entries beyond ``covered`` are vouched for by no signed checkpoint held here (a
            # pull cut off before its checkpoint, or an older version's bundle import): the
            # author's checkpoint decides. Held entries it confirms become covered; otherwise
            # the pull restarts at ``covered`` and apply_batch drops what it contradicts.
            if cp.size <= held and hmac.compare_digest(self.ledger.root(gln, cp.size),
                                                       cp.root_hash):
                with self.store.transaction():
                    self.ledger.accept_checkpoint(gln, signed.to_text())
                return None
            held = covered
        ours = self.store.checkpoint_at(gln, cp.size)
        try:
            return plan_pull(gln, held, cp.size, cp.root_hash, batch=batch,
                             signed_root=ours.root if ours is not None else None,
                             held_root=self.ledger.root(gln, cp.size) if cp.size <= held
                             else None)
        except Equivocation:
            assert ours is not None
            raise AuthorMisbehaved(
                _("Log {gln} has two signed checkpoints of size {size} with different roots "
                  "(equivocation), one of them served by {peer}.")
                .format(gln=gln, size=cp.size, peer=peer), EQUIVOCATION, gln,
                json.dumps({"log": gln, "size": cp.size, "ours": ours.note,
                            "theirs": signed.to_text()}, sort_keys=True)) from None
        except InconsistentLog:  # with entries a signed checkpoint held here covers
            raise AuthorMisbehaved(
                _("Log {gln}: the checkpoint served by {peer} at size {size} disagrees "
                  "with the history this node verified (rewritten history).")
                .format(gln=gln, peer=peer, size=cp.size),
                INCONSISTENT_HISTORY, gln, self._history_evidence(gln, signed)) from None

    def _history_evidence(self, gln: str, theirs: SignedCheckpoint,
                          proof: list[bytes] | tuple[bytes, ...] | None = None) -> str:
        latest = self.store.latest_checkpoint(gln)
        doc: dict[str, Any] = {"log": gln, "theirs": theirs.to_text(),
                               "ours": latest.note if latest else None}
        if latest is not None and theirs.checkpoint.size < latest.size:
            doc["proof_ours"] = [_b64(p) for p in self.ledger.consistency_proof(
                gln, theirs.checkpoint.size, latest.size)] if theirs.checkpoint.size else []
        if proof is not None:
            doc["proof_theirs"] = [_b64(p) for p in proof]
            doc["held"] = self.store.log_size(gln)
        return json.dumps(doc, sort_keys=True)

    def held_root(self, gln: str, size: int) -> bytes:
        return self.ledger.root(gln, size)

    def check_consistency(self, pull: LogPull, signed: SignedCheckpoint,
                          proof: tuple[bytes, ...], peer: str) -> None:
        try:
            pull.check_consistency(self.ledger.root(pull.gln, pull.held), proof)
        except MerkleError as exc:
            raise PeerMisbehaved(
                _("Log {gln}: {peer}'s checkpoint at size {size} is not an extension of "
                  "the {held} entries held here ({exc}).")
                .format(gln=pull.gln, peer=peer, size=pull.size, held=pull.held,
                        exc=exc), INCONSISTENT_HISTORY, pull.gln,
                self._history_evidence(pull.gln, signed, proof)) from None

    def apply_batch(self, pull: LogPull, signed: SignedCheckpoint, doc: EntriesDoc,
                    peer: str) -> int:
        """Verify and store one batch in one transaction; return the number of new entries."""
        gln = pull.gln
        with self.store.transaction():
            held = self.store.log_size(gln)
            if held < doc.start:
                raise ProtocolError(_("Batch of log {gln} starts at {start}; {held} held.")
                                    .format(gln=gln, start=doc.start, held=held))
            overlap = min(held, doc.end) - doc.start
            if overlap > 0:
                mine = self.store.entries(gln, doc.start, doc.start + overlap)
                differs = next((i for i, (a, b) in enumerate(zip(mine, doc.entries,
                                                                  strict=False)) if a != b),
                               None)
                if differs is not None:
                    at = doc.start + differs
                    if at < self.ledger.covered_size(gln):
                        raise PeerMisbehaved(
                            _("Log {gln}: {peer} served entries that differ from the verified "
                              "ones held here in [{start}, {value}).")
                            .format(gln=gln, peer=peer, start=doc.start, value=doc.start + overlap),
                            INCONSISTENT_HISTORY, gln, self._history_evidence(gln, signed))
                    self._drop_uncovered(gln, at, signed, peer)
                    held, overlap = at, differs
            new = list(doc.entries[max(overlap, 0):])
            if new:
                try:
                    self.ledger.append_entries(gln, held, new)
                except (EventError, IdentityError) as exc:
                    bad = _first_bad(self.ledger, gln, held, new)
                    raise PeerMisbehaved(
                        _("Log {gln}: {peer} served a forged entry ({exc}); the batch "
                          "[{start}, {end}) was refused.")
                        .format(gln=gln, peer=peer, exc=exc, start=doc.start,
                                end=doc.end), FORGED_ENTRY, gln,
                        json.dumps({"log": gln, "index": bad[0], "entry": _b64(bad[1]),
                                    "checkpoint": signed.to_text()}, sort_keys=True)) from None
            try:
                pull.check_batch(doc.end, self.ledger.root(gln, doc.end), doc.proof)
            except MerkleError as exc:
                raise PeerMisbehaved(
                    _("Log {gln}: the entries {peer} served up to {end} do not lead to its "
                      "signed root at size {size} ({exc}); the batch was refused.")
                    .format(gln=gln, peer=peer, end=doc.end, size=pull.size, exc=exc),
                    ROOT_MISMATCH, gln, json.dumps(
                        {"log": gln, "theirs": signed.to_text(), "end": doc.end,
                         "computed_root": self.ledger.root(gln, doc.end).hex(),
                         "proof": [_b64(p) for p in doc.proof]}, sort_keys=True)) from None
            # Skip ahead only over entries a signed checkpoint held here vouches for.
            pull.held = max(pull.held, self.ledger.covered_size(gln))
            try:
                if doc.checkpoint is not None and doc.end < pull.size:
                    batch_cp = SignedCheckpoint.parse(doc.checkpoint)
                    if batch_cp.checkpoint.size == doc.end:
                        self.ledger.accept_checkpoint(gln, doc.checkpoint)
                if doc.end == pull.size:
                    self.ledger.accept_checkpoint(gln, signed.to_text())
            except (CheckpointError, MerkleError) as exc:
                raise PeerMisbehaved(
                    _("Log {gln}: {peer} served a checkpoint that does not match its entries "
                      "({exc}).").format(gln=gln, peer=peer, exc=exc), BAD_CHECKPOINT, gln,
                    json.dumps({"log": gln, "theirs": doc.checkpoint}, sort_keys=True)) from None
        return len(new)

    def _drop_uncovered(self, gln: str, at: int, signed: SignedCheckpoint, peer: str) -> None:
        """Held entries from ``at`` on, which no signed checkpoint held here covers, differ
        from the batch being proven against the author's signed root: drop them (inside the
        batch's transaction, so a batch that then fails its proof restores them)."""
        dropped = self.ledger.drop_uncovered(gln, at)
        evidence = json.dumps({"log": gln, "from": at, "checkpoint": signed.to_text(),
                               "dropped": [_b64(d) for d in dropped]}, sort_keys=True)
        self.store.put_evidence(
            DROPPED_ENTRIES, gln, peer,
            f"Log {gln}: {len(dropped)} entries held from index {at} on were covered by no "
            "signed checkpoint and differ from the author's signed log; they were dropped.",
            hashlib.sha256(evidence.encode()).hexdigest(), evidence, now_iso())
        log.warning("log %s: dropped %d uncovered entries from %d (author's log from %s wins)",
                    gln, len(dropped), at, peer)

    def keep_cosignatures(self, gln: str, note: str, peer: str) -> None:
        """Keep the policy's witness cosignatures on a peer's checkpoint of log ``gln``
        (after its pull: only for a checkpoint held here). A bad one is logged, not kept."""
        try:
            keep_cosignatures(self.ledger, gln, note)
        except CheckpointError as exc:
            log.warning("peer %s: cosignatures on log %s's checkpoint not kept: %s", peer, gln,
                        exc)

    # --- bookkeeping ------------------------------------------------------------------------
    def mark_synced(self, gln: str, peer: str) -> None:
        with self.store.transaction():
            self.store.put_synced(gln, now_iso(), peer, self.store.log_size(gln))

    def keep_dispute(self, gln: str, theirs: str, entries: list[bytes] | None,
                     relay: str) -> str | None:
        """Keep the dispute the author's note ``theirs`` (and, if served, its version's
        ``entries``) proves against the history held here; return the refusal's words
        (None: nothing the author signed proves a conflict, e.g. a relay's bad proof)."""
        if self.store.read_only:
            return None
        try:
            signed = self.ledger.verify_checkpoint_note(gln, theirs)
            conflict = ((conflict_from_entries(self.ledger, gln, signed, entries)
                         if entries is not None else None)
                        or conflict_from_checkpoint(self.ledger, gln, signed))
            if conflict is None:
                return None
            keep_dispute(self.ledger, conflict, DisputeChannel.SYNC, relay)
        except SupplyChainError as exc:  # a busy store must not hide the log line
            log.error("could not keep the dispute about log %s: %s", gln, exc)
            return None
        return refusal(self.ledger, gln, conflict.from_index)

    def record(self, kind: str, subject: str, peer: str, detail: str, evidence: str) -> None:
        digest = hashlib.sha256(evidence.encode()).hexdigest()
        if self.store.read_only:  # an answer node on a read replica keeps nothing
            log.warning("not stored (read-only replica of the ledger): %s %s", kind, detail)
            return
        try:
            with self.store.transaction():
                self.store.put_evidence(kind, subject, peer, detail, digest, evidence, now_iso())
        except SupplyChainError as exc:  # a busy store must not hide the log line
            log.error("could not store evidence (%s): %s", kind, exc)


def _first_bad(ledger: Ledger, gln: str, start: int, entries: list[bytes]) -> tuple[int, bytes]:
    for i, data in enumerate(entries):
        try:
            ledger.verify_entry(gln, start + i, data)
        except SupplyChainError:
            return start + i, data
    return start, entries[0]
