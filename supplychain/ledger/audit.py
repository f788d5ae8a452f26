"""Audit: re-verify everything a node stores, and name the first fault.

Checks, in order: SQLite's own integrity check; every member certificate and revocation
against the root; every entry of every log (canonical bytes, author, signature); every stored
Merkle node against a recomputation from the entries; every stored checkpoint (signature and
root); and the derived tables against a rebuild from the logs (done on an in-memory copy, so
the audit never changes the store).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from supplychain.errors import AuditFailure, SupplyChainError
from supplychain.i18n import _
from supplychain.identity.certificates import load_certificate, verify_member_certificate
from supplychain.identity.revocations import Revocation
from supplychain.ledger import merkle
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.logs import Ledger
from supplychain.ledger.proven import check_included
from supplychain.ledger.sparse import ProvenStore


@dataclass(frozen=True)
class AuditReport:
    logs: int
    entries: int
    checkpoints: int
    members: int


def audit(ledger: Ledger, progress: Callable[[str], None] | None = None) -> AuditReport:
    """Raise AuditFailure naming the first fault found; return counts when all is well."""
    try:
        return _audit(ledger, progress or (lambda _: None))
    except AuditFailure:
        raise
    except (sqlite3.DatabaseError, SupplyChainError, ValueError) as exc:
        raise AuditFailure(_("The ledger file is damaged: {exc}").format(exc=exc)) from exc


def _audit(ledger: Ledger, progress: Callable[[str], None]) -> AuditReport:
    store = ledger.store
    progress("database integrity")
    result = store.integrity_check()
    if result != "ok":
        raise AuditFailure(_("SQLite integrity check failed: {result}").format(result=result))

    progress("member certificates")
    members = store.all_member_certs()
    for pem in members:
        try:
            cert = load_certificate(pem)
            verify_member_certificate(cert, ledger.root_cert, at=cert.not_valid_before_utc)
        except SupplyChainError as exc:
            raise AuditFailure(_("A stored member certificate is invalid: {exc}")
                               .format(exc=exc)) from exc
    for text in store.all_revocations():
        try:
            Revocation.from_dict(json.loads(text)).verify(ledger.root_cert)
        except SupplyChainError as exc:
            raise AuditFailure(_("A stored revocation is invalid: {exc}").format(exc=exc)) from exc

    progress("log entries and Merkle nodes")
    recomputed: dict[str, merkle.MemoryNodes] = {}
    count = 0
    for entry in store.all_entries():
        gln, idx, data = entry.log, entry.index, entry.data
        nodes = recomputed.setdefault(gln, merkle.MemoryNodes())
        if idx != nodes.size:
            raise AuditFailure(_("Log {gln} has a gap before entry {idx}.")
                               .format(gln=gln, idx=idx))
        try:
            ledger.verify_entry(gln, idx, data)
        except SupplyChainError as exc:
            raise AuditFailure(_("Log {gln}, entry {idx}: {exc}")
                               .format(gln=gln, idx=idx, exc=exc)) from exc
        nodes.append(merkle.leaf_hash(data))
        count += 1
    for node in store.all_nodes():
        gln, level, idx, stored = node.log, node.level, node.index, node.hash
        source = recomputed.get(gln)
        try:
            expected = source.perfect(level, idx) if source else None
        except (IndexError, KeyError, SupplyChainError):
            expected = None
        if expected != stored:
            raise AuditFailure(_("Log {gln}: stored Merkle node (level {level}, index {idx}) "
                                 "does not match the entries.")
                               .format(gln=gln, level=level, idx=idx))

    progress("proven entries")
    for entry in ProvenStore(store).all():
        try:
            ledger.verify_entry(entry.log, entry.index, entry.data)
            check_included(ledger, entry.log, entry.index, entry.data)
        except SupplyChainError as exc:
            raise AuditFailure(_("Proven entry {idx} of log {gln}: {exc}")
                               .format(idx=entry.index, gln=entry.log, exc=exc)) from exc

    progress("checkpoints")
    checkpoints = store.all_checkpoints()
    for held in checkpoints:
        gln, size, root, note = held.log, held.size, held.root, held.note
        try:
            note_cp = SignedCheckpoint.parse(note)
            member = ledger.member(gln)
            note_cp.verify(member.public_key)
        except SupplyChainError as exc:
            raise AuditFailure(_("Checkpoint of log {gln} at size {size}: {exc}")
                               .format(gln=gln, size=size, exc=exc)) from exc
        nodes = recomputed.get(gln, merkle.MemoryNodes())
        if note_cp.checkpoint.size != size or note_cp.checkpoint.root_hash != root:
            raise AuditFailure(_("Checkpoint row of log {gln} at size {size} differs from its "
                                 "signed note.").format(gln=gln, size=size))
        if nodes.size == 0:
            continue  # a log held as checkpoints (and proven entries) only: a light node, or
            # any node the consortium's need-to-know policy keeps from reading it whole
        if size > nodes.size or merkle.root_from(nodes, size) != root:
            raise AuditFailure(_("Checkpoint of log {gln} at size {size} does not match the "
                                 "log's entries.").format(gln=gln, size=size))

    progress("derived tables")
    with store.scratch() as copy:
        current = store.derived_snapshot()  # before the rebuild (on PostgreSQL, copy is store)
        Ledger(copy, ledger.root_cert, ledger.consortium).rebuild()
        rebuilt = copy.derived_snapshot()
    for table, rows in rebuilt.items():
        if current[table] != rows:
            raise AuditFailure(_("Derived table '{table}' does not match a rebuild from the logs; "
                                 "run `supplychain rebuild` to repair it.").format(table=table))
    return AuditReport(len(recomputed), count, len(checkpoints), len(members))
