"""C2SP tlog-tiles layout: tile paths, tile maths and entry bundles. Pure: no I/O.

A log's Merkle tree is published as *tiles*: tile ``(L, N)`` holds the 256 consecutive
hashes of level ``8 * L`` of the RFC 6962 tree starting at index ``256 * N`` (level 0: leaf
hashes). The rightmost tile of a level is *partial* (1 to 255 hashes) in most tree sizes. Entry
bundles hold the entries of a level-0 tile, each prefixed with its length as a big-endian
uint16. See /work/shared/specs/c2sp/tlog-tiles.md (https://c2sp.org/tlog-tiles).

Every perfect subtree of level ``8 * L + r`` (``0 <= r < 8``) lies inside one tile of level
``L`` and is computed from ``2 ** r`` of its hashes, so a reader can build any root or proof
from the tiles of one checkpoint's tree size (:class:`TileNodes`, :func:`consistency_tiles`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from supplychain.errors import ProtocolError
from supplychain.i18n import _
from supplychain.ledger import merkle

TILE_HEIGHT = 8
"""Levels of the Merkle tree one tile spans."""
TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes in a full tile (and entries in a full entry bundle): 256."""
FULL_TILE_BYTES = TILE_WIDTH * merkle.HASH_SIZE
"""A full hash tile is exactly 8,192 bytes."""
MAX_BUNDLE_ENTRY_BYTES = 0xFFFF
"""Largest entry an entry bundle can hold (its length is a big-endian uint16)."""
MAX_BUNDLE_BYTES = TILE_WIDTH * (2 + MAX_BUNDLE_ENTRY_BYTES)
"""Largest possible entry bundle (256 entries of the largest size)."""
MAX_TILE_LEVEL = 63
"""The spec's highest tile level."""


def index_path(index: int) -> str:
    """Tile index ``N`` as zero-padded 3-digit path elements: 1234067 -> ``x001/x234/067``."""
    if index < 0:
        raise ValueError(f"tile index must not be negative, got {index}")
    parts = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        parts.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(parts))


@dataclass(frozen=True, order=True)
class Tile:
    """One tile of a tree: ``level`` L, ``index`` N, ``width`` W (256 when full)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_TILE_LEVEL or self.index < 0:
            raise ValueError(f"no tile at level {self.level}, index {self.index}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise ValueError(f"tile width must be 1..{TILE_WIDTH}, got {self.width}")

    @property
    def full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def start(self) -> int:
        """First hash index (at level ``8 * level``) the tile holds."""
        return self.index * TILE_WIDTH

    def _suffix(self) -> str:
        return "" if self.full else f".p/{self.width}"

    @property
    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]``, relative to the log's prefix."""
        return f"tile/{self.level}/{index_path(self.index)}{self._suffix()}"

    @property
    def bundle_path(self) -> str:
        """``tile/entries/<N>[.p/<W>]``: the entry bundle of a level-0 tile."""
        if self.level != 0:
            raise ValueError("only level-0 tiles have entry bundles")
        return f"tile/entries/{index_path(self.index)}{self._suffix()}"

    @property
    def entries(self) -> tuple[int, int]:
        """``[start, end)`` of the entries a level-0 tile (and its bundle) covers."""
        return self.start, self.start + self.width


def partial_width(size: int, level: int) -> int:
    """Width of the partial tile at ``level`` of a tree of ``size`` (0: none)."""
    return (size >> (TILE_HEIGHT * level)) % TILE_WIDTH


def tile_at(level: int, index: int, size: int) -> Tile:
    """Tile ``(level, index)`` as it is in the tree of ``size``: full, or the partial one."""
    hashes = size >> (TILE_HEIGHT * level)  # hashes at this tile level in the tree
    if index * TILE_WIDTH >= hashes:
        raise ValueError(f"a tree of size {size} has no tile {index} at level {level}")
    return Tile(level, index, min(TILE_WIDTH, hashes - index * TILE_WIDTH))


def tile_levels(size: int) -> range:
    """The tile levels a tree of ``size`` has (non-empty ones)."""
    levels = 0
    while size >> (TILE_HEIGHT * levels):
        levels += 1
    return range(levels)


def new_tiles(size: int, since: int = 0) -> Iterator[Tile]:
    """Tiles of the tree of ``size`` not in the tree of ``since``: every full tile completed
    after ``since`` and the partial tiles of ``size`` (level by level, in order)."""
    if not 0 <= since <= size:
        raise ValueError(f"need 0 <= since <= size, got {since} and {size}")
    for level in tile_levels(size):
        shift = TILE_HEIGHT * (level + 1)
        for index in range(since >> shift, size >> shift):
            yield Tile(level, index)
        width = partial_width(size, level)
        if width:
            yield Tile(level, size >> shift, width)


def tile_of_node(level: int, index: int, size: int) -> Tile:
    """The tile of the tree of ``size`` that holds what perfect node ``(level, index)`` is
    computed from."""
    tile_level, rest = divmod(level, TILE_HEIGHT)
    first = index << rest  # the node's first hash at level 8 * tile_level
    return tile_at(tile_level, first // TILE_WIDTH, size)


def node_from_tile(tile: Tile, hashes: bytes, level: int, index: int) -> bytes:
    """Hash of perfect node ``(level, index)`` from the bytes of ``tile`` (which holds it)."""
    tile_level, rest = divmod(level, TILE_HEIGHT)
    first = (index << rest) - tile.start
    if tile_level != tile.level or first < 0 or first + (1 << rest) > tile.width:
        raise ValueError(f"node ({level}, {index}) is not in tile {tile}")
    layer = [hashes[i * merkle.HASH_SIZE:(i + 1) * merkle.HASH_SIZE]
             for i in range(first, first + (1 << rest))]
    while len(layer) > 1:
        layer = [merkle.node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
    return layer[0]


def check_tile(tile: Tile, data: bytes) -> bytes:
    """The bytes of a hash tile, checked for length (``width`` hashes); ProtocolError else."""
    if len(data) != tile.width * merkle.HASH_SIZE:
        raise ProtocolError(_("Tile {path} is {length} bytes; a tile of {width} hashes is "
                              "{expected}.").format(path=tile.path, length=len(data),
                                                    width=tile.width,
                                                    expected=tile.width * merkle.HASH_SIZE))
    return data


class TileNodes:
    """A :class:`merkle.NodeSource` over the (checked) tiles of the tree of ``size``."""

    def __init__(self, size: int, tiles: Mapping[Tile, bytes]) -> None:
        self.size = size
        self.tiles = tiles

    def perfect(self, level: int, index: int) -> bytes:
        tile = tile_of_node(level, index, self.size)
        data = self.tiles.get(tile)
        if data is None:
            raise KeyError(f"tile {tile.path} was not fetched")
        return node_from_tile(tile, data, level, index)


class _Recorder:
    """A NodeSource that notes which perfect nodes are asked for (the proof recursions do
    not depend on the hash values)."""

    def __init__(self) -> None:
        self.asked: set[tuple[int, int]] = set()

    def perfect(self, level: int, index: int) -> bytes:
        self.asked.add((level, index))
        return bytes(merkle.HASH_SIZE)


def consistency_tiles(old_size: int, new_size: int) -> set[Tile]:
    """The tiles of the tree of ``new_size`` a consistency proof from ``old_size`` needs."""
    recorder = _Recorder()
    merkle.consistency_proof_from(recorder, old_size, new_size)
    return {tile_of_node(level, index, new_size) for level, index in recorder.asked}


def root_tiles(size: int) -> set[Tile]:
    """The tiles of the tree of ``size`` its root is computed from."""
    recorder = _Recorder()
    merkle.root_from(recorder, size)
    return {tile_of_node(level, index, size) for level, index in recorder.asked}


# --- entry bundles ----------------------------------------------------------------------------
def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries as a C2SP entry bundle (big-endian uint16 length, then the entry, each).

    ValueError for an entry longer than 65,535 bytes (the format cannot hold it).
    """
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_BUNDLE_ENTRY_BYTES:
            raise ValueError(f"an entry of {len(entry)} bytes does not fit an entry bundle "
                             f"(at most {MAX_BUNDLE_ENTRY_BYTES})")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(tile: Tile, data: bytes) -> list[bytes]:
    """The entries of the bundle of level-0 ``tile``: exactly ``width`` of them, nothing left
    over; ProtocolError otherwise."""
    entries: list[bytes] = []
    at = 0
    while at < len(data):
        if len(entries) == tile.width:
            raise ProtocolError(_("Entry bundle {path} holds more than {width} entries.")
                                .format(path=tile.bundle_path, width=tile.width))
        if at + 2 > len(data):
            raise ProtocolError(_("Entry bundle {path} ends inside a length prefix.")
                                .format(path=tile.bundle_path))
        length = int.from_bytes(data[at:at + 2], "big")
        if at + 2 + length > len(data):
            raise ProtocolError(_("Entry bundle {path} ends inside entry {index}.")
                                .format(path=tile.bundle_path, index=tile.start + len(entries)))
        entries.append(data[at + 2:at + 2 + length])
        at += 2 + length
    if len(entries) != tile.width:
        raise ProtocolError(_("Entry bundle {path} holds {count} entries, not {width}.")
                            .format(path=tile.bundle_path, count=len(entries), width=tile.width))
    return entries
