"""Witnesses end to end: real `serve` processes on loopback with mutual TLS. The regulator's
node is the witness (the default policy); the maker's new checkpoint gets cosigned by it over
`POST /v1/witness/add-checkpoint`; a third node pulls the cosigned checkpoint and its
verdict lists the witness. The witness's state survives kill -9."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from supplychain.cli.main import main
from supplychain.node.operations import Node
from tests.conftest import DIST_A, MAKER, PASSPHRASE, REGULATOR, Network
from tests.sync import helpers
from tests.sync.helpers import free_port, healthy, stop_processes

pytestmark = pytest.mark.both_backends

DEADLINE = 40.0
ORIGIN_OF_MAKER = f"supplychain/test-health/{MAKER}"
wait_for = partial(helpers.wait_for, deadline=DEADLINE)


def cli(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    assert main(["--home", str(home), *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def reading(home: Path, fn: Callable[[Node], Any]) -> Any:
    node = Node(home, lambda: PASSPHRASE)
    try:
        return fn(node)
    finally:
        node.close()


def cosigned_sizes(home: Path) -> list[int]:
    """Sizes of the maker's log for which ``home`` keeps the regulator's cosignature."""
    def sizes(node: Node) -> list[int]:
        latest = node.store.latest_checkpoint(MAKER)
        if latest is None:
            return []
        return [r.size for r in node.store.cosignatures(MAKER, latest.size)
                if r.witness == f"supplychain.witness/{REGULATOR}"]
    return reading(home, sizes)  # type: ignore[no-any-return]


@contextlib.contextmanager
def serving(homes: dict[str, Path], urls: dict[str, str], log_dir: Path,
            order: list[str]) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()}
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(gln: str) -> None:
        log = (log_dir / f"{gln}.log").open("ab")
        procs[gln] = subprocess.Popen(
            [sys.executable, "-m", "supplychain.cli.main", "--home", str(homes[gln]), "serve",
             "--listen", f"127.0.0.1:{urls[gln].rsplit(':', 1)[1]}", "--interval", "2",
             "--timeout", "5", "-v"], stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(f"{gln} to serve", lambda: healthy(homes[gln], urls[gln]))

    try:
        for gln in order:
            start(gln)
        yield procs
    finally:
        stop_processes(procs.values())


@pytest.mark.slow
def test_a_member_checkpoint_is_cosigned_and_a_third_node_sees_the_witness(
        network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    homes = network.homes
    for node in network.nodes.values():
        node.close()
    order = [REGULATOR, MAKER, DIST_A]
    urls = {g: f"https://127.0.0.1:{free_port()}" for g in order}
    cli(homes[MAKER], "peers", "add", urls[REGULATOR], capsys=capsys)  # its witness
    cli(homes[DIST_A], "peers", "add", urls[MAKER], capsys=capsys)

    with serving(homes, urls, tmp_path, order) as procs:
        code = cli(homes[MAKER], "commission", "--gtin", "05012345000015", "--lot", "L1",
                   "--expiry", "2030-01-31", "--count", "2", capsys=capsys)["codes"][0]
        wait_for("the maker to hold the regulator's cosignature",
                 lambda: cosigned_sizes(homes[MAKER]) == [1])
        wait_for("dist A to pull the cosigned checkpoint",
                 lambda: cosigned_sizes(homes[DIST_A]) == [1])
        verdict = cli(homes[DIST_A], "verify", code, capsys=capsys)
        assert {"log": MAKER, "size": 1, "witnesses": [REGULATOR],
                "vouched_by": ["Medicines Agency"], "quorum": True} in verdict["witnesses"]
        status = cli(homes[DIST_A], "witness", "status", capsys=capsys)
        assert [row["vouched_by"] for row in status["logs"] if row["log"] == MAKER] == [
            ["Medicines Agency"]]

        # kill -9 the witness: what it answered is on disk; a restarted witness goes on from it
        procs[REGULATOR].send_signal(signal.SIGKILL)
        procs[REGULATOR].wait()
        state = reading(homes[REGULATOR],
                        lambda n: n.store.witness_state(ORIGIN_OF_MAKER))
        assert state is not None and state.size == 1
        log = (tmp_path / f"{REGULATOR}.restarted.log").open("wb")
        procs[REGULATOR] = subprocess.Popen(
            [sys.executable, "-m", "supplychain.cli.main", "--home", str(homes[REGULATOR]),
             "serve", "--listen", f"127.0.0.1:{urls[REGULATOR].rsplit(':', 1)[1]}",
             "--interval", "2", "--timeout", "5", "-v"], stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()})
        wait_for("the witness to serve again", lambda: healthy(homes[REGULATOR],
                                                               urls[REGULATOR]))
        cli(homes[MAKER], "commission", "--gtin", "05012345000015", "--lot", "L2",
            "--expiry", "2030-01-31", "--count", "1", capsys=capsys)
        wait_for("the maker's second checkpoint to be cosigned",
                 lambda: cosigned_sizes(homes[MAKER]) == [2])
    assert reading(homes[REGULATOR],
                   lambda n: n.store.witness_state(ORIGIN_OF_MAKER)).size == 2
    # the witness went on from its stored size 1 with a consistency proof: no 409 was needed
    maker_log = (tmp_path / f"{MAKER}.log").read_text()
    assert "cosigned by " + REGULATOR in maker_log and "(409)" not in maker_log
