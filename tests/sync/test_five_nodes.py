"""Five real `serve` processes on loopback, mutual TLS, a pack's whole life across them."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from supplychain.node.operations import Node
from tests.conftest import DIST_A, DIST_B, MAKER, PASSPHRASE, PHARMACY, REGULATOR, Network
from tests.sync.helpers import cli_json as _cli
from tests.sync.helpers import free_port, healthy, stop_processes, wait_for

pytestmark = pytest.mark.both_backends

ORDER = [REGULATOR, MAKER, DIST_A, DIST_B, PHARMACY]


@contextlib.contextmanager
def _servers(homes: dict[str, Path], urls: dict[str, str],
             log_dir: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for gln in ORDER:
            port = urls[gln].rsplit(":", 1)[1]
            log = (log_dir / f"{gln}.log").open("wb")
            procs[gln] = subprocess.Popen(
                [sys.executable, "-m", "supplychain.cli.main", "--home", str(homes[gln]), "serve",
                 "--listen", f"127.0.0.1:{port}", "--interval", "3", "--timeout", "5"],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        for gln in ORDER:
            wait_for(f"{gln} to serve", lambda g=gln: healthy(homes[g], urls[g]))
        yield procs
    finally:
        stop_processes(procs.values())


def _pack_status(home: Path, key: str) -> tuple[str, str | None] | None:
    node = Node(home, lambda: PASSPHRASE)
    try:
        record = node.ledger.pack(key)
        return (record.status.value, record.recipient) if record else None
    finally:
        node.close()


def _roots(home: Path) -> dict[str, str]:
    node = Node(home, lambda: PASSPHRASE)
    try:
        return {g: node.ledger.root(g).hex() for g in node.store.log_sizes()}
    finally:
        node.close()


def _synced(home: Path) -> set[str]:
    """The logs this node has marked synced (written just after a pull's entries commit)."""
    node = Node(home, lambda: PASSPHRASE)
    try:
        return set(node.store.synced())
    finally:
        node.close()


def test_five_nodes_converge(network: Network, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    homes = network.homes
    for node in network.nodes.values():
        node.close()
    urls = {g: f"https://127.0.0.1:{free_port()}" for g in ORDER}
    # a ring: each node peers with its two neighbours, so most logs travel by relay
    for i, gln in enumerate(ORDER):
        for j in (i - 1, i + 1):
            _cli(homes[gln], "peers", "add", urls[ORDER[j % len(ORDER)]], capsys=capsys)

    with _servers(homes, urls, tmp_path) as procs:
        code = _cli(homes[MAKER], "commission", "--gtin", "05012345000015", "--lot", "L1",
                    "--expiry", "2030-01-31", "--count", "1", capsys=capsys)["codes"][0]
        key = "05012345000015/" + code.split("/21/")[1].split("?")[0]
        _cli(homes[MAKER], "ship", "--to", DIST_A, code, capsys=capsys)
        wait_for("dist A to see the shipment", lambda: _pack_status(homes[DIST_A], key)
              == ("in_transit", DIST_A))
        _cli(homes[DIST_A], "receive", code, capsys=capsys)
        _cli(homes[DIST_A], "ship", "--to", DIST_B, code, capsys=capsys)
        wait_for("dist B to see the shipment", lambda: _pack_status(homes[DIST_B], key)
              == ("in_transit", DIST_B))
        _cli(homes[DIST_B], "receive", code, capsys=capsys)
        _cli(homes[DIST_B], "ship", "--to", PHARMACY, code, capsys=capsys)
        wait_for("the pharmacy to see the shipment", lambda: _pack_status(homes[PHARMACY], key)
              == ("in_transit", PHARMACY))
        _cli(homes[PHARMACY], "receive", code, capsys=capsys)
        _cli(homes[PHARMACY], "dispense", code, capsys=capsys)

        def converged() -> bool:
            roots = [_roots(homes[g]) for g in ORDER]
            return len(roots[0]) == 4 and all(r == roots[0] for r in roots) and all(
                set(roots[0]) - {g} <= _synced(homes[g]) for g in ORDER)

        wait_for("every node to hold identical roots of every log", converged)
        assert all(p.poll() is None for p in procs.values())

    verdicts = {g: _cli(homes[g], "verify", code, capsys=capsys) for g in ORDER}
    # The pharmacy that just dispensed it sees a double scan; every other node a copy.
    assert verdicts.pop(PHARMACY)["reasons"] == ["already_dispensed_here"]
    assert {v["verdict"] for v in verdicts.values()} == {"counterfeit"} or \
        len({(v["verdict"], tuple(v["reasons"])) for v in verdicts.values()}) == 1
    assert all("already_dispensed" in v["reasons"] for v in verdicts.values())
    assert all(v["sync"]["stale"] is False for v in verdicts.values())
    for gln in ORDER:
        _cli(homes[gln], "audit", capsys=capsys)
    for gln in ORDER:
        log = (tmp_path / f"{gln}.log").read_text()
        assert "Traceback" not in log, log
