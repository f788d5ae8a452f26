"""The ledger end to end: custody chains, rules on append and on import, forks, verdicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from supplychain import clock
from supplychain.clock import now_iso, parse_iso
from supplychain.errors import EventError, RuleViolation
from supplychain.interchange.bundle import exchange, import_bundle
from supplychain.ledger.events import Event, EventType, Item
from supplychain.ledger.rules import UNDO_DISPENSE_WINDOW, PackStatus
from supplychain.ledger.verdicts import Reason, Verdict
from tests.conftest import (
    DIST_A,
    DIST_B,
    FOREIGN_GTIN,
    GTIN,
    MAKER,
    OTHER_MAKER,
    PHARMACY,
    REGULATOR,
    Network,
    raw_sql,
)

pytestmark = pytest.mark.both_backends


def commission_one(net: Network, lot: str = "L1", expiry: date = date(2030, 1, 31)):
    return net[MAKER].commission(GTIN, lot, expiry, 1)[0]


def sync_all(net: Network, rounds: int = 2) -> None:
    """Everybody exchanges bundles with everybody (enough rounds for chains to travel)."""
    for _ in range(rounds):
        for a in net.nodes.values():
            for b in net.nodes.values():
                if a is not b:
                    exchange(a, b)


def test_full_custody_chain_gives_genuine_at_each_custodian(network: Network) -> None:
    code = commission_one(network)
    assert network[MAKER].verify(code).verdict is Verdict.GENUINE
    network[MAKER].ship(DIST_A, [code])
    exchange(network[MAKER], network[DIST_A])
    network[DIST_A].receive([code])
    assert network[DIST_A].verify(code).verdict is Verdict.GENUINE
    network[DIST_A].ship(PHARMACY, [code])
    exchange(network[DIST_A], network[PHARMACY])
    exchange(network[MAKER], network[PHARMACY])
    arriving = network[PHARMACY].verify(code)
    assert arriving.verdict is Verdict.GENUINE
    assert "receive it" in arriving.decision.message
    network[PHARMACY].receive([code])
    report = network[PHARMACY].verify(code)
    assert report.verdict is Verdict.GENUINE
    assert report.custodian == PHARMACY
    assert [s.type for s in report.history] == [EventType.COMMISSION, EventType.SHIP,
                                                EventType.RECEIVE, EventType.SHIP,
                                                EventType.RECEIVE]
    network[PHARMACY].dispense([code])
    again = network[PHARMACY].verify(code)  # the same pack scanned twice at the counter
    assert again.verdict is Verdict.INFORMATION
    assert again.decision.reasons == (Reason.ALREADY_DISPENSED_HERE,)


def test_everyone_agrees_after_exchanging_bundles(network: Network) -> None:
    code = commission_one(network)
    network[MAKER].ship(DIST_A, [code])
    sync_all(network, rounds=1)
    network[DIST_A].receive([code])
    sync_all(network, rounds=1)
    roots = {g: {log: n.ledger.root(log) for log in (MAKER, DIST_A)}
             for g, n in network.nodes.items()}
    assert len({tuple(sorted(r.items())) for r in roots.values()}) == 1
    snapshots = [n.store.derived_snapshot() for n in network.nodes.values()]
    assert all(s == snapshots[0] for s in snapshots)
    # The regulator sees the pack as genuine (no custody check at an inspector's site).
    assert network[REGULATOR].verify(code).verdict is Verdict.GENUINE
    # A pharmacy that does not hold it is told it is not in its custody: suspect.
    report = network[PHARMACY].verify(code)
    assert report.verdict is Verdict.SUSPECT
    assert report.decision.reasons == (Reason.NOT_IN_CUSTODY,)


@pytest.mark.parametrize(
    ("who", "action", "phrase"),
    [
        (DIST_A, "commission", "only a manufacturer commissions"),
        (OTHER_MAKER, "commission", "outside the company prefixes"),
        (DIST_A, "ship", "only the custodian can ship"),
        (DIST_A, "dispense", "only a pharmacy dispenses"),
        (PHARMACY, "dispense", "only the custodian can dispense"),
        (DIST_B, "receive", "only the named recipient can receive"),
        (PHARMACY, "recall", "only its manufacturer or the regulator"),
    ],
)
def test_rules_are_enforced_on_append(network: Network, who: str, action: str,
                                      phrase: str) -> None:
    code = commission_one(network)
    network[MAKER].ship(DIST_A, [code])
    sync_all(network, rounds=1)
    node = network[who]
    size_before = node.store.log_size(who)
    with pytest.raises(RuleViolation, match=phrase):
        if action == "commission":
            node.commission(GTIN, "L9", date(2030, 1, 1), 1)
        elif action == "ship":
            node.ship(PHARMACY, [code])
        elif action == "dispense":
            if who == PHARMACY:
                # a pack the pharmacy does not hold
                node.dispense([code])
            else:
                node.dispense([code])
        elif action == "receive":
            node.receive([code])
        elif action == "recall":
            node.recall(GTIN, "L1")
    assert node.store.log_size(who) == size_before  # nothing written


def test_decommissioned_stays_decommissioned(network: Network) -> None:
    code = commission_one(network)
    network[MAKER].destroy([code], "damaged in warehouse")
    with pytest.raises(RuleViolation, match="stays decommissioned"):
        network[MAKER].ship(DIST_A, [code])
    report = network[MAKER].verify(code)
    assert report.verdict is Verdict.COUNTERFEIT
    assert report.decision.reasons == (Reason.DECOMMISSIONED,)


def test_rule_breaking_event_from_a_peer_is_kept_as_evidence_but_not_applied(
        network: Network) -> None:
    """A distributor whose own node is bypassed signs a ship it is not entitled to."""
    code = commission_one(network)
    exchange(network[MAKER], network[DIST_A])
    commission_hash = network[MAKER].ledger.pack(code.key).head
    rogue = network[DIST_A]
    event = Event(EventType.SHIP, DIST_A, rogue.me.key_id, now_iso(),
                  (Item(code.key, commission_hash),), to=PHARMACY)
    with pytest.raises(RuleViolation):
        rogue.append([event])
    # Force it into the log the way a modified client could: sign and append raw.
    key = rogue._signing_key()
    from supplychain.ledger.events import SignedEvent
    signed = SignedEvent(event, key.sign(event.to_bytes()))
    with rogue.store.transaction():
        rogue.ledger.append_entries(DIST_A, rogue.store.log_size(DIST_A), [signed.to_bytes()])
        rogue.ledger.sign_own_checkpoint(DIST_A, key)
    exchange(rogue, network[PHARMACY])
    stored = network[PHARMACY].ledger.event_status(signed.hash)
    assert stored is not None
    assert stored.status == "rejected"
    assert "only the custodian can ship" in (stored.reason or "")
    assert network[PHARMACY].ledger.pack(code.key).status is PackStatus.ACTIVE
    kinds = {a.kind for a in network[PHARMACY].store.alerts()}
    assert "rejected_event" in kinds


def test_forked_chain_is_flagged_and_both_events_kept(network: Network) -> None:
    code = commission_one(network)
    maker = network[MAKER]
    genesis = maker.ledger.pack(code.key).head
    maker.ship(DIST_A, [code])
    # A double hand-over: a second ship extending the same commission event.
    second = Event(EventType.SHIP, MAKER, maker.me.key_id, now_iso(),
                   (Item(code.key, genesis),), to=DIST_B)
    maker.append([second])
    record = maker.ledger.pack(code.key)
    assert record.forked
    report = maker.verify(code)
    assert report.verdict is Verdict.COUNTERFEIT
    assert Reason.FORKED_CHAIN in report.decision.reasons
    alerts = [a for a in maker.store.alerts() if a.kind == "forked_chain"]
    assert len(alerts) == 1 and second.hash in alerts[0].evidence
    assert len(maker.ledger.chain(code.key)) == 3
    with pytest.raises(RuleViolation, match="forked"):
        maker.destroy([code])


def test_cloned_commission_is_a_fork(network: Network) -> None:
    code = commission_one(network)
    maker = network[MAKER]
    clone = Event(EventType.COMMISSION, MAKER, maker.me.key_id, now_iso(),
                  (Item(code.key, None, "L1", code.expiry),))
    maker.append([clone])
    assert maker.verify(code).verdict is Verdict.COUNTERFEIT


def test_events_wait_for_their_prev_then_apply(network: Network) -> None:
    code = commission_one(network)
    network[MAKER].ship(DIST_A, [code])
    exchange(network[MAKER], network[DIST_A])
    network[DIST_A].receive([code])
    pharmacy = network[PHARMACY]
    # The pharmacy gets the distributor's log before the manufacturer's.
    from supplychain.interchange.bundle import export_bundle
    path = pharmacy.home / "only-dist.json"
    only = network.reopen(DIST_A)
    export_bundle(only.ledger, path)
    import json
    doc = json.loads(path.read_text())
    doc["logs"] = [log for log in doc["logs"] if log["gln"] == DIST_A]
    path.write_text(json.dumps(doc))
    import_bundle(pharmacy.ledger, path)
    assert pharmacy.store.count_pending() == 1
    assert pharmacy.ledger.pack(code.key) is None
    exchange(network[MAKER], pharmacy)
    assert pharmacy.store.count_pending() == 0
    assert pharmacy.ledger.pack(code.key).custodian == DIST_A


def test_recall_makes_packs_of_the_lot_suspect(network: Network) -> None:
    code = commission_one(network, lot="RC1")
    other = commission_one(network, lot="OK1")
    network[MAKER].recall(GTIN, "RC1", "sterility failure")
    report = network[MAKER].verify(code)
    assert report.verdict is Verdict.SUSPECT
    assert report.decision.reasons == (Reason.RECALLED,)
    assert network[MAKER].verify(other).verdict is Verdict.GENUINE
    # The regulator may recall too.
    network[REGULATOR].recall(GTIN, "OK1", "precaution")
    exchange(network[REGULATOR], network[MAKER])
    assert network[MAKER].verify(other).decision.reasons == (Reason.RECALLED,)


def test_report_and_expiry_are_suspect(network: Network) -> None:
    code = commission_one(network, expiry=date(2030, 1, 31))
    network[REGULATOR].report([code], "packaging looks wrong")  # the regulator reports any pack
    exchange(network[REGULATOR], network[MAKER])
    report = network[MAKER].verify(code)
    assert report.verdict is Verdict.SUSPECT
    assert report.decision.reasons == (Reason.REPORTED_SUSPECT,)
    later = network[MAKER].verify(code, today=date(2031, 1, 1))
    assert set(later.decision.reasons) == {Reason.REPORTED_SUSPECT, Reason.EXPIRED}


def test_unknown_product_serial_and_mismatches_are_counterfeit(network: Network) -> None:
    from supplychain.codes.gs1 import PackCode
    code = commission_one(network)
    maker = network[MAKER]
    unknown_product = PackCode(FOREIGN_GTIN, "X1", "L1", code.expiry)
    assert maker.verify(unknown_product).decision.reasons == (Reason.UNKNOWN_PRODUCT,)
    unknown_serial = replace(code, serial="NOSUCHSERIAL")
    assert maker.verify(unknown_serial).decision.reasons == (Reason.UNKNOWN_SERIAL,)
    wrong_lot = replace(code, lot="FAKE")
    report = maker.verify(wrong_lot)
    assert report.verdict is Verdict.COUNTERFEIT and report.decision.reasons == (
        Reason.LOT_MISMATCH,)
    wrong_expiry = replace(code, expiry=date(2031, 5, 31))
    assert maker.verify(wrong_expiry).decision.reasons == (Reason.EXPIRY_MISMATCH,)


def test_tampered_stored_entry_is_found_by_audit_and_the_inspector(network: Network) -> None:
    """The verdict relies on what ingest verified (it decodes nothing); a stored entry
    altered behind the node's back is found by `audit` and by the inspector's re-check."""
    from supplychain.errors import AuditFailure
    from supplychain.ledger.audit import audit
    from supplychain.node.inspection import check_chain

    code = commission_one(network)
    maker = network[MAKER]
    assert maker.verify(code).verdict is Verdict.GENUINE
    assert all(check.ok for check in check_chain(maker.ledger, code.key))
    data = maker.store.entry(MAKER, 0)
    tampered = data.replace(b'"L1"', b'"L2"')
    raw_sql(maker.store, "UPDATE entries SET data = ? WHERE gln = ? AND idx = 0",
            (tampered, MAKER))
    checks = check_chain(maker.ledger, code.key)
    assert len(checks) == 1 and not checks[0].signature_ok
    with pytest.raises(AuditFailure, match="entry 0"):
        audit(maker.ledger)


def test_a_verdict_needs_its_chain_under_a_signed_checkpoint(network: Network) -> None:
    code = commission_one(network)
    maker = network[MAKER]
    assert maker.verify(code).verdict is Verdict.GENUINE
    raw_sql(maker.store, "DELETE FROM checkpoints WHERE gln = ?", (MAKER,))
    report = maker.verify(code)
    assert report.verdict is Verdict.COUNTERFEIT
    assert Reason.INVALID_SIGNATURE in report.decision.reasons


def test_revoked_member_later_entries_are_rejected(network: Network) -> None:
    code = commission_one(network)
    maker = network[MAKER]
    consortium_dir = network.root / "consortium"
    from supplychain.identity.consortium import Consortium
    from tests.conftest import PASSPHRASE
    revocation = Consortium.open(consortium_dir).revoke(MAKER, 1, "key stolen", PASSPHRASE)
    second = commission_one(network)  # entry 1: before the revocation is known here
    assert maker.verify(second).verdict is Verdict.GENUINE
    with maker.store.transaction():
        assert maker.ledger.add_revocation(revocation)
    assert maker.verify(code).verdict is Verdict.GENUINE  # entry 0 is still valid
    assert maker.verify(second).decision.reasons == (Reason.UNKNOWN_SERIAL,)
    assert maker.ledger.event_status(maker.ledger.signed_event(MAKER, 1).hash).status == "rejected"
    with pytest.raises(RuleViolation, match="revoked"):
        maker.commission(GTIN, "L1", date(2030, 1, 1), 1)


def test_freshness_names_the_logs_a_verdict_depends_on(network: Network) -> None:
    from supplychain.codes.gs1 import PackCode
    pharmacy = network[PHARMACY]
    foreign = pharmacy.verify(PackCode("04006381333931", "X1", "L1", date(2030, 1, 31)))
    assert foreign.sync is not None
    assert foreign.sync.last_synced == {} and not foreign.sync.stale  # nobody could issue it
    ours = pharmacy.verify(PackCode(GTIN, "NOSUCH", "L1", date(2030, 1, 31)))
    assert ours.sync.last_synced == {MAKER: None}  # only its manufacturer could have
    assert ours.sync.stale  # ... and that log was never synced from a peer


def test_commissioning_stops_between_events_and_keeps_whole_events(network: Network) -> None:
    maker = network[MAKER]
    reported: list[int] = []
    codes = maker.commission(GTIN, "BIG", date(2030, 1, 31), 2500, progress=lambda d, t:
                             reported.append(d), cancel=lambda: len(reported) >= 1)
    assert reported == [1000] and len(codes) == 1000
    assert len(maker.packs_of_lot(GTIN, "BIG")) == 1000
    assert all(maker.ledger.pack(c.key) is not None for c in codes)


def _dispensed_at_pharmacy(network: Network):
    code = commission_one(network)
    network[MAKER].ship(PHARMACY, [code])
    exchange(network[MAKER], network[PHARMACY])
    network[PHARMACY].receive([code])
    network[PHARMACY].dispense([code])
    return code


def test_a_mistaken_dispense_can_be_undone_by_the_same_pharmacy(network: Network) -> None:
    code = _dispensed_at_pharmacy(network)
    pharmacy = network[PHARMACY]
    assert pharmacy.verify(code).decision.reasons == (Reason.ALREADY_DISPENSED_HERE,)
    pharmacy.undo_dispense([code], "scanned the wrong pack")
    report = pharmacy.verify(code)
    assert report.verdict is Verdict.GENUINE and report.status is PackStatus.ACTIVE
    assert report.history[-1].type is EventType.UNDO_DISPENSE
    pharmacy.dispense([code])  # and it can be dispensed for real afterwards
    with pytest.raises(RuleViolation, match="only the pharmacy that dispensed"):
        network[MAKER].undo_dispense([code])  # not the manufacturer (not its custody)


def test_undo_dispense_is_refused_after_the_window_or_for_other_states(network: Network) -> None:
    code = _dispensed_at_pharmacy(network)
    pharmacy = network[PHARMACY]
    head = pharmacy.ledger.pack(code.key).head
    from datetime import UTC, datetime, timedelta
    in_three_weeks = (datetime.now(UTC) + timedelta(days=21)).isoformat(timespec="milliseconds")
    late = Event(EventType.UNDO_DISPENSE, PHARMACY, pharmacy.me.key_id, in_three_weeks,
                 (Item(code.key, head),))
    with pytest.raises(RuleViolation, match="within 10 days"):
        pharmacy.append([late])
    other = commission_one(network)
    with pytest.raises(RuleViolation, match="only the pharmacy that dispensed"):
        network[MAKER].undo_dispense([other])


def test_already_dispensed_here_says_how_to_tell_a_double_scan(network: Network) -> None:
    code = _dispensed_at_pharmacy(network)
    here = network[PHARMACY].verify(code)
    assert here.verdict is Verdict.INFORMATION
    assert here.decision.reasons == (Reason.ALREADY_DISPENSED_HERE,)
    assert "if you just scanned it twice, no action is needed" in here.decision.message
    exchange(network[PHARMACY], network[DIST_A])
    elsewhere = network[DIST_A].verify(code)
    assert elsewhere.verdict is Verdict.COUNTERFEIT and not elsewhere.decision.notes


def test_dispensed_here_longer_ago_than_the_undo_window_is_a_copy(
        network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    code = _dispensed_at_pharmacy(network)
    pharmacy = network[PHARMACY]
    dispensed = parse_iso(pharmacy.verify(code).history[-1].time)
    monkeypatch.setattr(clock, "now", lambda: dispensed + UNDO_DISPENSE_WINDOW
                        + timedelta(minutes=1))
    later = pharmacy.verify(code)
    assert later.verdict is Verdict.COUNTERFEIT
    assert later.decision.reasons == (Reason.ALREADY_DISPENSED,)
    assert "longer ago than the 10-day undo window" in later.decision.notes[0]


def test_entries_dated_outside_their_certificate_are_refused(network: Network) -> None:
    maker = network[MAKER]
    event = Event(EventType.COMMISSION, MAKER, maker.me.key_id, "2999-01-01T00:00:00.000+00:00",
                  (Item(f"{GTIN}/LATE1", None, "L1", date(2030, 1, 31)),))
    with pytest.raises(EventError, match="after the certificate that signed it expired"):
        maker.append([event])
    assert maker.store.log_size(MAKER) == 0


def test_events_waiting_for_unseen_history_are_flagged_in_the_verdict(network: Network) -> None:
    code = commission_one(network)
    network[MAKER].ship(DIST_A, [code])
    exchange(network[MAKER], network[DIST_A])
    network[DIST_A].receive([code])
    # The pharmacy holds the manufacturer's commission only, then the distributor's log,
    # whose receive waits for the ship event it has not seen.
    import json

    from supplychain.interchange.bundle import export_bundle
    path = network[PHARMACY].home / "dist.json"
    export_bundle(network[DIST_A].ledger, path)
    doc = json.loads(path.read_text())
    doc["logs"] = [log for log in doc["logs"] if log["gln"] == DIST_A]
    path.write_text(json.dumps(doc))
    import_bundle(network[PHARMACY].ledger, path)
    report = network[PHARMACY].verify(code)
    assert any("wait for earlier history" in n for n in report.decision.notes)
    assert report.sync is not None and report.sync.stale
