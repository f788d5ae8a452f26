"""Hostile and withholding full nodes answering a light pharmacy, and forbidden pack reads.

The full nodes answer in process through the wire documents (``Answers`` then
``PackDoc.parse`` of the bytes), altered the way a liar would; the reads over real TLS are in
``test_light_tls.py``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from supplychain.errors import RateLimited, ReadForbidden
from supplychain.identity.sharing import NEED_TO_KNOW
from supplychain.ledger.logs import Ledger
from supplychain.ledger.membership import SHARING_META
from supplychain.ledger.proven import ProvenEntry
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.sparse import NodeMode, ProvenStore, set_node_mode
from supplychain.ledger.verdicts import Reason, Verdict
from supplychain.node.operations import Node
from supplychain.sync.answers import Answers
from supplychain.sync.light import ask_full_nodes
from supplychain.sync.loopback import sync_among
from supplychain.sync.pack_access import TokenBucket
from supplychain.sync.protocol import ProofDoc, dump_document
from supplychain.sync.questions import PackDoc, PackQuery
from supplychain.sync.replica import Replica
from tests.conftest import DIST_B, GTIN, MAKER, PASSPHRASE, PHARMACY, REGULATOR, Network, copy_home
from tests.sync.test_light import EXPIRY, History, _sync_full, _text, witness_at_regulator

pytestmark = pytest.mark.both_backends

Alter = Callable[[list[ProvenEntry]], list[ProvenEntry]]


class FakeFull:
    """A full node answering from ``ledger`` through the wire format, altered by ``alter``."""

    def __init__(self, url: str, ledger: Ledger, alter: Alter = list) -> None:
        self.url = url
        self.ledger = ledger
        self.alter = alter

    async def pack(self, query: PackQuery) -> PackDoc:
        info = self.ledger.member(REGULATOR).info
        doc = Answers(self.ledger).pack_doc(info, query)
        doc = replace(doc, events=tuple(self.alter(list(doc.events))))
        return PackDoc.parse(dump_document(doc.to_json()), query)

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc:
        return ProofDoc(gln, "consistency", old, new,
                        tuple(self.ledger.consistency_proof(gln, old, new)))

    async def member_entries(self, gln: str, since: int) -> object:
        raise AssertionError("not asked")


@pytest.fixture
def light(network: Network) -> tuple[Network, History]:
    history = History(network)
    set_node_mode(network[PHARMACY].store, NodeMode.LIGHT)
    network[PHARMACY].close()
    sync_among([network.homes[PHARMACY]], PASSPHRASE, sources=[network.homes[REGULATOR]])
    network.reopen(PHARMACY)
    return network, history


def _ask(net: Network, peers: list[FakeFull], code: object) -> tuple[tuple[str, ...], str]:
    pharmacy = net[PHARMACY]
    query = PackQuery(GTIN, code.serial, code.lot, EXPIRY.isoformat())  # type: ignore[attr-defined]
    answered = asyncio.run(ask_full_nodes(peers, Replica(pharmacy.ledger, PHARMACY), query))
    source = "network" if answered.answered else "offline"
    return answered.answered, source


def _flip_signature(events: list[ProvenEntry]) -> list[ProvenEntry]:
    first = events[0]
    data = bytearray(first.data)
    at = data.index(b'"sig":"') + 10
    data[at] = ord("A") if data[at] != ord("A") else ord("B")
    return [replace(first, data=bytes(data)), *events[1:]]


def _bad_proof(events: list[ProvenEntry]) -> list[ProvenEntry]:
    last = events[-1]
    proof = (bytes(32), *last.proof[1:]) if last.proof else (bytes(32),)
    return [*events[:-1], replace(last, proof=proof)]


@pytest.mark.parametrize(("alter", "kind"), [(_flip_signature, "forged_entry"),
                                             (_bad_proof, "forged_entry")])
def test_a_forged_event_or_a_bad_proof_is_refused_with_evidence(
        light: tuple[Network, History], alter: Alter, kind: str) -> None:
    net, history = light
    before = ProvenStore(net[PHARMACY].store).count()
    liar = FakeFull("https://liar.test", net[REGULATOR].ledger, alter)
    answered, source = _ask(net, [liar], history.lot3[0])
    assert answered == ()
    assert ProvenStore(net[PHARMACY].store).count() == before  # nothing it sent is kept
    evidence = [e for e in net[PHARMACY].store.evidence() if e.peer == liar.url]
    assert [e.kind for e in evidence] == [kind]
    verdict = net[PHARMACY].verify(_text(history.lot3[0]), source=source)
    assert verdict.verdict is not Verdict.GENUINE
    assert verdict.decision.reasons == (Reason.CANNOT_VERIFY_OFFLINE,)


def test_an_event_of_another_pack_is_refused(light: tuple[Network, History]) -> None:
    net, history = light
    other = Answers(net[REGULATOR].ledger).pack_events(history.destroyed.key)
    extra = [e for e in other if e.gln == DIST_B]  # the destroy: not about the asked pack
    liar = FakeFull("https://stuffer.test", net[REGULATOR].ledger, lambda ev: ev + extra)
    answered, _ = _ask(net, [liar], history.genuine_elsewhere)
    assert answered == ()
    assert [e.kind for e in net[PHARMACY].store.evidence() if e.peer == liar.url] \
        == ["forged_entry"]
    record = net[PHARMACY].ledger.pack(history.destroyed.key)
    assert record is None or record.status is not PackStatus.DESTROYED


def test_a_checkpoint_inconsistent_with_the_held_one_is_refused(
        light: tuple[Network, History], tmp_path: Path) -> None:
    net, history = light
    # A fork of the maker's log, signed with the maker's own key: same prefix, other tail.
    net[MAKER].close()
    fork_home = tmp_path / "fork"
    copy_home(net.homes[MAKER], fork_home)
    net.reopen(MAKER).commission(GTIN, "REAL", EXPIRY, 1)
    _sync_full(net)
    net[PHARMACY].close()
    sync_among([net.homes[PHARMACY]], PASSPHRASE, sources=[net.homes[REGULATOR]])
    pharmacy = net.reopen(PHARMACY)
    held = pharmacy.store.latest_checkpoint(MAKER)
    assert held is not None
    with Node(fork_home, lambda: PASSPHRASE) as fork:
        forged = fork.commission(GTIN, "FAKE", EXPIRY, 1)
        fork.commission(GTIN, "FAKE2", EXPIRY, 1)  # one entry further than the held one
        liar = FakeFull("https://fork.test", fork.ledger)
        answered, source = _ask(net, [liar], forged[0])
    assert answered == ()
    assert [e.kind for e in pharmacy.store.evidence() if e.peer == liar.url] \
        == ["inconsistent_history"]
    assert pharmacy.store.latest_checkpoint(MAKER) == held
    assert pharmacy.verify(_text(forged[0]), source=source).verdict is not Verdict.GENUINE


def test_a_withholding_node_cannot_hide_what_another_returns(
        light: tuple[Network, History]) -> None:
    net, history = light
    hides = FakeFull("https://hides.test", net[REGULATOR].ledger,
                     lambda ev: [e for e in ev if e.gln != DIST_B])  # hides the destroy
    honest = FakeFull("https://honest.test", net[REGULATOR].ledger)
    answered, source = _ask(net, [hides, honest], history.destroyed)
    assert set(answered) == {hides.url, honest.url}
    verdict = net[PHARMACY].verify(_text(history.destroyed), source=source)
    assert Reason.DECOMMISSIONED in verdict.decision.reasons
    assert verdict.verdict is Verdict.COUNTERFEIT


def test_pack_reads_need_an_entitlement_or_the_full_code_and_are_rate_limited(
        light: tuple[Network, History]) -> None:
    net, history = light
    full = net[REGULATOR]
    with full.store.transaction():
        full.store.set_meta(SHARING_META, json.dumps(NEED_TO_KNOW.to_dict()))
    ticks = [0.0]
    answers = Answers(full.ledger, TokenBucket(burst=3, rate=0.5, clock=lambda: ticks[0]))
    code = history.to_pharmacy[0]
    member = full.ledger.member
    bare = PackQuery(GTIN, code.serial)
    wrong_lot = PackQuery(GTIN, code.serial, "L2", EXPIRY.isoformat())
    full_code = PackQuery(GTIN, code.serial, "L1", EXPIRY.isoformat())
    # entitled: the regulator, the members of the chain, the GTIN's manufacturer
    for gln in (REGULATOR, PHARMACY, MAKER):
        assert answers.pack_doc(member(gln).info, bare).events
    stranger = member(DIST_B).info  # not in this pack's chain
    with pytest.raises(ReadForbidden):
        answers.pack_doc(stranger, bare)  # a serial alone is not enough
    with pytest.raises(ReadForbidden):
        answers.pack_doc(stranger, wrong_lot)
    assert answers.pack_doc(stranger, full_code).events  # the caller holds the pack
    with pytest.raises(RateLimited) as limited:  # three questions took the three tokens
        answers.pack_doc(stranger, full_code)
    assert limited.value.retry_after == pytest.approx(2.0)
    ticks[0] += 2.0
    assert answers.pack_doc(stranger, full_code).events
    with pytest.raises(ReadForbidden):
        answers.member_entries_doc(stranger, PHARMACY, 0)
    assert answers.member_entries_doc(member(PHARMACY).info, PHARMACY, 0).events


def test_an_event_no_witness_vouched_for_is_not_believed_until_witnessed(
        light: tuple[Network, History]) -> None:
    """A light node trusts only checkpoints the consortium's witness quorum cosigned: a pack
    commissioned after the last witnessed checkpoint is not believed (offline, never
    GENUINE), not taken as a lie, and believed once the witness has vouched."""
    net, _ = light
    (new,) = net[MAKER].commission(GTIN, "L9", EXPIRY, 1)
    for gln in (REGULATOR, MAKER):
        net[gln].close()
    sync_among([net.homes[REGULATOR]], PASSPHRASE, sources=[net.homes[MAKER]])
    for gln in (REGULATOR, MAKER):
        net.reopen(gln)
    full = FakeFull("https://regulator.test", net[REGULATOR].ledger)
    answered, source = _ask(net, [full], new)
    assert (answered, source) == ((), "offline")
    assert [e for e in net[PHARMACY].store.evidence() if e.peer == full.url] == []  # no lie
    verdict = net[PHARMACY].verify(_text(new), source=source)
    assert verdict.decision.reasons == (Reason.CANNOT_VERIFY_OFFLINE,)

    witness_at_regulator(net)
    answered, source = _ask(net, [full], new)
    assert answered == (full.url,) and source == "network"
    assert Reason.CANNOT_VERIFY_OFFLINE not in net[PHARMACY].verify(
        _text(new), source=source).decision.reasons


def test_a_light_round_keeps_the_held_checkpoint_when_the_new_one_lacks_the_quorum(
        light: tuple[Network, History]) -> None:
    net, _ = light
    held = net[PHARMACY].store.latest_checkpoint(MAKER)
    net[MAKER].commission(GTIN, "L9", EXPIRY, 1)
    for gln in (REGULATOR, MAKER, PHARMACY):
        net[gln].close()
    sync_among([net.homes[REGULATOR]], PASSPHRASE, sources=[net.homes[MAKER]])
    sync_among([net.homes[PHARMACY]], PASSPHRASE, sources=[net.homes[REGULATOR]])
    for gln in (REGULATOR, MAKER, PHARMACY):
        net.reopen(gln)
    assert net[REGULATOR].store.latest_checkpoint(MAKER).size > held.size
    assert net[PHARMACY].store.latest_checkpoint(MAKER) == held  # the unwitnessed one is not
