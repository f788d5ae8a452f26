"""One sync round (SyncService.round / sync_once): progress as plain data, a cancel flag, and
a typed failure per peer. Real TLS on loopback."""

from __future__ import annotations

import asyncio
import errno
import socket
from types import SimpleNamespace

import aiohttp
import pytest

from supplychain.node.network import add_peer
from supplychain.sync.puller import PeerFailure
from supplychain.sync.service import SyncProgress, SyncService, sync_once
from supplychain.sync.transport import connection_problem
from tests.conftest import DIST_A, MAKER, PASSPHRASE, Network
from tests.sync.helpers import make_history, run, serving, silent_port

pytestmark = pytest.mark.both_backends

REFUSED = "https://127.0.0.1:1"  # nothing listens on port 1: connection refused at once
KEY = SimpleNamespace(host="peer.example", port=8443, ssl=True)  # aiohttp's connection key



def test_a_round_reports_progress_names_and_new_entries(network: Network) -> None:
    make_history(network)
    target = network[DIST_A]
    seen: list[SyncProgress] = []

    async def go() -> object:
        async with serving(network[MAKER]) as (_, url):
            add_peer(target, url)
            service = SyncService(target, PASSPHRASE, timeout=5.0)
            try:
                return await service.round(progress=seen.append), url
            finally:
                service.close()

    result, url = run(go())  # type: ignore[misc]
    (report,) = result.reports
    assert report.failure is None and report.new_entries == {MAKER: 2}
    assert result.total_new == 2 and result.failed == 0 and not result.cancelled
    assert result.names[MAKER] == "Acme Pharma"
    peer = result.peer(url)
    assert peer is not None and peer.gln == MAKER and peer.state == "active"
    assert seen[0] == SyncProgress(0, 1, 0)
    assert seen[-1] == SyncProgress(1, 1, 2)
    assert any(p.peers_done == 0 and p.new_entries == 2 for p in seen)  # after the batch


def test_an_unreachable_peer_is_typed_with_its_cause(network: Network) -> None:
    node = network[DIST_A]
    add_peer(node, REFUSED)
    result = sync_once(network.homes[DIST_A], PASSPHRASE, timeout=5.0)
    (report,) = result.reports
    assert report.failure is PeerFailure.UNREACHABLE and report.failure.retried
    assert report.problem == "connection refused: nothing answers at that address and port"
    assert result.failed == 1
    peer = result.peer(REFUSED)
    assert peer is not None and peer.state == "failing" and peer.failures == 1
    assert (peer.reason or "").startswith("could not be reached")


def test_a_silent_peer_times_out_and_blocked_peers_are_skipped(network: Network) -> None:
    node = network[DIST_A]
    add_peer(node, "https://10.9.9.9:8443")
    with node.store.transaction():
        node.store.block_peer("https://10.9.9.9:8443", "forged_entry: bad", None)
    with silent_port() as url:
        add_peer(node, url)
        result = sync_once(network.homes[DIST_A], PASSPHRASE, timeout=0.5)
    (report,) = result.reports
    assert report.peer == url and report.failure is PeerFailure.TIMEOUT
    assert result.skipped_blocked == ("https://10.9.9.9:8443",)


def test_a_round_can_be_cancelled(network: Network) -> None:
    node = network[DIST_A]
    waiting: list[SyncProgress] = []

    def cancel() -> bool:
        return bool(waiting)  # as soon as the round said it started

    with silent_port() as url:
        add_peer(node, url)
        result = sync_once(network.homes[DIST_A], PASSPHRASE, timeout=30.0,
                           progress=waiting.append, cancel=cancel)
    (report,) = result.reports
    assert result.cancelled and report.failure is PeerFailure.CANCELLED
    assert report.error == "cancelled before it finished"


def test_no_active_peers_is_an_empty_round(network: Network) -> None:
    result = asyncio.run(_round(network))
    assert result.reports == () and result.skipped_blocked == () and not result.cancelled


async def _round(network: Network):  # type: ignore[no-untyped-def]
    service = SyncService(network[DIST_A], PASSPHRASE)
    try:
        return await service.round()
    finally:
        service.close()


@pytest.mark.parametrize(("error", "words"), [
    (aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused")),
     "connection refused: nothing answers at that address and port"),
    (aiohttp.ClientConnectorDNSError(KEY, socket.gaierror(-2, "Name or service not known")),
     "unknown host name"),
    (aiohttp.ClientConnectorError(KEY, OSError(errno.EHOSTUNREACH, "No route to host")),
     "no network route to that address"),
    (aiohttp.ClientConnectorError(KEY, OSError(errno.ENETUNREACH, "Network is unreachable")),
     "no network route to that address"),
])
def test_connection_problems_in_plain_words(error: aiohttp.ClientError, words: str) -> None:
    assert connection_problem(error) == words


def test_other_connection_problems_are_kept_short() -> None:
    error = aiohttp.ServerDisconnectedError("x" * 200)
    text = connection_problem(error)
    assert len(text) == 90 and text.endswith("…")
