"""Helpers for the need-to-know and push tests: switch a test network's sharing policy, and
raw requests with a member's TLS identity (status and JSON, whatever the status)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from supplychain.identity.consortium import Consortium
from supplychain.identity.sharing import SharingMode, SharingPolicy
from supplychain.ledger.membership import accept_directory
from supplychain.sync.protocol import dump_document
from supplychain.sync.tls import client_context
from tests.conftest import PASSPHRASE, Network


def share(network: Network, mode: SharingMode, hubs: tuple[str, ...] = ()) -> SharingPolicy:
    """The root signs a new directory with this policy; every node accepts it."""
    policy = SharingPolicy(mode, hubs)  # type: ignore[arg-type]
    directory = Consortium.open(network.root / "consortium").set_sharing(policy, PASSPHRASE)
    for node in network.nodes.values():
        accept_directory(node.ledger, directory)
    return policy


async def request(home: Path, method: str, url: str, *, params: dict[str, str] | None = None,
                  doc: dict[str, Any] | None = None) -> tuple[int, Any]:
    """One request as the member at ``home``: (status, parsed JSON body)."""
    ctx = client_context(home, PASSPHRASE)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx),
                                     timeout=aiohttp.ClientTimeout(total=10)) as session:
        data = dump_document(doc) if doc is not None else None
        async with session.request(method, url, params=params, data=data,
                                   headers={"Content-Type": "application/json"}) as resp:
            return resp.status, await resp.json(content_type=None)
