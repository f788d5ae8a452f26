"""Revocations spread: `consortium revoke` run with the regulator's home puts the revocation in
that node at once; every bundle it exports and every sync round it serves carries it, and any
node it passes through passes it on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from supplychain.interchange.bundle import exchange, export_bundle, import_bundle
from supplychain.ledger.audit import audit
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.membership import held_version
from supplychain.ledger.records import EventStatus
from supplychain.node.operations import Node
from supplychain.sync.replica import Replica
from tests.conftest import DIST_A, GTIN, MAKER, PHARMACY, REGULATOR, Network
from tests.sync.helpers import MemoryPeer, pull_in_process

EXPIRY = date(2030, 1, 31)


def _status(node: Node, gln: str, index: int) -> EventStatus:
    row = node.ledger.event_status(SignedEvent.from_bytes(node.store.entry(gln, index)).hash)
    assert row is not None
    return row.status


def _revoke(cli, network: Network, *home: str | Path) -> dict:
    """The maker signed entry 0; it is revoked from entry 1 on; then it signs entry 1."""
    network[MAKER].commission(GTIN, "L1", EXPIRY, 1)
    code, out, err = cli(*home, "consortium", "revoke", network.root / "consortium", "--json",
                         "--gln", MAKER, "--valid-size", "1", "--reason", "key stolen")
    assert code == 0, err
    network[MAKER].commission(GTIN, "L2", EXPIRY, 1)  # its own node has not heard yet
    return json.loads(out)


def test_revoke_with_the_regulators_home_reaches_that_node(cli, network: Network) -> None:
    regulator = network.homes[REGULATOR]
    network[REGULATOR].close()
    data = _revoke(cli, network, "--home", regulator)
    assert data["home"] == str(regulator)
    node = network.reopen(REGULATOR)
    assert node.store.revocation_size(MAKER) == 1
    assert held_version(node.ledger) == json.loads(
        (network.root / "consortium" / "directory.json").read_text())["version"]


def test_revoke_without_a_node_home_says_how_to_spread_it(cli, network: Network,
                                                          tmp_path: Path) -> None:
    network[MAKER].commission(GTIN, "L1", EXPIRY, 1)
    code, out, _ = cli("--home", tmp_path / "nowhere", "consortium", "revoke",
                       network.root / "consortium", "--gln", MAKER, "--valid-size", "1",
                       "--reason", "key stolen")
    assert code == 0 and "directory import" in out


def test_the_regulators_bundle_spreads_the_revocation_to_an_old_node(cli, network: Network,
                                                                     tmp_path: Path) -> None:
    network[REGULATOR].close()
    _revoke(cli, network, "--home", network.homes[REGULATOR])
    regulator = network.reopen(REGULATOR)
    distributor = network[DIST_A]
    exchange(network[MAKER], distributor)  # the old node holds both entries, both applied
    assert _status(distributor, MAKER, 1) is EventStatus.APPLIED

    path = tmp_path / "regulator.json"
    export_bundle(regulator.ledger, path)
    doc = json.loads(path.read_text())
    assert [r["gln"] for r in doc["revocations"]] == [MAKER]
    assert [r["gln"] for r in doc["directory"]["revocations"]] == [MAKER]
    result = import_bundle(distributor.ledger, path)
    assert result.new_revocations == 1
    assert _status(distributor, MAKER, 0) is EventStatus.APPLIED
    assert _status(distributor, MAKER, 1) is EventStatus.REJECTED
    audit(distributor.ledger)

    # ...and on from there by sync, to a node that never saw the regulator.
    pharmacy = network[PHARMACY]
    exchange(network[MAKER], pharmacy)
    assert _status(pharmacy, MAKER, 1) is EventStatus.APPLIED
    report = pull_in_process(pharmacy, MemoryPeer(Replica(distributor.ledger, DIST_A),
                                                  "https://north.test"))
    assert report.error is None and report.new_revocations >= 1
    assert pharmacy.store.revocation_size(MAKER) == 1
    assert _status(pharmacy, MAKER, 1) is EventStatus.REJECTED
    audit(pharmacy.ledger)


@pytest.mark.parametrize("route", ["revocations", "directory"])
def test_a_revocation_travels_by_either_route_alone(cli, network: Network, tmp_path: Path,
                                                    route: str) -> None:
    network[REGULATOR].close()
    _revoke(cli, network, "--home", network.homes[REGULATOR])
    regulator = network.reopen(REGULATOR)
    path = tmp_path / "regulator.json"
    export_bundle(regulator.ledger, path)
    doc = json.loads(path.read_text())
    if route == "revocations":
        doc["directory"] = None
    else:
        doc["revocations"] = []
    path.write_text(json.dumps(doc))
    distributor = network[DIST_A]
    import_bundle(distributor.ledger, path)
    exchange(network[MAKER], distributor)
    assert _status(distributor, MAKER, 0) is EventStatus.APPLIED
    assert _status(distributor, MAKER, 1) is EventStatus.REJECTED
