"""A running sync node: the API server, the background pull loop, and notices to peers.

One thread (a single-worker executor) owns the store; the asyncio loop does the network.
Peers are pulled concurrently, each request under a deadline, so a slow or dead peer never
stalls the others. Blocked peers are skipped until an operator runs ``peers unblock``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from supplychain.clock import now_iso
from supplychain.errors import BadListenAddress
from supplychain.i18n import _
from supplychain.identity.certificates import Member, Role
from supplychain.identity.keys import load_private_key
from supplychain.ledger.sparse import NodeMode
from supplychain.ledger.witnessing import WitnessAnswer, add_checkpoint
from supplychain.node.network import PeerRow, members, peers
from supplychain.node.operations import Node
from supplychain.sync.light import OwnLogOnly, finish_light_pull, sync_mode
from supplychain.sync.protocol import DEFAULT_INTERVAL, DEFAULT_TIMEOUT, MAX_BATCH_ENTRIES, Notice
from supplychain.sync.puller import PeerFailure, PullReport, failure_of, pull_from
from supplychain.sync.push import Pusher, PushReport, push_handler
from supplychain.sync.replica import REFUSED_CONNECTION, Replica
from supplychain.sync.tls import client_context, server_context
from supplychain.sync.transport import (
    HEADER_TIMEOUT,
    MAX_IN_FLIGHT,
    REQUEST_TIMEOUT,
    HttpPeer,
    client_session,
    make_app,
    server_runner,
)
from supplychain.sync.witness_client import Submission, submit_to_witnesses

log = logging.getLogger("supplychain.sync")
T = TypeVar("T")

WATCH_SECONDS = 0.5
#: The 503 an answer node on a read replica gives to a push, notice or checkpoint.
REPLICA_REFUSAL = ("This node answers questions from a read-only replica of the ledger; "
                   "pushes, notices and checkpoints to witness go to the ingest node on the "
                   "primary database.")
CANCEL_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class SyncProgress:
    """Sent while a round runs: peers finished, and entries kept so far."""

    peers_done: int
    peers_total: int
    new_entries: int


ProgressHook = Callable[[SyncProgress], None]
CancelFlag = Callable[[], bool]


@dataclass(frozen=True)
class SyncRound:
    """One round: a report per peer pulled (each failure typed), the peers as they stand
    after it, the member names known, and the blocked peers skipped."""

    reports: tuple[PullReport, ...]
    peers: tuple[PeerRow, ...] = ()
    names: dict[str, str] = field(default_factory=dict)
    skipped_blocked: tuple[str, ...] = ()
    cancelled: bool = False
    pushes: tuple[PushReport, ...] = ()  # our own log pushed to the peers (full nodes)

    @property
    def total_new(self) -> int:
        return sum(r.total_new for r in self.reports)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.reports if r.failure is not None)

    def peer(self, url: str) -> PeerRow | None:
        return next((p for p in self.peers if p.url == url), None)


@dataclass(frozen=True)
class ServerLimits:
    """How long a peer may take and how much it may hold while we serve it."""

    header_timeout: float = HEADER_TIMEOUT  # to send a complete request head
    request_timeout: float = REQUEST_TIMEOUT  # to send its body and be answered
    max_in_flight: int = MAX_IN_FLIGHT  # open requests per member


class SyncService:
    """Sync for one node. Create it, then ``await sync_round()`` or ``await serve(...)``."""

    def __init__(self, node: Node, passphrase: bytes, *, timeout: float = DEFAULT_TIMEOUT,
                 batch: int = MAX_BATCH_ENTRIES, limits: ServerLimits | None = None,
                 witness: bool | None = None, read_replica: bool = False) -> None:
        self.node = node
        # An answer node on a read replica (asked, or its store is read-only): reads only.
        self.read_replica = read_replica or node.store.read_only
        # A witness (tlog-witness add-checkpoint) by default on the regulator's node only.
        self.witness = (not self.read_replica and
                        (node.me.info.role is Role.REGULATOR if witness is None else witness))
        self._submitting: asyncio.Lock | None = None
        self._witness_key = (load_private_key(node.home / "member.key", passphrase)
                             if self.witness else None)
        self.limits = limits or ServerLimits()
        self.replica = Replica(node.ledger, node.gln)
        self.timeout = timeout
        self.batch = batch
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="supplychain-store")
        self.server_ssl = server_context(node.home, passphrase, self._handshake_failed)
        self.client_ssl = client_context(node.home, passphrase, None)
        self._wake: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.pusher = Pusher(self.replica, self.run)

    async def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the thread that owns the store."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    # --- pulling ----------------------------------------------------------------------------
    async def sync_round(self, urls: list[str] | None = None, *,
                         progress: ProgressHook | None = None,
                         cancel: CancelFlag | None = None) -> list[PullReport]:
        """Pull from every active peer (or ``urls``) concurrently; one report per peer.

        ``progress`` gets a ``SyncProgress`` when a peer finishes and after each batch kept;
        ``cancel()`` is polled between network steps: when it says stop, unfinished pulls
        end with ``PeerFailure.CANCELLED`` (a batch being verified is never cut: it is one
        transaction on the store thread, and what was verified is kept).
        """
        if urls is None:
            peer_rows = await self.run(self.node.store.peers)
            urls = [p.url for p in peer_rows if p.state != "blocked"]
        if not urls:
            return []
        counts = {"done": 0, "new": 0}

        def emit() -> None:
            if progress is not None:
                progress(SyncProgress(counts["done"], len(urls), counts["new"]))

        def on_batch(added: int) -> None:
            counts["new"] += added
            emit()

        async with client_session(self.client_ssl, self.timeout) as session:
            async def one(url: str) -> PullReport:
                try:
                    return await self._pull(url, session, on_batch)
                finally:
                    counts["done"] += 1
                    emit()

            emit()
            tasks = [asyncio.ensure_future(one(u)) for u in urls]
            gathered = asyncio.gather(*tasks, return_exceptions=True)
            while cancel is not None and not gathered.done():
                if cancel():
                    for task in tasks:
                        task.cancel()
                    break
                await asyncio.wait([gathered], timeout=CANCEL_POLL_SECONDS)
            results = await gathered
        return [r if isinstance(r, PullReport) else _failed(url, r)
                for url, r in zip(urls, results, strict=True)]

    async def round(self, progress: ProgressHook | None = None,
                    cancel: CancelFlag | None = None) -> SyncRound:
        """One round with every active peer (`supplychain sync`, the app's "Sync now")."""
        before = await self.run(lambda: peers(self.node))
        urls = [p.url for p in before if not p.blocked]
        skipped = tuple(p.url for p in before if p.blocked)
        reports = await self.sync_round(urls, progress=progress, cancel=cancel) if urls else []
        await self.submit_to_witnesses()
        after = await self.run(lambda: peers(self.node))
        names: dict[str, str] = {m.gln: m.name
                                 for m in await self.run(lambda: members(self.node))}
        cancelled = any(r.failure is PeerFailure.CANCELLED for r in reports)
        pushes = () if cancelled else tuple(await self.push_own(urls))
        return SyncRound(tuple(reports), after, names, skipped, cancelled, pushes)

    async def _pull(self, url: str, session: Any,
                    on_batch: Callable[[int], None] | None = None) -> PullReport:
        await self.run(lambda: self.node.store.peer_attempt(url, now_iso()))
        peer = HttpPeer(url, session, self.replica, self.run)
        if await self.run(lambda: sync_mode(self.node)) is NodeMode.LIGHT:
            own = OwnLogOnly(peer, self.node.gln)  # its own log whole, the rest proven
            report = await pull_from(own, self.replica, self.run, self.batch, on_batch)
            report = await finish_light_pull(peer, own, self.replica, self.run, report)
        else:
            report = await pull_from(peer, self.replica, self.run, self.batch, on_batch)
        if report.total_new:
            log.info("pulled %d new entries from %s (%s)", report.total_new, url,
                     ", ".join(f"{g}: {n}" for g, n in sorted(report.new_entries.items())))
        return report

    async def push_own(self, urls: list[str] | None = None) -> list[PushReport]:
        """Push new entries of our own log to every active peer (or ``urls``) that may lack
        them and is due (a peer that did not answer waits out its back-off): a node behind
        NAT gets its entries to its full nodes without ever being reachable."""
        store = self.node.store
        size = await self.run(lambda: store.log_size(self.node.gln))
        if urls is None:
            urls = [p.url for p in await self.run(store.peers) if p.state != "blocked"]
        if not size or not urls:
            return []
        async with client_session(self.client_ssl, self.timeout) as session:
            reports = await asyncio.gather(*(
                self.pusher.push(HttpPeer(u, session, self.replica, self.run), size)
                for u in urls))
        return [r for r in reports if r is not None]

    def _on_pushed(self, gln: str, added: int) -> None:
        """A member pushed new entries of its log here: pass the news on to our peers."""
        task = asyncio.get_running_loop().create_task(self.notify_peers())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def notify_peers(self) -> None:
        """Tell every active peer "I have new entries" (best effort, short deadline)."""
        peers = await self.run(self.node.store.peers)
        urls = [p.url for p in peers if p.state != "blocked"]
        if not urls:
            return
        notice = Notice(await self.run(self.node.store.log_sizes))
        async with client_session(self.client_ssl, min(self.timeout, 5.0)) as session:
            async def one(url: str) -> None:
                try:
                    await HttpPeer(url, session, self.replica, self.run).notify(notice)
                except Exception as exc:  # noqa: BLE001 - a notice is a hint, never fatal
                    log.info("notice to %s not delivered: %s", url, exc)
            await asyncio.gather(*(one(u) for u in urls))

    # --- witnesses ----------------------------------------------------------------------------
    async def _witness_answer(self, body: bytes, peer: str) -> WitnessAnswer:
        key = self._witness_key
        if key is None:
            return WitnessAnswer(404, "this node is not a witness\n")
        answer = await self.run(lambda: add_checkpoint(self.node.ledger, key, self.node.gln,
                                                       body, peer))
        if answer.status != 200:
            log.warning("witness: refused a checkpoint from %s (%d): %s", peer, answer.status,
                        answer.body.strip()[:200])
        return answer

    async def submit_to_witnesses(self, addresses: Mapping[str, str] | None = None
                                  ) -> list[Submission]:
        """Ask the policy's witnesses to cosign our log's latest checkpoint (never raises:
        a witness that cannot be reached is asked again next time). ``addresses`` (GLN to
        URL) names nodes met outside the peer list, e.g. in a loopback round."""
        if self._submitting is None:
            self._submitting = asyncio.Lock()
        try:  # one submission at a time: the watcher and a round must not race each other
            async with self._submitting, \
                    client_session(self.client_ssl, min(self.timeout, 10.0)) as session:
                return await submit_to_witnesses(
                    self.node.ledger, self.node.gln, self.run, session,
                    (lambda body: self._witness_answer(body, self.node.gln))
                    if self.witness else None, addresses)
        except Exception:  # noqa: BLE001 - witnessing is retried, never fatal
            log.exception("submitting checkpoints to witnesses failed; retrying next round")
            return []

    # --- serving ----------------------------------------------------------------------------
    def _handshake_failed(self, reason: str) -> None:
        log.warning("refused a TLS connection during the handshake: %s", reason)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self.run(lambda: self.replica.record(
            REFUSED_CONNECTION, "tls-handshake", "-",
            f"TLS handshake refused: {reason}", reason)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_notice(self, member: Member, notice: Notice) -> None:
        if self._wake is not None:
            self._wake.set()

    async def start(self, host: str, port: int) -> int:
        """Start the API server; return the port actually bound."""
        self._wake = asyncio.Event()
        app = make_app(self.replica, self.run, self.node.name, self._on_notice,
                       request_timeout=self.limits.request_timeout,
                       max_in_flight=self.limits.max_in_flight,
                       on_push=push_handler(self.replica, self.run, self._on_pushed),
                       witness=self._witness_answer if self.witness else None,
                       replica_of=REPLICA_REFUSAL if self.read_replica else None)
        self._runner = server_runner(app, self.limits.header_timeout)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=self.server_ssl)
        try:
            await site.start()
        except OSError as exc:  # unknown host name, address not on this machine, port in use
            await self._runner.cleanup()
            self._runner = None
            raise BadListenAddress(_("Cannot listen on {host}:{port}: "
                                     "{value}. Give an address of this machine "
                                     "(0.0.0.0 for all) and a free port.")
                                   .format(host=host, port=port,
                                           value=exc.strerror or exc)) from exc
        server = site._server  # noqa: SLF001 - the bound port when 0 was asked
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else port
        log.info("serving %s (%s) on https://%s:%d", self.node.name, self.node.gln, host,
                 self.port)
        return self.port

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def serve(self, host: str, port: int, interval: float = DEFAULT_INTERVAL,
                    ready: Callable[[int], None] | None = None) -> None:
        """Serve and sync until cancelled: a round every ``interval`` seconds, at once on a
        peer's notice, and a notice to peers whenever our logs grow. An answer node on a
        read replica only answers: no rounds, pushes, notices or witnessing."""
        bound = await self.start(host, port)
        if ready is not None:
            ready(bound)
        if self.read_replica:
            try:
                await asyncio.Event().wait()  # until cancelled
            finally:
                await self.stop()
        watcher = asyncio.create_task(self._watch())
        try:
            while True:
                try:
                    reports = await self.sync_round()
                    if any(r.total_new for r in reports):
                        await self.notify_peers()
                    await self.push_own()
                    await self.submit_to_witnesses()
                except Exception:  # noqa: BLE001 - a failed round never ends serving
                    log.exception("sync round failed; serving goes on, next round in %gs",
                                  interval)
                assert self._wake is not None
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=interval)
                except TimeoutError:
                    pass
                self._wake.clear()
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            await self.stop()

    async def _watch(self) -> None:
        """Notice commits by other processes (CLI commands on this home) and tell peers."""
        store = self.node.store
        version = await self.run(store.data_version)
        sizes = await self.run(store.log_sizes)
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                now = await self.run(store.data_version)
                if now == version:
                    continue
                version = now
                new_sizes = await self.run(store.log_sizes)
                if new_sizes != sizes:
                    grew = new_sizes.get(self.node.gln) != sizes.get(self.node.gln)
                    sizes = new_sizes
                    await self.push_own()
                    await self.notify_peers()
                    if grew:
                        await self.submit_to_witnesses()
            except Exception:  # noqa: BLE001 - the watcher outlives one failed look
                log.exception("watching the store for new entries failed; retrying")


def _failed(url: str, exc: BaseException) -> PullReport:
    """The report of a pull that ended with an exception instead of a report."""
    failure = failure_of(exc)
    if failure is PeerFailure.CANCELLED:
        return PullReport(url, error=_("cancelled before it finished"), failure=failure)
    log.error("pull from %s stopped: %s", url, exc, exc_info=exc)
    return PullReport(url, error=str(exc) or type(exc).__name__, failure=failure)


def sync_once(home: Path, passphrase: bytes, *, timeout: float = DEFAULT_TIMEOUT,
              progress: ProgressHook | None = None,
              cancel: CancelFlag | None = None) -> SyncRound:
    """One round for the node at ``home``, on a connection of its own to its store (so it
    can run beside another user of the node, e.g. the app's node thread)."""
    async def go() -> SyncRound:
        node = Node(home, lambda: passphrase)
        try:
            service = SyncService(node, passphrase, timeout=timeout)
            try:
                return await service.round(progress, cancel)
            finally:
                service.close()
        finally:
            node.close()

    return asyncio.run(go())


@contextmanager
def serving_in_background(home: Path, passphrase: bytes,
                          prepare: Callable[[Node], object] | None = None,
                          timeout: float = 10.0) -> Iterator[str]:
    """Serve the node at ``home`` on loopback from a thread with its own event loop (for
    tests, demos and screenshots); yields its URL and stops the server on exit.

    ``prepare(node)`` runs first on that thread (e.g. to commission packs to pull).
    """
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def serve() -> None:
        node = Node(home, lambda: passphrase)
        try:
            if prepare is not None:
                prepare(node)
            service = SyncService(node, passphrase, timeout=timeout)
            try:
                port = await service.start("127.0.0.1", 0)
                box.update(url=f"https://127.0.0.1:{port}", loop=asyncio.get_running_loop(),
                           stop=asyncio.Event())
                ready.set()
                await box["stop"].wait()
            finally:
                await service.stop()
                service.close()
        finally:
            node.close()
            ready.set()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    if not ready.wait(30) or "url" not in box:
        raise RuntimeError(f"the node at {home} could not be served")
    try:
        yield box["url"]
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(30)
