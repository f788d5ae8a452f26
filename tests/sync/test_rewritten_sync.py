"""A rewritten log met by sync over real mutual TLS on loopback: refused AND kept. The peer's
version is fetched whole to find where it parts from the history held here, so the dispute
names that entry; packs in the disputed part get SUSPECT (DISPUTED_LOG)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.interchange.bundle import exchange
from supplychain.ledger.audit import audit
from supplychain.node.operations import Node
from supplychain.sync.puller import PullReport
from supplychain.sync.service import SyncService
from tests.conftest import DIST_A, MAKER, PASSPHRASE, REGULATOR, Network
from tests.rewritten_helpers import assert_dispute_kept, assert_verdicts, rewritten_maker
from tests.sync.helpers import pull, run, serving, state

pytestmark = pytest.mark.both_backends


def _pull_over_tls(network: Network, server_node: Node) -> PullReport:
    regulator = network[REGULATOR]

    async def go() -> PullReport:
        async with serving(server_node) as (_, url):
            service = SyncService(regulator, PASSPHRASE, timeout=5)
            try:
                return (await pull(service, url))[0]  # type: ignore[no-any-return]
            finally:
                service.close()

    return run(go())  # type: ignore[no-any-return]


def test_the_author_serving_a_rewritten_log_is_refused_blocked_and_kept(
        network: Network, tmp_path: Path) -> None:
    case = rewritten_maker(network, tmp_path, fork_entries=2)  # 3 entries against 2
    regulator = network[REGULATOR]
    exchange(network[MAKER], regulator)
    before = state(regulator)
    report = _pull_over_tls(network, case.fork)
    assert report.blocked and report.error is not None
    assert f"Acme Pharma ({MAKER}) rewrote history" in report.error
    assert "the evidence was kept" in report.error and "tell the regulator" in report.error
    assert state(regulator) == before
    dispute = assert_dispute_kept(regulator, "sync", from_index=1)
    assert dispute.relay == MAKER and dispute.entry_index == 1
    assert_verdicts(regulator, disputed=case.late, clear=case.early)
    audit(regulator.ledger)
    case.fork.close()


def test_a_relay_passing_on_a_rewritten_log_leaves_a_dispute_and_stays_a_peer(
        network: Network, tmp_path: Path) -> None:
    case = rewritten_maker(network, tmp_path)  # same size, another root
    regulator, relay = network[REGULATOR], network[DIST_A]
    exchange(case.fork, relay)  # the relay only ever saw the copy's version
    exchange(network[MAKER], regulator)
    before = state(regulator)
    report = _pull_over_tls(network, relay)
    assert not report.blocked and report.refused_logs == [MAKER]
    assert state(regulator) == before
    dispute = assert_dispute_kept(regulator, "sync", from_index=1)
    assert dispute.relay == DIST_A
    assert_verdicts(regulator, disputed=case.late, clear=case.early)
    case.fork.close()
