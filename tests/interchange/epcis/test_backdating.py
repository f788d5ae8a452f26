"""Backdating through EPCIS import (issue 10, item 3): history may be migrated, but an
imported event never lands before its log's last event or the events it extends, and an undo
of a dispense cannot be dated back into its window."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from supplychain import clock
from supplychain.codes.gs1 import PackCode
from supplychain.errors import RuleViolation
from supplychain.interchange.bundle import exchange
from supplychain.interchange.epcis.importer import import_document
from supplychain.interchange.epcis.uris import sgtin_uri
from supplychain.ledger.events import EventType
from supplychain.ledger.rules import PackStatus
from tests.conftest import GTIN, MAKER, PHARMACY, Network
from tests.interchange.epcis.helpers import (
    as_bytes,
    commission_event,
    document,
    object_event,
    refused,
    sgln,
    ship_event,
)


def ago(days: float) -> str:
    return clock.to_iso(clock.now() - timedelta(days=days))


def pharmacy_step(step: str, disposition: str, serial: str, time: str) -> dict[str, Any]:
    return object_event(bizStep=step, disposition=disposition, eventTime=time,
                        epcList=[sgtin_uri(GTIN, serial, 7)], readPoint=sgln(PHARMACY))


def dispense_event(serial: str, time: str) -> dict[str, Any]:
    return pharmacy_step("dispensing", "dispensed", serial, time)


def undo_event(serial: str, time: str) -> dict[str, Any]:
    return pharmacy_step("stocking", "sellable_accessible", serial, time)


def received_today(network: Network) -> PackCode:
    """A pack commissioned, shipped and received at the pharmacy just now."""
    maker, pharmacy = network[MAKER], network[PHARMACY]
    code = maker.commission(GTIN, "L1", date(2030, 1, 31), 1)[0]
    maker.ship(PHARMACY, [code])
    exchange(maker, pharmacy)
    pharmacy.receive([code])
    return code


def test_a_dispense_backdated_before_receipt_and_commissioning_is_refused(
        network: Network) -> None:
    """The attack: a dispense dated three weeks back, before the pack was even made, and an
    undo dated inside the window of that fake dispense. Neither is imported."""
    code = received_today(network)
    pharmacy = network[PHARMACY]
    doc = document(dispense_event(code.serial, ago(21)), undo_event(code.serial, ago(20)))
    reasons = refused(pharmacy, doc)
    assert "before the entry ahead of it" in reasons[0]  # type: ignore[operator]
    assert reasons[1] is not None
    record = pharmacy.ledger.pack(code.key)
    assert record is not None and record.status is PackStatus.ACTIVE


def test_a_receipt_dated_before_the_shipment_it_extends_is_refused(network: Network) -> None:
    """The pharmacy's log is empty, so only the pack's chain bounds the date: the receipt
    may not precede the manufacturer's shipment it extends."""
    maker, pharmacy = network[MAKER], network[PHARMACY]
    commissioned = import_document(maker, as_bytes(document(
        commission_event(["B1"], time=ago(30)),
        ship_event(["B1"], to=PHARMACY, time=ago(29)))))
    assert commissioned.committed, commissioned.text()
    exchange(maker, pharmacy)
    reasons = refused(pharmacy, document(pharmacy_step("receiving", "in_progress", "B1",
                                                       ago(35))))
    assert "before the event it extends" in reasons[0]  # type: ignore[operator]
    report = import_document(pharmacy, as_bytes(document(
        pharmacy_step("receiving", "in_progress", "B1", ago(28)))))
    assert report.committed, report.text()


def test_an_undo_cannot_be_backdated_into_the_window(network: Network) -> None:
    """History is imported (a month-old dispense); the undo, dated within ten days of that
    dispense and after every event of the pharmacy's log, is still refused: an undo is dated
    when it is signed. Undoing it now is outside the window."""
    maker, pharmacy = network[MAKER], network[PHARMACY]
    history = import_document(maker, as_bytes(document(
        commission_event(["U1"], time=ago(40)),
        ship_event(["U1"], to=PHARMACY, time=ago(39)))))
    assert history.committed, history.text()
    exchange(maker, pharmacy)
    own_history = import_document(pharmacy, as_bytes(document(
        pharmacy_step("receiving", "in_progress", "U1", ago(38)),
        dispense_event("U1", ago(30)))))
    assert own_history.committed, own_history.text()
    reasons = refused(pharmacy, document(undo_event("U1", ago(29))))
    assert "an undo of a dispense is dated when it is signed" in reasons[0]  # type: ignore[operator]
    code = PackCode(GTIN, "U1")  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match="within 10 days"):
        pharmacy.undo_dispense([code])
    assert pharmacy.history(code)[-1].type is EventType.DISPENSE


def test_history_imported_after_the_logs_last_event_is_accepted(network: Network) -> None:
    """Migration stays possible: past events dated after the log's last event import."""
    maker = network[MAKER]
    report = import_document(maker, as_bytes(document(commission_event(["H1"],
                                                                       time=ago(60)))))
    assert report.committed, report.text()
    report = import_document(maker, as_bytes(document(commission_event(["H2"],
                                                                       time=ago(50)))))
    assert report.committed, report.text()
    refused_reasons = refused(maker, document(commission_event(["H3"], time=ago(55))))
    assert "before the entry ahead of it" in refused_reasons[0]  # type: ignore[operator]


def test_an_imported_event_dated_in_the_future_is_refused(network: Network) -> None:
    in_a_day = clock.to_iso(clock.now() + timedelta(days=1))
    reasons = refused(network[MAKER], document(commission_event(["F1"], time=in_a_day)))
    assert "cannot be dated in the future" in reasons[0]  # type: ignore[operator]
