"""A full node on PostgreSQL killed mid-ingest: the node's processes (SIGKILL to the whole
`supplychain bundle import`, its ingest workers included), and the PostgreSQL server itself
(SIGKILL to every server process, then a restart on the same data directory: crash recovery).
After each kill `supplychain audit` passes, every log is held whole or not at all (one
transaction per log), nothing committed is lost, and finishing the import gives exactly the
state of a clean serial import."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from supplychain.cli.main import main
from supplychain.clock import now_iso
from supplychain.interchange.bundle import exchange, export_bundle, import_bundle
from supplychain.ledger.backends import open_store
from supplychain.ledger.events import Event, EventType, Item
from supplychain.node.operations import Node
from tests.conftest import (
    DIST_A,
    GTIN,
    MAKER,
    OTHER_MAKER,
    PASSPHRASE,
    REGULATOR,
    Network,
    copy_home,
    move_homes_to_postgresql,
)
from tests.pg import PgServer

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261130
PACKS = 1_000  # per manufacturer: 1,000 commissions and 1,000 ships, 1,000 receipts
ENV = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode(), "SUPPLYCHAIN_LANG": "en"}


def _history(network: Network) -> None:
    """Three logs of some thousands of entries with chains across them."""
    maker, dist, other = network[MAKER], network[DIST_A], network[OTHER_MAKER]
    expiry = date(2030, 1, 31)
    for node, gtin in ((maker, GTIN), (other, "09506000134352")):
        packs = [f"{gtin}/K{i:06d}" for i in range(PACKS)]
        made = node.append([Event(EventType.COMMISSION, node.gln, node.me.key_id, now_iso(),
                                  (Item(p, None, "L1", expiry),)) for p in packs])  # type: ignore[arg-type]
        if node is maker:
            ships = node.append([Event(EventType.SHIP, node.gln, node.me.key_id, now_iso(),
                                       (Item(p, m.hash),), to=DIST_A)  # type: ignore[arg-type]
                                 for p, m in zip(packs, made, strict=True)])
    exchange(maker, dist)
    exchange(other, dist)
    dist.append([Event(EventType.RECEIVE, DIST_A, dist.me.key_id, now_iso(),
                       (Item(s.event.items[0].pack, s.hash),)) for s in ships])


def _sizes_and_state(home: Path) -> tuple[dict[str, int], dict]:
    with Node(home, lambda: PASSPHRASE) as node:
        return node.store.log_sizes(), node.store.derived_snapshot()


def _import(home: Path, bundle: Path) -> subprocess.Popen[str]:
    """`supplychain bundle import` in its own process group (its ingest workers too)."""
    return subprocess.Popen([sys.executable, "-m", "supplychain.cli.main", "--home", str(home),
                             "bundle", "import", str(bundle)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
                            start_new_session=True)


def _wait_until_a_log_landed(home: Path, proc: subprocess.Popen[str]) -> None:
    """Poll the node's database until one log is committed (or the import ended)."""
    url = json.loads((home / "node.json").read_text())["store"]
    store = open_store(url)
    try:
        while proc.poll() is None and not store.log_sizes():
            time.sleep(0.02)
    finally:
        store.close()


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()


def _check_whole_logs(home: Path, expected: dict[str, int]) -> None:
    assert main(["--home", str(home), "audit"]) == 0
    sizes, _state = _sizes_and_state(home)
    for gln, size in sizes.items():  # one transaction per log: whole or absent
        assert size == expected[gln], (gln, size)


@pytest.mark.slow
def test_pg_node_and_server_killed_mid_import_lose_nothing(network: Network,
                                                            tmp_path: Path) -> None:
    rng = random.Random(SEED)
    _history(network)
    bundle = tmp_path / "three.json"
    export_bundle(network[DIST_A].ledger, bundle)
    server = PgServer(tmp_path / "pg")  # its own server: this test kills it
    homes = {}
    for name in ("node-kill", "server-kill"):
        homes[name] = copy_home(network.homes[REGULATOR], tmp_path / name)
        move_homes_to_postgresql(server, [homes[name]], ingest_workers=2)  # in parallel
    import_bundle(network[REGULATOR].ledger, bundle)  # the reference: serial, on SQLite
    expected = network[REGULATOR].store.log_sizes()
    reference = network[REGULATOR].store.derived_snapshot()
    assert sum(expected.values()) >= 4 * PACKS and len(expected) == 3
    for node in network.nodes.values():
        node.close()
    try:
        # (a) the node is killed (SIGKILL to its process group) at random points
        home = homes["node-kill"]
        for round_ in range(3):
            proc = _import(home, bundle)
            if round_ == 0:
                _wait_until_a_log_landed(home, proc)  # mid-ingest for sure
            else:
                time.sleep(rng.uniform(0.5, 3.0))
            _kill_group(proc)
            _check_whole_logs(home, expected)
        assert _sizes_and_state(home)[0], "no kill happened after a log was committed"
        proc = _import(home, bundle)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert _sizes_and_state(home) == (expected, reference)

        # (b) the PostgreSQL server is killed under the importing node, then restarted
        home = homes["server-kill"]
        interrupted = 0
        for round_ in range(2):
            proc = _import(home, bundle)
            if round_ == 0:
                _wait_until_a_log_landed(home, proc)
            else:
                time.sleep(rng.uniform(0.5, 3.0))
            server.kill()
            out, err = proc.communicate(timeout=120)
            if proc.returncode != 0:  # it noticed: a plain message, no traceback
                interrupted += 1
                assert "Traceback" not in err, err
                assert "ledger database" in err, err
            server.restart()
            _check_whole_logs(home, expected)
        assert interrupted, "the server was never killed while the import ran"
        proc = _import(home, bundle)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert _sizes_and_state(home) == (expected, reference)
    finally:
        server.stop()
