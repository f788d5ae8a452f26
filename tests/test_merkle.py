"""RFC 6962 / 9162 Merkle tree: vectors, exhaustive small trees, tampering, properties, cost."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.errors import InconsistentLog, InvalidProof, MerkleError
from supplychain.ledger import merkle
from supplychain.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemoryNodes,
    consistency_proof,
    consistency_proof_from,
    inclusion_proof,
    inclusion_proof_from,
    leaf_hash,
    node_hash,
    root,
    root_from,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads(
    (Path(__file__).parent / "data/merkle/rfc6962-vectors.json").read_text()
)
VECTOR_LEAVES = [bytes.fromhex(h) for h in VECTORS["leaf_hashes_hex"]]
MAX_SIZE = 40


def leaves(n: int) -> list[bytes]:
    """Deterministic distinct leaf hashes."""
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def flip(digest: bytes, position: int = 0) -> bytes:
    """One byte of ``digest`` flipped."""
    out = bytearray(digest)
    out[position % len(out)] ^= 0x01
    return bytes(out)


# --- published vectors ---------------------------------------------------------------------
def test_vector_leaf_hashes() -> None:
    inputs = [bytes.fromhex(h) for h in VECTORS["leaf_inputs_hex"]]
    assert [leaf_hash(d) for d in inputs] == VECTOR_LEAVES


@pytest.mark.parametrize("size", range(len(VECTORS["root_hashes_by_size_hex"])))
def test_vector_roots(size: int) -> None:
    expected = bytes.fromhex(VECTORS["root_hashes_by_size_hex"][size])
    assert root(VECTOR_LEAVES[:size]) == expected
    assert root_from(MemoryNodes(VECTOR_LEAVES), size) == expected


def test_empty_root() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert CompactRange().root() == EMPTY_ROOT


@pytest.mark.parametrize(
    "case", VECTORS["inclusion_proofs"], ids=lambda c: f"{c['leaf_index']}of{c['tree_size']}"
)
def test_vector_inclusion(case: dict[str, object]) -> None:
    size, index = int(case["tree_size"]), int(case["leaf_index"])  # type: ignore[call-overload]
    expected = [bytes.fromhex(h) for h in case["proof"]]  # type: ignore[attr-defined]
    assert inclusion_proof(VECTOR_LEAVES[:size], index) == expected
    tree_root = bytes.fromhex(VECTORS["root_hashes_by_size_hex"][size])
    verify_inclusion(VECTOR_LEAVES[index], index, size, expected, tree_root)


@pytest.mark.parametrize(
    "case", VECTORS["consistency_proofs"], ids=lambda c: f"{c['old_size']}to{c['new_size']}"
)
def test_vector_consistency(case: dict[str, object]) -> None:
    old, new = int(case["old_size"]), int(case["new_size"])  # type: ignore[call-overload]
    expected = [bytes.fromhex(h) for h in case["proof"]]  # type: ignore[attr-defined]
    assert consistency_proof(VECTOR_LEAVES[:new], old) == expected
    roots = VECTORS["root_hashes_by_size_hex"]
    verify_consistency(old, new, bytes.fromhex(roots[old]), bytes.fromhex(roots[new]), expected)


# --- every size and index up to MAX_SIZE -----------------------------------------------------
ALL = leaves(MAX_SIZE)
ALL_NODES = MemoryNodes(ALL)
ROOTS = [root(ALL[:n]) for n in range(MAX_SIZE + 1)]


def _reference_root(hs: list[bytes]) -> bytes:
    """MTH straight from the RFC 6962 definition, independent of the module's algorithms."""
    if not hs:
        return EMPTY_ROOT
    if len(hs) == 1:
        return hs[0]
    k = 1 << ((len(hs) - 1).bit_length() - 1)
    return node_hash(_reference_root(hs[:k]), _reference_root(hs[k:]))


@pytest.mark.parametrize("size", range(MAX_SIZE + 1))
def test_root_matches_definition(size: int) -> None:
    assert ROOTS[size] == _reference_root(ALL[:size])
    assert root_from(ALL_NODES, size) == ROOTS[size]


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_inclusion_every_index(size: int) -> None:
    for index in range(size):
        proof = inclusion_proof(ALL[:size], index)
        assert inclusion_proof_from(ALL_NODES, index, size) == proof
        verify_inclusion(ALL[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize("size", range(1, MAX_SIZE + 1))
def test_consistency_every_old_size(size: int) -> None:
    for old in range(size + 1):
        proof = consistency_proof(ALL[:size], old)
        assert consistency_proof_from(ALL_NODES, old, size) == proof
        verify_consistency(old, size, ROOTS[old], ROOTS[size], proof)


def test_memory_nodes_and_compact_range_agree() -> None:
    mem, rng = MemoryNodes(), CompactRange()
    for i, leaf in enumerate(ALL):
        assert rng.append(leaf) == mem.append(leaf)
        assert rng.size == mem.size == i + 1
        assert rng.root() == ROOTS[i + 1]


@pytest.mark.parametrize("start", range(MAX_SIZE + 1))
def test_compact_range_from_source_resumes(start: int) -> None:
    rng = CompactRange.from_source(ALL_NODES, start)
    assert rng.size == start and rng.root() == ROOTS[start]
    mem = MemoryNodes(ALL[:start])
    for i in range(start, MAX_SIZE):
        assert rng.append(ALL[i]) == mem.append(ALL[i])
        assert rng.root() == ROOTS[i + 1]


def test_append_returns_completed_nodes() -> None:
    assert [n[:2] for n in MemoryNodes(ALL[:7]).append(ALL[7])] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert [n[:2] for n in MemoryNodes(ALL[:4]).append(ALL[4])] == [(0, 4)]


def test_subtree_root_rejects_unaligned_or_empty_range() -> None:
    with pytest.raises(ValueError):
        subtree_root(ALL_NODES, 1, 3)
    with pytest.raises(ValueError):
        subtree_root(ALL_NODES, 4, 4)
    assert subtree_root(ALL_NODES, 8, 14) == _reference_root(ALL[8:14])


def test_missing_node_is_an_index_error() -> None:
    with pytest.raises(IndexError):
        MemoryNodes(ALL[:5]).perfect(1, 2)


def test_generation_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        inclusion_proof(ALL[:5], 5)
    with pytest.raises(ValueError):
        consistency_proof(ALL[:5], 6)
    with pytest.raises(ValueError):
        MemoryNodes().append(b"short")


# --- tampering -------------------------------------------------------------------------------
TAMPER_SIZES = [1, 2, 3, 5, 7, 8, 13, 16, 21]


@pytest.mark.parametrize("size", TAMPER_SIZES)
def test_inclusion_tampering(size: int) -> None:
    for index in range(size):
        proof = inclusion_proof(ALL[:size], index)
        for i in range(len(proof)):
            bad = proof[:i] + [flip(proof[i], i)] + proof[i + 1 :]
            with pytest.raises(InvalidProof):
                verify_inclusion(ALL[index], index, size, bad, ROOTS[size])
        with pytest.raises(InvalidProof, match="computed root"):
            verify_inclusion(flip(ALL[index]), index, size, proof, ROOTS[size])
        with pytest.raises(InvalidProof, match="expected"):
            verify_inclusion(ALL[index], index, size, proof, flip(ROOTS[size], 31))
        with pytest.raises(InvalidProof, match="must have"):
            verify_inclusion(ALL[index], index, size, proof + [ALL[0]], ROOTS[size])
        if proof:
            with pytest.raises(InvalidProof, match="must have"):
                verify_inclusion(ALL[index], index, size, proof[:-1], ROOTS[size])
        if size > 1:  # the right proof for the wrong position
            other = (index + 1) % size
            with pytest.raises(InvalidProof):
                verify_inclusion(ALL[index], other, size, proof, ROOTS[size])


def test_inclusion_rejects_malformed_input() -> None:
    proof = inclusion_proof(ALL[:5], 2)
    with pytest.raises(InvalidProof, match="outside"):
        verify_inclusion(ALL[5], 5, 5, proof, ROOTS[5])
    with pytest.raises(InvalidProof, match="outside"):
        verify_inclusion(ALL[0], -1, 5, proof, ROOTS[5])
    with pytest.raises(InvalidProof, match="outside"):
        verify_inclusion(EMPTY_ROOT, 0, 0, [], EMPTY_ROOT)
    with pytest.raises(InvalidProof, match="32 bytes"):
        verify_inclusion(ALL[2], 2, 5, [proof[0][:31], *proof[1:]], ROOTS[5])
    with pytest.raises(InvalidProof, match="32 bytes"):
        verify_inclusion(ALL[2][:31], 2, 5, proof, ROOTS[5])


@pytest.mark.parametrize("size", TAMPER_SIZES)
def test_consistency_tampering(size: int) -> None:
    for old in range(1, size):
        proof = consistency_proof(ALL[:size], old)
        for i in range(len(proof)):
            bad = proof[:i] + [flip(proof[i], i)] + proof[i + 1 :]
            with pytest.raises(InconsistentLog):
                verify_consistency(old, size, ROOTS[old], ROOTS[size], bad)
        # A perfect old tree's root seeds the path, so a wrong one shows in the new root.
        which = "new root" if old & (old - 1) == 0 else "old root"
        with pytest.raises(InconsistentLog, match=which):
            verify_consistency(old, size, flip(ROOTS[old]), ROOTS[size], proof)
        with pytest.raises(InconsistentLog, match="new root"):
            verify_consistency(old, size, ROOTS[old], flip(ROOTS[size]), proof)
        with pytest.raises(InvalidProof, match="must have"):
            verify_consistency(old, size, ROOTS[old], ROOTS[size], proof + [ALL[0]])
        with pytest.raises(InvalidProof, match="must have"):
            verify_consistency(old, size, ROOTS[old], ROOTS[size], proof[:-1])


def test_consistency_edge_cases() -> None:
    verify_consistency(0, 7, EMPTY_ROOT, ROOTS[7], [])
    verify_consistency(0, 7, ALL[3], ROOTS[7], [])  # size 0 is consistent with anything
    verify_consistency(7, 7, ROOTS[7], ROOTS[7], [])
    with pytest.raises(InvalidProof, match="must be empty"):
        verify_consistency(0, 7, EMPTY_ROOT, ROOTS[7], [ALL[0]])
    with pytest.raises(InvalidProof, match="must be empty"):
        verify_consistency(7, 7, ROOTS[7], ROOTS[7], [ALL[0]])
    with pytest.raises(InconsistentLog, match="two roots"):
        verify_consistency(7, 7, ROOTS[7], flip(ROOTS[7]), [])
    with pytest.raises(InvalidProof, match="old size <= new size"):
        verify_consistency(8, 7, ROOTS[8], ROOTS[7], [])
    with pytest.raises(InvalidProof, match="old size <= new size"):
        verify_consistency(-1, 7, ROOTS[0], ROOTS[7], [])
    with pytest.raises(InvalidProof, match="must have"):
        verify_consistency(3, 7, ROOTS[3], ROOTS[7], [])
    with pytest.raises(InvalidProof, match="32 bytes"):
        verify_consistency(3, 7, ROOTS[3][:8], ROOTS[7], consistency_proof(ALL[:7], 3))
    # A fork: same old prefix length, a different leaf -> provably inconsistent.
    forked = ALL[:7]
    forked[1] = leaf_hash(b"rewritten history")
    with pytest.raises(InconsistentLog):
        verify_consistency(3, 7, ROOTS[3], root(forked), consistency_proof(forked, 3))


def test_errors_are_merkle_errors() -> None:
    assert issubclass(InvalidProof, MerkleError) and issubclass(InconsistentLog, MerkleError)


# --- properties ------------------------------------------------------------------------------
leaf_lists = st.lists(st.binary(max_size=16), min_size=1, max_size=80).map(
    lambda ds: [leaf_hash(d) for d in ds]
)


@given(hs=leaf_lists, data=st.data())
@settings(max_examples=150, deadline=None)
def test_property_proofs_verify(hs: list[bytes], data: st.DataObject) -> None:
    size = len(hs)
    index = data.draw(st.integers(0, size - 1))
    tree_root = root(hs)
    verify_inclusion(hs[index], index, size, inclusion_proof(hs, index), tree_root)
    for old in range(size + 1):
        verify_consistency(old, size, root(hs[:old]), tree_root, consistency_proof(hs, old))


class CountingSource:
    """A fake NodeSource of a tree of ``size`` leaves: deterministic fake hashes, no tree built.

    It counts lookups and refuses any subtree that is not complete within ``size``.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.calls = 0

    def perfect(self, level: int, index: int) -> bytes:
        assert level >= 0 and index >= 0 and (index + 1) << level <= self.size
        self.calls += 1
        return hashlib.sha256(f"{level}/{index}".encode()).digest()


def _log2_bound(n: int) -> int:
    return n.bit_length()  # floor(log2 n) + 1


@given(size=st.integers(1, 2**20))
@settings(max_examples=300, deadline=None)
def test_root_costs_log_n_lookups(size: int) -> None:
    src = CountingSource(size)
    root_from(src, size)
    assert src.calls == size.bit_count() <= _log2_bound(size)
    src.calls = 0
    CompactRange.from_source(src, size)
    assert src.calls <= _log2_bound(size)


@given(data=st.data(), size=st.integers(1, 2**20))
@settings(max_examples=300, deadline=None)
def test_subtree_and_proofs_cost_log_n_lookups(data: st.DataObject, size: int) -> None:
    src = CountingSource(size)
    level = data.draw(st.integers(0, size.bit_length() - 1))
    start = data.draw(st.integers(0, (size >> level) - 1)) << level  # aligned to 2**level
    end = data.draw(st.integers(start + 1, min(size, start + (2 << level) - 1)))
    subtree_root(src, start, end)
    assert src.calls <= _log2_bound(end - start)
    src.calls = 0
    inclusion_proof_from(src, data.draw(st.integers(0, size - 1)), size)
    assert src.calls <= 2 * _log2_bound(size)
    src.calls = 0
    consistency_proof_from(src, data.draw(st.integers(0, size)), size)
    assert src.calls <= 2 * _log2_bound(size)


def test_worst_case_sizes_cost_log_n_lookups() -> None:
    for size in (2**20 - 1, 2**20, 2**20 + 1, 2**40 - 1):
        src = CountingSource(size)
        for index in (0, size // 2, size - 1):
            src.calls = 0
            inclusion_proof_from(src, index, size)
            assert src.calls <= 2 * _log2_bound(size)
        for old in (1, size // 2 + 1, size - 1):
            src.calls = 0
            consistency_proof_from(src, old, size)
            assert src.calls <= 2 * _log2_bound(size)


def test_module_exports() -> None:
    for name in ("root", "inclusion_proof", "consistency_proof", "NodeSource"):
        assert hasattr(merkle, name)
