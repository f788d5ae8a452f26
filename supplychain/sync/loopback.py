"""A real sync round among node homes on this machine (the demo network, tests, scripts).

Every node is served on a loopback port over mutual TLS (``serving_in_background``), then
each one pulls from the others with the ordinary sync round. Nothing is faked: every
checkpoint, proof and directory is verified, and each log's "last synced" time is the time
a peer confirmed it. The loopback URLs are not added to the nodes' peer lists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

from supplychain.node.operations import Node
from supplychain.sync.protocol import DEFAULT_TIMEOUT
from supplychain.sync.puller import PullReport
from supplychain.sync.service import SyncService, serving_in_background


def sync_among(homes: Sequence[Path], passphrase: bytes, *,
               sources: Sequence[Path] | None = None, timeout: float = DEFAULT_TIMEOUT,
               progress: Callable[[int, int], None] | None = None) -> list[PullReport]:
    """Serve ``sources`` (default: every node in ``homes``) on loopback; each node in
    ``homes`` pulls once from every source but itself (full nodes as hubs keep it short).

    Returns one report per pull (``error`` set on a failed one). ``progress(done, total)``
    follows the nodes that finished their round.
    """
    served = list(homes if sources is None else sources)
    reports: list[PullReport] = []
    with ExitStack() as stack:
        urls = {home: stack.enter_context(serving_in_background(home, passphrase,
                                                                timeout=timeout))
                for home in served}
        for i, home in enumerate(homes):
            others = [url for source, url in urls.items() if source != home]
            reports += asyncio.run(_round(home, passphrase, others, timeout))
            if progress is not None:
                progress(i + 1, len(homes))
    return reports


async def _round(home: Path, passphrase: bytes, urls: list[str],
                 timeout: float) -> list[PullReport]:
    node = Node(home, lambda: passphrase)
    try:
        service = SyncService(node, passphrase, timeout=timeout)
        try:
            reports = await service.sync_round(urls)
            # the round met the consortium's witness (the regulator) at its URL: ask it
            await service.submit_to_witnesses({r.peer_gln: r.peer for r in reports
                                               if r.peer_gln and r.error is None})
            return reports
        finally:
            service.close()
    finally:
        node.close()
