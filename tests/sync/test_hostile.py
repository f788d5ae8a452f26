"""Hostile peers whose lie is in the data: every lie is caught, logged, stored as evidence, and
nothing the liar sent is kept. The peer answers in process through the wire format (no
sockets); lies at the TLS and HTTP level are in test_hostile_tls.py."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import date
from pathlib import Path

import pytest

from supplychain.ledger.audit import audit
from supplychain.ledger.records import EvidenceRecord
from supplychain.node.operations import Node
from supplychain.sync.puller import PeerFailure
from supplychain.sync.replica import Replica
from tests.conftest import DIST_A, GTIN, MAKER, PASSPHRASE, Network, copy_home
from tests.sync.helpers import MemoryPeer, make_history, pull_in_process, state

pytestmark = pytest.mark.both_backends

LIAR = "https://liar.test"
HONEST = "https://maker.test"


def _evidence(node: Node) -> dict[str, list[EvidenceRecord]]:
    out: dict[str, list[EvidenceRecord]] = {}
    for row in node.store.evidence():
        out.setdefault(row.kind, []).append(row)
    return out


def _peer_state(node: Node, url: str) -> tuple[str, str | None]:
    for row in node.store.peers():
        if row.url == url:
            return row.state, row.reason
    raise AssertionError(f"{url} is not a peer")


def _fork(network: Network, tmp_path: Path) -> Node:
    """A copy of the maker's node: the maker keeps two histories (a liar with the real key)."""
    network[MAKER].close()
    copy_home(network.homes[MAKER], tmp_path / "fork")
    network.reopen(MAKER)
    return Node(tmp_path / "fork", lambda: PASSPHRASE)


def _sync_honest(network: Network, target: Node) -> None:
    honest = MemoryPeer(Replica(network[MAKER].ledger, MAKER), HONEST)
    assert pull_in_process(target, honest).error is None


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
        report = pull_in_process(target, MemoryPeer(liar, LIAR, entries_doc=forged))
    assert report.blocked and "forged" in report.error
    assert report.failure is PeerFailure.BLOCKED
    assert state(target) == before
    assert _peer_state(target, LIAR)[0] == "blocked"
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
    report = pull_in_process(target, MemoryPeer(liar, LIAR, entries_doc=reordered))
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
        doc = honest_entries(gln, {**params, "end": str(int(params["start"]) + 1)})
        return dataclasses.replace(doc, proof=tuple(bytes(32) for _ in doc.proof))

    target = network[DIST_A]
    before = state(target)
    report = pull_in_process(target, MemoryPeer(liar, LIAR, entries_doc=bad_proof))
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
    report = pull_in_process(target, MemoryPeer(Replica(fork.ledger, MAKER), LIAR))
    assert report.blocked and _peer_state(target, LIAR)[0] == "blocked"
    rows = _evidence(target)["inconsistent_history"]
    evidence = json.loads(rows[0].evidence)
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
    report = pull_in_process(target, MemoryPeer(Replica(fork.ledger, MAKER), LIAR))
    assert report.blocked
    evidence = json.loads(_evidence(target)["equivocation"][0].evidence)
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
    report = pull_in_process(target, MemoryPeer(liar, LIAR, checkpoints_doc=forged))
    assert report.blocked and "bad_checkpoint" in _evidence(target)
    assert state(target) == before


def test_garbage_response_fails_the_round_without_blocking(network: Network) -> None:
    make_history(network)
    target = network[DIST_A]
    before = state(target)
    garbage = MemoryPeer(Replica(network[MAKER].ledger, MAKER), LIAR,
                         body=lambda path: b"\x00not json at all{")
    report = pull_in_process(target, garbage)
    assert report.error and not report.blocked and "not JSON" in report.error
    assert report.failure is PeerFailure.BAD_ANSWER
    assert _peer_state(target, LIAR)[0] == "failing"
    assert {"bad_response"} <= set(_evidence(target))
    assert state(target) == before
    audit(target.ledger)


def test_alerts_command_shows_evidence(network: Network, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from supplychain.cli.main import main
    test_forged_checkpoint_is_caught(network)
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    assert main(["--home", str(network.homes[DIST_A]), "alerts", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["kind"] == "bad_checkpoint" and r["peer"] == LIAR for r in rows)
