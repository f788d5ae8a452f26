"""Hostile peers and clients at the TLS and HTTP level, on real TLS over loopback: strangers
and revoked members are refused, a silent peer times out, an endless response is cut off.
Lies in the data itself are in test_hostile.py."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from supplychain.identity.consortium import Consortium
from supplychain.ledger.audit import audit
from supplychain.ledger.records import EvidenceRecord
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from supplychain.sync.puller import PeerFailure
from supplychain.sync.service import SyncService
from supplychain.sync.tls import client_context
from tests.conftest import DIST_A, DIST_B, MAKER, MEMBERS, PASSPHRASE, PHARMACY, Network
from tests.sync.helpers import hostile, make_history, pull, raw_app, run, serving, state


def _evidence(node: Node) -> dict[str, list[EvidenceRecord]]:
    out: dict[str, list[EvidenceRecord]] = {}
    for row in node.store.evidence():
        out.setdefault(row.kind, []).append(row)
    return out


def _pull_from_liar(network: Network, target: Node, app: web.Application,
                    timeout: float = 5.0) -> tuple:
    async def go() -> tuple:
        async with hostile(network.homes[MAKER], app) as url:
            with target.store.transaction():
                target.store.add_peer(url, "2026-01-01T00:00:00+00:00")
            service = SyncService(target, PASSPHRASE, timeout=timeout)
            try:
                reports = await service.sync_round([url])
            finally:
                service.close()
            return reports[0], url
    return run(go())


def test_oversized_response_is_cut_off(network: Network) -> None:
    make_history(network)
    target = network[DIST_A]
    before = state(target)

    async def huge(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        chunk = b"x" * (1 << 20)
        for _ in range(20):  # 20 MiB, no Content-Length
            await resp.write(chunk)
        return resp

    report, _ = _pull_from_liar(network, target, raw_app(huge))
    assert report.error and "limit" in report.error
    assert report.failure is PeerFailure.BAD_ANSWER
    assert {"bad_response"} <= set(_evidence(target))
    assert state(target) == before
    audit(target.ledger)


def test_silent_peer_does_not_stall_the_others(network: Network) -> None:
    make_history(network)
    target = network[DIST_A]

    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(60)
        return web.Response(text="late")

    async def go() -> tuple:
        async with hostile(network.homes[DIST_B], raw_app(silent)) as bad, \
                serving(network[MAKER]) as (_, good):
            service = SyncService(target, PASSPHRASE, timeout=1.5)
            try:
                t0 = time.monotonic()
                reports = await service.sync_round([bad, good])
                return reports, time.monotonic() - t0
            finally:
                service.close()

    (bad_report, good_report), elapsed = run(go())
    assert good_report.error is None and good_report.new_entries == {MAKER: 2}
    assert bad_report.error and "in time" in bad_report.error and not bad_report.blocked
    assert bad_report.failure is PeerFailure.TIMEOUT
    assert elapsed < 5
    assert "unreachable" in _evidence(target)
    audit(target.ledger)


def test_stranger_is_refused_in_the_handshake(network: Network, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    _, strangers = build_network(tmp_path / "other", "Other Health", MEMBERS[:1], PASSPHRASE)
    stranger_home = next(iter(strangers.values()))
    server = network[MAKER]

    async def go() -> Exception | int:
        async with serving(server) as (_, url):
            ctx = client_context(stranger_home, PASSPHRASE)
            ctx.load_verify_locations(cafile=str(network.homes[MAKER] / "root.pem"))  # public
            try:
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx),
                                                 timeout=aiohttp.ClientTimeout(total=5)) as s:
                    async with s.get(url + "/v1/checkpoints") as resp:
                        return resp.status
            except (aiohttp.ClientError, ssl.SSLError) as exc:
                await asyncio.sleep(0.2)  # let the server store its evidence
                return exc

    with caplog.at_level(logging.WARNING, "supplychain.sync"):
        outcome = run(go())
    assert isinstance(outcome, Exception)
    assert any("refused a TLS connection" in r.getMessage() for r in caplog.records)
    assert "refused_connection" in _evidence(server)

    # and a node never talks to a stranger's server
    async def go2() -> object:
        stranger = Node(stranger_home, lambda: PASSPHRASE)
        try:
            async with serving(stranger) as (_, url):
                service = SyncService(network[DIST_A], PASSPHRASE, timeout=5)
                try:
                    return (await pull(service, url))[0]
                finally:
                    service.close()
        finally:
            stranger.close()

    report = run(go2())
    assert report.error and report.blocked  # type: ignore[attr-defined]


def test_revoked_member_is_refused_with_403(network: Network,
                                            caplog: pytest.LogCaptureFixture) -> None:
    make_history(network)
    consortium = Consortium.open(network.root / "consortium")
    revocation = consortium.revoke(PHARMACY, 0, "key stolen", PASSPHRASE)
    server = network[MAKER]
    server.ledger.add_revocation(revocation)
    pharmacy = network[PHARMACY]
    before = state(pharmacy)

    async def go() -> object:
        async with serving(server) as (_, url):
            service = SyncService(pharmacy, PASSPHRASE, timeout=5)
            try:
                return (await pull(service, url))[0]
            finally:
                service.close()

    with caplog.at_level(logging.WARNING, "supplychain.sync"):
        report = run(go())
    assert report.error and "403" in report.error  # type: ignore[attr-defined]
    assert any("revoked member" in r.getMessage() for r in caplog.records)
    rows = _evidence(server)["refused_connection"]
    assert "revoked" in rows[0].detail
    assert state(pharmacy) == before

    # the other way round: an honest node refuses to pull from a revoked member
    network[DIST_A].ledger.add_revocation(revocation)

    async def go2() -> object:
        async with serving(pharmacy) as (_, url):
            service = SyncService(network[DIST_A], PASSPHRASE, timeout=5)
            try:
                return (await pull(service, url))[0]
            finally:
                service.close()

    report = run(go2())
    assert report.blocked and "revoked" in report.error  # type: ignore[attr-defined]
    audit(network[DIST_A].ledger)
