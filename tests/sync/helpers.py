"""Helpers for the sync tests: in-process servers with real TLS on loopback, hostile peers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import web

from supplychain.codes.gs1 import PackCode
from supplychain.node.operations import Node
from supplychain.sync.replica import Replica
from supplychain.sync.service import SyncService
from supplychain.sync.tls import server_context
from supplychain.sync.transport import make_app
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


def lying_app(replica: Replica, **overrides: Callable[..., Any]) -> web.Application:
    """The real API over ``replica`` with some document builders replaced."""
    for name, fn in overrides.items():
        setattr(replica, name, fn)

    async def run(fn: Callable[[], Any]) -> Any:
        return fn()

    return make_app(replica, run, "liar")


def raw_app(handler: Callable[[web.Request], Any]) -> web.Application:
    """An app answering every GET and POST with ``handler`` (garbage, huge, silent...)."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


async def pull(service: SyncService, *urls: str) -> list[Any]:
    return await service.sync_round(list(urls))


def run(coro: Any) -> Any:
    return asyncio.run(coro)
