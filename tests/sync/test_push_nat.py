"""A node that never listens (behind NAT) gets its entries to a full node by push alone:
the full node is a real `serve` process, the pusher runs `sync --once` (real TLS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from supplychain.cli.main import main
from supplychain.identity.sharing import SharingMode
from supplychain.node.operations import Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, REGULATOR, Network
from tests.sync.access_helpers import share
from tests.sync.helpers import free_port, healthy, wait_for


def _log(home: Path, gln: str) -> tuple[int, str | None]:
    node = Node(home, lambda: PASSPHRASE)
    try:
        size = node.store.log_sizes().get(gln, 0)
        return size, node.ledger.root(gln).hex() if size else None
    finally:
        node.close()


@pytest.mark.slow
def test_a_node_without_a_port_reaches_its_full_node_by_push(
        network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    share(network, SharingMode.NEED_TO_KNOW)
    network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 3)
    network[MAKER].commission(GTIN, "L2", date(2030, 1, 31), 2)
    for node in network.nodes.values():
        node.close()
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    full_home, maker_home = network.homes[REGULATOR], network.homes[MAKER]
    url = f"https://127.0.0.1:{free_port()}"
    assert main(["--home", str(maker_home), "peers", "add", url]) == 0  # the maker only dials
    env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()}
    with (tmp_path / "full.log").open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "supplychain.cli.main", "--home", str(full_home), "serve",
             "--listen", url.removeprefix("https://"), "--interval", "60", "--timeout", "5"],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for("the full node to serve", lambda: healthy(full_home, url))
        capsys.readouterr()
        status = main(["--home", str(maker_home), "sync", "--once", "--json"])
        output = capsys.readouterr().out
        assert status == 0, output
        # the serve process committed the pushed entries before answering the push
        assert _log(full_home, MAKER) == _log(maker_home, MAKER)
        assert _log(full_home, MAKER)[0] == 2
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log = (tmp_path / "full.log").read_text()
    assert "kept 2 pushed entries of log" in log, log
    assert json.loads(output[output.index("["):])[0]["failure"] is None
