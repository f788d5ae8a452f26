"""A sync round on a full node over PostgreSQL: several logs pulled at once, each page
ingested in a worker process.

``puller._pull`` takes this path when the store allows several writers
(``Store.parallel_ingest``) and has ``ingest_workers`` >= 2. Up to that many logs are in
flight (``Lanes.slot``); each log's pages are fetched and applied in order, as in the serial
path. A page is applied by ``Replica.apply_batch`` itself, in a worker process of
``supplychain.ledger.parallel`` (its own connection, a SERIALIZABLE transaction in SHARE mode
of the writer lock, run again on a serialization failure; signatures checked before the
transaction). So a page is kept or refused with exactly the serial path's checks, and the
argument of docs/ARCHITECTURE.md "Parallel ingest by log" gives the serial result whatever
the order pages of different logs commit in.

A refused page comes back as plain data (``PageRefusal``) and is raised here as the same
typed error the serial path raises (``PeerMisbehaved`` with its evidence, ``ProtocolError``),
so evidence, blocking and alerts are handled once, in ``puller.pull_from``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization

from supplychain.errors import (
    AuthorMisbehaved,
    LedgerError,
    PeerMisbehaved,
    ProtocolError,
    SupplyChainError,
)
from supplychain.i18n import _
from supplychain.ledger import parallel
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.sync.protocol import EntriesDoc, LogPull
from supplychain.sync.replica import Replica

log = logging.getLogger("supplychain.sync")


def workers_for(replica: Replica) -> int:
    """Worker processes a pull from one peer ingests logs with (0: the serial path)."""
    if not replica.store.parallel_ingest:
        return 0
    return int(getattr(replica.store, "ingest_workers", 0))  # PgStore's; SQLite has none


@dataclass(frozen=True)
class PageJob:
    """One page of one log to apply in a worker: what ``Replica.apply_batch`` takes."""

    pull: LogPull
    checkpoint: str  # the peer's signed checkpoint of the log (verified by the caller)
    page: EntriesDoc
    peer: str
    node_gln: str


@dataclass(frozen=True)
class PageRefusal:
    """Why a worker refused a page, as plain data (an exception may not survive pickling)."""

    message: str
    kind: str | None = None  # PeerMisbehaved's kind, subject and evidence, if it was a lie
    subject: str = ""
    evidence: str = ""
    author: bool = False  # AuthorMisbehaved rather than PeerMisbehaved
    protocol: bool = False  # a ProtocolError (a malformed answer, not a lie)

    @staticmethod
    def of(exc: BaseException) -> PageRefusal:
        if isinstance(exc, PeerMisbehaved):
            return PageRefusal(str(exc), exc.kind, exc.subject, exc.evidence,
                               author=isinstance(exc, AuthorMisbehaved))
        return PageRefusal(str(exc), protocol=isinstance(exc, ProtocolError))

    def error(self) -> SupplyChainError:
        """The typed error the serial path would have raised."""
        if self.kind is not None:
            cls = AuthorMisbehaved if self.author else PeerMisbehaved
            return cls(self.message, self.kind, self.subject, self.evidence)
        if self.protocol:
            return ProtocolError(self.message)
        return LedgerError(self.message)


def _prepare(ledger: parallel.PreverifiedLedger, job: PageJob) -> PageJob:
    """Check the signatures of the page's entries not held here, before the transaction."""
    gln, start = job.pull.gln, job.page.start
    skip = max(0, min(ledger.store.log_size(gln) - start, len(job.page.entries)))
    ledger.preverify(gln, start + skip, job.page.entries[skip:])
    return job


def _write(ledger: parallel.PreverifiedLedger, job: PageJob) -> tuple[int, int]:
    """Apply the page (inside the worker's transaction); return (new entries, pull.held)."""
    pull = copy.copy(job.pull)  # a retried transaction starts from the caller's state
    added = Replica(ledger, job.node_gln).apply_batch(
        pull, SignedCheckpoint.parse(job.checkpoint), job.page, job.peer)
    return added, pull.held


def _refused(ledger: parallel.PreverifiedLedger, job: PageJob,
             exc: BaseException) -> PageRefusal:
    return PageRefusal.of(exc)


class Lanes:
    """The logs of one pull in flight at once (``slot``) and their pages' ingest."""

    def __init__(self, replica: Replica, url: str, workers: int) -> None:
        ledger = replica.ledger
        self.slot = asyncio.Semaphore(workers)
        self.workers = workers
        self.url = url
        self.node_gln = replica.gln
        self.target = parallel.Target(
            str(getattr(replica.store, "url")),  # noqa: B009 - only PgStore ingests in parallel
            ledger.root_cert.public_bytes(serialization.Encoding.PEM), ledger.consortium)

    async def apply(self, pull: LogPull, signed: SignedCheckpoint, page: EntriesDoc) -> int:
        """``Replica.apply_batch`` of ``page`` in a worker; ``pull`` advances as it would."""
        job = PageJob(pull, signed.to_text(), page, self.url, self.node_gln)
        future = parallel.pool(self.workers).submit(
            parallel.run_job, self.target, pull.gln, _prepare, _write, _refused, job)
        try:
            outcome = await asyncio.wrap_future(future)
        except BrokenExecutor as exc:  # a worker died (killed, out of memory)
            parallel.shutdown_broken()
            raise LedgerError(_("the ingest worker process failed ({exc}); nothing of this "
                                "batch was saved").format(exc=type(exc).__name__)) from exc
        if outcome.attempts > 1:
            log.info("log %s: batch from %d run %d times (conflicts with other writers)",
                     pull.gln, page.start, outcome.attempts)
        if outcome.error is None:
            added, pull.held = outcome.value
            return int(added)
        if isinstance(outcome.value, PageRefusal):
            raise outcome.value.error()
        raise LedgerError(outcome.error)
