"""A killed process or a full disk loses nothing that was committed and leaves no half batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from supplychain.errors import LedgerError
from supplychain.ledger.audit import audit
from supplychain.node.operations import Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, Network

WRITER = textwrap.dedent("""
    import sys
    from datetime import date
    from supplychain.node.operations import Node
    node = Node(__import__("pathlib").Path(sys.argv[1]), lambda: sys.argv[2].encode())
    for batch in range(1000):
        node.commission(sys.argv[3], f"K{batch}", date(2030, 1, 31), 200)
        print(f"committed {batch}", flush=True)
""")


def test_killed_writer_leaves_a_consistent_store(network: Network) -> None:
    home = network.homes[MAKER]
    network[MAKER].close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), PASSPHRASE.decode(), GTIN],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    assert proc.stdout is not None
    for line in proc.stdout:  # wait (by event, not by time) until a few batches are in
        if line.strip() == "committed 3":
            break
    os.kill(proc.pid, signal.SIGKILL)  # most likely in the middle of batch 4 or 5
    proc.wait(timeout=30)
    node = Node(home, lambda: PASSPHRASE)
    try:
        audit(node.ledger)
        size = node.store.log_size(MAKER)
        assert size >= 4
        latest = node.store.latest_checkpoint(MAKER)
        assert latest is not None and latest.size == size  # no entry without its checkpoint
        for batch in range(size):
            assert len(node.packs_of_lot(GTIN, f"K{batch}")) == 200  # whole batches only
        node.commission(GTIN, "AFTER", date(2030, 1, 31), 1)  # and it keeps working
    finally:
        node.close()


def test_full_disk_gives_a_plain_error_and_changes_nothing(network: Network) -> None:
    node = network[MAKER]
    node.commission(GTIN, "L1", date(2030, 1, 31), 5)
    before = (node.store.log_sizes(), node.store.derived_snapshot())
    pages = node.store.conn.execute("PRAGMA page_count").fetchone()[0]
    node.store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(LedgerError, match="disk is full"):
        node.commission(GTIN, "BIG", date(2030, 1, 31), 2000)
    assert (node.store.log_sizes(), node.store.derived_snapshot()) == before
    node.store.conn.execute("PRAGMA max_page_count = 1073741823")
    audit(node.ledger)
