"""EPCIS for quarantine and release: each exports as the CBV words docs/EPCIS.md lists
(holding/unavailable, inspecting/available), validates against the EPCIS 2.0 schema, imports
back byte for byte, and a hold without a reason is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from supplychain.interchange.bundle import exchange
from supplychain.interchange.epcis.export import Selection
from supplychain.interchange.epcis.importer import import_document
from tests.conftest import DIST_A, GTIN, MAKER, PHARMACY, Network
from tests.interchange.epcis.helpers import as_bytes, events_of, export, pack_states
from tests.interchange.epcis.test_exits_returns import _copy_log, _fresh_same_identity

pytestmark = pytest.mark.both_backends


@pytest.fixture
def held_story(network: Network) -> list[str]:
    """A pack quarantined and released at the wholesaler, one quarantined at the pharmacy."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 2)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.quarantine(codes[:1], "carton crushed")
    dist.release(codes[:1], "contents checked: intact")
    dist.ship(PHARMACY, codes)
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes)
    pharmacy.quarantine(codes[1:], "seal looks re-glued")
    exchange(pharmacy, dist)  # the wholesaler holds every log: the reference state
    return [c.key for c in codes]


def test_quarantine_and_release_have_their_cbv_words(network: Network,
                                                     held_story: list[str]) -> None:
    events = events_of(export(network[DIST_A], Selection(org=DIST_A)))  # schema-validated
    steps = [(e["sc:type"], e.get("bizStep"), e.get("disposition"), e.get("sc:reason"))
             for e in events]
    assert ("quarantine", "holding", "unavailable", "carton crushed") in steps
    assert ("release", "inspecting", "available", "contents checked: intact") in steps


def test_quarantine_and_release_round_trip_byte_for_byte(network: Network,
                                                         held_story: list[str],
                                                         tmp_path: Path) -> None:
    for gln in (DIST_A, PHARMACY):
        with _fresh_same_identity(network, gln, tmp_path / gln) as fresh:
            for other in (MAKER, DIST_A, PHARMACY):
                if other != gln:
                    _copy_log(network[DIST_A], other, fresh)
            report = import_document(fresh, as_bytes(export(network[gln], Selection(org=gln))))
            assert report.ok and report.committed, report.text()
            original = network[gln].store
            assert fresh.store.entries(gln, 0, 10**6) == original.entries(gln, 0, 10**6)
            assert pack_states(fresh, held_story) == pack_states(network[DIST_A], held_story)


def test_a_hold_without_a_reason_is_refused(network: Network, held_story: list[str],
                                            tmp_path: Path) -> None:
    doc = export(network[PHARMACY], Selection(org=PHARMACY))
    held = next(e for e in events_of(doc) if e["sc:type"] == "quarantine")
    del held["sc:reason"]
    with _fresh_same_identity(network, PHARMACY, tmp_path / "fresh") as fresh:
        for other in (MAKER, DIST_A):
            _copy_log(network[DIST_A], other, fresh)
        report = import_document(fresh, as_bytes(doc))
    assert not report.committed
    assert "is a quarantine, which the ledger records only with a reason" in report.text()
