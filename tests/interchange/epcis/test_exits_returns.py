"""EPCIS for packs leaving the chain and returns: each new event exports as the CBV words
docs/EPCIS.md lists, validates against the EPCIS 2.0 schema, and imports back byte for byte."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from supplychain.identity.consortium import Consortium
from supplychain.identity.keys import load_private_key
from supplychain.interchange.bundle import exchange
from supplychain.interchange.epcis.export import Selection
from supplychain.interchange.epcis.importer import import_document
from supplychain.interchange.epcis.uris import pgln_uri
from supplychain.node.exits import export_packs, hand_over_sample, report_stolen
from supplychain.node.operations import Node
from supplychain.node.returns import receive_returns, return_packs
from tests.conftest import DIST_A, GTIN, MAKER, PASSPHRASE, PHARMACY, Network
from tests.interchange.epcis.helpers import as_bytes, events_of, export, pack_states

pytestmark = pytest.mark.both_backends


@pytest.fixture
def exits_story(network: Network) -> list[str]:
    """Every exit and a return: stolen on the way and from the shelf, exported, a sample, a
    pack returned by the pharmacy and received back by its wholesaler."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 6)
    maker.ship(DIST_A, codes[:5])
    report_stolen(maker, codes[4:5], "lorry broken into")
    report_stolen(maker, codes[5:6])
    exchange(maker, dist)
    dist.receive(codes[:4])
    export_packs(dist, codes[3:4], "to Norway")
    dist.ship(PHARMACY, codes[:3])
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes[:3])
    hand_over_sample(pharmacy, codes[2:3], "inspector, ref 42")
    return_packs(pharmacy, DIST_A, codes[:2], "overstock")
    exchange(pharmacy, dist)
    receive_returns(dist, PHARMACY, codes[:1])
    return [c.key for c in codes]


def _steps(doc: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(e["sc:type"], e.get("bizStep"), e.get("disposition")) for e in events_of(doc)]


def test_each_exit_and_return_has_its_cbv_words(network: Network, exits_story: list[str]) -> None:
    maker_steps = _steps(export(network[MAKER], Selection(org=MAKER)))
    assert ("stolen", "decommissioning", "stolen") in maker_steps
    dist_steps = _steps(export(network[DIST_A], Selection(org=DIST_A)))
    assert ("export", "decommissioning", "inactive") in dist_steps
    pharmacy_doc = export(network[PHARMACY], Selection(org=PHARMACY))
    assert ("sample", "sampling", "non_sellable_other") in _steps(pharmacy_doc)
    returned = [e for e in events_of(pharmacy_doc) if e["sc:type"] == "return"]
    assert [(e["bizStep"], e["disposition"]) for e in returned] == [("shipping", "returned")]
    assert returned[0]["destinationList"][0]["destination"] == pgln_uri(DIST_A, 7)


def _fresh_same_identity(network: Network, gln: str, home: Path) -> Node:
    old = network.homes[gln]
    consortium = Consortium.open(network.root / "consortium")
    key = load_private_key(old / "member.key", PASSPHRASE)
    return Node.initialise(home, consortium.name, consortium.root_pem,
                           (old / "member.pem").read_bytes(), key, PASSPHRASE,
                           consortium.member_pems())


def _copy_log(source: Node, gln: str, target: Node) -> None:
    """Another organisation's log, as a sync would bring it (its events may wait)."""
    entries = source.store.entries(gln, 0, source.store.log_size(gln))
    with target.store.transaction():
        target.ledger.append_entries(gln, 0, entries)


def test_exits_and_returns_round_trip_byte_for_byte(network: Network, exits_story: list[str],
                                                    tmp_path: Path) -> None:
    """Each organisation's export imported into a fresh node of that organisation holding
    the other two logs: the rebuilt log is byte-identical, every pack in the same state."""
    for gln in (MAKER, DIST_A, PHARMACY):
        with _fresh_same_identity(network, gln, tmp_path / gln) as fresh:
            for other in (MAKER, DIST_A, PHARMACY):
                if other != gln:
                    _copy_log(network[DIST_A], other, fresh)
            report = import_document(fresh, as_bytes(export(network[gln], Selection(org=gln))))
            assert report.ok and report.committed, report.text()
            original = network[gln].store
            assert fresh.store.entries(gln, 0, 10**6) == original.entries(gln, 0, 10**6)
            assert pack_states(fresh, exits_story) == pack_states(network[DIST_A], exits_story)
