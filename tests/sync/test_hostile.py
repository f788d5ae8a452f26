"""Hostile peers and clients: every lie is caught, logged, stored as evidence; nothing kept."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import shutil
import ssl
import time
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from supplychain.identity.consortium import Consortium
from supplychain.ledger.audit import audit
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from supplychain.sync.puller import PeerFailure
from supplychain.sync.replica import Replica
from supplychain.sync.service import SyncService
from supplychain.sync.tls import client_context
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, MEMBERS, PASSPHRASE, PHARMACY, Network
from tests.sync.helpers import hostile, lying_app, make_history, pull, raw_app, run, serving, state


def _evidence(node: Node) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for row in node.store.evidence():
        out.setdefault(row[0], []).append(row)
    return out


def _peer_state(node: Node, url: str) -> tuple[str, str | None]:
    for row in node.store.peers():
        if row[0] == url:
            return row[2], row[3]
    raise AssertionError(f"{url} is not a peer")


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


def _fork(network: Network, tmp_path: Path) -> Node:
    """A copy of the maker's node: the maker keeps two histories (a liar with the real key)."""
    network[MAKER].close()
    shutil.copytree(network.homes[MAKER], tmp_path / "fork")
    network.reopen(MAKER)
    return Node(tmp_path / "fork", lambda: PASSPHRASE)


def _sync_honest(network: Network, target: Node) -> None:
    async def go() -> None:
        async with serving(network[MAKER]) as (_, url):
            service = SyncService(target, PASSPHRASE, timeout=5)
            try:
                assert (await pull(service, url))[0].error is None
            finally:
                service.close()
    run(go())


def test_forged_entry_is_refused_and_peer_blocked(network: Network,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    make_history(network)
    liar = Replica(network[MAKER].ledger, MAKER)
    honest_entries = liar.entries_doc

    def forged(gln: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
        doc = honest_entries(gln, params)
        raw = bytearray(doc.entries[0])
        raw[raw.index(b'"L1"') + 2] ^= 0x01
        return dataclasses.replace(doc, entries=(bytes(raw), *doc.entries[1:]))

    target = network[DIST_A]
    before = state(target)
    with caplog.at_level(logging.ERROR, "supplychain.sync"):
        report, url = _pull_from_liar(network, target, lying_app(liar, entries_doc=forged))
    assert report.blocked and "forged" in report.error
    assert report.failure is PeerFailure.BLOCKED
    assert state(target) == before
    assert _peer_state(target, url)[0] == "blocked"
    assert "forged_entry" in _evidence(target)
    assert any("BLOCKED" in r.getMessage() for r in caplog.records)
    audit(target.ledger)


def test_reordered_entries_give_a_root_mismatch(network: Network) -> None:
    make_history(network)
    liar = Replica(network[MAKER].ledger, MAKER)
    honest_entries = liar.entries_doc

    def reordered(gln: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
        doc = honest_entries(gln, params)
        return dataclasses.replace(doc, entries=tuple(reversed(doc.entries)))

    target = network[DIST_A]
    before = state(target)
    report, url = _pull_from_liar(network, target, lying_app(liar, entries_doc=reordered))
    assert report.blocked
    assert state(target) == before
    kinds = _evidence(target)
    assert "root_mismatch" in kinds or "forged_entry" in kinds
    audit(target.ledger)


def test_wrong_proof_gives_a_root_mismatch(network: Network) -> None:
    make_history(network)
    liar = Replica(network[MAKER].ledger, MAKER)
    honest_entries = liar.entries_doc

    def bad_proof(gln: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
        doc = honest_entries({**params, "end": params["start"]} and gln,
                             {**params, "end": str(int(params["start"]) + 1)})
        return dataclasses.replace(doc, proof=tuple(bytes(32) for _ in doc.proof))

    target = network[DIST_A]
    before = state(target)
    report, _ = _pull_from_liar(network, target, lying_app(liar, entries_doc=bad_proof))
    assert report.blocked and "root_mismatch" in _evidence(target)
    assert state(target) == before
    audit(target.ledger)


def test_rewritten_history_is_caught(network: Network, tmp_path: Path) -> None:
    network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 1)
    fork = _fork(network, tmp_path)
    network[MAKER].commission(GTIN, "L2", date(2030, 1, 31), 1)
    fork.commission(GTIN, "L9", date(2030, 1, 31), 2)
    fork.commission(GTIN, "L9", date(2030, 1, 31), 2)  # fork is longer: 3 entries vs 2
    target = network[DIST_A]
    _sync_honest(network, target)
    before = state(target)
    report, url = _pull_from_liar(network, target,
                                  lying_app(Replica(fork.ledger, MAKER)))
    assert report.blocked and _peer_state(target, url)[0] == "blocked"
    rows = _evidence(target)["inconsistent_history"]
    evidence = json.loads(rows[0][4])
    assert evidence["theirs"] and evidence["ours"]  # both signed checkpoints are kept
    assert state(target) == before
    audit(target.ledger)
    fork.close()


def test_equivocation_is_caught(network: Network, tmp_path: Path) -> None:
    fork = _fork(network, tmp_path)
    network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 1)
    fork.commission(GTIN, "L9", date(2030, 1, 31), 1)  # same size, other root
    target = network[DIST_A]
    _sync_honest(network, target)
    before = state(target)
    report, _ = _pull_from_liar(network, target, lying_app(Replica(fork.ledger, MAKER)))
    assert report.blocked
    evidence = json.loads(_evidence(target)["equivocation"][0][4])
    assert evidence["ours"] != evidence["theirs"] and evidence["size"] == 1
    assert state(target) == before
    audit(target.ledger)
    fork.close()


def test_forged_checkpoint_is_caught(network: Network) -> None:
    make_history(network)
    liar = Replica(network[MAKER].ledger, MAKER)
    honest = liar.checkpoints_doc

    def forged():  # type: ignore[no-untyped-def]
        doc = honest()
        head = doc.logs[0]
        note = head.checkpoint.replace("\n2\n", "\n1\n")
        return dataclasses.replace(doc, logs=(dataclasses.replace(head, checkpoint=note),))

    target = network[DIST_A]
    before = state(target)
    report, _ = _pull_from_liar(network, target, lying_app(liar, checkpoints_doc=forged))
    assert report.blocked and "bad_checkpoint" in _evidence(target)
    assert state(target) == before


def test_garbage_and_oversized_responses(network: Network) -> None:
    make_history(network)
    target = network[DIST_A]
    before = state(target)

    async def garbage(request: web.Request) -> web.Response:
        return web.Response(body=b"\x00not json at all{", content_type="application/json")

    report, url = _pull_from_liar(network, target, raw_app(garbage))
    assert report.error and not report.blocked and "not JSON" in report.error
    assert report.failure is PeerFailure.BAD_ANSWER
    assert _peer_state(target, url)[0] == "failing"

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
    assert elapsed < 5
    assert "unreachable" in _evidence(target)
    audit(target.ledger)


def _client_get(ctx: ssl.SSLContext, url: str) -> int:
    async def go() -> int:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ctx),
                                         timeout=aiohttp.ClientTimeout(total=5)) as s:
            async with s.get(url + "/v1/checkpoints") as resp:
                await resp.read()
                return resp.status
    return run(go())


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
    assert "revoked" in rows[0][3]
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


def test_alerts_command_shows_evidence(network: Network, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from supplychain.cli.main import main
    test_forged_checkpoint_is_caught(network)
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    assert main(["--home", str(network.homes[DIST_A]), "alerts", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["kind"] == "bad_checkpoint" and r["peer"].startswith("https://")
               for r in rows)
