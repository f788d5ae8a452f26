"""Ctrl-C during a large commission: what was committed stays, and is said exactly.

In-process for the core (a KeyboardInterrupt raised between events and inside one); through
the real command line in a subprocess for the first Ctrl-C (SIGINT), which stops at the next
event boundary and prints the committed packs and how to print their labels."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from supplychain.errors import CommissionInterrupted
from supplychain.ledger.audit import audit
from supplychain.ledger.events import SignedEvent
from supplychain.node.operations import COMMISSION_CHUNK, Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, Network

EXPIRY = date(2030, 1, 31)


def test_cancel_between_events_returns_what_was_committed(network: Network) -> None:
    maker = network[MAKER]
    signed: list[SignedEvent] = []
    codes = maker.commission(GTIN, "C1", EXPIRY, 3 * COMMISSION_CHUNK,
                             cancel=lambda: len(signed) == 2, on_event=signed.append)
    assert len(codes) == 2 * COMMISSION_CHUNK and len(signed) == 2
    assert sorted(maker.packs_of_lot(GTIN, "C1")) == sorted(c.key for c in codes)
    audit(maker.ledger)


def test_interrupt_after_a_commit_names_every_committed_pack(network: Network) -> None:
    maker = network[MAKER]
    signed: list[SignedEvent] = []

    def on_event(event: SignedEvent) -> None:
        signed.append(event)
        if len(signed) == 2:
            raise KeyboardInterrupt  # Ctrl-C just after the second event's commit

    with pytest.raises(CommissionInterrupted) as caught:
        maker.commission(GTIN, "C2", EXPIRY, 3 * COMMISSION_CHUNK, on_event=on_event)
    assert caught.value.requested == 3 * COMMISSION_CHUNK
    assert caught.value.events == tuple(s.hash for s in signed)
    assert sorted(caught.value.committed) == sorted(maker.packs_of_lot(GTIN, "C2"))
    assert len(caught.value.committed) == 2 * COMMISSION_CHUNK
    audit(maker.ledger)


def test_interrupt_inside_an_event_rolls_that_event_back(network: Network,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    maker = network[MAKER]
    signing = maker.ledger.sign_own_checkpoint
    calls: list[int] = []

    def interrupted_on_the_third(*args: object, **kw: object) -> object:
        calls.append(1)
        if len(calls) == 3:  # inside the third event's transaction, before its commit
            raise KeyboardInterrupt
        return signing(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(maker.ledger, "sign_own_checkpoint", interrupted_on_the_third)
    with pytest.raises(CommissionInterrupted) as caught:
        maker.commission(GTIN, "C3", EXPIRY, 5 * COMMISSION_CHUNK)
    assert len(caught.value.committed) == 2 * COMMISSION_CHUNK
    assert len(caught.value.events) == 2
    assert sorted(caught.value.committed) == sorted(maker.packs_of_lot(GTIN, "C3"))
    audit(maker.ledger)


@pytest.mark.slow
def test_ctrl_c_in_the_command_line_reports_the_committed_part(network: Network) -> None:
    home = network.homes[MAKER]
    network[MAKER].close()
    env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode(), "LC_ALL": "C",
           "SUPPLYCHAIN_LANG": "en"}
    count = 20 * COMMISSION_CHUNK
    proc = subprocess.Popen(
        [sys.executable, "-m", "supplychain.cli.main", "--home", str(home), "commission",
         "--gtin", GTIN, "--lot", "CTRLC", "--expiry", "2030-01-31", "--count", str(count)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=Path(__file__).resolve().parents[2])
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first event is committed: now press Ctrl-C
    assert first.startswith("committed 1000 of 20000 packs"), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    links = out.split()
    with Node(home, lambda: PASSPHRASE) as node:
        keys = node.packs_of_lot(GTIN, "CTRLC")  # type: ignore[arg-type]
        audit(node.ledger)
    assert 0 < len(keys) < count and len(links) == len(keys)
    assert sorted(link.split("/01/")[1].replace("/21/", "/").split("?")[0]
                  for link in links) == sorted(keys)
    said = re.search(r"interrupted: (\d+) of 20000 packs of GTIN (\d+) lot CTRLC were committed"
                     r" \(serials (\w+) to (\w+), (\d+) event\(s\)", err)
    assert said, err
    assert int(said[1]) == len(keys) and int(said[5]) == len(keys) // COMMISSION_CHUNK
    assert f"supplychain labels --gtin {GTIN} --lot CTRLC" in err
