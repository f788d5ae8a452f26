"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification. Pure: no I/O.

Leaf hash = SHA-256(0x00 || data), interior node = SHA-256(0x01 || left || right), and the
root of the empty tree is SHA-256(b"").

Proof *generation* is written once, against an abstract :class:`NodeSource` that can look up
the hash of any *perfect* (complete, power-of-two sized) subtree. A store keeps those interior
hashes and fills in ``perfect()``; :class:`MemoryNodes` does the same in memory. Every range the
RFC 6962 recursions ask about is left-aligned (perfect, or the right edge of the tree), so each
is the concatenation of at most ``log2(n) + 1`` perfect subtrees, and a root or proof costs
O(log n) lookups - never a rehash of the whole log.

Proof *verification* follows RFC 9162 sections 2.1.3.2 and 2.1.4.2, strictly: exact proof
lengths, 32-byte digests, constant-time comparison, and errors that say what mismatched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Protocol

from supplychain.errors import InconsistentLog, InvalidProof
from supplychain.i18n import _

HASH_SIZE = 32
"""Size in bytes of every hash in the tree (SHA-256)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""Root hash of the tree with no leaves."""

Node = tuple[int, int, bytes]
"""A perfect subtree as ``(level, index, hash)``: it covers leaves
``[index * 2**level, (index + 1) * 2**level)``."""


# --- hashing -------------------------------------------------------------------------------
def leaf_hash(data: bytes) -> bytes:
    """Hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _short(digest: bytes) -> str:
    """A hex prefix of a digest, for error messages."""
    return digest.hex()[:16] + "..."


# --- node sources --------------------------------------------------------------------------
class NodeSource(Protocol):
    """Anything that can return the hash of a perfect subtree of a log."""

    def perfect(self, level: int, index: int) -> bytes:
        """Hash of the complete subtree over leaves ``[index*2**level, (index+1)*2**level)``."""
        ...


class MemoryNodes:
    """A :class:`NodeSource` in memory: every perfect node, stored by level, built by appends."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for leaf in leaf_hashes:
            self.append(leaf)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add one leaf hash; return every perfect node it completes, the leaf (level 0) first."""
        _check_hash(leaf_hash, "leaf hash", ValueError)
        level, index, digest = 0, self.size, leaf_hash
        self._levels[0].append(digest)
        made: list[Node] = [(0, index, digest)]
        while index % 2 == 1:
            digest = node_hash(self._levels[level][index - 1], digest)
            level, index = level + 1, index // 2
            if level == len(self._levels):
                self._levels.append([])
            self._levels[level].append(digest)
            made.append((level, index, digest))
        return made

    def perfect(self, level: int, index: int) -> bytes:
        """Hash of a stored perfect node; IndexError if that subtree is not complete."""
        if (
            level < 0
            or index < 0
            or level >= len(self._levels)
            or index >= len(self._levels[level])
        ):
            raise IndexError(f"no complete subtree at level {level}, index {index}")
        return self._levels[level][index]


class CompactRange:
    """Incremental appender holding only the O(log n) right-edge perfect subtree hashes.

    A store loads one with :meth:`from_source`, appends leaves, and INSERTs the nodes each
    :meth:`append` returns; :meth:`root` then gives the new root without any lookup.
    """

    def __init__(self) -> None:
        self._size = 0
        self._edge: list[tuple[int, bytes]] = []  # (level, hash), highest level first

    @classmethod
    def from_source(cls, src: NodeSource, size: int) -> CompactRange:
        """The compact range of the first ``size`` leaves, read with popcount(size) lookups."""
        if size < 0:
            raise ValueError(f"tree size must not be negative, got {size}")
        rng = cls()
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                rng._edge.append((level, src.perfect(level, (size >> level) - 1)))
        rng._size = size
        return rng

    @property
    def size(self) -> int:
        """Number of leaves covered."""
        return self._size

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add one leaf hash; return every perfect node it completes, the leaf (level 0) first."""
        _check_hash(leaf_hash, "leaf hash", ValueError)
        position, level, digest = self._size, 0, leaf_hash
        made: list[Node] = [(0, position, digest)]
        while self._edge and self._edge[-1][0] == level:
            _level, left = self._edge.pop()
            digest = node_hash(left, digest)
            level += 1
            made.append((level, position >> level, digest))
        self._edge.append((level, digest))
        self._size += 1
        return made

    def root(self) -> bytes:
        """Root hash of the tree covered so far (RFC 6962 MTH)."""
        if not self._edge:
            return EMPTY_ROOT
        digest = self._edge[-1][1]
        for _level, left in reversed(self._edge[:-1]):
            digest = node_hash(left, digest)
        return digest


# --- roots and proofs over a node source --------------------------------------------------
def _split(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_root(src: NodeSource, start: int, end: int) -> bytes:
    """MTH of leaves ``[start, end)``, with at most ``log2(end - start) + 1`` lookups.

    The range must be left-aligned: ``start`` a multiple of the largest power of two not above
    ``end - start`` (true of every perfect subtree and every right edge of a tree). It is cut
    into perfect subtrees of decreasing size, combined right to left as RFC 6962 does.
    """
    n = end - start
    if start < 0 or n <= 0:
        raise ValueError(f"need 0 <= start < end, got [{start}, {end})")
    top = n.bit_length() - 1
    if start % (1 << top):
        raise ValueError(f"range [{start}, {end}) is not aligned to a subtree of size {1 << top}")
    parts: list[bytes] = []
    position = start
    for level in reversed(range(top + 1)):
        if n >> level & 1:
            parts.append(src.perfect(level, position >> level))
            position += 1 << level
    digest = parts[-1]
    for left in reversed(parts[:-1]):
        digest = node_hash(left, digest)
    return digest


def root_from(src: NodeSource, size: int) -> bytes:
    """Root hash of the first ``size`` leaves, with at most ``log2(size) + 1`` lookups."""
    if size < 0:
        raise ValueError(f"tree size must not be negative, got {size}")
    return EMPTY_ROOT if size == 0 else subtree_root(src, 0, size)


def inclusion_proof_from(src: NodeSource, index: int, size: int) -> list[bytes]:
    """RFC 6962 2.1.1 PATH(index, D[0:size]), hashes from the leaf upwards.

    Every sibling is a perfect subtree (one lookup) except at most one right edge, so the proof
    costs at most about ``2 * log2(size)`` lookups.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    proof: list[bytes] = []
    start, n, m = 0, size, index
    while n > 1:  # descend from the root; siblings collected top-down, reversed at the end
        k = _split(n)
        if m < k:
            proof.append(subtree_root(src, start + k, start + n))
            n = k
        else:
            proof.append(subtree_root(src, start, start + k))
            start, n, m = start + k, n - k, m - k
    proof.reverse()
    return proof


def consistency_proof_from(src: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    """RFC 6962 2.1.2 PROOF(old_size, D[0:new_size]); empty when old_size is 0 or new_size.

    As for inclusion, at most one looked-up range is not perfect: O(log n) lookups.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"need 0 <= old_size <= new_size, got {old_size} and {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    start, n, m, whole_old_tree = 0, new_size, old_size, True
    while m != n:  # SUBPROOF(m, D[start:start+n], whole_old_tree), unrolled
        k = _split(n)
        if m <= k:
            proof.append(subtree_root(src, start + k, start + n))
            n = k
        else:
            proof.append(subtree_root(src, start, start + k))
            start, n, m, whole_old_tree = start + k, n - k, m - k, False
    if not whole_old_tree:
        proof.append(subtree_root(src, start, start + n))
    proof.reverse()
    return proof


# --- list wrappers -------------------------------------------------------------------------
def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 MTH of a list of leaf hashes."""
    return root_from(MemoryNodes(leaf_hashes), len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 PATH for leaf ``index`` of a list of leaf hashes, from the leaf upwards."""
    return inclusion_proof_from(MemoryNodes(leaf_hashes), index, len(leaf_hashes))


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 6962 PROOF from the first ``old_size`` leaves to the whole list."""
    return consistency_proof_from(MemoryNodes(leaf_hashes), old_size, len(leaf_hashes))


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2) -------------------------------------------
def _check_hash(digest: object, what: str, error: type[Exception] = InvalidProof) -> None:
    if not isinstance(digest, bytes) or len(digest) != HASH_SIZE:
        length = len(digest) if isinstance(digest, bytes) else type(digest).__name__
        raise error(f"{what} must be {HASH_SIZE} bytes, got {length}")


def _inclusion_length(index: int, size: int) -> int:
    """Exact number of hashes in the inclusion proof of ``index`` in a tree of ``size``."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    Raises InvalidProof on any malformed input or when the computed root differs.
    """
    if not 0 <= index < size:
        raise InvalidProof(_("leaf index {index} is outside a tree of size {size}")
                           .format(index=index, size=size))
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root hash")
    expected_length = _inclusion_length(index, size)
    if len(proof) != expected_length:
        raise InvalidProof(
            _("inclusion proof for leaf {index} of {size} must have {expected_length} hashes, "
              "got {proof_count}")
            .format(index=index, size=size, expected_length=expected_length, proof_count=len(proof))
        )
    fn, sn, digest = index, size - 1, leaf_hash
    for i, p in enumerate(proof):
        _check_hash(p, f"inclusion proof hash {i}")
        if sn == 0:  # unreachable after the length check; kept as the RFC's guard
            raise InvalidProof(_("inclusion proof is too long"))
        if fn & 1 or fn == sn:
            digest = node_hash(p, digest)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            digest = node_hash(digest, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProof(_("inclusion proof is too short"))
    if not hmac.compare_digest(digest, root):
        raise InvalidProof(
            _("inclusion proof for leaf {index} of {size}: computed root {value} "
              "but expected {value2}")
            .format(index=index, size=size, value=_short(digest), value2=_short(root))
        )


def _consistency_length(old_size: int, new_size: int) -> int:
    """Exact proof length for 0 < old_size < new_size (as transparency-dev/merkle counts it)."""
    shift = (old_size & -old_size).bit_length() - 1  # trailing zero bits of old_size
    inner = ((old_size - 1) ^ (new_size - 1)).bit_length()
    border = ((old_size - 1) >> inner).bit_count()
    seed = 0 if old_size == 1 << shift else 1
    return seed + inner - shift + border


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``.

    Raises InvalidProof when the sizes or the proof are malformed, and InconsistentLog when a
    well-formed proof shows the two roots cannot belong to one append-only log. An old size of
    0 with an empty proof is consistent with anything; equal sizes need equal roots.
    """
    if not 0 <= old_size <= new_size:
        raise InvalidProof(_("need 0 <= old size <= new size, got {old_size} and {new_size}")
                           .format(old_size=old_size, new_size=new_size))
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    if old_size == 0 or old_size == new_size:
        if proof:
            raise InvalidProof(
                _("consistency proof from {old_size} to {new_size} must be empty, "
                  "got {proof_count} hashes")
                .format(old_size=old_size, new_size=new_size, proof_count=len(proof))
            )
        if old_size and not hmac.compare_digest(old_root, new_root):
            raise InconsistentLog(
                _("two roots for tree size {old_size}: {value} and {value2}")
                .format(old_size=old_size, value=_short(old_root), value2=_short(new_root))
            )
        return
    expected_length = _consistency_length(old_size, new_size)
    if len(proof) != expected_length:
        raise InvalidProof(
            _("consistency proof from {old_size} to {new_size} must have {expected_length} "
              "hashes, got {proof_count}")
            .format(old_size=old_size, new_size=new_size, expected_length=expected_length,
                    proof_count=len(proof))
        )
    for i, p in enumerate(proof):
        _check_hash(p, f"consistency proof hash {i}")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # old tree is perfect: its root seeds the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old_digest = new_digest = path[0]
    for c in path[1:]:
        if sn == 0:  # unreachable after the length check; kept as the RFC's guard
            raise InvalidProof(_("consistency proof is too long"))
        if fn & 1 or fn == sn:
            old_digest = node_hash(c, old_digest)
            new_digest = node_hash(c, new_digest)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            new_digest = node_hash(new_digest, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProof(_("consistency proof is too short"))
    if not hmac.compare_digest(old_digest, old_root):
        raise InconsistentLog(
            _("consistency proof from {old_size} to {new_size}: computed old root "
              "{value} but expected {value2}")
            .format(old_size=old_size, new_size=new_size, value=_short(old_digest),
                    value2=_short(old_root))
        )
    if not hmac.compare_digest(new_digest, new_root):
        raise InconsistentLog(
            _("consistency proof from {old_size} to {new_size}: computed new root "
              "{value} but expected {value2}")
            .format(old_size=old_size, new_size=new_size, value=_short(new_digest),
                    value2=_short(new_root))
        )
