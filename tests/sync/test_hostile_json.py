"""Hostile JSON over real TLS on loopback: a nested notify body gets a 400 and the server goes
on serving; a request whose handler fails unexpectedly gets a 500 and the server goes on; a
peer answering nested JSON is a bad answer that neither ends ``serve`` nor makes
``sync --once`` print a traceback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from supplychain.cli.main import main
from supplychain.ledger.audit import audit
from supplychain.sync.protocol import PATH_CHECKPOINTS, PATH_HEALTH, PATH_NOTIFY
from supplychain.sync.puller import PeerFailure
from supplychain.sync.service import SyncService
from supplychain.sync.tls import client_context
from tests.conftest import DIST_A, DIST_B, MAKER, PASSPHRASE, Network
from tests.sync.helpers import hostile, make_history, raw_app, run, serving, state

NESTED = b"[" * 300_000 + b"]" * 300_000


@asynccontextmanager
async def member_client(network: Network, gln: str) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTPS client holding member ``gln``'s certificate."""
    ctx = client_context(network.homes[gln], PASSPHRASE)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx),
                                     timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


def nested_answer(hits: list[str], hit: asyncio.Event | None = None):  # noqa: ANN201
    async def answer(request: web.Request) -> web.Response:
        hits.append(request.path)
        if hit is not None:
            hit.set()
        return web.Response(body=NESTED, content_type="application/json")
    return answer


def test_nested_notify_body_gets_400_and_the_server_goes_on(network: Network) -> None:
    server = network[MAKER]
    before = state(server)

    async def go() -> tuple[int, str, int, int]:
        async with serving(server) as (_, url), member_client(network, DIST_A) as client:
            async with client.post(url + PATH_NOTIFY, data=b"[" * 60_000,
                                   headers={"Content-Type": "application/json"}) as resp:
                status, text = resp.status, await resp.text()
            async with client.post(url + PATH_NOTIFY, data=b'{"format": 1e999999}',
                                   headers={"Content-Type": "application/json"}) as resp:
                number_status = resp.status
            async with client.get(url + PATH_HEALTH) as resp:
                return status, text, number_status, resp.status

    status, text, number_status, after = run(go())
    assert status == 400 and "too deeply" in json.loads(text)["error"]
    assert number_status == 400
    assert after == 200
    assert state(server) == before


def test_unexpected_fault_in_a_request_gets_500_and_the_server_goes_on(
        network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    server = network[MAKER]

    async def go() -> tuple[int, int]:
        async with serving(server) as (service, url), \
                member_client(network, DIST_A) as client:
            def broken() -> None:
                raise KeyError("a bug")
            monkeypatch.setattr(service.replica, "checkpoints_doc", broken)
            async with client.get(url + PATH_CHECKPOINTS) as resp:
                failed = resp.status
            async with client.get(url + PATH_HEALTH) as resp:
                return failed, resp.status

    assert run(go()) == (500, 200)


def test_peer_answering_nested_json_is_a_bad_answer_and_serve_goes_on(
        network: Network) -> None:
    make_history(network)
    node = network[DIST_A]
    before = state(node)

    async def go() -> tuple[int, bool, list[str]]:
        hits: list[str] = []
        rounds = asyncio.Event()
        async with hostile(network.homes[DIST_B], raw_app(nested_answer(hits, rounds))) as bad:
            with node.store.transaction():
                node.store.add_peer(bad, "2026-01-01T00:00:00+00:00")
            service = SyncService(node, PASSPHRASE, timeout=5)
            bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            task = asyncio.create_task(service.serve("127.0.0.1", 0, 0.05, bound.set_result))
            try:
                port = await asyncio.wait_for(bound, 10)
                for _ in range(2):  # two rounds, each answered with nested JSON
                    await asyncio.wait_for(rounds.wait(), 10)
                    rounds.clear()
                async with member_client(network, MAKER) as client:
                    async with client.get(f"https://127.0.0.1:{port}{PATH_HEALTH}") as resp:
                        status = resp.status
                return status, task.done(), hits
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                service.close()

    status, ended, hits = run(go())
    assert status == 200 and not ended and len(hits) >= 2
    assert "bad_response" in {row.kind for row in node.store.evidence()}
    peer = node.store.peers()[0]
    assert peer.state != "blocked" and "too deeply" in (peer.reason or "")
    assert state(node)[0] == before[0]
    audit(node.ledger)


def test_sync_once_against_nested_json_prints_a_clear_error_and_exits_1(
        network: Network, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    home = str(network.homes[DIST_A])
    network[DIST_A].close()

    async def go() -> int:
        async with hostile(network.homes[DIST_B], raw_app(nested_answer([]))) as bad:
            assert main(["--home", home, "peers", "add", bad]) == 0
            return await asyncio.to_thread(main, ["--home", home, "sync", "--once"])

    code = run(go())
    out, err = capsys.readouterr()
    assert code == 1
    line = next(x for x in out.splitlines() if "FAILED" in x)
    assert "FAILED (will retry)" in line and "too deeply" in line
    assert "Traceback" not in out + err and "RecursionError" not in out + err


def test_unexpected_fault_in_one_pull_leaves_the_round_to_the_others(network: Network) -> None:
    from supplychain.sync.replica import Replica
    from tests.sync.helpers import MemoryPeer, pull_in_process

    make_history(network)
    target = network[DIST_A]

    def broken(path: str) -> bytes:
        raise KeyError(path)

    report = pull_in_process(target, MemoryPeer(Replica(network[MAKER].ledger, MAKER),
                                                "https://broken.example:1", body=broken))
    assert report.failure is PeerFailure.ERROR and report.failure.retried
    assert report.error and "KeyError" in report.error
    assert "unexpected fault" in (target.store.peers()[0].reason or "")
