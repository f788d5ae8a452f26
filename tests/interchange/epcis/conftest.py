"""The EPCIS tests' shared story: a small custody history across three logs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from supplychain.interchange.bundle import exchange
from tests.conftest import DIST_A, GTIN, MAKER, PHARMACY, Network


@pytest.fixture
def story(network: Network) -> dict[str, Any]:
    """Manufacturer commissions two lots, ships, destroys, recalls; the packs travel on."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    lot1 = maker.commission(GTIN, "L1", date(2030, 1, 31), 3)
    lot2 = maker.commission(GTIN, "L2/X", date(2029, 6, 30), 1)
    maker.ship(DIST_A, lot1[:2])
    maker.destroy([lot1[2]], "water damage")
    maker.recall(GTIN, "L2/X", "sterility")
    exchange(maker, dist)
    dist.receive(lot1[:2])
    dist.ship(PHARMACY, [lot1[0]])
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive([lot1[0]])
    pharmacy.dispense([lot1[0]])
    pharmacy.undo_dispense([lot1[0]], "wrong pack scanned")
    pharmacy.dispense([lot1[0]])
    pharmacy.report([lot1[1]], "seal looks resealed")  # a pack it never held
    return {"lot1": lot1, "lot2": lot2, "packs": [c.key for c in lot1 + lot2]}
