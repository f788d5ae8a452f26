"""Container membership is part of each chain's derived state: whatever order the logs'
entries arrive in (and on ingest from peers, not only on append), the derived tables,
containers and container_contents included, come out the same, and the rules refuse the
same events."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.clock import now_iso
from supplychain.codes.sscc import make_sscc, parse_sscc
from supplychain.interchange.bundle import exchange
from supplychain.ledger.container_rows import container_row
from supplychain.ledger.events import Event, EventType, Item
from supplychain.node.containers import pack, unpack
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, MEMBERS, PASSPHRASE, PHARMACY
from tests.test_order_independence import (
    FIXTURE_OK,
    _forge,
    assert_any_order_matches,
    canonical_order,
    ingest,
    scenario_of,
)

pytestmark = pytest.mark.both_backends

CASE_1, CASE_2, PALLET = (parse_sscc(make_sscc("501234", n)) for n in (1, 2, 3))
DIST_CASE = parse_sscc(make_sscc("5012345", 7))


@pytest.fixture(scope="module")
def containers(tmp_path_factory: pytest.TempPathFactory):
    """Packs in cases on a pallet, shipped and received whole, unpacked in part and
    dispensed; plus two rule-breaking events signed by altered software (a pack shipped out
    of its case, a pack dispensed inside its case). Same shape as test_order_independence's
    scenarios: (root_cert, consortium, member pems, {gln: entries})."""
    root = tmp_path_factory.mktemp("containers")
    _, homes = build_network(root, "Order Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in homes.items()}
    maker, dist, pharmacy = nodes[MAKER], nodes[DIST_A], nodes[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 6)
    pack(maker, CASE_1, codes[0:2])
    pack(maker, CASE_2, codes[2:4])
    pack(maker, PALLET, [CASE_1, CASE_2])
    maker.ship(DIST_A, [PALLET, codes[4]])
    exchange(maker, dist)
    dist.receive([PALLET, codes[4]])
    unpack(dist, PALLET, [CASE_2])
    dist.ship(PHARMACY, [CASE_2])
    pack(dist, DIST_CASE, [codes[4]])
    # Altered software: pack 0 shipped alone out of case 1 (still on the pallet).
    head = dist.ledger.pack(codes[0].key).head  # type: ignore[union-attr]
    _forge(dist, [Event(EventType.SHIP, DIST_A, dist.me.key_id, now_iso(),
                        (Item(codes[0].key, head),), to=DIST_B)])
    exchange(maker, pharmacy)
    exchange(dist, pharmacy)
    pharmacy.receive([CASE_2])
    unpack(pharmacy, CASE_2, codes[2:3])
    pharmacy.dispense(codes[2:3])
    head = pharmacy.ledger.pack(codes[3].key).head  # type: ignore[union-attr]
    _forge(pharmacy, [Event(EventType.DISPENSE, PHARMACY, pharmacy.me.key_id, now_iso(),
                            (Item(codes[3].key, head),))])
    return scenario_of(maker, nodes)


def test_the_container_scenario_derives_what_it_should(containers, new_store) -> None:
    snapshot = ingest(containers, canonical_order(containers), new_store)["snapshot"]
    reasons = sorted(row[6] for row in snapshot["events"] if row[5] == "rejected")
    assert len(reasons) == 2
    assert "is in case" in reasons[0] and "take it out of case" in reasons[0]
    assert any(f"take it out of case {CASE_2.sscc} first" in r for r in reasons)
    by_sscc = {row[0]: row for row in snapshot["containers"]}
    # sscc, status, custodian, recipient, container, contents, head, forked
    assert by_sscc[PALLET.sscc][1:6] == ("active", DIST_A, None, None, 1)
    assert by_sscc[CASE_1.sscc][1:6] == ("active", DIST_A, None, PALLET.sscc, 2)
    assert by_sscc[CASE_2.sscc][1:6] == ("active", PHARMACY, None, None, 1)
    assert by_sscc[DIST_CASE.sscc][1:6] == ("active", DIST_A, None, None, 1)
    members = {(row[1], row[0]) for row in snapshot["container_contents"]}
    assert (CASE_1.sscc, PALLET.sscc) in members and len(members) == 5


def test_reverse_order_matches(containers, new_store) -> None:
    reference = ingest(containers, canonical_order(containers))
    assert ingest(containers, list(reversed(canonical_order(containers))), new_store) == reference


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_arrival_order_gives_identical_container_state(containers, new_store,
                                                           data) -> None:
    assert_any_order_matches(containers, data, new_store)


def test_container_rows_read_back(containers) -> None:
    from supplychain.ledger.logs import Ledger
    from supplychain.ledger.store import Store

    root_cert, consortium, pems, logs = containers
    store = Store(":memory:", create=True)
    ledger = Ledger(store, root_cert, consortium)
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
        for gln, entries in sorted(logs.items()):
            ledger.append_entries(gln, 0, entries)
    row = container_row(store, CASE_1.sscc)
    assert row is not None and row.container == PALLET.sscc and row.contents == 2
    store.close()
