"""Push over real mutual TLS: an author's new entries reach a full node that verifies them
like a pulled batch; non-authors, forgeries and stale starts are refused; back-off."""

from __future__ import annotations

import json
from datetime import date

import pytest

from supplychain.identity.sharing import SharingMode
from supplychain.sync.access import Rule
from supplychain.sync.push import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    PushDoc,
    PushSchedule,
    backoff_delay,
    next_push,
)
from supplychain.sync.replica import Replica
from supplychain.sync.service import SyncService
from tests.conftest import DIST_A, GTIN, MAKER, OTHER_MAKER, PASSPHRASE, REGULATOR, Network
from tests.sync.access_helpers import request, share
from tests.sync.helpers import make_history, run, serving

pytestmark = pytest.mark.both_backends


def _push_doc(network: Network, gln: str, start: int = 0) -> PushDoc:
    doc = next_push(Replica(network[gln].ledger, gln), gln, start)
    assert doc is not None
    return doc


@pytest.fixture(autouse=True)
def _need_to_know(network: Network) -> None:
    share(network, SharingMode.NEED_TO_KNOW)  # push works whatever the policy


def test_push_is_verified_and_kept(network: Network) -> None:
    make_history(network)
    maker, full = network[MAKER], network[REGULATOR]

    async def go() -> list:
        async with serving(full) as (_, url):
            service = SyncService(maker, PASSPHRASE, timeout=5)
            try:
                first = await service.push_own([url])
                maker.commission(GTIN, "L2", date(2030, 1, 31), 2)
                second = await service.push_own([url])
                third = await service.push_own([url])  # nothing new: not even a request
                return [first, second, third]
            finally:
                service.close()

    first, second, third = run(go())
    assert [(r.pushed, r.held, r.error) for r in first] == [(2, 2, None)]
    assert [(r.pushed, r.held, r.error) for r in second] == [(1, 3, None)]
    assert third == []
    assert full.store.log_sizes()[MAKER] == 3
    assert full.ledger.root(MAKER) == maker.ledger.root(MAKER)
    assert full.store.latest_checkpoint(MAKER).size == 3  # type: ignore[union-attr]
    assert full.store.evidence() == []


def test_a_push_by_another_member_is_refused(network: Network) -> None:
    make_history(network)
    doc = _push_doc(network, MAKER)  # genuine entries, but DIST_A is not their author

    async def go() -> tuple:
        async with serving(network[REGULATOR]) as (_, url):
            return await request(network.homes[DIST_A], "POST",
                                 f"{url}/v1/logs/{MAKER}/push", doc=doc.to_json())

    status, body = run(go())
    assert status == 403 and body["rule"] == Rule.PUSH_OWN_LOG.value
    assert "only a log's author may push it" in body["error"]
    assert network[REGULATOR].store.log_sizes().get(MAKER, 0) == 0
    [evidence] = network[REGULATOR].store.evidence()
    assert (evidence.kind, evidence.peer, evidence.subject) == ("refused_read", DIST_A, MAKER)


def test_a_forged_entry_is_refused_with_evidence_and_nothing_kept(network: Network) -> None:
    make_history(network)
    network[OTHER_MAKER].commission("09506000134352", "X", date(2030, 1, 31), 1)
    honest = _push_doc(network, MAKER)
    alien = _push_doc(network, OTHER_MAKER).entries[0]  # validly signed, by someone else
    forged = PushDoc(MAKER, 0, (honest.entries[0], alien), honest.checkpoint)

    async def go() -> tuple:
        async with serving(network[REGULATOR]) as (_, url):
            return await request(network.homes[MAKER], "POST",
                                 f"{url}/v1/logs/{MAKER}/push", doc=forged.to_json())

    status, body = run(go())
    assert status == 422 and body["held"] == 0 and "forged entry" in body["error"]
    full = network[REGULATOR]
    assert full.store.log_sizes().get(MAKER, 0) == 0
    assert full.store.checkpoint_at(MAKER, 2) is None
    [evidence] = full.store.evidence()
    assert (evidence.kind, evidence.subject, evidence.peer) == ("forged_entry", MAKER,
                                                                f"push:{MAKER}")
    assert json.loads(evidence.evidence)["index"] == 1


def test_a_stale_start_gets_409_and_the_pusher_recovers(network: Network) -> None:
    make_history(network)
    maker, full = network[MAKER], network[REGULATOR]

    async def go() -> tuple:
        async with serving(full) as (_, url):
            service = SyncService(maker, PASSPHRASE, timeout=5)
            try:
                await service.push_own([url])  # the full node holds 2
                stale = await request(network.homes[MAKER], "POST",
                                      f"{url}/v1/logs/{MAKER}/push",
                                      doc=_push_doc(network, MAKER, 0).to_json())
                maker.commission(GTIN, "L2", date(2030, 1, 31), 1)
                service.pusher.schedule.succeeded(url, 0)  # a wrong belief: it holds 0
                recovered = await service.push_own([url])
                return stale, recovered
            finally:
                service.close()

    (status, body), recovered = run(go())
    assert status == 409 and body["held"] == 2
    assert [(r.pushed, r.held, r.error) for r in recovered] == [(1, 3, None)]
    assert full.ledger.root(MAKER) == maker.ledger.root(MAKER)


def test_backoff_delays_double_up_to_the_cap() -> None:
    assert backoff_delay(0) == 0
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [BACKOFF_BASE * f for f in (1, 2, 4, 8)]
    assert backoff_delay(50) == backoff_delay(10_000) == BACKOFF_CAP


def test_an_unreachable_full_node_is_retried_with_backoff(network: Network) -> None:
    make_history(network)
    now = [1000.0]
    url = "https://127.0.0.1:9"  # discard port: nothing listens
    service = SyncService(network[MAKER], PASSPHRASE, timeout=2)
    service.pusher.schedule = PushSchedule(clock=lambda: now[0])

    async def go() -> list:
        rounds = [await service.push_own([url])]
        rounds.append(await service.push_own([url]))  # not due yet: no request
        now[0] += BACKOFF_BASE
        rounds.append(await service.push_own([url]))
        return rounds

    try:
        first, waiting, second = run(go())
    finally:
        service.close()
    assert [(r.pushed, r.retry_in) for r in first] == [(0, BACKOFF_BASE)]
    assert "unreachable" in first[0].error  # type: ignore[operator]
    assert waiting == []
    assert [r.retry_in for r in second] == [2 * BACKOFF_BASE]
    assert not service.pusher.schedule.due(url)
    now[0] += 2 * BACKOFF_BASE
    assert service.pusher.schedule.due(url)
