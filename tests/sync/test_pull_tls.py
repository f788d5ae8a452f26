"""Pull over real mutual TLS on loopback: honest sync, resume, peers CLI, staleness."""

from __future__ import annotations

import json

import pytest

from supplychain.cli.main import main
from supplychain.ledger.audit import audit
from supplychain.sync.service import SyncService
from tests.conftest import DIST_A, MAKER, PASSPHRASE, PHARMACY, Network
from tests.sync.helpers import make_history, pull, run, serving, state

pytestmark = pytest.mark.both_backends


def test_pull_over_tls_then_nothing_new(network: Network) -> None:
    codes = make_history(network)
    target = network[DIST_A]

    async def go() -> tuple:
        async with serving(network[MAKER]) as (_, url):
            service = SyncService(target, PASSPHRASE, timeout=5)
            try:
                first = await pull(service, url)
                second = await pull(service, url)
            finally:
                service.close()
        return first[0], second[0]

    first, second = run(go())
    assert first.error is None and first.new_entries == {MAKER: 2}
    assert first.peer_gln == MAKER
    assert second.error is None and second.total_new == 0
    assert target.store.log_sizes()[MAKER] == 2
    assert target.ledger.root(MAKER) == network[MAKER].ledger.root(MAKER)
    assert target.verify(codes[0]).verdict.value == "genuine"
    audit(target.ledger)


def test_batches_are_kept_and_pull_resumes(network: Network) -> None:
    """Small batches: each batch is its own transaction, proven a prefix of the signed tree."""
    maker = network[MAKER]
    for i in range(5):
        maker.commission("05012345000015", f"L{i}", __import__("datetime").date(2030, 1, 1), 1)
    target = network[PHARMACY]

    async def go() -> list:
        async with serving(maker) as (_, url):
            service = SyncService(target, PASSPHRASE, timeout=5, batch=2)
            try:
                return await pull(service, url)
            finally:
                service.close()

    report = run(go())[0]
    assert report.error is None and report.new_entries == {MAKER: 5}
    # checkpoints the server held at batch ends were accepted too
    sizes = [cp.size for cp in target.store.all_checkpoints() if cp.log == MAKER]
    assert sizes == [2, 4, 5]
    audit(target.ledger)


def test_peers_cli_and_sync_once(network: Network, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    make_history(network)
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    home = str(network.homes[DIST_A])
    network[DIST_A].close()

    async def go() -> int:
        async with serving(network[MAKER]) as (_, url):
            assert main(["--home", home, "peers", "add", url]) == 0
            assert main(["--home", home, "peers", "add", url + "/"]) == 0  # same peer
            import asyncio
            return await asyncio.to_thread(main, ["--home", home, "sync", "--once", "--json"])

    assert run(go()) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("[\n"):])
    assert report[0]["new_entries"] == {MAKER: 2}
    assert main(["--home", home, "peers", "list", "--json"]) == 0
    peers = json.loads(capsys.readouterr().out)
    assert len(peers) == 1 and peers[0]["state"] == "active" and peers[0]["gln"] == MAKER
    assert main(["--home", home, "peers", "remove", peers[0]["url"]]) == 0
    assert main(["--home", home, "peers", "remove", peers[0]["url"]]) == 1
    assert main(["--home", home, "peers", "add", "ftp://x"]) == 1
    network.reopen(DIST_A)


def test_verdict_says_when_logs_were_synced(network: Network) -> None:
    codes = make_history(network)
    target = network[DIST_A]
    assert target.verify(codes[0]).sync is not None
    never = target.verify(codes[0]).sync
    assert never is not None and never.stale

    async def go() -> None:
        async with serving(network[MAKER]) as (_, url):
            service = SyncService(target, PASSPHRASE, timeout=5)
            try:
                await pull(service, url)
            finally:
                service.close()

    run(go())
    info = target.verify(codes[0]).sync
    assert info is not None and not info.stale and info.last_synced[MAKER] is not None
    assert target.verify(codes[0]).to_dict()["sync"]["stale"] is False
    # the own log never counts; an unknown peer state makes the copy stale again
    with target.store.transaction():
        target.store.put_synced(MAKER, "2000-01-01T00:00:00+00:00", "x", 2)
    stale = target.verify(codes[0]).sync
    assert stale is not None and stale.stale


def test_serving_does_not_change_the_server(network: Network) -> None:
    make_history(network)
    before = state(network[MAKER])

    async def go() -> None:
        async with serving(network[MAKER]) as (_, url):
            service = SyncService(network[PHARMACY], PASSPHRASE, timeout=5)
            try:
                await pull(service, url)
            finally:
                service.close()

    run(go())
    assert state(network[MAKER]) == before


def test_api_proofs_limits_and_errors(network: Network) -> None:
    import aiohttp

    from supplychain.ledger import merkle
    from supplychain.sync.tls import client_context

    make_history(network)
    maker = network[MAKER]
    data = maker.store.entry(MAKER, 1)

    async def go() -> dict:
        out: dict = {}
        async with serving(maker) as (_, url):
            ctx = client_context(network.homes[DIST_A], PASSPHRASE)
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx)) as s:
                base = f"{url}/v1/logs/{MAKER}"
                async with s.get(f"{base}/inclusion", params={"index": "1", "size": "2"}) as r:
                    out["inclusion"] = (r.status, await r.json())
                async with s.get(f"{base}/consistency", params={"old": "1", "new": "2"}) as r:
                    out["consistency"] = (r.status, await r.json())
                async with s.get(f"{base}/entries", params={"start": "0", "end": "9"}) as r:
                    out["too_far"] = (r.status, await r.json())
                async with s.get(f"{base}/entries", params={"start": "-1", "end": "1"}) as r:
                    out["negative"] = r.status
                async with s.get(f"{url}/v1/logs/123/entries") as r:
                    out["bad_gln"] = r.status
                async with s.post(f"{url}/v1/notify", data=b"x" * 100_000) as r:
                    out["big_notice"] = r.status
                async with s.post(f"{url}/v1/notify",
                                  json={"format": "supplychain.sync.notify.v1",
                                        "logs": {MAKER: 2}}) as r:
                    out["notice"] = r.status
        return out

    out = run(go())
    import base64
    status, doc = out["inclusion"]
    assert status == 200
    proof = [base64.b64decode(p) for p in doc["proof"]]
    merkle.verify_inclusion(merkle.leaf_hash(data), 1, 2, proof, maker.ledger.root(MAKER))
    assert out["consistency"][0] == 200 and len(out["consistency"][1]["proof"]) == 1
    assert out["too_far"][0] == 400 and "holds 2 entries" in out["too_far"][1]["error"]
    assert out["negative"] == 400 and out["bad_gln"] == 400
    assert out["big_notice"] == 413 and out["notice"] == 202
