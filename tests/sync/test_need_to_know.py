"""Need-to-know serving over real mutual TLS: each forbidden read is refused (403 naming the
rule, stored as ``refused_read`` evidence, counted not duplicated), each allowed one works,
and a puller skips a withheld log without blocking its peer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from supplychain.identity.consortium import Consortium
from supplychain.identity.sharing import SharingMode, SharingPolicy
from supplychain.ledger.membership import accept_directory
from supplychain.sync.access import Rule
from supplychain.sync.service import SyncService
from tests.conftest import (
    DIST_A,
    DIST_B,
    MAKER,
    OTHER_MAKER,
    PASSPHRASE,
    PHARMACY,
    REGULATOR,
    Network,
)
from tests.sync.access_helpers import request, share
from tests.sync.helpers import make_history, pull, run, serving

pytestmark = pytest.mark.both_backends

WHOLE_LOG = [("entries", {"start": "0", "end": "2", "size": "2"})]
PROOFS = [("consistency", {"old": "1", "new": "2"}),
          ("inclusion", {"index": "0", "size": "2"})]
"""Proofs are hashes only (as public as hash tiles): a light node needs them."""
HUB = DIST_B


def _read_maker_log(network: Network, caller: str,
                    reads: list[tuple[str, dict[str, str]]]) -> list[tuple[int, Any]]:
    """Each read of the maker's log, asked of the maker's server by ``caller``."""
    async def go() -> list[tuple[int, Any]]:
        async with serving(network[MAKER]) as (_, url):
            return [await request(network.homes[caller], "GET",
                                  f"{url}/v1/logs/{MAKER}/{what}", params=params)
                    for what, params in reads]
    return run(go())  # type: ignore[no-any-return]


def _refused_reads(network: Network, gln: str) -> list:
    return [e for e in network[gln].store.evidence() if e.kind == "refused_read"]


@pytest.mark.parametrize("caller", [PHARMACY, DIST_A, OTHER_MAKER])
def test_each_forbidden_whole_log_read_is_refused(network: Network, caller: str) -> None:
    make_history(network)  # the maker's log: 2 entries (commission, ship to DIST_A)
    share(network, SharingMode.NEED_TO_KNOW, (HUB,))

    # each read twice: counted, not duplicated
    for status, body in _read_maker_log(network, caller, WHOLE_LOG + WHOLE_LOG):
        assert status == 403
        assert body["rule"] == Rule.NEED_TO_KNOW.value
        assert body["error"].startswith("this consortium shares need-to-know: whole logs go "
                                        "only to the regulator and hubs")
    evidence = _refused_reads(network, MAKER)
    assert len(evidence) == 1  # one row per kind of read, seen twice
    assert all(e.peer == caller and e.subject == MAKER and e.count == 2 for e in evidence)
    assert {json.loads(e.evidence)["read"] for e in evidence} == {"log_entries"}


@pytest.mark.parametrize("caller", [PHARMACY, DIST_A, OTHER_MAKER])
def test_proofs_of_any_log_are_answered_to_every_member(network: Network, caller: str) -> None:
    make_history(network)
    share(network, SharingMode.NEED_TO_KNOW, (HUB,))

    answers = _read_maker_log(network, caller, PROOFS)
    assert [status for status, _ in answers] == [200, 200]
    assert all(body["proof"] for _, body in answers)
    assert _refused_reads(network, MAKER) == []


@pytest.mark.parametrize("caller", [REGULATOR, HUB, MAKER])
def test_entitled_callers_read_whole_logs(network: Network, caller: str) -> None:
    make_history(network)
    share(network, SharingMode.NEED_TO_KNOW, (HUB,))

    answers = _read_maker_log(network, caller, WHOLE_LOG + PROOFS)
    assert [status for status, _ in answers] == [200, 200, 200]
    assert len(answers[0][1]["entries"]) == 2
    assert _refused_reads(network, MAKER) == []


def test_public_reads_stay_open_to_every_member(network: Network) -> None:
    make_history(network)
    share(network, SharingMode.NEED_TO_KNOW)

    async def go() -> list[tuple[int, object]]:
        async with serving(network[MAKER]) as (_, url):
            return [await request(network.homes[PHARMACY], "GET", f"{url}/v1/{what}")
                    for what in ("health", "checkpoints", "directory")]

    (h, health), (c, checkpoints), (d, directory) = run(go())
    assert (h, c, d) == (200, 200, 200)
    assert health["status"] == "ok"
    assert [log["gln"] for log in checkpoints["logs"]] == [MAKER]  # sizes and hashes only
    assert directory["directory"]["sharing"] == {"mode": "need-to-know", "hubs": []}


def test_full_sharing_serves_whole_logs_to_everyone(network: Network) -> None:
    make_history(network)
    share(network, SharingMode.FULL)

    async def go() -> tuple[int, object]:
        async with serving(network[MAKER]) as (_, url):
            return await request(network.homes[PHARMACY], "GET",
                                 f"{url}/v1/logs/{MAKER}/entries", params=WHOLE_LOG[0][1])

    assert run(go())[0] == 200


def test_a_withheld_log_is_skipped_and_the_peer_not_blocked(network: Network) -> None:
    """A member that does not know the policy yet (an older directory: it pulls as a full
    node) gets 403 for a whole log: skipped, not a lie, the peer stays active."""
    make_history(network)
    policy = SharingPolicy(SharingMode.NEED_TO_KNOW, ())  # type: ignore[arg-type]
    directory = Consortium.open(network.root / "consortium").set_sharing(policy, PASSPHRASE)
    for gln in (MAKER, REGULATOR):  # the pharmacy still holds the directory without it
        accept_directory(network[gln].ledger, directory)
    pharmacy, regulator = network[PHARMACY], network[REGULATOR]

    async def go() -> tuple:
        async with serving(network[MAKER]) as (_, url):
            reports = []
            for node in (pharmacy, regulator):
                with node.store.transaction():
                    node.store.add_peer(url, "2026-01-01T00:00:00+00:00")
                service = SyncService(node, PASSPHRASE, timeout=5)
                try:
                    reports.append((await pull(service, url))[0])
                finally:
                    service.close()
            return url, reports

    url, (refused, entitled) = run(go())
    assert refused.failure is None and not refused.blocked and refused.error is None
    assert refused.not_entitled == [MAKER] and refused.total_new == 0
    assert refused.to_dict()["not_entitled"] == [MAKER]
    assert pharmacy.store.log_sizes().get(MAKER, 0) == 0
    assert [p.state for p in pharmacy.store.peers() if p.url == url] == ["active"]
    assert entitled.failure is None and entitled.new_entries == {MAKER: 2}
    assert regulator.ledger.root(MAKER) == network[MAKER].ledger.root(MAKER)
