"""The pull: one sync round against one peer, over any ``PeerSource``.

The driver is transport-agnostic: ``supplychain.sync.transport.HttpPeer`` fetches over mutual TLS,
``LocalPeer`` (tests, tools) answers from another Ledger in the same process. All store work
goes through ``run`` (the thread that owns the store); fetching the next batch overlaps with
verifying the current one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any, Protocol

from supplychain.clock import now_iso
from supplychain.errors import (
    AuthorMisbehaved,
    NotEntitled,
    PeerMisbehaved,
    PeerRefused,
    PeerTimeout,
    PeerUnavailable,
    PeerUnreachable,
    ProtocolError,
)
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.sync import parallel_pull
from supplychain.sync.disputes import keep_sync_dispute
from supplychain.sync.protocol import (
    MAX_BATCH_ENTRIES,
    CheckpointsDoc,
    DirectoryDoc,
    EntriesDoc,
    EntriesRequest,
    LogHead,
    LogPull,
    ProofDoc,
    Step,
    StoreRunner,
    run_in_place,
)
from supplychain.sync.replica import (
    BAD_RESPONSE,
    REFUSED_PEER,
    UNREACHABLE,
    Replica,
)

log = logging.getLogger("supplychain.sync")

BatchHook = Callable[[int], None]


class PeerFailure(StrEnum):
    """Why a pull from a peer did not complete (the error message says the detail)."""

    UNREACHABLE = "unreachable"  # no connection could be made: retried next round
    TIMEOUT = "timeout"  # connected, but no answer within the deadline: retried
    BAD_ANSWER = "bad_answer"  # garbage, oversized or an HTTP error: retried
    BLOCKED = "blocked"  # it lied, or is not a member in good standing: cut off
    CANCELLED = "cancelled"  # the round was cancelled before this pull finished
    ERROR = "error"  # an unexpected fault on our side (a bug, a full disk)

    @property
    def retried(self) -> bool:
        """The peer is tried again at the next round without an operator's help."""
        return self is not PeerFailure.BLOCKED


def failure_of(exc: BaseException) -> PeerFailure:
    """The failure kind a pull's exception stands for."""
    if isinstance(exc, PeerMisbehaved | PeerRefused):
        return PeerFailure.BLOCKED
    if isinstance(exc, ProtocolError):
        return PeerFailure.BAD_ANSWER
    if isinstance(exc, PeerTimeout):
        return PeerFailure.TIMEOUT
    if isinstance(exc, PeerUnreachable | PeerUnavailable):
        return PeerFailure.UNREACHABLE
    if isinstance(exc, asyncio.CancelledError):
        return PeerFailure.CANCELLED
    return PeerFailure.ERROR


class PeerSource(Protocol):
    """Where a pull reads from. Methods raise PeerUnavailable, PeerRefused or ProtocolError."""

    url: str
    peer_gln: str | None

    async def directory(self) -> DirectoryDoc: ...

    async def checkpoints(self) -> CheckpointsDoc: ...

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc: ...

    async def entries(self, request: EntriesRequest) -> EntriesDoc: ...


@dataclass
class PullReport:
    """What one pull from one peer did."""

    peer: str
    peer_gln: str | None = None
    new_entries: dict[str, int] = field(default_factory=dict)
    new_members: int = 0
    new_revocations: int = 0
    directory_version: int | None = None  # the member directory version now held, if changed
    logs_checked: int = 0
    error: str | None = None
    blocked: bool = False
    failure: PeerFailure | None = None
    problem: str | None = None  # for UNREACHABLE: why, in a few words (PeerUnreachable)
    refused_logs: list[str] = field(default_factory=list)  # relayed author lies (evidence kept)
    not_entitled: list[str] = field(default_factory=list)  # logs the sharing policy withholds

    @property
    def total_new(self) -> int:
        return sum(self.new_entries.values())

    def to_dict(self) -> dict[str, Any]:
        return {"peer": self.peer, "peer_gln": self.peer_gln, "new_entries": self.new_entries,
                "new_members": self.new_members, "new_revocations": self.new_revocations,
                "directory_version": self.directory_version,
                "logs_checked": self.logs_checked, "error": self.error,
                "blocked": self.blocked, "refused_logs": list(self.refused_logs),
                "not_entitled": list(self.not_entitled),
                "failure": self.failure.value if self.failure else None}



async def pull_from(source: PeerSource, replica: Replica, run: StoreRunner = run_in_place,
                    batch: int = MAX_BATCH_ENTRIES,
                    on_batch: BatchHook | None = None,
                    workers: int | None = None) -> PullReport:
    """Pull everything ``source`` has that we lack; never raises for the peer's faults.

    A lie (PeerMisbehaved) is stored as evidence and blocks the peer; a garbage or oversized
    response, a timeout or a refused identity is stored as an alert and fails this round.
    ``report.failure`` says which, as a ``PeerFailure``. ``on_batch(added)`` is called after
    each batch kept (for progress).

    On a store that allows several writers (PostgreSQL) with ``workers`` >= 2 (default: the
    store's ``ingest_workers``), up to ``workers`` logs are pulled at once, each log's pages
    in order, each page ingested in a worker process (``parallel_pull``). A log that fails
    then leaves the others of the round to finish (their entries verify on their own); the
    first failure in the peer's log order is then handled as above.
    """
    url = source.url
    report = PullReport(url)
    failure: Exception | None = None
    try:
        await _pull(source, replica, run, batch, report, on_batch, workers)
    except (PeerMisbehaved, PeerRefused, ProtocolError, PeerUnavailable) as exc:
        failure = exc
        report.failure = failure_of(exc)
        if isinstance(exc, PeerUnreachable):
            report.problem = exc.problem
    except Exception as exc:  # noqa: BLE001 - whatever a peer sends, the round goes on
        log.exception("pull from %s failed unexpectedly", url)
        report.failure = PeerFailure.ERROR
        report.error = (f"unexpected fault while pulling ({type(exc).__name__}: "
                        f"{str(exc)[:200]}); the peer is tried again next round")
        message = report.error
        await run(lambda: replica.store.peer_failure(url, f"error: {message}"))
    if isinstance(failure, PeerMisbehaved):
        lie = failure
        report.error, report.blocked = str(lie), True
        log.error("peer %s BLOCKED: %s", url, lie)
        await run(lambda: replica.record(lie.kind, lie.subject, url, str(lie), lie.evidence))
        kept = await keep_sync_dispute(source, run, replica, lie, source.peer_gln or url)
        if kept is not None:
            report.error = f"{lie} {kept}"
        await run(lambda: _block(replica, url, f"{lie.kind}: {lie}", source.peer_gln))
    elif isinstance(failure, PeerRefused):
        refused = str(failure)
        report.error, report.blocked = refused, True
        log.error("peer %s refused: %s", url, refused)
        await run(lambda: replica.record(REFUSED_PEER, url, url, refused, refused))
        await run(lambda: _block(replica, url, f"{REFUSED_PEER}: {refused}", source.peer_gln))
    elif failure is not None:
        kind = BAD_RESPONSE if isinstance(failure, ProtocolError) else UNREACHABLE
        message = str(failure)
        report.error = message
        log.warning("peer %s: %s: %s", url, kind, message)
        await run(lambda: replica.record(kind, url, url, message, kind))
        await run(lambda: replica.store.peer_failure(url, f"{kind}: {message}"))
    report.peer_gln = source.peer_gln
    return report


def _block(replica: Replica, url: str, reason: str, gln: str | None) -> None:
    with replica.store.transaction():
        replica.store.block_peer(url, reason, gln)


async def _pull(source: PeerSource, replica: Replica, run: StoreRunner, batch: int,
                report: PullReport, on_batch: BatchHook | None, workers: int | None) -> None:
    url = source.url
    signed_directory = await source.directory()
    update = await run(lambda: replica.ingest_member_directory(signed_directory, url))
    if update is not None and update.changed:
        report.directory_version = update.version
    doc = await source.checkpoints()
    directory = await run(lambda: replica.ingest_directory(doc, url))
    report.new_members = directory.new_members + (update.new_members if update else 0)
    report.new_revocations = directory.new_revocations + (update.new_revocations
                                                          if update else 0)
    workers = parallel_pull.workers_for(replica) if workers is None else workers
    if workers >= 2 and replica.store.parallel_ingest and len(doc.logs) >= 2:
        # A full node on PostgreSQL: several logs in flight, pages ingested in workers.
        lanes = parallel_pull.Lanes(replica, url, workers)
        results = [LogResult(head.gln) for head in doc.logs]

        async def one(head: LogHead, result: LogResult) -> None:
            async with lanes.slot:
                try:
                    await _pull_log(source, replica, run, batch, on_batch, head, lanes.apply,
                                    result)
                except Exception as exc:  # noqa: BLE001 - raised after the other logs
                    result.failure = exc

        await asyncio.gather(*(one(h, r) for h, r in zip(doc.logs, results, strict=True)))
        for result in results:
            result.merge_into(report)
        first = next((r.failure for r in results if r.failure is not None), None)
        if first is not None:
            raise first  # the round's first failure, in the peer's log order
    else:
        for head in doc.logs:
            result = LogResult(head.gln)
            try:
                await _pull_log(source, replica, run, batch, on_batch, head,
                                _serial_apply(replica, run, url), result)
            finally:
                result.merge_into(report)
    await run(lambda: replica.store.peer_success(url, source.peer_gln, now_iso()))


class LogEnd(StrEnum):
    """How one log's pull ended (when it did not fail)."""

    CHECKED = "checked"  # held up to the peer's checkpoint
    REFUSED = "refused"  # the author signed contradicting checkpoints: evidence kept
    NOT_ENTITLED = "not_entitled"  # the sharing policy withholds the log from us


@dataclass
class LogResult:
    """What one log's pull did, merged into the ``PullReport`` in the peer's log order."""

    gln: str
    added: int = 0
    end: LogEnd | None = None
    failure: BaseException | None = None  # parallel pulls: the log's failure, raised after

    def merge_into(self, report: PullReport) -> None:
        if self.added:
            report.new_entries[self.gln] = report.new_entries.get(self.gln, 0) + self.added
        if self.end is LogEnd.REFUSED:
            report.refused_logs.append(self.gln)
        elif self.end is LogEnd.NOT_ENTITLED:
            report.not_entitled.append(self.gln)
        elif self.end is LogEnd.CHECKED:
            report.logs_checked += 1


ApplyPage = Callable[[LogPull, SignedCheckpoint, EntriesDoc], Awaitable[int]]


def _serial_apply(replica: Replica, run: StoreRunner, url: str) -> ApplyPage:
    async def apply(pull: LogPull, signed: SignedCheckpoint, page: EntriesDoc) -> int:
        return int(await run(partial(replica.apply_batch, pull, signed, page, url)))
    return apply


async def _pull_log(source: PeerSource, replica: Replica, run: StoreRunner, batch: int,
                    on_batch: BatchHook | None, head: LogHead, apply: ApplyPage,
                    result: LogResult) -> None:
    """Bring one log up to the peer's checkpoint ``head``; ``result`` says what it did."""
    url = source.url
    signed = await run(partial(replica.verify_checkpoint, head.gln, head.checkpoint, url))
    try:
        pull = await run(partial(replica.plan, head.gln, signed, url, batch))
    except AuthorMisbehaved as lie:
        if lie.subject == source.peer_gln:
            raise  # the author itself: cut off
        # A relay passing on the author's contradicting signatures: evidence against the
        # author; the relay stays a peer, this log is left as it is.
        log.error("log %s: its author signed contradicting checkpoints (relayed by %s): %s",
                  lie.subject, url, lie)
        await run(partial(replica.record, lie.kind, lie.subject, url, str(lie),
                          lie.evidence))
        await keep_sync_dispute(source, run, replica, lie, source.peer_gln or url)
        result.end = LogEnd.REFUSED
        return
    if pull is not None:
        try:
            await _fetch_log(source, replica, run, batch, on_batch, pull, signed, apply,
                             result)
        except NotEntitled as exc:
            # Need-to-know: the peer withholds this whole log from us. Not a lie: the
            # peer stays trusted, the log is skipped (what names us comes another way).
            log.info("log %s skipped: %s", head.gln, exc)
            result.end = LogEnd.NOT_ENTITLED
            return
    await run(partial(replica.keep_cosignatures, head.gln, head.checkpoint, url))
    await run(partial(replica.mark_synced, head.gln, url))
    result.end = LogEnd.CHECKED


async def _fetch_log(source: PeerSource, replica: Replica, run: StoreRunner, batch: int,
                     on_batch: BatchHook | None, pull: LogPull, signed: SignedCheckpoint,
                     apply: ApplyPage, result: LogResult) -> None:
    """Fetch and verify one log's consistency proof and batches (see ``_pull``)."""
    url = source.url
    if pull.next() is Step.CONSISTENCY:
        old, new = pull.consistency_request()
        proof = await source.consistency(pull.gln, old, new)
        await run(partial(replica.check_consistency, pull, signed, proof.proof, url))
    ahead: asyncio.Task[EntriesDoc] | None = None
    try:
        while pull.next() is Step.ENTRIES:
            request = pull.entries_request()
            if ahead is not None and _same(ahead, request):
                page = await ahead
            else:
                if ahead is not None:
                    ahead.cancel()
                page = await source.entries(request)
            ahead = None
            if page.end < pull.size:  # fetch the next batch while this one verifies
                nxt = EntriesRequest(pull.gln, page.end,
                                     min(pull.size, page.end + batch), pull.size)
                ahead = asyncio.ensure_future(source.entries(nxt))
                ahead.request = nxt  # type: ignore[attr-defined]
            added = await apply(pull, signed, page)
            if added:
                result.added += added
                if on_batch is not None:
                    on_batch(added)
    finally:
        if ahead is not None:
            ahead.cancel()
            await asyncio.gather(ahead, return_exceptions=True)


def _same(task: asyncio.Task[EntriesDoc], request: EntriesRequest) -> bool:
    return getattr(task, "request", None) == request


class LocalPeer:
    """A PeerSource answering from another Replica in this process (no sockets)."""

    def __init__(self, replica: Replica, url: str | None = None) -> None:
        self.replica = replica
        self.url = url or f"local:{replica.gln}"
        self.peer_gln: str | None = replica.gln

    async def directory(self) -> DirectoryDoc:
        from supplychain.sync.protocol import dump_document
        return DirectoryDoc.parse(dump_document(self.replica.directory_doc().to_json()))

    async def checkpoints(self) -> CheckpointsDoc:
        from supplychain.sync.protocol import dump_document
        return CheckpointsDoc.parse(dump_document(self.replica.checkpoints_doc().to_json()))

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc:
        return self.replica.consistency_doc(gln, {"old": str(old), "new": str(new)})

    async def entries(self, request: EntriesRequest) -> EntriesDoc:
        return self.replica.entries_doc(request.gln, request.query())
