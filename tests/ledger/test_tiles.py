"""C2SP tlog-tiles layout and maths (supplychain.ledger.tiles): paths, partial tiles, entry
bundles, and roots and proofs computed from tiles, around tile boundaries. No I/O."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.errors import ProtocolError
from supplychain.ledger import merkle, tiles
from supplychain.ledger.tiles import Tile

LEAVES = 70_000 + 3
NODES = merkle.MemoryNodes(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(LEAVES))


def tile_bytes(tile: Tile) -> bytes:
    """What a publisher writes for ``tile``: the perfect nodes of its level, in order."""
    level = tiles.TILE_HEIGHT * tile.level
    return b"".join(NODES.perfect(level, tile.start + i) for i in range(tile.width))


def published(size: int, since: int = 0) -> dict[Tile, bytes]:
    return {t: tile_bytes(t) for t in tiles.new_tiles(size, since)}


@pytest.mark.parametrize(("index", "path"), [
    (0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067"),
    (1_000_000, "x001/x000/000"),
])
def test_index_path_matches_the_spec(index: int, path: str) -> None:
    assert tiles.index_path(index) == path


def test_tile_paths_full_and_partial() -> None:
    assert Tile(0, 1234067).path == "tile/0/x001/x234/067"
    assert Tile(1, 3, 17).path == "tile/1/003.p/17"
    assert Tile(0, 273, 112).bundle_path == "tile/entries/273.p/112"
    assert Tile(0, 2).bundle_path == "tile/entries/002"
    with pytest.raises(ValueError):
        _ = Tile(1, 0).bundle_path
    with pytest.raises(ValueError):
        Tile(0, 0, 0)


def test_tree_of_70000_is_the_spec_example() -> None:
    made = list(tiles.new_tiles(70_000))
    counts = Counter((t.level, t.full) for t in made)
    assert counts == {(0, True): 273, (0, False): 1, (1, True): 1, (1, False): 1,
                      (2, False): 1}
    assert [t for t in made if not t.full] == [Tile(0, 273, 112), Tile(1, 1, 17), Tile(2, 0, 1)]


def test_tree_of_256_is_one_full_tile_and_a_partial_level_1_tile() -> None:
    assert list(tiles.new_tiles(256)) == [Tile(0, 0), Tile(1, 0, 1)]


def test_new_tiles_since_lists_only_new_full_tiles_and_the_new_partials() -> None:
    assert list(tiles.new_tiles(600, 300)) == [Tile(0, 1), Tile(0, 2, 88), Tile(1, 0, 2)]
    assert list(tiles.new_tiles(512, 512)) == [Tile(1, 0, 2)]
    assert list(tiles.new_tiles(0)) == []


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537,
                                  70_000, LEAVES])
def test_hash_tiles_give_the_root(size: int) -> None:
    nodes = tiles.TileNodes(size, published(size))
    assert merkle.root_from(nodes, size) == merkle.root_from(NODES, size)
    assert tiles.root_tiles(size) <= set(nodes.tiles)


@pytest.mark.parametrize(("old", "new"), [(1, 256), (255, 257), (256, 257), (257, 65_536),
                                          (65_535, 65_537), (300, 70_000), (65_536, LEAVES)])
def test_consistency_proofs_from_tiles_equal_the_stored_ones(old: int, new: int) -> None:
    # A reader holds the tiles of the new checkpoint's size only: what a publisher wrote for
    # ``old`` and then for ``new``, minus the partial tiles of ``old``.
    available = published(new)
    needed = tiles.consistency_tiles(old, new)
    assert needed <= set(available)
    nodes = tiles.TileNodes(new, {t: available[t] for t in needed})
    proof = merkle.consistency_proof_from(nodes, old, new)
    assert proof == merkle.consistency_proof_from(NODES, old, new)
    merkle.verify_consistency(old, new, merkle.root_from(NODES, old),
                              merkle.root_from(NODES, new), proof)


@given(st.integers(1, LEAVES).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_any_size_root_and_consistency_from_tiles(sizes: tuple[int, int]) -> None:
    old, new = sizes
    needed = tiles.consistency_tiles(old, new) | tiles.root_tiles(new)
    nodes = tiles.TileNodes(new, {t: tile_bytes(t) for t in needed})
    assert merkle.root_from(nodes, new) == merkle.root_from(NODES, new)
    assert merkle.consistency_proof_from(nodes, old, new) == \
        merkle.consistency_proof_from(NODES, old, new)


def test_a_changed_tile_byte_changes_the_root() -> None:
    available = published(1000)
    tile = Tile(1, 0, 3)  # the root of 1000 = 512 + 256 + 232 reads level 8 from here
    assert tile in tiles.root_tiles(1000)
    data = bytearray(available[tile])
    data[40] ^= 1
    available[tile] = bytes(data)
    assert merkle.root_from(tiles.TileNodes(1000, available), 1000) != \
        merkle.root_from(NODES, 1000)


def test_check_tile_wants_exactly_width_hashes() -> None:
    tile = Tile(0, 0, 3)
    assert tiles.check_tile(tile, bytes(96)) == bytes(96)
    for wrong in (bytes(95), bytes(97), bytes(8192)):
        with pytest.raises(ProtocolError, match="a tile of 3 hashes is 96"):
            tiles.check_tile(tile, wrong)


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=256))
def test_entry_bundle_round_trip(entries: list[bytes]) -> None:
    tile = Tile(0, 5, len(entries))
    data = tiles.encode_bundle(entries)
    assert len(data) == sum(2 + len(e) for e in entries)
    assert tiles.decode_bundle(tile, data) == entries


def test_entry_bundle_is_big_endian_uint16_prefixed() -> None:
    assert tiles.encode_bundle([b"ab", b""]) == b"\x00\x02ab\x00\x00"
    big = bytes(tiles.MAX_BUNDLE_ENTRY_BYTES)
    assert tiles.encode_bundle([big])[:2] == b"\xff\xff"
    with pytest.raises(ValueError, match="does not fit"):
        tiles.encode_bundle([big + b"x"])


@pytest.mark.parametrize(("data", "width", "error"), [
    (b"\x00\x02ab\x00", 2, "inside a length prefix"),
    (b"\x00\x05ab", 1, "inside entry"),
    (b"\x00\x01a\x00\x01b", 1, "more than 1"),
    (b"\x00\x01a", 2, "holds 1 entries, not 2"),
    (b"", 1, "holds 0 entries"),
])
def test_malformed_entry_bundles_are_refused(data: bytes, width: int, error: str) -> None:
    with pytest.raises(ProtocolError, match=error):
        tiles.decode_bundle(Tile(0, 0, width), data)
