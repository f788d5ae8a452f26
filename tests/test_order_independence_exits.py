"""Pack state stays a pure function of the set of valid events with packs leaving the chain
and returns in it, whatever order the logs' entries arrive in."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.clock import now_iso
from supplychain.interchange.bundle import exchange
from supplychain.ledger.events import Event, EventType, Item
from supplychain.node.exits import export_packs, hand_over_sample, report_stolen
from supplychain.node.operations import Node
from supplychain.node.returns import receive_returns, return_packs
from supplychain.node.setup import build_network
from tests.conftest import DIST_A, GTIN, MAKER, MEMBERS, PASSPHRASE, PHARMACY
from tests.test_order_independence import (
    FIXTURE_OK,
    _forge,
    assert_any_order_matches,
    canonical_order,
    ingest,
    scenario_of,
)

pytestmark = pytest.mark.both_backends


@pytest.fixture(scope="module")
def exits_scenario(tmp_path_factory: pytest.TempPathFactory):
    """Every exit, a return received back and one waiting, a recall after a return, and a
    shipment of a stolen pack signed by altered software (rejected wherever it arrives)."""
    root = tmp_path_factory.mktemp("order-exits")
    _, homes = build_network(root, "Order Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in homes.items()}
    maker, dist, pharmacy = nodes[MAKER], nodes[DIST_A], nodes[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 7)
    maker.ship(DIST_A, codes[:6])
    stolen = report_stolen(maker, codes[5:6], "lorry broken into")
    exchange(maker, dist)
    dist.receive(codes[:5])
    export_packs(dist, codes[4:5], "to Norway")
    dist.ship(PHARMACY, codes[:4])
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes[:4])
    hand_over_sample(pharmacy, codes[3:4], "inspector, ref 42")
    report_stolen(pharmacy, codes[2:3])
    return_packs(pharmacy, DIST_A, codes[:2], "overstock")
    exchange(pharmacy, dist)
    receive_returns(dist, PHARMACY, codes[:1])  # the other return is still on its way
    maker.recall(GTIN, "L1", "precaution")
    # Altered software ships the pack it reported stolen on the way.
    _forge(maker, [Event(EventType.SHIP, MAKER, maker.me.key_id, now_iso(),
                         (Item(codes[5].key, stolen.hash),), to=DIST_A)])
    return scenario_of(maker, nodes)


def test_exits_scenario_has_every_exit_and_return(exits_scenario, new_store) -> None:
    snapshot = ingest(exits_scenario, canonical_order(exits_scenario), new_store)["snapshot"]
    types = {row[3] for row in snapshot["events"]}
    assert {"stolen", "export", "sample", "return"} <= types
    statuses = {row[5] for row in snapshot["packs"]}
    assert {"stolen", "exported", "sampled", "in_transit", "active"} <= statuses
    rejected = [row[6] for row in snapshot["events"] if row[5] == "rejected"]
    assert len(rejected) == 1 and "stays decommissioned" in rejected[0]


def test_reverse_order_matches_with_exits(exits_scenario, new_store) -> None:
    reference = ingest(exits_scenario, canonical_order(exits_scenario))
    reverse = ingest(exits_scenario, list(reversed(canonical_order(exits_scenario))),
                     new_store)
    assert reverse == reference


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_arrival_order_gives_identical_state_with_exits(exits_scenario, new_store,
                                                            data) -> None:
    assert_any_order_matches(exits_scenario, data, new_store)
