"""Acting on a local detection (an alert nobody signed yet) signs its raise and the step in
one append, in time order (a log's times never go back)."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.clock import now_iso
from supplychain.ledger.alert_life import AlertCause, AlertState, ClosingReason
from supplychain.ledger.events import Event, EventType, Item
from supplychain.node import alerts
from tests.conftest import MAKER, Network

pytestmark = pytest.mark.both_backends


def _forked_detection(network: Network):  # type: ignore[no-untyped-def]
    maker = network[MAKER]
    code = maker.commission("05012345000015", "L1", date(2030, 1, 31), 1)[0]
    maker.append([Event(EventType.COMMISSION, maker.gln, maker.me.key_id, now_iso(),
                        (Item(code.key, None, code.lot, code.expiry),))])
    detection = next(a for a in alerts.list_alerts(maker) if not a.signed)
    assert detection.cause is AlertCause.CLONE_OR_FORK
    return maker, detection


def test_confirming_a_detection_signs_raise_then_confirm(network: Network) -> None:
    maker, detection = _forked_detection(network)
    confirmed = alerts.confirm_falsified(maker, detection.id, "two packs, one serial")
    assert confirmed.signed and confirmed.id == detection.id
    assert [s.step.value for s in confirmed.steps] == ["raise", "confirm"]
    assert confirmed.steps[0].time <= confirmed.steps[1].time
    assert confirmed.deadline() is not None


def test_closing_a_detection_as_falsified_signs_every_step_in_order(network: Network) -> None:
    maker, detection = _forked_detection(network)
    closed = alerts.close_alert(maker, detection.id, ClosingReason.CONFIRMED_FALSIFIED, "fake")
    assert closed.state is AlertState.CLOSED
    assert [s.step.value for s in closed.steps] == ["raise", "confirm", "report", "close"]
    times = [s.time for s in closed.steps]
    assert times == sorted(times)
