"""Quarantine as a state, on real nodes and stores: the signed QUARANTINE and RELEASE by the
custodian, every step refused while a pack is held (naming the quarantine and the release),
what is still allowed, the verdict here and elsewhere, and the app's Quarantine action."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import make_sscc, parse_sscc
from supplychain.errors import EventError, RuleViolation
from supplychain.identity.certificates import Role
from supplychain.interchange.bundle import exchange
from supplychain.ledger.events import EventType
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import Reason, Verdict
from supplychain.node.actions import PackAction, pack_actions
from supplychain.node.containers import pack
from supplychain.node.exits import export_packs, hand_over_sample, report_stolen
from supplychain.node.quarantine import quarantine_or_report, signs_quarantine
from supplychain.node.returns import return_packs
from supplychain.node.shipments import outgoing_candidate
from tests.conftest import DIST_A, GTIN, MAKER, PHARMACY, REGULATOR, Network

pytestmark = pytest.mark.both_backends
EXPIRY = date(2030, 1, 31)
HELD = "in quarantine at {gln}: it cannot be {verb} until a signed release clears it"


def _sync(network: Network, *glns: str) -> None:
    for source in glns:
        for target in glns:
            if source != target:
                exchange(network[source], network[target])


def _at_pharmacy(network: Network, count: int) -> list[PackCode]:
    """``count`` packs made by the maker, through North Wholesale, received by the pharmacy."""
    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", EXPIRY, count)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.ship(PHARMACY, codes)
    _sync(network, MAKER, DIST_A, PHARMACY)
    pharmacy.receive(codes)
    _sync(network, MAKER, DIST_A, PHARMACY)
    return codes


def test_quarantine_holds_the_pack_and_a_release_frees_it(network: Network) -> None:
    codes = _at_pharmacy(network, 1)
    pharmacy = network[PHARMACY]
    held = pharmacy.quarantine(codes, "seal looks re-glued")
    assert held.event.type is EventType.QUARANTINE and held.event.reason == "seal looks re-glued"
    record = pharmacy.ledger.pack(codes[0].key)
    assert record is not None and record.status is PackStatus.QUARANTINED
    assert record.custodian == PHARMACY
    here = pharmacy.verify(codes[0])
    assert here.verdict is Verdict.SUSPECT and here.decision.reasons == (Reason.QUARANTINED,)
    assert here.decision.message.startswith("This pack is held in quarantine at this site")
    released = pharmacy.release(codes, "manufacturer confirmed the seal is original")
    assert released.event.type is EventType.RELEASE
    assert pharmacy.verify(codes[0]).verdict is Verdict.GENUINE
    pharmacy.dispense(codes)
    assert [s.type for s in pharmacy.history(codes[0])][-3:] == [
        EventType.QUARANTINE, EventType.RELEASE, EventType.DISPENSE]


def test_elsewhere_the_verdict_names_who_holds_it(network: Network) -> None:
    codes = _at_pharmacy(network, 1)
    network[PHARMACY].quarantine(codes, "print blurred")
    exchange(network[PHARMACY], network[DIST_A])
    there = network[DIST_A].verify(codes[0])
    assert there.verdict is Verdict.SUSPECT and there.decision.reasons == (Reason.QUARANTINED,)
    assert f"held in quarantine at GLN {PHARMACY}" in there.decision.message


@pytest.mark.parametrize(("act", "verb"), [
    (lambda n, c: n.dispense(c), "dispensed"),
    (lambda n, c: n.ship(DIST_A, c), "shipped"),
    (lambda n, c: return_packs(n, DIST_A, c), "returned"),
    (lambda n, c: hand_over_sample(n, c, "inspector"), "handed over as a sample"),
    (lambda n, c: pack(n, parse_sscc(make_sscc("5012345", 7)), c), "packed into a case"),
], ids=["dispense", "ship", "return", "sample", "pack"])
def test_every_step_but_release_and_destroy_is_refused_while_held(network: Network, act,
                                                                  verb: str) -> None:
    codes = _at_pharmacy(network, 1)
    pharmacy = network[PHARMACY]
    pharmacy.quarantine(codes, "suspect")
    size = pharmacy.store.log_size(PHARMACY)
    with pytest.raises(RuleViolation, match=HELD.format(gln=PHARMACY, verb=verb)) as info:
        act(pharmacy, codes)
    assert "supplychain release" in str(info.value)
    assert pharmacy.store.log_size(PHARMACY) == size  # nothing signed


def test_a_wholesaler_cannot_export_a_quarantined_pack(network: Network) -> None:
    maker, dist = network[MAKER], network[DIST_A]
    codes = maker.commission(GTIN, "L1", EXPIRY, 1)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.quarantine(codes, "carton damaged, contents doubtful")
    with pytest.raises(RuleViolation, match=HELD.format(gln=DIST_A, verb="exported")):
        export_packs(dist, codes, "to Norway")


def test_destroying_or_reporting_a_theft_is_allowed_while_held(network: Network) -> None:
    codes = _at_pharmacy(network, 2)
    pharmacy = network[PHARMACY]
    pharmacy.quarantine(codes, "confirmed falsified")
    pharmacy.destroy(codes[:1], "falsified: destroyed under supervision")
    report_stolen(pharmacy, codes[1:], "taken from the quarantine box")
    statuses = [pharmacy.ledger.pack(c.key).status for c in codes]  # type: ignore[union-attr]
    assert statuses == [PackStatus.DESTROYED, PackStatus.STOLEN]


def test_quarantine_and_release_are_the_custodians_alone(network: Network) -> None:
    codes = _at_pharmacy(network, 2)
    pharmacy, dist = network[PHARMACY], network[DIST_A]
    with pytest.raises(RuleViolation, match="only the custodian can quarantine it"):
        dist.quarantine(codes[:1], "heard it is suspect")
    with pytest.raises(RuleViolation, match="not in quarantine: there is nothing to release"):
        pharmacy.release(codes[:1], "cleared")
    pharmacy.quarantine(codes[:1], "suspect")
    with pytest.raises(RuleViolation, match="already in quarantine"):
        pharmacy.quarantine(codes[:1], "again")
    exchange(pharmacy, dist)
    with pytest.raises(RuleViolation, match=f"only {PHARMACY} can release or destroy it"):
        dist.release(codes[:1], "cleared")
    exchange(pharmacy, network[REGULATOR])
    with pytest.raises(RuleViolation, match="holds no stock"):
        network[REGULATOR].release(codes[:1], "cleared")


def test_a_quarantine_needs_a_reason(network: Network) -> None:
    codes = _at_pharmacy(network, 1)
    with pytest.raises(EventError, match="A quarantine needs a reason"):
        network[PHARMACY].quarantine(codes, "")


def test_a_case_is_refused_with_what_to_do_instead(network: Network) -> None:
    maker = network[MAKER]
    codes = maker.commission(GTIN, "L1", EXPIRY, 2)
    box = parse_sscc(make_sscc("501234", 3))
    pack(maker, box, codes)
    with pytest.raises(RuleViolation, match=f"{box.sscc} is a case or pallet: .*supplychain "
                                            f"unpack {box.sscc}"):
        maker.quarantine([box], "suspect")
    # A pack still in its case cannot be quarantined alone either.
    with pytest.raises(RuleViolation, match=f"is in case {box.sscc}: take it out"):
        maker.quarantine(codes[:1], "suspect")


def test_the_apps_quarantine_signs_when_ours_else_reports(network: Network) -> None:
    codes = _at_pharmacy(network, 2)
    pharmacy, dist = network[PHARMACY], network[DIST_A]
    assert signs_quarantine(pharmacy, codes[0])
    signed = quarantine_or_report(pharmacy, codes[0])
    assert signed.event.type is EventType.QUARANTINE
    assert signed.event.reason == f"quarantined at {pharmacy.name}"
    # Held physically at the wholesaler but the pharmacy's in the ledger: a suspect report.
    assert not signs_quarantine(dist, codes[1])
    reported = quarantine_or_report(dist, codes[1])
    assert reported.event.type is EventType.REPORT
    assert reported.event.reason == f"quarantined at {dist.name}"


def test_the_app_offers_release_on_a_quarantined_pack_at_its_custodian(
        network: Network) -> None:
    codes = _at_pharmacy(network, 1)
    pharmacy, dist = network[PHARMACY], network[DIST_A]

    def actions(node, role):  # type: ignore[no-untyped-def]
        return pack_actions(node.verify(codes[0]), node.ledger.pack(codes[0].key), node.gln,
                            role)

    assert PackAction.RELEASE not in actions(pharmacy, Role.PHARMACY)
    pharmacy.quarantine(codes, "suspect")
    held = actions(pharmacy, Role.PHARMACY)
    assert PackAction.RELEASE in held
    assert not held & {PackAction.DISPENSE, PackAction.QUARANTINE, PackAction.RETURN,
                       PackAction.SAMPLE}
    exchange(pharmacy, dist)
    assert PackAction.RELEASE not in actions(dist, Role.DISTRIBUTOR)


def test_an_outgoing_shipment_refuses_a_quarantined_pack_and_says_why(
        network: Network) -> None:
    codes = _at_pharmacy(network, 1)
    pharmacy = network[PHARMACY]
    pharmacy.quarantine(codes, "suspect")
    refused = outgoing_candidate(pharmacy, codes[0].to_digital_link(), [])
    assert not refused.accepted
    assert refused.reason == (f"In quarantine at {pharmacy.name}: it cannot be shipped until a "
                              "signed release clears it.")
