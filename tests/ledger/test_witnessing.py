"""The witness (tlog-witness add-checkpoint) over a node's store, and the cosignatures a node
keeps and shows: in process, no sockets (the HTTP end to end is in tests/sync)."""

from __future__ import annotations

import json
import shutil
from datetime import date

from supplychain.identity.keys import load_private_key
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.ledger.cosignature import policy_accepts
from supplychain.ledger.witnessing import (
    WITNESS_CONFLICT,
    AddCheckpoint,
    add_checkpoint,
    cosigned_note,
    held_policy,
    keep_cosignatures,
    log_witnesses,
    submission,
)
from supplychain.node.operations import Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, REGULATOR, Network


def witness(network: Network, body: bytes, timestamp: int = 1_800_000_000) -> tuple[int, str]:
    regulator = network[REGULATOR]
    key = load_private_key(network.homes[REGULATOR] / "member.key", PASSPHRASE)
    answer = add_checkpoint(regulator.ledger, key, REGULATOR, body, MAKER, timestamp)
    return answer.status, answer.body


def latest_note(node: Node) -> str:
    latest = node.store.latest_checkpoint(node.gln)
    assert latest is not None
    return latest.note


def commission(node: Node, lot: str, count: int = 1) -> None:
    node.commission(GTIN, lot, date(2030, 1, 31), count)  # type: ignore[arg-type]


def test_the_default_policy_is_the_regulator_alone(network: Network) -> None:
    policy = held_policy(network[MAKER].store)
    assert [w.name for w in policy.witnesses] == [REGULATOR]
    assert policy.quorum == REGULATOR


def test_a_witness_cosigns_and_a_log_keeps_the_cosignature(network: Network) -> None:
    maker = network[MAKER]
    commission(maker, "L1")
    policy = held_policy(maker.store)
    request = submission(maker.ledger, MAKER, policy.witnesses[0])
    assert request is not None and request.old == 0 and request.proof == ()
    status, body = witness(network, request.to_bytes())
    assert status == 200 and body.startswith(f"\u2014 supplychain.witness/{REGULATOR} ")
    note = request.note + body
    assert policy_accepts(policy, note) == (True, (REGULATOR,))
    assert keep_cosignatures(maker.ledger, MAKER, note) == [REGULATOR]
    assert cosigned_note(maker.store, MAKER) == note
    assert submission(maker.ledger, MAKER, policy.witnesses[0]) is None  # nothing new
    (w,) = log_witnesses(maker.store, [MAKER])
    assert w.names == ("Medicines Agency",) and w.quorum and w.size == 1

    # the log grows: a stale old size gets 409 and the witness's size, then a proof works
    commission(maker, "L2")
    commission(maker, "L3")
    stale = AddCheckpoint(0, (), latest_note(maker))
    assert witness(network, stale.to_bytes()) == (409, "1\n")
    request = submission(maker.ledger, MAKER, policy.witnesses[0])
    assert request is not None and request.old == 1 and len(request.proof) >= 1
    status, body = witness(network, request.to_bytes())
    assert status == 200
    assert keep_cosignatures(maker.ledger, MAKER, request.note + body) == [REGULATOR]
    assert log_witnesses(maker.store, [MAKER])[0].size == 3


def test_requests_the_witness_refuses(network: Network) -> None:
    maker = network[MAKER]
    commission(maker, "L1")
    note = latest_note(maker)
    assert witness(network, b"nonsense")[0] == 400
    assert witness(network, AddCheckpoint(2, (), note).to_bytes())[0] == 400  # old > size
    unknown = note.replace(f"/{MAKER}\n", "/5012345000992\n", 1)
    assert witness(network, AddCheckpoint(0, (), unknown).to_bytes())[0] == 404
    forged = SignedCheckpoint.parse(note)
    forged_note = forged.to_text().replace(forged.to_text().split(" ")[-1][:8], "AAAAAAAA")
    assert witness(network, AddCheckpoint(0, (), forged_note).to_bytes())[0] == 403
    assert witness(network, AddCheckpoint(0, (bytes(32),), note).to_bytes())[0] == 422


def fork(network: Network, tmp_path: object) -> Node:
    """A copy of the maker's node: the same key signing a second history of the same log."""
    network.nodes[MAKER].close()
    copy = network.root / "maker-fork"
    shutil.copytree(network.homes[MAKER], copy)
    network.reopen(MAKER)
    return Node(copy, lambda: PASSPHRASE)


def test_a_log_showing_two_histories_is_refused_and_the_evidence_kept(
        network: Network, tmp_path: object) -> None:
    maker = network[MAKER]
    commission(maker, "L1")
    other = fork(network, tmp_path)
    try:
        maker = network[MAKER]
        commission(maker, "L2")  # history A: size 2
        commission(other, "L9", 2)  # history B: size 2 as well, another root
        b_at_2 = latest_note(other)
        commission(other, "L10")  # history B: size 3
        policy = held_policy(maker.store)
        request = submission(maker.ledger, MAKER, policy.witnesses[0])
        assert request is not None
        assert witness(network, request.to_bytes())[0] == 200  # history A cosigned at 2
        a_note = latest_note(maker)
        # both of B's checkpoints are well signed by the maker's key ...
        network[REGULATOR].ledger.verify_checkpoint_note(MAKER, b_at_2)
        network[REGULATOR].ledger.verify_checkpoint_note(MAKER, latest_note(other))
        # ... but the same size with another root, or a proof from A's 2 to B's 3, is refused
        same_size = AddCheckpoint(2, (), b_at_2)
        assert witness(network, same_size.to_bytes())[0] == 422
        grown = AddCheckpoint(2, tuple(other.ledger.consistency_proof(MAKER, 2, 3)),
                              latest_note(other))
        status, body = witness(network, grown.to_bytes())
        assert status == 422 and "not consistent" in body
        assert network[REGULATOR].store.witness_state(a_note.split("\n")[0]).size == 2
        conflicts = [e for e in network[REGULATOR].store.evidence()
                     if e.kind == WITNESS_CONFLICT]
        assert len(conflicts) == 2 and {e.subject for e in conflicts} == {MAKER}
        kept = [json.loads(e.evidence) for e in conflicts]
        assert {k["submitted"] for k in kept} == {b_at_2, latest_note(other)}
        assert all(k["cosigned"] == a_note for k in kept)
        assert [k["proof"] for k in kept if k["submitted"] != b_at_2][0] == [
            p for p in grown.to_bytes().decode().split("\n\n")[0].split("\n")[1:]]
    finally:
        other.close()


def test_the_witness_state_survives_a_restart(network: Network) -> None:
    maker = network[MAKER]
    commission(maker, "L1", 3)
    commission(maker, "L2")
    request = submission(maker.ledger, MAKER, held_policy(maker.store).witnesses[0])
    assert request is not None
    assert witness(network, request.to_bytes())[0] == 200
    network.reopen(REGULATOR)
    assert witness(network, AddCheckpoint(0, (), latest_note(maker)).to_bytes()) == (409, "2\n")


def test_verdicts_list_the_witnesses_of_their_logs(network: Network) -> None:
    maker = network[MAKER]
    (code,) = maker.commission(GTIN, "L1", date(2030, 1, 31), 1)  # type: ignore[arg-type]
    assert maker.verify(code).to_dict()["witnesses"] == [
        {"log": MAKER, "size": 1, "witnesses": [], "vouched_by": [], "quorum": False}]
    request = submission(maker.ledger, MAKER, held_policy(maker.store).witnesses[0])
    assert request is not None
    status, body = witness(network, request.to_bytes())
    keep_cosignatures(maker.ledger, MAKER, request.note + body)
    assert maker.verify(code).to_dict()["witnesses"] == [
        {"log": MAKER, "size": 1, "witnesses": [REGULATOR], "vouched_by": ["Medicines Agency"],
         "quorum": True}]


def test_a_witness_that_holds_the_checkpoint_serves_it_cosigned_at_once(
        network: Network) -> None:
    maker, regulator = network[MAKER], network[REGULATOR]
    commission(maker, "L1")
    note = latest_note(maker)
    cp = maker.store.latest_checkpoint(MAKER)
    assert cp is not None
    with regulator.store.transaction():  # the regulator holds the same checkpoint (a hub)
        regulator.store.put_checkpoint(MAKER, cp.size, cp.root, note, "2026-01-01T00:00:00Z")
    request = submission(maker.ledger, MAKER, held_policy(maker.store).witnesses[0])
    assert request is not None
    status, body = witness(network, request.to_bytes())
    assert status == 200
    assert cosigned_note(regulator.store, MAKER) == note + body
