"""A kill -9 soak: the real command line in subprocesses, killed at random (seeded) points
during commission, bundle import and sync. After every kill `supplychain audit` passes and
nothing the process had acknowledged as committed is lost: each event a commission reported,
each import or sync that reported success. What was in flight is there whole or not at all."""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from supplychain.cli.main import main
from supplychain.interchange.bundle import export_bundle
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.records import EventStatus
from supplychain.node.operations import COMMISSION_CHUNK, Node
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, PASSPHRASE, Network

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261130
KILLS_PER_OPERATION = 3
ENV = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode(), "SUPPLYCHAIN_LANG": "en"}


class Cli:
    """One `supplychain` process whose stdout and stderr lines arrive in a queue as printed."""

    def __init__(self, *args: str | Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "supplychain.cli.main", *map(str, args)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
        self.lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(name, stream), daemon=True)
                         for name, stream in (("out", self.proc.stdout),
                                              ("err", self.proc.stderr))]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            (self.out if name == "out" else self.err).append(line)
            self.lines.put((name, line))
        self.lines.put((name, None))

    def next_line(self, stream: str, timeout: float = 60) -> str | None:
        """The next line on ``stream`` (None: the process closed it)."""
        while True:
            name, line = self.lines.get(timeout=timeout)
            if name == stream:
                return line

    def kill_after(self, seconds: float) -> int | None:
        """kill -9 after ``seconds`` unless it ended first; its exit status if it did."""
        try:
            return self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            return None
        finally:
            for reader in self._readers:
                reader.join(timeout=10)


def audit_passes(home: Path) -> None:
    assert main(["--home", str(home), "audit"]) == 0


def log_entries(home: Path, gln: str) -> list[bytes]:
    with Node(home, lambda: PASSPHRASE) as node:
        return node.store.entries(gln, 0, node.store.log_size(gln))


@pytest.mark.slow
def test_kill9_during_commission_import_and_sync_loses_nothing_committed(
        network: Network, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    homes = network.homes
    for node in network.nodes.values():
        node.close()

    # --- commission: killed after a random number of acknowledged events, plus a little ---
    acknowledged: list[str] = []
    for round_ in range(KILLS_PER_OPERATION):
        lot = f"K9{round_}"
        run = Cli("--home", homes[MAKER], "commission", "--gtin", GTIN, "--lot", lot,
                  "--expiry", "2030-01-31", "--count", str(4 * COMMISSION_CHUNK))
        seen = []
        for _ in range(rng.randrange(0, 4)):
            line = run.next_line("err")
            assert line and line.startswith("committed "), run.err
            seen.append(line.rsplit("(event ", 1)[1].rstrip(")\n"))
        run.kill_after(rng.uniform(0, 0.5))
        acknowledged += seen
        audit_passes(homes[MAKER])
        with Node(homes[MAKER], lambda: PASSPHRASE) as maker:
            logged = [SignedEvent.from_bytes(e).hash
                      for e in maker.store.entries(MAKER, 0, maker.store.log_size(MAKER))]
            for prefix in acknowledged:  # every event reported as committed is there
                full = [h for h in logged if h.startswith(prefix)]
                assert len(full) == 1, prefix
                record = maker.ledger.event_status(full[0])
                assert record is not None and record.status is EventStatus.APPLIED
            packs = len(maker.packs_of_lot(GTIN, lot))  # type: ignore[arg-type]
        assert packs % COMMISSION_CHUNK == 0 and packs >= len(seen) * COMMISSION_CHUNK

    # --- bundle import: all or nothing, and a finished import is never undone ---
    bundle = tmp_path / "maker.json"
    with Node(homes[MAKER], lambda: PASSPHRASE) as maker:
        export_bundle(maker.ledger, bundle)
    expected = log_entries(homes[MAKER], MAKER)
    assert expected
    imported = False
    for _ in range(KILLS_PER_OPERATION):
        run = Cli("--home", homes[DIST_A], "bundle", "import", bundle)
        status = run.kill_after(rng.uniform(0.3, 4.5))  # a full import takes ~4 s here
        imported = imported or status == 0
        audit_passes(homes[DIST_A])
        held = log_entries(homes[DIST_A], MAKER)
        assert held in ([], expected) and (held == expected or not imported)
        imported = imported or held == expected
    assert Cli("--home", homes[DIST_A], "bundle", "import", bundle).kill_after(120) == 0
    assert log_entries(homes[DIST_A], MAKER) == expected

    # --- sync: the syncing node is killed; what it holds is always a prefix of the source ---
    server = Cli("--home", homes[MAKER], "serve", "--listen", "127.0.0.1:0", "--interval",
                 "3600")
    try:
        listening = server.next_line("out")
        assert listening and listening.startswith("listening on "), server.err
        url = listening.split()[-1]
        assert main(["--home", str(homes[DIST_B]), "peers", "add", url]) == 0
        synced = False
        for _ in range(KILLS_PER_OPERATION):
            run = Cli("--home", homes[DIST_B], "sync", "--once")
            status = run.kill_after(rng.uniform(0.5, 6.0))  # a full round takes ~5 s here
            synced = synced or status == 0
            audit_passes(homes[DIST_B])
            held = log_entries(homes[DIST_B], MAKER)
            assert held == expected[:len(held)]
            assert held == expected or not synced
            synced = synced or held == expected
        assert Cli("--home", homes[DIST_B], "sync", "--once").kill_after(120) == 0
        assert log_entries(homes[DIST_B], MAKER) == expected
    finally:
        server.kill_after(0)
