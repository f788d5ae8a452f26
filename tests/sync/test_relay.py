"""Relays over sync: a node fed a poisoned bundle keeps syncing with honest peers, entries no
signed checkpoint covers give way to the author's signed log, and a peer that only relays an
author's equivocation is not blocked for it (the evidence is held against the author)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from supplychain.interchange.bundle import exchange, export_bundle, import_bundle
from supplychain.ledger.audit import audit
from supplychain.ledger.verdicts import Reason
from supplychain.node.operations import Node
from supplychain.sync.replica import Replica
from tests.conftest import (
    DIST_A,
    FOREIGN_GTIN,
    GTIN,
    MAKER,
    OTHER_MAKER,
    PASSPHRASE,
    PHARMACY,
    Network,
)
from tests.sync.helpers import MemoryPeer, pull_in_process

MAKER_URL = "https://maker.test"
RELAY_URL = "https://relay.test"
EXPIRY = date(2030, 1, 31)


def _peer(node: Node, url: str) -> MemoryPeer:
    return MemoryPeer(Replica(node.ledger, node.gln), url)


def _kinds(node: Node) -> set[str]:
    return {row.kind for row in node.store.evidence()}


def _state_of(node: Node, url: str) -> str:
    (row,) = [r for r in node.store.peers() if r.url == url]
    return row.state


def _copy_of_maker(network: Network, tmp_path: Path) -> Node:
    """The maker's node copied: the maker's key then signs two histories."""
    network[MAKER].close()
    shutil.copytree(network.homes[MAKER], tmp_path / "maker-copy")
    network.reopen(MAKER)
    return Node(tmp_path / "maker-copy", lambda: PASSPHRASE)


def test_after_a_relayed_bundle_the_node_keeps_syncing_with_honest_peers(
        network: Network, tmp_path: Path) -> None:
    codes = network[MAKER].commission(GTIN, "L1", EXPIRY, 2)
    network[MAKER].ship(DIST_A, codes)
    exchange(network[MAKER], network[DIST_A])
    path = tmp_path / "relayed.json"
    export_bundle(network[DIST_A].ledger, path)
    doc = json.loads(path.read_text())
    (log,) = [log for log in doc["logs"] if log["gln"] == MAKER]
    log["entries"] += log["entries"]  # copies of the author's entries after its checkpoint
    path.write_text(json.dumps(doc))
    pharmacy = network[PHARMACY]
    import_bundle(pharmacy.ledger, path)
    assert pharmacy.store.log_size(MAKER) == 2

    network[MAKER].recall(GTIN, "L1", "contaminated")
    report = pull_in_process(pharmacy, _peer(network[MAKER], MAKER_URL))
    assert report.error is None and report.new_entries == {MAKER: 1}
    assert Reason.RECALLED in pharmacy.verify(codes[0]).decision.reasons
    relay = pull_in_process(pharmacy, _peer(network[DIST_A], RELAY_URL))
    assert relay.error is None and not relay.blocked
    assert {_state_of(pharmacy, MAKER_URL), _state_of(pharmacy, RELAY_URL)} == {"active"}
    audit(pharmacy.ledger)


def test_sync_drops_uncovered_entries_for_the_authors_signed_log(network: Network,
                                                                 tmp_path: Path) -> None:
    pharmacy = network[PHARMACY]
    codes = network[MAKER].commission(GTIN, "L1", EXPIRY, 2)
    exchange(network[MAKER], pharmacy)
    with _copy_of_maker(network, tmp_path) as copy:
        copy.commission(GTIN, "STRAY", EXPIRY, 1)
        stray = copy.store.entry(MAKER, 1)
    with pharmacy.store.transaction():  # what an older version's bundle import left
        pharmacy.ledger.append_entries(MAKER, 1, [stray])
    assert pharmacy.ledger.covered_size(MAKER) == 1

    network[MAKER].recall(GTIN, "L1", "contaminated")
    report = pull_in_process(pharmacy, _peer(network[MAKER], MAKER_URL))
    assert report.error is None and not report.blocked
    assert pharmacy.store.entries(MAKER, 0, 2) == network[MAKER].store.entries(MAKER, 0, 2)
    assert pharmacy.ledger.covered_size(MAKER) == 2
    assert Reason.RECALLED in pharmacy.verify(codes[0]).decision.reasons
    assert pharmacy.packs_of_lot(GTIN, "STRAY") == []
    assert "dropped_entries" in _kinds(pharmacy)
    audit(pharmacy.ledger)


def test_uncovered_entries_the_author_signed_become_covered(network: Network) -> None:
    """A pull cut off before its checkpoint left entries the author did sign: kept."""
    pharmacy = network[PHARMACY]
    network[MAKER].commission(GTIN, "L1", EXPIRY, 1)
    network[MAKER].commission(GTIN, "L2", EXPIRY, 1)
    first, second = network[MAKER].store.entries(MAKER, 0, 2)
    with pharmacy.store.transaction():
        pharmacy.ledger.append_entries(MAKER, 0, [first, second])
    assert pharmacy.ledger.covered_size(MAKER) == 0
    report = pull_in_process(pharmacy, _peer(network[MAKER], MAKER_URL))
    assert report.error is None and report.total_new == 0
    assert pharmacy.ledger.covered_size(MAKER) == 2
    assert "dropped_entries" not in _kinds(pharmacy)


def test_a_relayed_equivocation_is_evidence_against_the_author(network: Network,
                                                              tmp_path: Path) -> None:
    copy = _copy_of_maker(network, tmp_path)
    network[MAKER].commission(GTIN, "L1", EXPIRY, 1)
    copy.commission(GTIN, "L9", EXPIRY, 1)  # same size, another root: the maker equivocates
    relay, pharmacy = network[DIST_A], network[PHARMACY]
    exchange(copy, relay)  # the relay honestly holds the copy's version
    network[OTHER_MAKER].commission(FOREIGN_GTIN, "F1", EXPIRY, 1)
    exchange(network[OTHER_MAKER], relay)
    pull_in_process(pharmacy, _peer(network[MAKER], MAKER_URL))
    held = pharmacy.store.entries(MAKER, 0, 1)

    report = pull_in_process(pharmacy, _peer(relay, RELAY_URL))
    assert not report.blocked and report.error is None
    assert report.refused_logs == [MAKER]
    assert report.new_entries == {OTHER_MAKER: 1}  # the relay's other logs still arrive
    assert _state_of(pharmacy, RELAY_URL) == "active"
    (row,) = [r for r in pharmacy.store.evidence() if r.kind == "equivocation"]
    assert row.subject == MAKER and row.peer == RELAY_URL
    evidence = json.loads(row.evidence)
    assert evidence["ours"] != evidence["theirs"]  # both signed by the maker
    assert pharmacy.store.entries(MAKER, 0, 1) == held
    copy.close()


def test_the_equivocating_author_itself_is_blocked(network: Network, tmp_path: Path) -> None:
    copy = _copy_of_maker(network, tmp_path)
    network[MAKER].commission(GTIN, "L1", EXPIRY, 1)
    copy.commission(GTIN, "L9", EXPIRY, 1)
    pharmacy = network[PHARMACY]
    pull_in_process(pharmacy, _peer(network[MAKER], MAKER_URL))
    report = pull_in_process(pharmacy, MemoryPeer(Replica(copy.ledger, MAKER), "https://x.test"))
    assert report.blocked and "equivocation" in _kinds(pharmacy)
    copy.close()
