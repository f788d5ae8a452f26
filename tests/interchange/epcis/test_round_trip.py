"""Round trips: export then import rebuilds logs byte for byte, or the same pack states in a
new consortium."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from supplychain.ids import GLN
from supplychain.interchange.bundle import exchange
from supplychain.interchange.epcis.export import Selection
from supplychain.interchange.epcis.importer import import_document
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from tests.conftest import DIST_A, GTIN, MAKER, MEMBERS, PASSPHRASE, PHARMACY, Network
from tests.interchange.epcis.helpers import as_bytes, export, fresh_same_identity, pack_states


def test_round_trip_rebuilds_each_log_byte_for_byte(network: Network, story: dict[str, Any],
                                                    tmp_path: Path) -> None:
    """Export each organisation's log; import each into a fresh node of that organisation
    (same certificate and key), passing bundles on as the originals did: the rebuilt logs are
    byte-identical, so every pack ends in the same state."""
    fresh = {g: fresh_same_identity(network, g, tmp_path / g) for g in (MAKER, DIST_A,
                                                                          PHARMACY)}
    try:
        for gln, feed in ((MAKER, []), (DIST_A, [MAKER]), (PHARMACY, [MAKER, DIST_A])):
            for source in feed:
                exchange(fresh[source], fresh[gln])
            doc = export(network[gln], Selection(org=GLN(gln)))
            report = import_document(fresh[gln], as_bytes(doc))
            assert report.ok and report.committed, report.text()
            assert all(o.status == "applied" for o in report.outcomes)
            original = network[gln].store
            assert fresh[gln].store.entries(gln, 0, 10**6) == original.entries(gln, 0, 10**6)
            assert fresh[gln].ledger.root(gln) == network[gln].ledger.root(gln)
        assert pack_states(fresh[PHARMACY], story["packs"]) == \
            pack_states(network[PHARMACY], story["packs"])
        # Importing the same document again changes nothing: every event is refused.
        again = import_document(fresh[MAKER], as_bytes(export(network[MAKER],
                                                              Selection(org=MAKER))))
        assert not again.ok and not again.committed
        assert "already commissioned" in again.outcomes[0].reason  # type: ignore[operator]
    finally:
        for node in fresh.values():
            node.close()


def test_round_trip_into_a_new_consortium(network: Network, tmp_path: Path) -> None:
    """The same organisations enrolled afresh (new keys): states match, signatures are new."""
    maker = network[MAKER]
    codes = maker.commission(GTIN, "L5", date(2031, 12, 31), 4)
    maker.ship(DIST_A, codes[:3])
    maker.destroy([codes[3]])
    _, homes = build_network(tmp_path / "new", "New Health", MEMBERS, PASSPHRASE)
    with Node(homes[MAKER], lambda: PASSPHRASE) as other:
        report = import_document(other, as_bytes(export(maker, Selection(org=MAKER))))
        assert report.committed, report.text()
        keys = [c.key for c in codes]
        assert pack_states(other, keys) == pack_states(maker, keys)
        assert other.ledger.pack(keys[0]).head != maker.ledger.pack(keys[0]).head  # type: ignore[union-attr]
