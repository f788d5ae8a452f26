"""Ingest with signatures verified in worker processes gives exactly the serial result."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from supplychain.errors import EventError, InvalidSignature
from supplychain.ledger import logs as ledger_module
from supplychain.ledger import verify_pool
from supplychain.ledger.events import Event, EventType, Item, SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.store import Store
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, MEMBERS, PASSPHRASE

PACKS = 2_100
pytestmark = pytest.mark.both_backends


def MEMORY() -> Store:  # noqa: N802 - the default store factory
    return Store(":memory:", create=True)


@pytest.fixture(scope="module", autouse=True)
def _pool() -> Iterator[None]:
    yield
    verify_pool.shutdown()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    """Two logs, over 2,000 entries: commissions, ships, receives that arrive before their
    ships (pending), a fork, a rejected ship, a recall and a report."""
    root = tmp_path_factory.mktemp("parallel")
    _, homes = build_network(root, "Parallel Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(homes[g], lambda: PASSPHRASE) for g in (MAKER, DIST_A)}
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    logs: dict[str, list[bytes]] = {MAKER: [], DIST_A: []}
    clock = iter(range(10**9))

    def add(gln: str, etype: EventType, items: tuple[Item, ...], **fields: object) -> str:
        node = nodes[gln]
        when = (t0 + timedelta(seconds=next(clock))).isoformat(timespec="milliseconds")
        event = Event(etype, node.gln, node.me.key_id, when, items, **fields)  # type: ignore[arg-type]
        data = event.to_bytes()
        logs[gln].append(SignedEvent(event, node._signing_key().sign(data), data).to_bytes())
        return hashlib.sha256(data).hexdigest()

    genesis = [add(MAKER, EventType.COMMISSION,
                   (Item(f"{GTIN}/P{i:08d}", None, "L1", date(2030, 1, 31)),))  # type: ignore[arg-type]
               for i in range(PACKS)]
    for i in range(100):
        pack = f"{GTIN}/P{i:08d}"
        ship = add(MAKER, EventType.SHIP, (Item(pack, genesis[i]),), to=DIST_A)  # type: ignore[arg-type]
        add(DIST_A, EventType.RECEIVE, (Item(pack, ship),))  # type: ignore[arg-type]
    fork = f"{GTIN}/P{150:08d}"
    add(MAKER, EventType.SHIP, (Item(fork, genesis[150]),), to=DIST_A)  # type: ignore[arg-type]
    add(MAKER, EventType.SHIP, (Item(fork, genesis[150]),), to=DIST_B)  # type: ignore[arg-type]
    # Not the custodian: rejected.
    add(DIST_A, EventType.SHIP, (Item(f"{GTIN}/P{160:08d}", genesis[160]),), to=DIST_B)  # type: ignore[arg-type]
    add(MAKER, EventType.RECALL, (), gtin=GTIN, lot="L1", reason="precaution")
    add(DIST_A, EventType.REPORT, (Item(f"{GTIN}/P{170:08d}"),), reason="seal broken")  # type: ignore[arg-type]
    pems = nodes[MAKER].store.all_member_certs()
    result = (nodes[MAKER].root_cert, nodes[MAKER].consortium, pems, logs)
    for node in nodes.values():
        node.close()
    return result


def ingest(world, workers: int, order: tuple[str, ...] = (DIST_A, MAKER),
           batch: int = 10_000, new_store: Callable[[], Store] = MEMORY) -> dict:
    root_cert, consortium, pems, logs = world
    store = new_store()
    ledger = Ledger(store, root_cert, consortium)
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
    for gln in order:
        for start in range(0, len(logs[gln]), batch):
            with store.transaction():
                ledger.append_entries(gln, start, logs[gln][start:start + batch],
                                      workers=workers)
    out = {"snapshot": store.derived_snapshot(), "roots": {g: ledger.root(g) for g in logs},
           "sizes": store.log_sizes()}
    with store.transaction():
        ledger.rebuild()
    out["rebuilt"] = store.derived_snapshot()
    store.close()
    return out


def test_the_world_has_the_interesting_cases(world) -> None:
    snapshot = ingest(world, 0)["snapshot"]
    statuses = {row[5] for row in snapshot["events"]}
    assert statuses == {"applied", "rejected"}
    assert any(row[-1] == 1 for row in snapshot["packs"])  # a fork
    assert snapshot["recalls"] and snapshot["reports"]
    assert len(world[3][MAKER]) >= ledger_module.PARALLEL_MIN


def test_parallel_ingest_equals_serial(world, new_store) -> None:
    serial = ingest(world, 0)
    assert serial["rebuilt"] == serial["snapshot"]
    assert ingest(world, 2, new_store=new_store) == serial
    assert ingest(world, 2, order=(MAKER, DIST_A)) == ingest(world, 0, order=(MAKER, DIST_A))


def test_small_chunks_and_batches_equal_serial(world, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = ingest(world, 0, batch=700)
    monkeypatch.setattr(ledger_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(ledger_module, "PARALLEL_CHUNK", 97)
    assert ingest(world, 2, batch=700) == serial
    assert ingest(world, 1, batch=700) == serial


def _refusal(world, entries: list[bytes], workers: int,
             new_store: Callable[[], Store] = MEMORY) -> tuple[type, str, dict, dict]:
    root_cert, consortium, pems, logs = world
    store = new_store()
    ledger = Ledger(store, root_cert, consortium)
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
    with store.transaction():
        ledger.append_entries(DIST_A, 0, logs[DIST_A], workers=workers)
    before = (store.derived_snapshot(), store.log_sizes())
    with pytest.raises((InvalidSignature, EventError)) as caught:
        with store.transaction():
            ledger.append_entries(MAKER, 0, entries, workers=workers)
    after = (store.derived_snapshot(), store.log_sizes())
    assert after == before  # nothing written
    # A savepoint inside a transaction the caller keeps: still nothing written.
    with store.transaction():
        with pytest.raises((InvalidSignature, EventError)):
            ledger.append_entries(MAKER, 0, entries, workers=workers)
        assert (store.derived_snapshot(), store.log_sizes()) == before
    store.close()
    return type(caught.value), str(caught.value), after[0], after[1]


def _forge(data: bytes) -> bytes:
    signed = SignedEvent.from_bytes(data)
    return SignedEvent(signed.event, bytes(64)).to_bytes()


@pytest.mark.parametrize("where", [5, 1_234, 2_000])
def test_forged_entry_is_refused_the_same_way(world, where: int, new_store) -> None:
    entries = list(world[3][MAKER])
    entries[where] = _forge(entries[where])
    serial = _refusal(world, entries, 0)
    parallel = _refusal(world, entries, 2, new_store)
    assert serial == parallel
    assert serial[0] is InvalidSignature and f"Entry {where} of log {MAKER}" in serial[1]


def test_first_bad_entry_wins_whatever_its_fault(world) -> None:
    entries = list(world[3][MAKER])
    entries[1_500] = _forge(entries[1_500])
    entries[1_700] = entries[1_700].replace(b'"v":1', b'"v":2')  # unparseable after a forgery
    serial = _refusal(world, entries, 0)
    assert serial == _refusal(world, entries, 2)
    assert serial[0] is InvalidSignature and "Entry 1500" in serial[1]
    entries = list(world[3][MAKER])
    entries[900] = entries[900].replace(b'"v":1', b'"v":2')  # a bad entry before a forgery
    entries[1_000] = _forge(entries[1_000])
    serial = _refusal(world, entries, 0)
    assert serial == _refusal(world, entries, 2)
    assert serial[0] is EventError and "version" in serial[1]


def test_workers_are_on_by_default_where_there_are_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(verify_pool.WORKERS_ENV, raising=False)
    monkeypatch.setattr(verify_pool.os, "cpu_count", lambda: 2)
    assert verify_pool.default_workers() == 2
    monkeypatch.setattr(verify_pool.os, "cpu_count", lambda: 1)
    assert verify_pool.default_workers() == 0
    monkeypatch.setattr(verify_pool.os, "cpu_count", lambda: 64)
    assert verify_pool.default_workers() == verify_pool.MAX_DEFAULT_WORKERS
    monkeypatch.setenv(verify_pool.WORKERS_ENV, "0")
    assert verify_pool.default_workers() == 0


def test_a_default_ledger_verifies_a_sync_sized_batch_in_workers(
        world, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bundle import and sync call ``append_entries`` without ``workers``: a batch of a
    sync's size goes to the workers when the ledger's default has them."""
    root_cert, consortium, pems, logs = world
    store = Store(":memory:", create=True)
    ledger = Ledger(store, root_cert, consortium)
    ledger.verify_workers = 2
    with store.transaction():
        for pem in pems:
            ledger.add_member_certificate(pem)
    sent: list[int] = []
    submit = verify_pool.submit
    monkeypatch.setattr(verify_pool, "submit",
                        lambda workers, jobs: sent.append(len(jobs)) or submit(workers, jobs))
    batch = logs[MAKER][:ledger_module.PARALLEL_MIN]
    with store.transaction():
        ledger.append_entries(MAKER, 0, batch)
    assert sum(sent) == len(batch) and len(sent) > 1
    store.close()
