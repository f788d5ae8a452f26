"""Alerts that end, on real nodes and stores: raised from a verdict (once per pack and cause),
every closing path, the 24 h report clock and who is notified, the rules on append and ingest,
the same life at the regulator after sync, and local detections acted on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from supplychain import clock
from supplychain.clock import now_iso
from supplychain.codes.gs1 import PackCode
from supplychain.errors import AlertClosed, AlertError, AlertNotFound, RuleViolation
from supplychain.identity.keys import load_private_key
from supplychain.interchange.bundle import exchange
from supplychain.ledger.alert_events import AlertBody, AlertStep
from supplychain.ledger.alert_life import (
    REPORT_DEADLINE,
    AlertCause,
    AlertState,
    ClosingReason,
)
from supplychain.ledger.audit import audit
from supplychain.ledger.events import Event, EventType, Item, SignedEvent
from supplychain.ledger.records import EventStatus
from supplychain.ledger.verdicts import Verdict
from supplychain.node.alert_detections import detection_id
from supplychain.node.alerts import (
    alert_for_verdict,
    close_alert,
    confirm_falsified,
    get_alert,
    investigate,
    list_alerts,
    raise_alert,
    report_alert,
)
from supplychain.node.operations import Node
from tests.conftest import (
    DIST_A,
    DIST_B,
    GTIN,
    MAKER,
    PASSPHRASE,
    PHARMACY,
    REGULATOR,
    Network,
    pack,
    packs_at_pharmacy,
)

pytestmark = pytest.mark.both_backends
EXPIRY = date(2030, 1, 31)


def _at_pharmacy(network: Network, count: int = 1) -> list[PackCode]:
    """Packs made by the maker, through North Wholesale, received by the pharmacy."""
    return packs_at_pharmacy(network, count, expiry=EXPIRY)


def _unknown_serial_alert(node: Node) -> tuple[str, str]:
    """An alert raised from a scan of a serial nobody issued (of a registered lot)."""
    report = node.verify(pack("NOBODY"))
    alert = alert_for_verdict(node, report)
    assert alert is not None
    return alert.id, str(report.code.key)


def _forge(node: Node, events: list[Event]) -> None:
    """Sign events with the node's own key past ``Node.append``'s checks (altered software)."""
    key = load_private_key(node.home / "member.key", PASSPHRASE)
    entries = [SignedEvent(e, key.sign(e.to_bytes())).to_bytes() for e in events]
    with node.store.transaction():
        node.ledger.append_entries(node.gln, node.store.log_size(node.gln), entries)
        node.ledger.sign_own_checkpoint(node.gln, key)


# --- raising from a verdict ----------------------------------------------------------------
def test_a_counterfeit_scan_raises_one_alert_and_a_repeat_scan_reuses_it(network: Network
                                                                          ) -> None:
    _at_pharmacy(network)
    pharmacy = network[PHARMACY]
    report = pharmacy.verify(pack("NOBODY"))
    assert report.verdict is Verdict.COUNTERFEIT
    alert = alert_for_verdict(pharmacy, report)
    assert alert is not None and alert.signed
    assert (alert.owner, alert.cause, alert.state) == (PHARMACY, AlertCause.UNKNOWN_SERIAL,
                                                       AlertState.NEW)
    assert alert.subject == report.code.key and alert.packs == (report.code.key,)
    assert alert.detail == report.decision.message
    again = alert_for_verdict(pharmacy, pharmacy.verify(pack("NOBODY")))
    assert again is not None and again.id == alert.id
    assert [a.id for a in list_alerts(pharmacy)] == [alert.id]
    # Closed, the next scan of the same code is a new finding: a new alert.
    close_alert(pharmacy, alert.id, ClosingReason.SCANNING_ERROR, "serial misread")
    third = alert_for_verdict(pharmacy, pharmacy.verify(pack("NOBODY")))
    assert third is not None and third.id != alert.id and third.open


def test_genuine_and_informational_verdicts_raise_no_alert(network: Network) -> None:
    code, = _at_pharmacy(network)
    pharmacy = network[PHARMACY]
    assert alert_for_verdict(pharmacy, pharmacy.verify(code)) is None
    pharmacy.dispense([code])
    double_scan = pharmacy.verify(code)
    assert double_scan.verdict is Verdict.INFORMATION
    assert alert_for_verdict(pharmacy, double_scan) is None
    # The same code scanned at another site is the alert: a copy of a dispensed pack.
    exchange(pharmacy, network[DIST_A])
    copy = network[DIST_A].verify(code)
    alert = alert_for_verdict(network[DIST_A], copy)
    assert alert is not None and alert.cause is AlertCause.CLONE_OR_FORK
    assert list_alerts(pharmacy) == []


def test_an_unregistered_lot_is_an_unknown_batch(network: Network) -> None:
    _at_pharmacy(network)
    pharmacy = network[PHARMACY]
    alert = alert_for_verdict(pharmacy, pharmacy.verify(pack("NOBODY", lot="NOLOT")))
    assert alert is not None and alert.cause is AlertCause.UNKNOWN_BATCH


# --- every closing path -----------------------------------------------------------------
@pytest.mark.parametrize("reason", [ClosingReason.SCANNING_ERROR, ClosingReason.PROCESS_ERROR,
                                    ClosingReason.DATA_ERROR])
def test_closing_with_each_reason(network: Network, reason: ClosingReason) -> None:
    pharmacy = network[PHARMACY]
    alert_id, _key = _unknown_serial_alert(pharmacy)
    closed = close_alert(pharmacy, alert_id, reason, "what was found")
    assert (closed.state, closed.closing, closed.note) == (AlertState.CLOSED, reason,
                                                           "what was found")
    assert [s.step for s in closed.steps] == [AlertStep.RAISE, AlertStep.CLOSE]
    assert closed.confirmed_at is None and closed.notified == () and closed.deadline() is None
    with pytest.raises(AlertClosed, match="stays closed"):
        close_alert(pharmacy, alert_id, reason, "again")
    with pytest.raises(AlertClosed):
        investigate(pharmacy, alert_id)


def test_investigate_then_close(network: Network) -> None:
    pharmacy = network[PHARMACY]
    alert_id, _key = _unknown_serial_alert(pharmacy)
    alert = investigate(pharmacy, alert_id[:6], "asked the wholesaler")
    assert (alert.state, alert.note) == (AlertState.INVESTIGATING, "asked the wholesaler")
    alert = close_alert(pharmacy, alert_id, ClosingReason.DATA_ERROR, "serial not uploaded")
    assert [s.step for s in alert.steps] == [AlertStep.RAISE, AlertStep.INVESTIGATE,
                                             AlertStep.CLOSE]
    assert [s.note for s in alert.steps[1:]] == ["asked the wholesaler", "serial not uploaded"]
    assert alert.state is AlertState.CLOSED and alert.updated_at == alert.steps[-1].time


def test_confirmed_falsified_starts_the_clock_and_reports_to_regulator_and_partners(
        network: Network) -> None:
    code, = _at_pharmacy(network)
    pharmacy = network[PHARMACY]
    alert = raise_alert(pharmacy, AlertCause.REPORTED_SUSPECT, code.key, [code.key],
                        "seal broken, print blurred")
    with pytest.raises(AlertError, match="confirm it first"):
        report_alert(pharmacy, alert.id)
    confirmed = confirm_falsified(pharmacy, alert.id, "the maker says not theirs")
    assert confirmed.confirmed_at is not None and confirmed.reported_at is None
    assert confirmed.deadline() == clock.parse_iso(confirmed.confirmed_at) + REPORT_DEADLINE
    with pytest.raises(AlertError, match="already confirmed"):
        confirm_falsified(pharmacy, alert.id)
    with pytest.raises(AlertError, match="close it as confirmed falsified"):
        close_alert(pharmacy, alert.id, ClosingReason.SCANNING_ERROR, "oops")
    reported = report_alert(pharmacy, alert.id)
    # The regulator and everyone in the pack's chain (maker, wholesaler), not ourselves.
    assert reported.notified == (REGULATOR, MAKER, DIST_A)
    assert reported.reported_at is not None and reported.deadline() is None
    assert report_alert(pharmacy, alert.id) == reported  # reported once
    closed = close_alert(pharmacy, alert.id, ClosingReason.CONFIRMED_FALSIFIED, "destroyed")
    assert [s.step for s in closed.steps] == [AlertStep.RAISE, AlertStep.CONFIRM,
                                              AlertStep.REPORT, AlertStep.CLOSE]
    assert (closed.closing, closed.note, closed.notified) == (
        ClosingReason.CONFIRMED_FALSIFIED, "destroyed", (REGULATOR, MAKER, DIST_A))


def test_closing_as_confirmed_falsified_signs_confirm_and_report_first(network: Network
                                                                        ) -> None:
    pharmacy = network[PHARMACY]
    alert_id, _key = _unknown_serial_alert(pharmacy)
    size = pharmacy.store.log_size(PHARMACY)
    closed = close_alert(pharmacy, alert_id, ClosingReason.CONFIRMED_FALSIFIED, "fake")
    assert pharmacy.store.log_size(PHARMACY) == size + 3
    assert [s.step for s in closed.steps] == [AlertStep.RAISE, AlertStep.CONFIRM,
                                              AlertStep.REPORT, AlertStep.CLOSE]
    assert closed.notified == (REGULATOR,)  # a serial nobody issued has no chain
    assert closed.confirmed_at is not None and closed.deadline() is None


def test_ids_and_prefixes(network: Network) -> None:
    pharmacy = network[PHARMACY]
    alert_id, _key = _unknown_serial_alert(pharmacy)
    assert get_alert(pharmacy, alert_id[:6].upper()).id == alert_id
    with pytest.raises(AlertNotFound, match="at least 6"):
        get_alert(pharmacy, alert_id[:5])
    with pytest.raises(AlertNotFound, match="No alert"):
        get_alert(pharmacy, "ffffffffffffffff" if alert_id[0] != "f" else "0000000000000000")


# --- only the owner steps its alert -------------------------------------------------------
def test_another_member_cannot_step_my_alert(network: Network) -> None:
    pharmacy, dist, regulator = network[PHARMACY], network[DIST_A], network[REGULATOR]
    alert_id, _key = _unknown_serial_alert(pharmacy)
    exchange(pharmacy, dist)
    with pytest.raises(AlertError, match="only the site that raised"):
        close_alert(dist, alert_id, ClosingReason.DATA_ERROR, "not yours")
    with pytest.raises(RuleViolation, match="not one that 5012345000039 raised"):
        dist.append([dist._event(EventType.ALERT, alert=AlertBody(
            alert_id, AlertStep.CLOSE, closing=ClosingReason.DATA_ERROR))])
    # Altered software signs it anyway: every node that ingests it rejects it.
    forged = Event(EventType.ALERT, DIST_A, dist.me.key_id, now_iso(), reason="closed by us",
                   alert=AlertBody(alert_id, AlertStep.CLOSE, closing=ClosingReason.DATA_ERROR))
    _forge(dist, [forged])
    exchange(pharmacy, regulator)
    exchange(dist, regulator)
    row = regulator.ledger.event_status(forged.hash)
    assert row is not None and row.status is EventStatus.REJECTED
    assert "only the member that raised an alert may take it further" in (row.reason or "")
    held = get_alert(regulator, alert_id)
    assert held.owner == PHARMACY and held.state is AlertState.NEW
    audit(regulator.ledger)


def test_a_step_out_of_order_is_rejected_on_ingest(network: Network) -> None:
    pharmacy, regulator = network[PHARMACY], network[REGULATOR]
    alert_id, _key = _unknown_serial_alert(pharmacy)
    close_alert(pharmacy, alert_id, ClosingReason.SCANNING_ERROR, "misread")
    late = Event(EventType.ALERT, PHARMACY, pharmacy.me.key_id, now_iso(),
                 alert=AlertBody(alert_id, AlertStep.INVESTIGATE))
    report_early = Event(EventType.ALERT, PHARMACY, pharmacy.me.key_id, now_iso(),
                         alert=AlertBody("00" * 8, AlertStep.REPORT))
    _forge(pharmacy, [late, report_early])
    exchange(pharmacy, regulator)
    for forged, why in ((late, "closed"), (report_early, "not one that")):
        row = regulator.ledger.event_status(forged.hash)
        assert row is not None and row.status is EventStatus.REJECTED and why in row.reason
    assert get_alert(regulator, alert_id).state is AlertState.CLOSED
    audit(regulator.ledger)


# --- the same life everywhere -----------------------------------------------------------------
def test_the_regulator_sees_the_pharmacys_alert_with_the_same_life(network: Network) -> None:
    code, = _at_pharmacy(network)
    pharmacy, regulator = network[PHARMACY], network[REGULATOR]
    open_one = alert_for_verdict(pharmacy, pharmacy.verify(pack("NOBODY")))
    falsified = raise_alert(pharmacy, AlertCause.REPORTED_SUSPECT, code.key, [code.key],
                            "blurred print")
    investigate(pharmacy, falsified.id, "sent to the maker")
    falsified = close_alert(pharmacy, falsified.id, ClosingReason.CONFIRMED_FALSIFIED,
                            "confirmed by the maker")
    for gln in (MAKER, DIST_A, PHARMACY):
        exchange(network[gln], regulator)
    assert open_one is not None
    national = {a.id: a for a in list_alerts(regulator, national=True)}
    assert national[falsified.id] == falsified
    assert national[open_one.id] == get_alert(pharmacy, open_one.id)
    assert list_alerts(regulator) == []  # its own queue: none of its own
    assert [a.id for a in list_alerts(regulator, national=True, state=AlertState.CLOSED)] == [
        falsified.id]
    assert [a.id for a in list_alerts(regulator, national=True,
                                      cause=AlertCause.UNKNOWN_SERIAL)] == [open_one.id]
    assert {a.id for a in list_alerts(regulator, owner=PHARMACY, national=True)} == {
        open_one.id, falsified.id}
    before = regulator.store.derived_snapshot()
    regulator.ledger.rebuild()
    assert regulator.store.derived_snapshot() == before
    audit(regulator.ledger)


# --- local detections -------------------------------------------------------------------
def test_a_fork_is_listed_as_a_new_alert_and_acting_on_it_signs_it(network: Network) -> None:
    maker = network[MAKER]
    code, = maker.commission(GTIN, "L1", EXPIRY, 1)
    genesis = maker.ledger.pack(code.key).head
    maker.ship(DIST_A, [code])
    maker.append([Event(EventType.SHIP, MAKER, maker.me.key_id, now_iso(),
                        (Item(code.key, genesis),), to=DIST_B)])
    (fork,) = [a for a in maker.store.alerts() if a.kind == "forked_chain"]
    (listed,) = list_alerts(maker)
    assert listed.id == detection_id("forked_chain", fork.subject, fork.evidence)
    assert (listed.signed, listed.state, listed.owner, listed.cause) == (
        False, AlertState.NEW, MAKER, AlertCause.CLONE_OR_FORK)
    assert (listed.kind, listed.subject, listed.evidence, listed.packs) == (
        "forked_chain", code.key, fork.evidence, (code.key,))
    assert listed.raised_at == max(r.time for r in maker.store.event_rows(
        fork.evidence.split(",")).values())
    assert list_alerts(maker) == [listed]  # stable
    # Scanning the forked pack finds the detection rather than raising a second alert.
    scanned = alert_for_verdict(maker, maker.verify(code))
    assert scanned is not None and scanned.id == listed.id and scanned.signed
    acted = investigate(maker, listed.id, "asked both wholesalers")
    assert [s.step for s in acted.steps] == [AlertStep.RAISE, AlertStep.INVESTIGATE]
    assert acted.detail == fork.detail and acted.cause is AlertCause.CLONE_OR_FORK
    assert [a.id for a in list_alerts(maker)] == [listed.id]  # listed once, signed
    assert list_alerts(maker)[0].signed


def test_evidence_is_listed_but_peer_trouble_is_not(network: Network) -> None:
    dist = network[DIST_A]
    with dist.store.transaction():
        dist.store.put_evidence("unreachable", "https://peer.example", "https://peer.example",
                                "timed out", "d1", "", now_iso())
        dist.store.put_evidence("bad_checkpoint", MAKER, "https://peer.example",
                                "not signed by the author", "d2", "note text", now_iso())
    (listed,) = list_alerts(dist)
    assert (listed.cause, listed.kind, listed.subject, listed.peer, listed.signed) == (
        AlertCause.FORGED_RECORD, "bad_checkpoint", MAKER, "https://peer.example", False)
    assert listed.packs == () and listed.evidence == "note text"
    with pytest.raises(AlertError, match="names no pack"):
        report_alert(dist, confirm_falsified(dist, listed.id).id, Path("form.json"))
    assert get_alert(dist, listed.id).reported_at is None  # nothing signed
    closed = close_alert(dist, listed.id, ClosingReason.CONFIRMED_FALSIFIED, "forged, told")
    assert closed.signed and closed.subject == MAKER and closed.state is AlertState.CLOSED
    assert closed.notified == (REGULATOR,)
    assert list_alerts(dist, state=AlertState.NEW) == []


def test_a_version_3_file_gains_an_empty_alert_steps_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from supplychain.ledger import sql
    from supplychain.ledger.store import Store

    path = tmp_path / "v3.sqlite"
    store = Store(path, create=True)
    store.conn.execute("DROP TABLE alert_steps")
    store.set_meta("schema_version", "3")
    store.close()
    store = Store(path)
    assert store.table_columns("alert_steps")[:3] == ["owner", "idx", "alert_id"]
    assert store.get_meta("schema_version") == str(sql.SCHEMA_VERSION)
    assert store.query_all(sql.ALL_ALERT_STEPS) == []
    store.close()
