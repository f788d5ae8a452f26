"""Alert lives are a function of the logs alone: any arrival order of the logs' entries gives
the same alert_steps (and the same rejected steps) as the canonical order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.clock import now_iso
from supplychain.ledger.alert_events import AlertBody, AlertStep
from supplychain.ledger.alert_life import AlertCause, ClosingReason
from supplychain.ledger.events import Event, EventType
from supplychain.node.alerts import close_alert, investigate, raise_alert
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from tests.conftest import DIST_A, MEMBERS, PASSPHRASE, PHARMACY, REGULATOR
from tests.test_order_independence import (
    FIXTURE_OK,
    _forge,
    assert_any_order_matches,
    canonical_order,
    ingest,
    scenario_of,
)

pytestmark = pytest.mark.both_backends
PACK = "05012345000015/NOBODY"


@pytest.fixture(scope="module")
def alert_logs(tmp_path_factory: pytest.TempPathFactory):
    """Three owners' alert logs: lives that end each way, and a wholesaler's forged close of
    the pharmacy's alert (rejected wherever it arrives)."""
    root = tmp_path_factory.mktemp("alert-order")
    _, homes = build_network(root, "Order Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in homes.items()}
    pharmacy, dist, regulator = nodes[PHARMACY], nodes[DIST_A], nodes[REGULATOR]
    first = raise_alert(pharmacy, AlertCause.UNKNOWN_SERIAL, PACK, [PACK], "nobody issued it")
    second = raise_alert(pharmacy, AlertCause.RECALL, PACK, [PACK], "recalled lot")
    theirs = raise_alert(dist, AlertCause.DIVERSION, PACK, [PACK], "not ours")
    investigate(pharmacy, first.id, "calling the maker")
    close_alert(pharmacy, second.id, ClosingReason.DATA_ERROR, "old recall list")
    raise_alert(regulator, AlertCause.REWRITTEN_LOG, DIST_A, [], "two roots of one size")
    _forge(dist, [Event(EventType.ALERT, DIST_A, dist.me.key_id, now_iso(), alert=AlertBody(
        first.id, AlertStep.CLOSE, closing=ClosingReason.DATA_ERROR))])
    close_alert(pharmacy, first.id, ClosingReason.CONFIRMED_FALSIFIED, "confirmed")
    close_alert(dist, theirs.id, ClosingReason.PROCESS_ERROR, "scanned twice")
    return scenario_of(pharmacy, nodes)


def test_the_scenario_has_lives_and_a_rejected_step(alert_logs, new_store) -> None:
    snapshot = ingest(alert_logs, canonical_order(alert_logs), new_store)["snapshot"]
    steps = snapshot["alert_steps"]
    assert len(steps) == 4 + 1 + 3 + 2  # raises, investigate, closes, confirm and report
    assert [row[5] for row in snapshot["events"]].count("rejected") == 1
    assert any(row[0] == "rejected_event" for row in snapshot["alerts"])


def test_reverse_order_matches(alert_logs, new_store) -> None:
    reference = ingest(alert_logs, canonical_order(alert_logs))
    assert ingest(alert_logs, list(reversed(canonical_order(alert_logs))),
                  new_store) == reference


@settings(max_examples=25, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_arrival_order_gives_the_same_lives(alert_logs, new_store, data) -> None:
    assert_any_order_matches(alert_logs, data, new_store)
