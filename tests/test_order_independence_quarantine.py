"""Pack state stays a pure function of the set of valid events with quarantines and releases
in it, whatever order the logs' entries arrive in; a step signed past a quarantine (altered
software) is rejected wherever it arrives, on ingest as on append."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.clock import now_iso
from supplychain.interchange.bundle import exchange
from supplychain.ledger.events import Event, EventType, Item
from supplychain.node.operations import Node
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
def quarantine_scenario(tmp_path_factory: pytest.TempPathFactory):
    """A pack quarantined and released at the wholesaler then sold on, one quarantined at
    the pharmacy and destroyed, one still held there, and a dispense of that held pack
    signed by altered software (rejected wherever it arrives)."""
    root = tmp_path_factory.mktemp("order-quarantine")
    _, homes = build_network(root, "Order Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in homes.items()}
    maker, dist, pharmacy = nodes[MAKER], nodes[DIST_A], nodes[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 4)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.quarantine(codes[:1], "carton crushed")
    dist.release(codes[:1], "contents checked: intact")
    dist.ship(PHARMACY, codes[:3])
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes[:3])
    pharmacy.quarantine(codes[1:3], "seal looks re-glued")
    pharmacy.destroy(codes[1:2], "confirmed falsified")
    record = pharmacy.ledger.pack(codes[2].key)
    assert record is not None
    _forge(pharmacy, [Event(EventType.DISPENSE, PHARMACY, pharmacy.me.key_id, now_iso(),
                            (Item(codes[2].key, record.head),))])
    return scenario_of(maker, nodes)


def test_quarantine_scenario_has_every_step(quarantine_scenario, new_store) -> None:
    snapshot = ingest(quarantine_scenario, canonical_order(quarantine_scenario),
                      new_store)["snapshot"]
    types = {row[3] for row in snapshot["events"]}
    assert {"quarantine", "release", "destroy"} <= types
    statuses = {row[5] for row in snapshot["packs"]}
    assert {"quarantined", "destroyed", "active"} <= statuses
    rejected = [row[6] for row in snapshot["events"] if row[5] == "rejected"]
    assert len(rejected) == 1 and "is in quarantine at" in rejected[0]
    assert "cannot be dispensed" in rejected[0]


def test_reverse_order_matches_with_quarantines(quarantine_scenario, new_store) -> None:
    reference = ingest(quarantine_scenario, canonical_order(quarantine_scenario))
    reverse = ingest(quarantine_scenario, list(reversed(canonical_order(quarantine_scenario))),
                     new_store)
    assert reverse == reference


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_arrival_order_gives_identical_state_with_quarantines(quarantine_scenario,
                                                                  new_store, data) -> None:
    assert_any_order_matches(quarantine_scenario, data, new_store)
