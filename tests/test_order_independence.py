"""Pack state is a pure function of the set of valid events, whatever order they arrive in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplychain.clock import now_iso, parse_iso, to_iso
from supplychain.identity.keys import load_private_key
from supplychain.ids import PackKey
from supplychain.interchange.bundle import exchange
from supplychain.ledger import parallel
from supplychain.ledger.backends import open_store
from supplychain.ledger.events import Event, EventType, Item, SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.store import Store
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, MEMBERS, PASSPHRASE, PHARMACY
from tests.pg import PgServer

pytestmark = pytest.mark.both_backends
# new_store is a factory: each example makes fresh stores with it.
FIXTURE_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


def scenario_of(maker: Node, nodes: dict[str, Node]) -> tuple:
    """A scenario's shape from the nodes that played it (closed here): (root_cert,
    consortium, member pems, {gln: entries})."""
    logs = {g: n.store.entries(g, 0, n.store.log_size(g)) for g, n in nodes.items()
            if n.store.log_size(g)}
    result = (maker.root_cert, maker.consortium, maker.store.all_member_certs(), logs)
    for node in nodes.values():
        node.close()
    return result


def assert_any_order_matches(scenario, data: st.DataObject,
                             new_store: Callable[[], Store]) -> None:
    """Ingesting the scenario's entries in an interleaving hypothesis draws gives exactly the
    state of ingesting them in canonical order."""
    reference = ingest(scenario, canonical_order(scenario))
    order = data.draw(interleavings(scenario[3]))
    assert ingest(scenario, order, new_store) == reference


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory):
    """Logs of a busy little network: chains across four logs, a fork, a rejected event,
    a recall and a report. Returns (root_cert, consortium, member pems, {gln: entries})."""
    root = tmp_path_factory.mktemp("order")
    consortium, homes = build_network(root, "Order Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in homes.items()}
    maker, dist_a, pharmacy = nodes[MAKER], nodes[DIST_A], nodes[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 4)
    maker.ship(DIST_A, codes[:3])
    exchange(maker, dist_a)
    dist_a.receive(codes[:3])
    dist_a.ship(PHARMACY, codes[:2])
    exchange(dist_a, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes[:2])
    pharmacy.dispense(codes[:1])
    pharmacy.report(codes[3:4], "seal broken")
    maker.recall(GTIN, "L1", "precaution")
    # A fork: the manufacturer ships pack 3 twice from the same prev.
    genesis = maker.ledger.chain(codes[3].key)[0].event_hash
    maker.ship(DIST_B, codes[3:4])
    maker.append([Event(EventType.SHIP, MAKER, maker.me.key_id, now_iso(),
                        (Item(codes[3].key, genesis),), to=DIST_A)])
    return scenario_of(maker, nodes)


def _forge(node: Node, events: list[Event]) -> None:
    """Sign events with the node's own key past ``Node.append``'s checks (altered software)."""
    key = load_private_key(node.home / "member.key", PASSPHRASE)
    entries = [SignedEvent(e, key.sign(e.to_bytes())).to_bytes() for e in events]
    with node.store.transaction():
        node.ledger.append_entries(node.gln, node.store.log_size(node.gln), entries)


@pytest.fixture(scope="module")
def backdated(tmp_path_factory: pytest.TempPathFactory):
    """Logs with backdated entries, signed by altered software: a receipt dated before the
    shipment it extends (in another log) and a shipment extending it; a commission dated a
    day before the entry ahead of it in its own log. Same shape as ``scenario``."""
    root = tmp_path_factory.mktemp("backdated")
    _, homes = build_network(root, "Order Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(h, lambda: PASSPHRASE) for g, h in homes.items()}
    maker, dist_a = nodes[MAKER], nodes[DIST_A]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 3)
    shipped = maker.ship(DIST_A, codes[:2])
    exchange(maker, dist_a)
    an_hour_before = to_iso(parse_iso(shipped.event.time) - timedelta(hours=1))
    receipt = Event(EventType.RECEIVE, DIST_A, dist_a.me.key_id, an_hour_before,
                    (Item(codes[0].key, shipped.hash),))
    _forge(dist_a, [receipt])
    dist_a.receive(codes[1:2])
    _forge(dist_a, [Event(EventType.SHIP, DIST_A, dist_a.me.key_id, now_iso(),
                          (Item(codes[0].key, receipt.hash),), to=PHARMACY)])
    yesterday = to_iso(parse_iso(now_iso()) - timedelta(days=1))
    _forge(maker, [Event(EventType.COMMISSION, MAKER, maker.me.key_id, yesterday,
                         (Item(PackKey(f"{GTIN}/BACK"), None, "L1", date(2030, 1, 31)),))])
    maker.ship(DIST_B, codes[2:3])
    return scenario_of(maker, nodes)


def ingest(scenario, order: list[tuple[str, int, int]],
           new_store: Callable[[], Store] = lambda: Store(":memory:", create=True)) -> dict:
    root_cert, consortium, pems, _logs = scenario
    store = new_store()
    ledger = Ledger(store, root_cert, consortium)
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
    for gln, start, end in order:
        with store.transaction():
            ledger.append_entries(gln, start, _logs[gln][start:end])
    snapshot = store.derived_snapshot()
    roots = {g: ledger.root(g) for g in _logs}
    store.close()
    return {"snapshot": snapshot, "roots": roots}


def canonical_order(scenario) -> list[tuple[str, int, int]]:
    return [(g, 0, len(entries)) for g, entries in sorted(scenario[3].items())]


@st.composite
def interleavings(draw, logs: dict[str, list[bytes]]) -> list[tuple[str, int, int]]:
    """Split every log into chunks and interleave the chunks in any order."""
    queues: dict[str, list[tuple[str, int, int]]] = {}
    for gln, entries in logs.items():
        cuts = sorted(draw(st.sets(st.integers(1, len(entries) - 1), max_size=3))
                      ) if len(entries) > 1 else []
        bounds = [0, *cuts, len(entries)]
        queues[gln] = [(gln, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    order: list[tuple[str, int, int]] = []
    while any(queues.values()):
        gln = draw(st.sampled_from(sorted(g for g, q in queues.items() if q)))
        order.append(queues[gln].pop(0))
    return order


def test_scenario_has_the_interesting_cases(scenario, new_store) -> None:
    result = ingest(scenario, canonical_order(scenario), new_store)
    snapshot = result["snapshot"]
    statuses = {row[5] for row in snapshot["events"]}
    assert statuses == {"applied"}  # own nodes never append rule-breaking events
    assert any(row[-1] == 1 for row in snapshot["packs"])  # a forked pack
    assert snapshot["recalls"] and snapshot["reports"]


def test_reverse_order_matches(scenario, new_store) -> None:
    reference = ingest(scenario, canonical_order(scenario))
    reverse = ingest(scenario, list(reversed(canonical_order(scenario))), new_store)
    assert reverse == reference


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_arrival_order_gives_identical_state(scenario, new_store, data) -> None:
    assert_any_order_matches(scenario, data, new_store)


def test_backdated_scenario_rejects_what_it_should(backdated, new_store) -> None:
    snapshot = ingest(backdated, canonical_order(backdated), new_store)["snapshot"]
    reasons = [row[6] for row in snapshot["events"] if row[5] == "rejected"]
    assert len(reasons) == 3
    assert sum("before the event it extends" in r for r in reasons) == 1
    assert sum("before the entry ahead of it" in r for r in reasons) == 1
    assert sum("was rejected" in r for r in reasons) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_any_arrival_order_gives_identical_state_with_backdated_events(backdated, new_store,
                                                                         data) -> None:
    assert_any_order_matches(backdated, data, new_store)


# --- parallel ingest by log (PostgreSQL): worker processes, one transaction per log ---------
def ingest_by_log(scenario, order: list[str], server: PgServer, workers: int = 2,
                  forged: str | None = None) -> tuple[dict, list[parallel.Outcome]]:
    """Every log of ``scenario`` appended whole by worker processes, submitted in ``order``;
    ``forged``: that log's last entry has a flipped signature byte."""
    root_cert, consortium, pems, logs = scenario
    url = server.url()
    store = open_store(url, create=True)
    ledger = Ledger(store, root_cert, consortium)
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
    jobs = []
    for gln in order:
        entries = list(logs[gln])
        if gln == forged:
            signed = SignedEvent.from_bytes(entries[-1])
            bad = bytes([signed.signature[0] ^ 0x01]) + signed.signature[1:]
            entries[-1] = SignedEvent(signed.event, bad, signed.event_bytes).to_bytes()
        jobs.append(parallel.Append(gln, 0, entries))
    root_pem = root_cert.public_bytes(serialization.Encoding.PEM)
    outcomes = parallel.ingest_appends(parallel.Target(url, root_pem, consortium), jobs,
                                       workers)
    result = {"snapshot": store.derived_snapshot(), "roots": {g: ledger.root(g) for g in logs}}
    store.close()
    return result, outcomes


@pytest.fixture(scope="module")
def _workers() -> Iterator[None]:
    yield
    parallel.shutdown()


@settings(max_examples=8, deadline=None, suppress_health_check=FIXTURE_OK)
@given(order=st.permutations(["A", "B", "C", "D", "E", "F"]), workers=st.integers(2, 3))
def test_parallel_ingest_by_log_in_any_order_equals_serial(scenario, pg_server, _workers,
                                                           order, workers) -> None:
    """Worker processes append different logs at the same time (cross-log prev links,
    pending events, a fork, a recall): same derived state and roots as serial ingest."""
    reference = ingest(scenario, canonical_order(scenario))
    glns = sorted(scenario[3])
    submitted = [glns[ord(c) - ord("A")] for c in order if ord(c) - ord("A") < len(glns)]
    result, outcomes = ingest_by_log(scenario, submitted, pg_server, workers)
    assert [o.error for o in outcomes] == [None] * len(glns)
    assert {o.key for o in outcomes} == set(glns)
    assert result == reference


def test_parallel_ingest_uses_worker_processes(scenario, pg_server, _workers) -> None:
    pids = parallel.pool(2).submit(os.getpid).result(), os.getpid()
    assert pids[0] != pids[1]
    _result, outcomes = ingest_by_log(scenario, sorted(scenario[3]), pg_server)
    assert all(o.error is None for o in outcomes)


def test_forged_entry_refuses_only_its_log(scenario, pg_server, _workers) -> None:
    glns = sorted(scenario[3])
    result, outcomes = ingest_by_log(scenario, glns, pg_server, forged=DIST_A)
    errors = {o.key: o.error for o in outcomes}
    assert "forged" in str(errors.pop(DIST_A))
    assert set(errors.values()) == {None}  # the other logs landed
    others = [(g, 0, len(scenario[3][g])) for g in glns if g != DIST_A]
    expected = ingest(scenario, others)
    assert result["snapshot"] == expected["snapshot"]
    assert result["roots"][DIST_A] == ingest(scenario, [])["roots"][DIST_A]  # empty log
