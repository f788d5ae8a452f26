"""One Merkle test suite over every backend: in-memory nodes, the SQLite and PostgreSQL stores."""

from __future__ import annotations

import hashlib

import pytest

from supplychain.ledger import merkle
from supplychain.ledger.backends import open_store
from supplychain.ledger.logs import StoredNodes
from supplychain.ledger.store import Store
from tests.pg import PgServer

SIZES = list(range(1, 34))


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


class CountingStoredNodes(StoredNodes):
    calls = 0

    def perfect(self, level: int, index: int) -> bytes:
        self.calls += 1
        return super().perfect(level, index)


@pytest.fixture(scope="module")
def sources(pg_server: PgServer) -> dict[str, object]:
    """Every backend filled with the same 33 leaves, appended one at a time."""
    stores = {"sqlite": Store(":memory:", create=True),
              "postgresql": open_store(pg_server.url(), create=True)}
    memory = merkle.MemoryNodes()
    for store in stores.values():
        compact = merkle.CompactRange()
        with store.transaction():
            for leaf in leaves(max(SIZES)):
                store.put_nodes("log", compact.append(leaf))
    for leaf in leaves(max(SIZES)):
        memory.append(leaf)
    return {"memory": memory, **{name: StoredNodes(s, "log") for name, s in stores.items()}}


@pytest.mark.parametrize("source", ["memory", "sqlite", "postgresql"])
@pytest.mark.parametrize("size", SIZES)
def test_roots_and_proofs_match_the_list_functions(sources, source: str, size: int) -> None:
    src = sources[source]
    data = leaves(size)
    assert merkle.root_from(src, size) == merkle.root(data)
    for index in range(size):
        proof = merkle.inclusion_proof_from(src, index, size)
        assert proof == merkle.inclusion_proof(data, index)
        merkle.verify_inclusion(data[index], index, size, proof, merkle.root(data))
    for old in range(1, size + 1):
        proof = merkle.consistency_proof_from(src, old, size)
        assert proof == merkle.consistency_proof(data, old)
        merkle.verify_consistency(old, size, merkle.root(data[:old]), merkle.root(data), proof)


@pytest.mark.both_backends
def test_store_root_reads_logarithmically_many_nodes(new_store) -> None:
    store = new_store()
    compact = merkle.CompactRange()
    n = 5000
    with store.transaction():
        for leaf in leaves(n):
            store.put_nodes("log", compact.append(leaf))
    src = CountingStoredNodes(store, "log")
    assert merkle.root_from(src, n) == compact.root()
    assert src.calls <= n.bit_length()
    src.calls = 0
    merkle.inclusion_proof_from(src, 1234, n)
    assert src.calls <= 2 * n.bit_length()


def test_an_older_store_file_is_upgraded_on_open(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from supplychain.ledger import sql

    path = tmp_path / "old.sqlite"
    store = Store(path, create=True)
    store.conn.execute("CREATE INDEX events_by_entry ON events (gln, idx)")  # version 1 had it
    store.set_meta("schema_version", "1")
    store.close()
    store = Store(path)
    indexes = {r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "events_by_entry" not in indexes and "event_items_by_pack" in indexes
    assert store.get_meta("schema_version") == str(sql.SCHEMA_VERSION)
    store.close()
