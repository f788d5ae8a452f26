"""Helpers for the sync tests: in-process servers with real TLS on loopback, hostile peers,
and an in-memory transport for lies that are in the data (no sockets)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from supplychain.codes.gs1 import PackCode
from supplychain.node.operations import Node
from supplychain.sync.protocol import (
    PATH_CHECKPOINTS,
    PATH_CONSISTENCY,
    PATH_DIRECTORY,
    PATH_ENTRIES,
    CheckpointsDoc,
    DirectoryDoc,
    EntriesDoc,
    EntriesRequest,
    ProofDoc,
    dump_document,
)
from supplychain.sync.puller import PullReport, pull_from
from supplychain.sync.replica import Replica
from supplychain.sync.service import SyncService
from supplychain.sync.tls import client_context, server_context
from tests.conftest import DIST_A, GTIN, MAKER, PASSPHRASE, Network


def state(node: Node) -> tuple[Any, ...]:
    """Everything a sync may change in the logs and derived tables."""
    store = node.store
    return (store.log_sizes(), store.all_checkpoints(), store.derived_snapshot())


def make_history(network: Network, count: int = 3) -> list[PackCode]:
    """The maker commissions ``count`` packs (1 entry) and ships them to DIST_A (1 entry)."""
    codes = network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), count)
    network[MAKER].ship(DIST_A, codes)
    return codes


@contextlib.asynccontextmanager
async def serving(node: Node, timeout: float = 5.0) -> AsyncIterator[tuple[SyncService, str]]:
    """A real sync server for ``node`` on a free loopback port."""
    service = SyncService(node, PASSPHRASE, timeout=timeout)
    port = await service.start("127.0.0.1", 0)
    try:
        yield service, f"https://127.0.0.1:{port}"
    finally:
        await service.stop()
        service.close()


@contextlib.asynccontextmanager
async def hostile(home: Path, app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` with the member TLS identity found in ``home`` (a member gone bad)."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context(home, PASSPHRASE))
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


class MemoryPeer:
    """A PeerSource answering from ``replica``'s serving side in this process, without sockets.

    Every answer goes through the wire format: the document is encoded to bytes and read back
    with the parsers HttpPeer uses. A lying member is made by replacing document builders of
    the replica (``directory_doc=``, ``checkpoints_doc=``, ``entries_doc=``, ``consistency_doc=``),
    or every
    response body (``body=``, given the request path).
    """

    def __init__(self, replica: Replica, url: str, *,
                 body: Callable[[str], bytes] | None = None,
                 **lies: Callable[..., Any]) -> None:
        unknown = set(lies) - {"directory_doc", "checkpoints_doc", "entries_doc",
                               "consistency_doc"}
        assert not unknown, f"no such document builder: {unknown}"
        self.url = url
        self.peer_gln: str | None = replica.gln
        self._body = body
        self._directory = lies.get("directory_doc", replica.directory_doc)
        self._checkpoints = lies.get("checkpoints_doc", replica.checkpoints_doc)
        self._entries = lies.get("entries_doc", replica.entries_doc)
        self._consistency = lies.get("consistency_doc", replica.consistency_doc)

    def _answer(self, path: str, build: Callable[[], Any]) -> bytes:
        if self._body is not None:
            return self._body(path)
        return dump_document(build().to_json())

    async def directory(self) -> DirectoryDoc:
        return DirectoryDoc.parse(self._answer(PATH_DIRECTORY, self._directory))

    async def checkpoints(self) -> CheckpointsDoc:
        return CheckpointsDoc.parse(self._answer(PATH_CHECKPOINTS, self._checkpoints))

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc:
        params = {"old": str(old), "new": str(new)}
        body = self._answer(PATH_CONSISTENCY.format(gln=gln),
                            lambda: self._consistency(gln, params))
        return ProofDoc.parse(body, gln, "consistency", old, new)

    async def entries(self, request: EntriesRequest) -> EntriesDoc:
        body = self._answer(PATH_ENTRIES.format(gln=request.gln),
                            lambda: self._entries(request.gln, request.query()))
        return EntriesDoc.parse(body, request)


def pull_in_process(target: Node, peer: MemoryPeer) -> PullReport:
    """One pull of ``target`` from ``peer`` (added to its peers first), as a sync round does."""
    with target.store.transaction():
        target.store.add_peer(peer.url, "2026-01-01T00:00:00+00:00")
    report: PullReport = run(pull_from(peer, Replica(target.ledger, target.gln)))
    return report


def raw_app(handler: Callable[[web.Request], Any]) -> web.Application:
    """An app answering every GET and POST with ``handler`` (garbage, huge, silent...)."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


async def pull(service: SyncService, *urls: str) -> list[Any]:
    return await service.sync_round(list(urls))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@contextlib.contextmanager
def silent_port() -> Iterator[str]:
    """A loopback port that accepts TCP connections (the kernel's backlog), never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"https://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def free_port() -> int:
    """A loopback port free now (for a server process started next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], deadline: float = 30.0) -> None:
    """Poll ``check`` (a state in another process, which sends no event) until it holds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(home: Path, url: str) -> bool:
    """Does the node at ``url`` answer ``/v1/health`` to the member at ``home``?"""
    async def go() -> bool:
        ctx = client_context(home, PASSPHRASE)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx),
                                             timeout=aiohttp.ClientTimeout(total=1)) as s:
                async with s.get(url + "/v1/health") as resp:
                    return resp.status == 200
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False
    return asyncio.run(go())


def stop_processes(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """Stop server processes: SIGTERM to each still running, then wait; kill what hangs."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cli_json(home: Path, *args: str, capsys: Any, status: int = 0) -> Any:
    """Run ``supplychain --home HOME ARGS --json`` in-process; check its exit status and
    return its JSON output (``capsys``: pytest's capture fixture)."""
    from supplychain.cli.main import main

    capsys.readouterr()
    assert main(["--home", str(home), *args, "--json"]) == status
    return json.loads(capsys.readouterr().out)


def assert_same_verdicts(light: Path, reference: Path, codes: Iterable[str], capsys: Any) -> None:
    """The light node (answered by the network) and the full reference node (deciding
    locally) give each code the same verdict and reasons."""
    for code in codes:
        got = cli_json(light, "verify", code, capsys=capsys)
        expected = cli_json(reference, "verify", code, capsys=capsys)
        assert got["source"] == "network" and expected["source"] == "local"
        assert (got["verdict"], got["reasons"]) == (expected["verdict"], expected["reasons"]), \
            code
