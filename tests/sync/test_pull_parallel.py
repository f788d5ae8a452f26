"""A pull round on a full node over PostgreSQL ingests several logs at once, each page in a
worker process (sync/parallel_pull.py): the same logs, roots, derived state and verdicts as a
serial pull; a forged page refuses its log while the others land; a page whose transaction
conflicts with another writer is run again; any log order gives the serial result."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplychain.codes.gs1 import PackCode
from supplychain.identity.certificates import load_certificate
from supplychain.ledger import parallel
from supplychain.ledger.audit import audit
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.store import Store
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from supplychain.sync.puller import LocalPeer, PeerFailure, pull_from
from supplychain.sync.replica import Replica
from supplychain.sync.service import SyncService
from tests.conftest import (
    DIST_A,
    DIST_B,
    GTIN,
    MAKER,
    MEMBERS,
    PASSPHRASE,
    PHARMACY,
    REGULATOR,
    Network,
    copy_home,
)
from tests.sync.helpers import MemoryPeer, pull, pull_in_process, run, serving, state

pytestmark = pytest.mark.both_backends

HUB = "https://hub.test"


@pytest.fixture(scope="module", autouse=True)
def _workers() -> Iterator[None]:
    yield
    parallel.shutdown()


def _history(nodes: dict[str, Node]) -> list[PackCode]:
    """Cross-log links (receives of another log's ships), a recall; the regulator (the hub)
    ends up holding the maker's and both distributors' logs."""
    def local(dst: str, src: str) -> None:
        report = asyncio.run(pull_from(LocalPeer(Replica(nodes[src].ledger, src)),
                                       Replica(nodes[dst].ledger, dst), workers=0))
        assert report.error is None

    maker = nodes[MAKER]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 8)
    maker.ship(DIST_A, codes[:4])
    maker.ship(DIST_B, codes[4:])
    for dist, mine in ((DIST_A, codes[:4]), (DIST_B, codes[4:])):
        local(dist, MAKER)
        nodes[dist].receive(mine)
        for code in mine[:2]:  # one event each: the log grows page by page
            nodes[dist].ship(PHARMACY, [code])
    maker.recall(GTIN, "L1", "precaution")
    for src in (MAKER, DIST_A, DIST_B):
        local(REGULATOR, src)
    return codes


def _verdicts(node: Node, codes: list[PackCode]) -> list[dict[str, Any]]:
    out = []
    for code in codes:
        report = node.verify(code).to_dict()
        report.pop("sync")  # when each log was last synced: the two pulls' own times
        out.append(report)
    return out


def _held(node: Node) -> tuple[Any, ...]:
    """``state`` without the times of arrival (two pulls do not run in the same instant)."""
    sizes, checkpoints, derived = state(node)
    return sizes, sorted((c.log, c.size, c.root, c.note) for c in checkpoints), derived


def _parallel(node: Node, workers: int = 2) -> Node:
    """Make ``node`` pull with ``workers`` ingest processes (a PostgreSQL store's setting)."""
    setattr(node.store, "ingest_workers", workers)  # noqa: B010 - PgStore's; SQLite ignores it
    return node


def test_parallel_round_lands_as_a_serial_round(network: Network, tmp_path: Path,
                                                backend: str) -> None:
    """Over real TLS, in pages of two: three logs pulled at once equal a serial pull."""
    codes = _history({g: network[g] for g in (MAKER, DIST_A, DIST_B, REGULATOR)})
    network[PHARMACY].close()
    copy_home(network.homes[PHARMACY], tmp_path / "serial")
    network.reopen(PHARMACY)
    serial = _parallel(Node(tmp_path / "serial", lambda: PASSPHRASE), 0)
    fast = _parallel(network[PHARMACY], 2)

    async def go() -> tuple[Any, Any]:
        async with serving(network[REGULATOR]) as (_, url):
            reports = []
            for node in (serial, fast):
                service = SyncService(node, PASSPHRASE, timeout=10, batch=2)
                try:
                    reports.append((await pull(service, url))[0])
                finally:
                    service.close()
        return reports[0], reports[1]

    try:
        one, two = run(go())
        assert one.error is None and two.error is None
        held = network[REGULATOR].store.log_sizes()
        assert one.new_entries == {g: held[g] for g in (MAKER, DIST_A, DIST_B)}
        assert two.to_dict() == one.to_dict()
        assert list(two.new_entries) == list(one.new_entries)  # the peer's log order
        assert _held(fast) == _held(serial)
        assert {g: fast.ledger.root(g) for g in (MAKER, DIST_A, DIST_B)} == \
            {g: network[REGULATOR].ledger.root(g) for g in (MAKER, DIST_A, DIST_B)}
        assert _verdicts(fast, codes) == _verdicts(serial, codes)
        audit(fast.ledger)
    finally:
        serial.close()


def test_forged_page_refuses_its_log_and_the_others_land(network: Network,
                                                         backend: str) -> None:
    _history({g: network[g] for g in (MAKER, DIST_A, DIST_B, REGULATOR)})
    hub = Replica(network[REGULATOR].ledger, REGULATOR)
    honest = hub.entries_doc

    def forged(gln: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
        doc = honest(gln, params)
        if gln != DIST_A or doc.start > 0:
            return doc
        signed = SignedEvent.from_bytes(doc.entries[1])  # a ship whose signature is bad
        bad = SignedEvent(signed.event, bytes(64), signed.event_bytes).to_bytes()
        return dataclasses.replace(doc, entries=(doc.entries[0], bad, *doc.entries[2:]))

    target = _parallel(network[PHARMACY])
    report = pull_in_process(target, MemoryPeer(hub, HUB, entries_doc=forged))
    assert report.blocked and report.failure is PeerFailure.BLOCKED
    assert "forged" in str(report.error) and DIST_A in str(report.error)
    assert [e.kind for e in target.store.evidence()] == ["forged_entry"]
    sizes = target.store.log_sizes()
    assert sizes.get(DIST_A, 0) == 0  # the page was refused whole
    hub_sizes = network[REGULATOR].store.log_sizes()
    # The logs the peer lists before the forged one land either way; on PostgreSQL the
    # logs after it too (pulled at the same time, each verified on its own).
    order = [g for g in hub_sizes if g in (MAKER, DIST_A, DIST_B)]
    landed = [g for g in order if sizes.get(g, 0) == hub_sizes[g]]
    expected = [g for g in order if g != DIST_A] if backend == "postgresql" \
        else order[:order.index(DIST_A)]
    assert landed == expected
    assert report.new_entries == {g: hub_sizes[g] for g in expected}
    audit(target.ledger)


@pytest.fixture(scope="module")
def hub_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parallel-pull")
    _, homes = build_network(root, "Test Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(homes[g], lambda: PASSPHRASE) for g in (MAKER, DIST_A, DIST_B, REGULATOR)}
    _history(nodes)
    for node in nodes.values():
        node.close()
    return homes[REGULATOR] / "ledger.sqlite"


def _pull_into(hub_path: Path, store: Store, order: list[int], batch: int,
               workers: int) -> tuple[Any, ...]:
    hub_store_ = Store(hub_path)
    root = load_certificate((hub_path.parent / "root.pem").read_bytes())
    hub = Replica(Ledger(hub_store_, root, "Test Health"), REGULATOR)
    honest = hub.checkpoints_doc

    def reordered():  # type: ignore[no-untyped-def]
        doc = honest()
        return dataclasses.replace(doc, logs=tuple(doc.logs[i] for i in order))

    target = Replica(Ledger(store, root, "Test Health"), PHARMACY)
    report = asyncio.run(pull_from(MemoryPeer(hub, HUB, checkpoints_doc=reordered), target,
                                   batch=batch, workers=workers))
    hub_store_.close()
    assert report.error is None, report.error
    result = (store.log_sizes(), {g: target.ledger.root(g) for g in store.log_sizes()},
              store.derived_snapshot())
    return result


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations([0, 1, 2]), batch=st.integers(1, 5), workers=st.integers(2, 3))
def test_any_log_order_and_page_size_gives_the_serial_result(hub_store: Path, new_store: Any,
                                                             order: list[int], batch: int,
                                                             workers: int) -> None:
    reference = _pull_into(hub_store, Store(":memory:", create=True), [0, 1, 2], 1000, 0)
    assert _pull_into(hub_store, new_store(), order, batch, workers) == reference
