"""What a verdict reads from the store, fetched in three round trips on PostgreSQL.

``Node.verify`` asks the store one thing at a time (the pack, its chain, pending events,
reports, recalls, each relevant log's size and checkpoints, cosignatures, members, sync
state, disputed logs): some 25 statements, each a round trip to a PostgreSQL server
(~0.15 ms each), where SQLite answers in microseconds in-process. ``prefetch`` sends those
very statements, with the very parameters the store methods will use, in one pipeline per stage
(``Store.prefetched``): what the verdict then asks is answered from the rows fetched, so its
content is exactly what the one-at-a-time reads give. The stages follow what each read
depends on: (1) the pack and everything keyed by it or by nothing; (2) the logs its chain and
custodian name, and the recalls of its registered lot; (3) the cosignatures of each log's
latest checkpoint. A statement missed here is simply run as before (slower, never wrong).

SQLite's ``prefetched`` does nothing: its reads are already local.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from supplychain.ledger import sql
from supplychain.ledger.freshness import STALE_AFTER_META, relevant_logs
from supplychain.ledger.store import Store
from supplychain.ledger.witnessing import _DIRECTORY_META

Read = tuple[str, tuple[Any, ...]]


def pack_reads(pack: str, gtin: str) -> list[Read]:
    """Stage 1: keyed by the pack, its GTIN, or nothing."""
    return [(sql.GET_PACK, (pack,)), (sql.CHAIN_OF_PACK, (pack,)),
            (sql.PENDING_FOR_PACK, (pack,)), (sql.GET_REPORTS, (pack,)),
            (sql.CONTAINER_OF, (pack,)),
            (sql.GTIN_KNOWN, (gtin,)), (sql.ALL_SYNCED, ()), (sql.GET_META, (STALE_AFTER_META,)),
            (sql.GET_META, (_DIRECTORY_META,)), (sql.MEMBER_NAMES, ()),
            (sql.MANUFACTURER_PREFIXES, ()), (sql.DISPUTED_FROM, ())]


def log_reads(store: Store, logs: set[str], gtin: str | None, lot: str | None) -> list[Read]:
    """Stage 2: per relevant log; the registered lot's recalls; the regulators' standing
    (the default witness policy), from the member list read in stage 1."""
    reads: list[Read] = []
    for gln in sorted(logs):
        reads += [(sql.LATEST_CHECKPOINT, (gln,)), (sql.LOG_SIZE, (gln,))]
    if gtin is not None and lot is not None:
        reads.append((sql.GET_RECALLS, (gtin, lot)))
    for member in store.member_names():
        if member.role == "regulator":
            reads += [(sql.GET_REVOCATION_SIZE, (member.gln,)),
                      (sql.GET_MEMBER_CERTS, (member.gln,))]
    return reads


def cosignature_reads(store: Store, logs: set[str]) -> list[Read]:
    """Stage 3: the cosignatures of each log's latest checkpoint (read in stage 2)."""
    reads: list[Read] = []
    for gln in sorted(logs):
        latest = store.latest_checkpoint(gln)
        if latest is not None:
            reads.append((sql.GET_COSIGNATURES, (gln, latest.size)))
    return reads


@contextmanager
def prefetch(store: Store, pack: str, gtin: str) -> Iterator[None]:
    """Inside: the reads of a verdict on ``pack`` are answered from three round trips."""
    if not store.prefetches:
        yield
        return
    with store.prefetched(pack_reads(pack, gtin)):
        record = store.pack_row(pack)
        chain = store.chain_of_pack(pack) if record else []
        logs = relevant_logs(store, (s.log for s in chain),
                             record.custodian if record else None, gtin)
        logs |= {s.log for s in chain}
        with store.prefetched(log_reads(store, logs, record.gtin if record else None,
                                        record.lot if record else None)), \
                store.prefetched(cosignature_reads(store, logs)):
            yield
