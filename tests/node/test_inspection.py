"""The inspector's chain check: ``assess_event`` judges one event of a pack's chain from plain
data (the entry, its event hash, the latest checkpoint and an inclusion proof). One test at the
end runs ``check_chain`` on a real node to show the evidence is gathered as assessed here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from supplychain.ids import GLN, EventHash
from supplychain.ledger import merkle
from supplychain.ledger.events import EventType
from supplychain.ledger.records import ChainStep
from supplychain.ledger.rules import PackStatus
from supplychain.node.inspection import EventCheck, EventEvidence, assess_event, check_chain
from tests.conftest import DIST_A, GTIN, MAKER, Network

ENTRIES = [b"entry %d" % i for i in range(5)]
LEAVES = [merkle.leaf_hash(e) for e in ENTRIES]
INDEX = 2
HASH = EventHash("c0ffee" + "0" * 58)
STEP = ChainStep(HASH, None, GLN(MAKER), INDEX, EventType.COMMISSION,
                 "2026-03-01T09:00:00+00:00", PackStatus.ACTIVE, GLN(MAKER), None)
GOOD = EventEvidence(STEP, "Acme Pharma", ENTRIES[INDEX], HASH,
                     (5, merkle.root(LEAVES)), tuple(merkle.inclusion_proof(LEAVES, INDEX)))


def test_an_event_that_checks_out() -> None:
    assert assess_event(GOOD) == EventCheck(STEP, "Acme Pharma", True, True, 5, None)
    assert assess_event(GOOD).ok


def test_an_entry_that_could_not_be_read_or_verified() -> None:
    failed = EventEvidence(STEP, "Acme Pharma", problem="Signature of entry 2 does not verify.")
    assert assess_event(failed) == EventCheck(STEP, "Acme Pharma", False, False, None,
                                              "Signature of entry 2 does not verify.")
    bare = EventEvidence(STEP, "Acme Pharma")
    assert assess_event(bare).problem == f"Entry 2 of log {MAKER} was not verified."


def test_an_entry_holding_another_event() -> None:
    other = replace(GOOD, entry_event_hash="ab" * 32)
    check = assess_event(other)
    assert (check.signature_ok, check.proof_ok, check.checkpoint_size) == (False, False, None)
    assert check.problem == (f"Entry 2 of log {MAKER} hashes to abababababab…, the chain "
                             "names c0ffee000000…")


def test_no_checkpoint_covers_the_entry_yet() -> None:
    check = assess_event(replace(GOOD, checkpoint=None, proof=()))
    assert (check.signature_ok, check.proof_ok, check.checkpoint_size) == (True, False, None)
    assert check.problem == "No signed checkpoint of Acme Pharma's log covers entry 2 yet."


def test_the_proof_could_not_be_computed() -> None:
    check = assess_event(replace(GOOD, proof=(), problem="The store is locked."))
    assert (check.signature_ok, check.proof_ok, check.checkpoint_size) == (True, False, 5)
    assert check.problem == "The store is locked."


@pytest.mark.parametrize(("change", "match"), [
    ({"entry": b"entry 9"}, "computed root"),  # the entry was swapped after signing
    ({"checkpoint": (5, merkle.root(LEAVES[:4] + [LEAVES[0]]))}, "computed root"),
    ({"proof": tuple(reversed(merkle.inclusion_proof(LEAVES, INDEX)))}, "computed root"),
    ({"proof": tuple(merkle.inclusion_proof(LEAVES, INDEX))[:-1]}, "must have"),
    ({"checkpoint": (2, merkle.root(LEAVES[:2]))}, "outside a tree of size 2"),
], ids=["entry", "root", "proof-order", "proof-length", "size"])
def test_a_proof_that_fails(change: dict[str, object], match: str) -> None:
    check = assess_event(replace(GOOD, **change))  # type: ignore[arg-type]
    assert check.signature_ok and not check.proof_ok and not check.ok
    checkpoint = change.get("checkpoint", GOOD.checkpoint)
    assert isinstance(checkpoint, tuple) and check.checkpoint_size == checkpoint[0]
    assert check.problem is not None and match in check.problem


@pytest.mark.parametrize("index", range(5))
def test_every_leaf_of_the_tree(index: int) -> None:
    evidence = EventEvidence(replace(STEP, index=index), "Acme Pharma", ENTRIES[index], HASH,
                             (5, merkle.root(LEAVES)),
                             tuple(merkle.inclusion_proof(LEAVES, index)))
    assert assess_event(evidence).ok


# --- gathered from a real node -----------------------------------------------------------------
def test_check_chain_on_a_node(network: Network) -> None:
    maker = network[MAKER]
    code = maker.commission(GTIN, "L1", date(2030, 1, 31), 1)[0]
    maker.ship(DIST_A, [code])
    checks = check_chain(maker.ledger, code.key)
    assert [c.step.type for c in checks] == [EventType.COMMISSION, EventType.SHIP]
    assert all(c.ok and c.problem is None and c.checkpoint_size == 2 for c in checks)
    assert {c.author_name for c in checks} == {"Acme Pharma"}
