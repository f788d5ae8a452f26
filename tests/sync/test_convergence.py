"""Sync order does not matter: random topologies and pull orders end in identical state.

In-process (LocalPeer, the same pull driver as over HTTP), on in-memory copies of stores.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supplychain.identity.certificates import load_certificate
from supplychain.ledger.logs import Ledger
from supplychain.ledger.store import Store
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from supplychain.sync.puller import LocalPeer, pull_from
from supplychain.sync.replica import Replica
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, MEMBERS, PASSPHRASE, PHARMACY

pytestmark = pytest.mark.both_backends

ROLES = [MAKER, DIST_A, DIST_B, PHARMACY]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each node's store after a shared history: every node holds only part of it."""
    root = tmp_path_factory.mktemp("convergence")
    _, homes = build_network(root, "Test Health", MEMBERS, PASSPHRASE)
    nodes = {g: Node(homes[g], lambda: PASSPHRASE) for g in ROLES}

    def pull(dst: str, src: str) -> None:
        report = asyncio.run(pull_from(LocalPeer(Replica(nodes[src].ledger, src)),
                                       Replica(nodes[dst].ledger, dst), batch=2))
        assert report.error is None

    codes = nodes[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 4)
    nodes[MAKER].ship(DIST_A, codes[:2])
    nodes[MAKER].ship(DIST_B, codes[2:])
    pull(DIST_A, MAKER)
    nodes[DIST_A].receive(codes[:2])
    nodes[DIST_A].ship(PHARMACY, codes[:1])
    pull(PHARMACY, DIST_A)
    nodes[PHARMACY].receive(codes[:1])
    nodes[PHARMACY].dispense(codes[:1])
    nodes[MAKER].recall(GTIN, "L1", "test")
    for node in nodes.values():
        node.close()
    return {g: homes[g] / "ledger.sqlite" for g in ROLES}


def _open(path: Path) -> Replica:
    store = Store(path).copy_to_memory()
    root = load_certificate((path.parent / "root.pem").read_bytes())
    gln = path.parent.name
    return Replica(Ledger(store, root, "Test Health"), gln)


def _snapshot(replica: Replica) -> tuple:
    store = replica.store
    roots = {g: replica.ledger.root(g) for g in store.log_sizes()}
    return roots, store.derived_snapshot()


edges = st.lists(st.tuples(st.sampled_from(range(4)), st.sampled_from(range(4)))
                 .filter(lambda e: e[0] != e[1]), min_size=0, max_size=12)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=edges, batch=st.integers(1, 4), ring_start=st.integers(0, 3))
def test_any_pull_order_converges(scenario: dict[str, Path], order: list[tuple[int, int]],
                                  batch: int, ring_start: int) -> None:
    replicas = [_open(scenario[g]) for g in ROLES]

    async def go() -> None:
        for dst, src in order:  # a random prefix of pulls in a random order
            report = await pull_from(LocalPeer(replicas[src]), replicas[dst], batch=batch)
            assert report.error is None, report.error
        # then a ring topology, starting anywhere, until nothing changes
        for _ in range(3):
            for i in range(4):
                dst = (ring_start + i) % 4
                src = (dst + 1) % 4
                assert (await pull_from(LocalPeer(replicas[src]), replicas[dst],
                                        batch=batch)).error is None
                assert (await pull_from(LocalPeer(replicas[dst]), replicas[src],
                                        batch=batch)).error is None

    asyncio.run(go())
    first = _snapshot(replicas[0])
    assert len(first[0]) == 3  # maker, dist A, pharmacy logs
    for other in replicas[1:]:
        assert _snapshot(other) == first
    for r in replicas:
        r.store.close()

