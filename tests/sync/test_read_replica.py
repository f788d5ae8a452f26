"""An answer node on a hot standby: the ingest node's ledger in a PostgreSQL primary, a
streaming replica made with pg_basebackup, and `supplychain serve --replica` over the replica
answering a light pharmacy's questions (mutual TLS, loopback). Its verdicts equal those of a
full node synced from the primary; pushes and notices to it are refused (503), nothing kept.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from psycopg import errors as pg_errors

from supplychain.errors import LedgerError
from supplychain.ledger.backends import open_store
from supplychain.ledger.store_pg import PgStore, pg_error
from supplychain.node.operations import Node
from supplychain.sync.loopback import sync_among
from supplychain.sync.tls import client_context
from tests.conftest import PASSPHRASE, PHARMACY, REGULATOR, Network, copy_home
from tests.pg import PgServer
from tests.pg_standby import Standby
from tests.sync.helpers import assert_same_verdicts, free_port, healthy, stop_processes, wait_for
from tests.sync.helpers import cli_json as _cli
from tests.sync.test_light import History, _text

pytestmark = pytest.mark.slow


def _request(home: Path, method: str, url: str, body: bytes = b"") -> tuple[int, Any]:
    async def go() -> tuple[int, Any]:
        async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=client_context(home, PASSPHRASE))) as s:
            async with s.request(method, url, data=body or None,
                                 headers={"Content-Type": "application/json"}) as resp:
                return resp.status, json.loads(await resp.read())
    return asyncio.run(go())


def _written(home: Path) -> tuple[Any, ...]:
    """What a write to the regulator's ledger on the primary would change."""
    with Node(home, lambda: PASSPHRASE) as node:
        store = node.store
        return store.log_sizes(), store.all_checkpoints(), len(store.evidence())


def _answer_home(regulator: Path, standby: Standby, target: Path) -> Path:
    """The regulator's identity (a copy of its home), its ledger read from the standby."""
    shutil.copytree(regulator, target)
    config = json.loads((target / "node.json").read_text())
    config["store"] = standby.url_of(str(config["store"]))
    config["store_read_only"] = True
    (target / "node.json").write_text(json.dumps(config, indent=2) + "\n")
    return target


def _standby_store_reads_and_refuses(answer: Path, primary: tuple[Any, ...]) -> None:
    """On the standby: opened read-only it reads what the primary holds; a write is refused
    in plain words (our check, and the server's own); opened as a writer it is refused too."""
    location = json.loads((answer / "node.json").read_text())["store"]
    store = open_store(location, read_only=True)
    try:
        with store.transaction():  # REPEATABLE READ READ ONLY: what a standby allows
            assert (store.log_sizes(), store.all_checkpoints()) == primary[:2]
        assert store.data_version() > 0  # the WAL position replayed
        with pytest.raises(LedgerError, match="read-only replica of the ledger"):
            with store.transaction():
                store.set_meta("note", "x")
        assert isinstance(store, PgStore)
        with pytest.raises(pg_errors.ReadOnlySqlTransaction) as refused:
            store.pg.execute("DELETE FROM meta")
        assert "writes go to the primary" in str(pg_error(location, refused.value))
    finally:
        store.close()
    with pytest.raises(LedgerError, match="writes go to the primary"):
        open_store(location)  # without store_read_only: its CREATE ... IF NOT EXISTS refused


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_answer_node_on_a_hot_standby(network: Network, pg_server: PgServer, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    standby = Standby(pg_server, tmp_path / "standby")  # streams everything written from now
    try:
        history = History(network)  # written on the primary
        for node in network.nodes.values():
            node.close()
        homes = network.homes
        pharmacy, twin = homes[PHARMACY], tmp_path / "twin"
        copy_home(pharmacy, twin)  # a full node at the pharmacy: the reference
        answer = _answer_home(homes[REGULATOR], standby, tmp_path / "answer")
        url = f"https://127.0.0.1:{free_port()}"
        assert _cli(pharmacy, "node", "mode", "light", capsys=capsys)["mode"] == "light"
        _cli(pharmacy, "peers", "add", url, capsys=capsys)
        standby.wait_replayed()
        before = _written(homes[REGULATOR])
        _standby_store_reads_and_refuses(answer, before)
        env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()}
        with (tmp_path / "answer.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "supplychain.cli.main", "--home", str(answer), "serve",
                 "--replica", "--listen", f"127.0.0.1:{url.rsplit(':', 1)[1]}",
                 "--interval", "3", "--timeout", "5"],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_for("the answer node to serve", lambda: healthy(pharmacy, url))
            status, health = _request(pharmacy, "GET", f"{url}/v1/health")
            assert status == 200 and health["replica"] is True and health["gln"] == REGULATOR
            reports = _cli(pharmacy, "sync", "--once", capsys=capsys)  # a light round
            assert [r["error"] for r in reports] == [None], reports
            sync_among([twin], PASSPHRASE, sources=[homes[REGULATOR]])  # from the primary
            assert_same_verdicts(pharmacy, twin, [_text(c) for c in (
                history.genuine_elsewhere, history.destroyed, history.recalled,
                history.unknown)], capsys)
            # writes go to the primary: a push and a notice are refused, nothing is read
            for path in (f"/v1/logs/{PHARMACY}/push", "/v1/notify"):
                status, doc = _request(pharmacy, "POST", url + path, b"{}")
                assert status == 503 and "primary" in doc["error"], (path, doc)
            assert proc.poll() is None
        finally:
            stop_processes([proc])
        assert _written(homes[REGULATOR]) == before
    finally:
        standby.stop()
