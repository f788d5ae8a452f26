"""On PostgreSQL, a pull's page whose transaction conflicts with another writer is run again
(sync/parallel_pull.py through ledger/parallel.py's retry): the pull ends as without it."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from supplychain.ledger import parallel
from supplychain.ledger.audit import audit
from supplychain.ledger.backends import open_store
from supplychain.ledger.logs import Ledger
from supplychain.ledger.store import Store
from supplychain.sync.protocol import EntriesDoc, EntriesRequest
from supplychain.sync.puller import pull_from
from supplychain.sync.replica import Replica
from tests.conftest import DIST_A, DIST_B, MAKER, PHARMACY, REGULATOR, Network
from tests.sync.helpers import MemoryPeer, run, state
from tests.sync.test_pull_parallel import HUB, _history, _parallel


@pytest.fixture
def backend() -> str:
    """This file is about PostgreSQL's serialization failures: the network lives there."""
    return "postgresql"


def _open_store(url: str, all_running: Any) -> None:
    parallel.run_job  # noqa: B018 - the module whose per-process store this opens
    parallel._store(url)
    all_running.wait(60)


def _open_in_every_worker(url: str, workers: int) -> None:
    """Each ingest worker opens its connection now (opening runs DDL that would wait for the
    other writer's transaction, and then start the page on a fresh snapshot: no conflict)."""
    with multiprocessing.Manager() as manager:
        barrier = manager.Barrier(workers)  # each job holds its process until all run
        pool = parallel.pool(workers)
        for job in [pool.submit(_open_store, url, barrier) for _ in range(workers)]:
            job.result()


@pytest.fixture(scope="module", autouse=True)
def _workers() -> Iterator[None]:
    yield
    parallel.shutdown()


def test_a_conflicting_writer_makes_the_page_run_again(network: Network,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """Another writer appends DIST_A's first entries and keeps its transaction open while the
    pull's workers apply pages: a worker whose page meets its rows waits, and when the other
    writer commits, PostgreSQL aborts that worker's transaction (a serialization failure). Run
    again, the page lands; DIST_A's first entries are found held, and the pull ends exactly
    as without the other writer."""
    _history({g: network[g] for g in (MAKER, DIST_A, DIST_B, REGULATOR)})
    hub = Replica(network[REGULATOR].ledger, REGULATOR)
    target = _parallel(network[PHARMACY], 3)  # every log in flight at once
    with target.store.transaction():
        target.store.add_peer(HUB, "2026-01-01T00:00:00+00:00")
    url = str(getattr(target.store, "url"))  # noqa: B009 - a PgStore
    _open_in_every_worker(url, 3)
    other = open_store(url)
    other_ledger = Ledger(other, target.ledger.root_cert, target.consortium)
    first = hub.store.entries(DIST_A, 0, 2)
    appended, go_on = threading.Event(), threading.Event()

    def writer() -> None:
        with other.transaction(shared=True):
            other_ledger.append_entries(DIST_A, 0, first, workers=0)
            appended.set()
            go_on.wait(60)

    thread = threading.Thread(target=writer)

    released = asyncio.Event()

    class Gated(MemoryPeer):
        """Serves DIST_A's first page once the other writer holds its entries; the other
        logs' pages only after that writer commits (so no other write of the pull queues up
        for the writer lock meanwhile)."""

        async def entries(self, request: EntriesRequest) -> EntriesDoc:
            if request.gln == DIST_A and request.start == 0:
                thread.start()
                assert await asyncio.to_thread(appended.wait, 30)
            elif request.gln != DIST_A:
                await released.wait()
            return await super().entries(request)

    def worker_waits() -> bool:
        with psycopg.connect(url, autocommit=True) as watcher:
            row = watcher.execute(  # a worker waits on a page's row
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'transactionid'"
                " AND datname = current_database()").fetchone()
            return bool(row is not None and row[0])

    store_thread = ThreadPoolExecutor(1)  # the store's own thread: the event loop stays free

    async def go() -> Any:
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(pull_from(
            Gated(hub, HUB), Replica(target.ledger, target.gln),
            lambda fn: loop.run_in_executor(store_thread, fn), batch=2))
        while not await asyncio.to_thread(worker_waits):  # another process: no event
            assert not task.done(), task.result()
            await asyncio.sleep(0.05)
        go_on.set()
        released.set()
        return await task

    try:
        with caplog.at_level(logging.INFO, "supplychain.sync"):
            report = run(asyncio.wait_for(go(), 120))
    finally:
        go_on.set()
        if thread.is_alive():
            thread.join()
        other.close()
        store_thread.shutdown()
    assert report.error is None, report.error
    retried = [r.getMessage() for r in caplog.records if "conflicts with other" in r.getMessage()]
    # DIST_A's first page met the other writer's rows (the other pages may meet each other's)
    assert any(m.startswith(f"log {DIST_A}: batch from 0 run ") for m in retried), retried
    assert report.new_entries[DIST_A] == network[REGULATOR].store.log_size(DIST_A) - 2
    for gln in (MAKER, DIST_A, DIST_B):
        assert target.ledger.root(gln) == hub.ledger.root(gln)
    assert state(target)[2] == _serial_state(network, hub)
    audit(target.ledger)


def _serial_state(network: Network, hub: Replica) -> Any:
    fresh = Store(":memory:", create=True)
    replica = Replica(Ledger(fresh, hub.ledger.root_cert, hub.ledger.consortium), PHARMACY)
    for pem in network[PHARMACY].store.all_member_certs():
        with fresh.transaction():
            replica.ledger.add_member_certificate(pem)
    assert run(pull_from(MemoryPeer(hub, HUB), replica, workers=0)).error is None
    return fresh.derived_snapshot()
