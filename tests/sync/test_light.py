"""Light nodes: a pharmacy that holds only what concerns it, proven, and asks a full node.

A full node (the regulator, holding every log) serves on loopback over mutual TLS; the
pharmacy is switched to light mode and syncs from it only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.identity.keys import load_private_key
from supplychain.ledger.audit import audit
from supplychain.ledger.sparse import NodeMode, ProvenStore, node_mode, set_node_mode
from supplychain.ledger.verdicts import Reason, Verdict
from supplychain.ledger.witnessing import (
    add_checkpoint,
    held_policy,
    keep_cosignatures,
    submission,
)
from supplychain.node.operations import Node, VerdictReport
from supplychain.sync.light import verify_anywhere
from supplychain.sync.loopback import sync_among
from supplychain.sync.service import serving_in_background
from tests.conftest import (
    DIST_A,
    DIST_B,
    GTIN,
    MAKER,
    PASSPHRASE,
    PHARMACY,
    REGULATOR,
    Network,
    copy_home,
)

pytestmark = pytest.mark.both_backends

EXPIRY = date(2030, 1, 31)
FULL = [REGULATOR, MAKER, DIST_A, DIST_B]


def _sync_full(net: Network) -> None:
    for gln in FULL:
        net[gln].close()
    sync_among([net.homes[g] for g in FULL], PASSPHRASE, sources=[net.homes[REGULATOR]])
    sync_among([net.homes[REGULATOR]], PASSPHRASE, sources=[net.homes[g] for g in FULL[1:]])
    sync_among([net.homes[g] for g in FULL[1:]], PASSPHRASE, sources=[net.homes[REGULATOR]])
    for gln in FULL:
        net.reopen(gln)
    witness_at_regulator(net)


def witness_at_regulator(net: Network) -> None:
    """The regulator (the consortium's default witness) cosigns the latest checkpoint of every
    log it holds and keeps the cosignatures, so it serves cosigned notes (in a running network
    each author submits its own, see tests/sync/test_witness_e2e.py)."""
    regulator = net[REGULATOR]
    key = load_private_key(net.homes[REGULATOR] / "member.key", PASSPHRASE)
    (witness,) = held_policy(regulator.store).witnesses
    for gln in regulator.store.log_sizes():
        request = submission(regulator.ledger, gln, witness)
        if request is None:
            continue
        answer = add_checkpoint(regulator.ledger, key, REGULATOR, request.to_bytes(), gln)
        assert answer.status == 200, answer.body
        assert keep_cosignatures(regulator.ledger, gln, request.note + answer.body)


def _text(code: PackCode) -> str:
    return code.to_element_string()


class History:
    def __init__(self, net: Network) -> None:
        maker = net[MAKER]
        self.lot1 = maker.commission(GTIN, "L1", EXPIRY, 40)
        self.lot2 = maker.commission(GTIN, "L2", EXPIRY, 20)
        self.lot3 = maker.commission(GTIN, "L3", EXPIRY, 5)  # stays at the maker
        maker.ship(DIST_A, self.lot1[:20] + self.lot2[:5])
        _sync_full(net)
        net[DIST_A].receive(self.lot1[:20] + self.lot2[:5])
        net[DIST_A].ship(PHARMACY, self.lot1[:4])
        net[DIST_A].ship(DIST_B, self.lot1[10:14] + self.lot2[:2])
        _sync_full(net)
        net[DIST_B].receive(self.lot1[10:14] + self.lot2[:2])
        net[DIST_B].destroy(self.lot1[10:11], "damaged")
        net[MAKER].recall(GTIN, "L2", "contamination")
        _sync_full(net)
        self.to_pharmacy = self.lot1[:4]
        self.genuine_elsewhere = self.lot1[5]  # at the distributor
        self.destroyed = self.lot1[10]
        self.recalled = self.lot2[0]
        self.unknown = PackCode(GTIN, "NEVERISSUED1", "L1", EXPIRY)  # type: ignore[arg-type]


@pytest.fixture
def light_net(network: Network, tmp_path: Path) -> Iterator[tuple[Network, History, Path]]:
    history = History(network)
    # A full twin of the pharmacy (a copy of its home, same identity) gives the reference
    # verdicts: what a full replica at the same site decides.
    twin = tmp_path / "twin"
    network[PHARMACY].close()
    copy_home(network.homes[PHARMACY], twin)
    network.reopen(PHARMACY)
    set_node_mode(network[PHARMACY].store, NodeMode.LIGHT)
    yield network, history, twin


def _reference(twin: Path, regulator: Path, code: PackCode) -> VerdictReport:
    sync_among([twin], PASSPHRASE, sources=[regulator])
    with Node(twin, lambda: PASSPHRASE) as node:
        return node.verify(_text(code))


def test_light_pharmacy_holds_a_fraction_receives_and_dispenses(
        light_net: tuple[Network, History, Path]) -> None:
    net, history, _ = light_net
    net[PHARMACY].close()
    reports = sync_among([net.homes[PHARMACY]], PASSPHRASE, sources=[net.homes[REGULATOR]])
    assert [r.error for r in reports] == [None]
    pharmacy = net.reopen(PHARMACY)
    assert node_mode(pharmacy.store) is NodeMode.LIGHT
    total = sum(net[REGULATOR].store.log_sizes().values())
    proven = ProvenStore(pharmacy.store).count()
    assert sum(pharmacy.store.log_sizes().values()) == 0  # no whole log but its own (empty)
    # its packs' chain: commissioning, shipment to the wholesaler, its receipt, shipment
    # here, and the other lot's commissioning (the shipment to the wholesaler carried both)
    assert proven == 5 and total == 10
    for code in history.to_pharmacy:  # proven chain, on its way here
        verdict = pharmacy.verify(_text(code))
        assert verdict.verdict is Verdict.GENUINE
        assert verdict.sync is not None and verdict.sync.stale is False  # checkpoints confirmed
    pharmacy.receive(history.to_pharmacy)
    assert pharmacy.verify(_text(history.to_pharmacy[0])).verdict is Verdict.GENUINE
    pharmacy.dispense(history.to_pharmacy[:1])
    again = pharmacy.verify(_text(history.to_pharmacy[0]))  # scanned twice at the counter
    assert Reason.ALREADY_DISPENSED_HERE in again.decision.reasons
    # every proven entry re-verifies, and a rebuild derives the same state
    report = audit(pharmacy.ledger)
    assert report.checkpoints >= 2


def test_light_verdicts_match_a_full_replica_and_go_offline(
        light_net: tuple[Network, History, Path]) -> None:
    net, history, twin = light_net
    cases = [history.genuine_elsewhere, history.destroyed, history.recalled, history.unknown]
    references = [_reference(twin, net.homes[REGULATOR], c) for c in cases]
    pharmacy = net[PHARMACY]
    with serving_in_background(net.homes[REGULATOR], PASSPHRASE) as url:
        with pharmacy.store.transaction():
            pharmacy.store.add_peer(url, "2026-01-01T00:00:00.000+00:00")
        for code, ref in zip(cases, references, strict=True):
            report = verify_anywhere(pharmacy, _text(code), (), lambda: PASSPHRASE, 10)
            assert report.source == "network"
            assert report.verdict is ref.verdict, (code, report.decision, ref.decision)
            assert report.decision.reasons == ref.decision.reasons
    # the full node is gone: offline; a pack this pharmacy cannot see is never GENUINE
    assert pharmacy.ledger.pack(history.lot3[0].key) is None
    offline = verify_anywhere(pharmacy, _text(history.lot3[0]), (), lambda: PASSPHRASE, 2)
    assert offline.source == "offline"
    assert offline.verdict is not Verdict.GENUINE
    assert offline.decision.reasons == (Reason.CANNOT_VERIFY_OFFLINE,)
    assert any("Could not reach the network" in n for n in offline.decision.notes)
    assert offline.to_dict()["source"] == "offline"


def test_a_node_not_entitled_to_whole_logs_syncs_as_a_light_node(network: Network) -> None:
    """Under need-to-know a member set to full mode that may not read other logs whole gets
    what names it (the light round), not a round of refusals; the regulator stays full."""
    from supplychain.identity.sharing import SharingMode
    from supplychain.sync.light import sync_mode
    from tests.sync.access_helpers import share

    assert node_mode(network[PHARMACY].store) is NodeMode.FULL
    assert sync_mode(network[PHARMACY]) is NodeMode.FULL  # full sharing: reads every log
    share(network, SharingMode.NEED_TO_KNOW, (DIST_B,))
    assert sync_mode(network[PHARMACY]) is NodeMode.LIGHT
    assert sync_mode(network[DIST_A]) is NodeMode.LIGHT
    assert sync_mode(network[DIST_B]) is NodeMode.FULL  # a designated hub
    assert sync_mode(network[REGULATOR]) is NodeMode.FULL
    set_node_mode(network[REGULATOR].store, NodeMode.LIGHT)
    assert sync_mode(network[REGULATOR]) is NodeMode.LIGHT  # set so: light whatever it may read


def test_under_need_to_know_a_full_mode_pharmacy_gets_its_chains_and_no_refusals(
        network: Network) -> None:
    from supplychain.identity.sharing import SharingMode
    from tests.sync.access_helpers import share

    history = History(network)
    share(network, SharingMode.NEED_TO_KNOW)
    network[PHARMACY].close()
    reports = sync_among([network.homes[PHARMACY]], PASSPHRASE,
                         sources=[network.homes[REGULATOR]])
    assert [r.error for r in reports] == [None]
    pharmacy = network.reopen(PHARMACY)
    assert node_mode(pharmacy.store) is NodeMode.FULL  # as enrolled; the policy made it light
    assert ProvenStore(pharmacy.store).count() == 5
    assert sum(pharmacy.store.log_sizes().values()) == 0
    assert [e for e in network[REGULATOR].store.evidence() if e.kind == "refused_read"] == []
    assert pharmacy.verify(_text(history.to_pharmacy[0])).verdict is Verdict.GENUINE
    audit(pharmacy.ledger)  # checkpoints of logs it may not read whole are not a fault
