"""A light pharmacy receives a case by its SSCC: the full node's answer carries the case's
chain and every pack inside it, proven, and the pharmacy receives, unpacks and dispenses."""

from __future__ import annotations

import pytest

from supplychain.codes.sscc import make_sscc, parse_sscc
from supplychain.ledger.audit import audit
from supplychain.ledger.container_rows import container_row
from supplychain.ledger.sparse import NodeMode, set_node_mode
from supplychain.ledger.verdicts import Verdict
from supplychain.node.containers import pack, unpack, verify_container
from supplychain.node.receiving import receive_reconciled, reconcile
from supplychain.sync.loopback import sync_among
from tests.conftest import DIST_A, GTIN, MAKER, PASSPHRASE, PHARMACY, REGULATOR, Network
from tests.sync.test_light import EXPIRY, _sync_full, _text

pytestmark = pytest.mark.both_backends


def _light_round(net: Network) -> None:
    net[PHARMACY].close()
    reports = sync_among([net.homes[PHARMACY]], PASSPHRASE, sources=[net.homes[REGULATOR]])
    assert [r.error for r in reports] == [None]
    net.reopen(PHARMACY)


@pytest.mark.parametrize("by_reconciliation", [False, True])
def test_a_light_pharmacy_receives_a_case_by_its_sscc(network: Network,
                                                      by_reconciliation: bool) -> None:
    net = network
    codes = net[MAKER].commission(GTIN, "L1", EXPIRY, 5)
    net[MAKER].ship(DIST_A, codes)
    _sync_full(net)
    net[DIST_A].receive(codes)
    box = parse_sscc(make_sscc("5012345", 9))
    pack(net[DIST_A], box, codes[:3])
    net[DIST_A].ship(PHARMACY, [box, codes[3]])
    _sync_full(net)
    set_node_mode(net[PHARMACY].store, NodeMode.LIGHT)
    _light_round(net)
    pharmacy = net[PHARMACY]
    assert verify_container(pharmacy, box).verdict is Verdict.GENUINE
    if by_reconciliation:
        check = reconcile(pharmacy, [box.sscc, _text(codes[3])])
        assert check.clean and check.whole_cases == (box.sscc,)
        receive_reconciled(pharmacy, check)
    else:
        pharmacy.receive([box, codes[3]])
    row = container_row(pharmacy.store, box.sscc)
    assert row is not None and row.custodian == PHARMACY
    unpack(pharmacy, box)
    pharmacy.dispense(codes[:1])
    assert pharmacy.verify(_text(codes[1])).verdict is Verdict.GENUINE
    audit(pharmacy.ledger)
