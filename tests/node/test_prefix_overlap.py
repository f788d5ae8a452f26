"""A certificate issued by mistake with a prefix inside another maker's takes nothing over.

Enrolment now refuses such a certificate; these tests make one by hand, as the consortium
could before, and check that its holder cannot recall the other maker's lots nor commission
its serials, on any node, in whatever order the certificates and entries arrive.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from supplychain import clock
from supplychain.identity import certificates
from supplychain.identity.certificates import MemberInfo, Role, issue_member_certificate
from supplychain.identity.consortium import Consortium
from supplychain.identity.keys import generate_member_key
from supplychain.ids import GLN
from supplychain.interchange.bundle import exchange
from supplychain.ledger.alerts import AlertKind
from supplychain.ledger.audit import audit
from supplychain.ledger.events import Event, EventType, Item
from supplychain.ledger.records import EventStatus
from supplychain.ledger.verdicts import Verdict
from supplychain.node.operations import Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, PHARMACY, Network

ROGUE = MemberInfo("Rogue Pharma", GLN("5012345000077"), Role.MANUFACTURER, ("5012345",))
"""Its prefix 5012345 lies inside Acme's 501234 (GTIN 05012345000015 is under both)."""


def mistaken_member(network: Network, home: Path, monkeypatch: pytest.MonkeyPatch) -> Node:
    """ROGUE's node, certified by hand (a minute after Acme at the least), knowing only
    itself: it signs as if the GTINs were its own."""
    consortium = Consortium.open(network.root / "consortium")
    later = clock.now() + timedelta(minutes=4)  # valid from a minute ago: certified later
    key = generate_member_key()
    with monkeypatch.context() as patch:
        patch.setattr(certificates, "now", lambda: later)
        cert = issue_member_certificate(consortium.root_key(PASSPHRASE), consortium.root_cert,
                                        key.public_key(), ROGUE)
    return Node.initialise(home, consortium.name, consortium.root_pem,
                           cert.public_bytes(Encoding.PEM), key, PASSPHRASE)


def test_a_later_overlapping_maker_cannot_recall_or_clone_anothers_packs(
        network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    maker, pharmacy = network[MAKER], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 2)
    maker.ship(PHARMACY, codes)
    exchange(maker, pharmacy)
    pharmacy.receive(codes)

    with mistaken_member(network, tmp_path / "rogue", monkeypatch) as rogue:
        clone = codes[0]
        signed_clone = rogue.append([Event(EventType.COMMISSION, rogue.gln, rogue.me.key_id,
                                           clock.now_iso(),
                                           (Item(clone.key, None, clone.lot, clone.expiry),))])[0]
        signed_recall = rogue.recall(GTIN, "L1", "a recall it has no right to")
        # Knowing no other claimant, the rogue's own node took both.
        assert rogue.lot_recalled(GTIN, "L1")

        exchange(rogue, pharmacy)
        for signed in (signed_clone, signed_recall):
            row = pharmacy.ledger.event_status(signed.hash)
            assert row is not None and row.status is EventStatus.REJECTED
            assert f"it belongs to {MAKER}, certified first" in (row.reason or "")
        report = pharmacy.verify(clone)
        assert report.verdict is Verdict.GENUINE and report.decision.reasons == ()
        assert not pharmacy.lot_recalled(GTIN, "L1")
        overlaps = [a for a in pharmacy.store.alerts()
                    if a.kind == AlertKind.OVERLAPPING_PREFIXES]
        assert [(a.subject, a.evidence) for a in overlaps] == [
            ("501234 5012345", f"{MAKER},{ROGUE.gln}")]
        audit(pharmacy.ledger)  # derived tables equal a rebuild

        # The other order: the rogue's node learns of Acme's earlier claim after its own
        # entries, and re-derives them (rejected) exactly as the pharmacy did.
        exchange(maker, rogue)
        for signed in (signed_clone, signed_recall):
            row = rogue.ledger.event_status(signed.hash)
            assert row is not None and row.status is EventStatus.REJECTED
        assert not rogue.lot_recalled(GTIN, "L1")
        audit(rogue.ledger)


def test_revoking_the_mistaken_certificate_ends_the_alert(
        network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pharmacy = network[PHARMACY]
    with mistaken_member(network, tmp_path / "rogue", monkeypatch) as rogue:
        exchange(rogue, pharmacy)
    assert any(a.kind == AlertKind.OVERLAPPING_PREFIXES for a in pharmacy.store.alerts())
    consortium = Consortium.open(network.root / "consortium")
    (network.root / "consortium" / "members" / f"{ROGUE.gln}.pem").write_bytes(
        pharmacy.ledger.member(ROGUE.gln).cert_pem)  # the regulator files what it issued
    revocation = consortium.revoke(ROGUE.gln, 0, "prefix certified by mistake", PASSPHRASE)
    assert pharmacy.ledger.add_revocation(revocation)
    assert not any(a.kind == AlertKind.OVERLAPPING_PREFIXES for a in pharmacy.store.alerts())
    audit(pharmacy.ledger)
