"""Bundles (offline sync) refuse anything bad whole; audit names the first fault."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest

from supplychain.errors import AuditFailure, BundleError
from supplychain.interchange.bundle import export_bundle, import_bundle
from supplychain.ledger.audit import audit
from supplychain.node.operations import Node
from supplychain.node.setup import build_network
from tests.conftest import (
    DIST_A,
    GTIN,
    MAKER,
    MEMBERS,
    PASSPHRASE,
    PHARMACY,
    Network,
    copy_home,
    raw_sql,
)

pytestmark = pytest.mark.both_backends


def _bundle(network: Network, tmp_path: Path) -> tuple[Path, dict]:
    codes = network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 3)
    network[MAKER].ship(DIST_A, codes)
    path = tmp_path / "b.json"
    export_bundle(network[MAKER].ledger, path)
    return path, json.loads(path.read_text())


def _state(node: Node) -> tuple:
    return (node.store.log_sizes(), node.store.derived_snapshot(), node.store.all_checkpoints())


def test_import_is_idempotent(network: Network, tmp_path: Path) -> None:
    path, _ = _bundle(network, tmp_path)
    first = import_bundle(network[DIST_A].ledger, path)
    assert first.new_entries == {MAKER: 2}
    state = _state(network[DIST_A])
    second = import_bundle(network[DIST_A].ledger, path)
    assert second.total_new == 0
    assert _state(network[DIST_A]) == state


def _flip_entry(doc: dict, index: int) -> None:
    raw = bytearray(base64.b64decode(doc["logs"][0]["entries"][index]))
    raw[raw.index(b'"L1"') + 2] ^= 0x01  # the lot's second character
    doc["logs"][0]["entries"][index] = base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    ("tamper", "phrase"),
    [
        (lambda d: _flip_entry(d, 0), "forged or damaged signature"),
        (lambda d: d["logs"][0].update(checkpoint=d["logs"][0]["checkpoint"].replace(
            "\n2\n", "\n1\n")), "not signed"),
        (lambda d: d["logs"][0]["entries"].pop(), "covers 2 entries"),
        (lambda d: d.update(root="-----BEGIN CERTIFICATE-----\nAAAA\n"), "another consortium"),
        (lambda d: d["logs"][0].update(entries="zz"), "malformed"),
        (lambda d: d["logs"][0]["entries"].__setitem__(0, "%%%"), "not base64"),
    ],
)
def test_bad_bundle_is_refused_and_nothing_is_kept(network: Network, tmp_path: Path,
                                                    tamper, phrase: str) -> None:
    path, doc = _bundle(network, tmp_path)
    tamper(doc)
    path.write_text(json.dumps(doc))
    target = network[DIST_A]
    before = _state(target)
    with pytest.raises(BundleError, match=phrase):
        import_bundle(target.ledger, path)
    assert _state(target) == before


def test_not_a_bundle(network: Network, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{nope")
    with pytest.raises(BundleError, match="not valid JSON"):
        import_bundle(network[DIST_A].ledger, path)
    with pytest.raises(BundleError, match="Cannot read"):
        import_bundle(network[DIST_A].ledger, tmp_path / "missing.json")


def test_rewritten_history_is_refused(network: Network, tmp_path: Path) -> None:
    path, _ = _bundle(network, tmp_path)
    import_bundle(network[DIST_A].ledger, path)
    # The manufacturer's node is rolled back from a copy and writes a different history.
    maker_home = network.homes[MAKER]
    network[MAKER].close()
    fork_home = tmp_path / "maker-fork"
    copy_home(maker_home, fork_home)
    forked = Node(fork_home, lambda: PASSPHRASE)
    raw_sql(forked.store, "DELETE FROM entries WHERE gln = ? AND idx = 1", (MAKER,))
    raw_sql(forked.store, "DELETE FROM nodes WHERE gln = ? AND idx >= 1 AND level = 0",
                              (MAKER,))
    raw_sql(forked.store, "DELETE FROM nodes WHERE gln = ? AND level = 1", (MAKER,))
    raw_sql(forked.store, "DELETE FROM checkpoints WHERE gln = ? AND size = 2", (MAKER,))
    forked.ledger.rebuild()
    forked.commission(GTIN, "L2", date(2030, 1, 31), 1)
    path2 = tmp_path / "fork.json"
    export_bundle(forked.ledger, path2)
    before = _state(network[DIST_A])
    with pytest.raises(BundleError, match="rewrote history"):
        import_bundle(network[DIST_A].ledger, path2)
    assert _state(network[DIST_A]) == before
    forked.close()


def test_audit_passes_on_a_healthy_node(network: Network, tmp_path: Path) -> None:
    path, _ = _bundle(network, tmp_path)
    import_bundle(network[DIST_A].ledger, path)
    report = audit(network[DIST_A].ledger)
    assert report.entries == 2 and report.logs == 1


@pytest.mark.parametrize(
    ("sql", "phrase"),
    [
        ("UPDATE packs SET status = 'dispensed'", "Derived table 'packs'"),
        ("UPDATE nodes SET hash = ? WHERE level = 0 AND idx = 0", "Merkle node"),
        ("DELETE FROM events WHERE event_hash = (SELECT min(event_hash) FROM events)",
         "Derived table 'events'"),
        ("UPDATE checkpoints SET root = ?", "differs from its signed note"),
        ("UPDATE entries SET data = ? WHERE idx = 0", "entry 0"),
    ],
)
def test_audit_finds_tampering(network: Network, sql: str, phrase: str) -> None:
    network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 2)
    store = network[MAKER].store
    tampered = store.entry(MAKER, 0).replace(b"L1", b"L7") if "entries" in sql else bytes(32)
    raw_sql(store, sql, (tampered,) if "?" in sql else ())
    with pytest.raises(AuditFailure, match=phrase):
        audit(network[MAKER].ledger)


def test_audit_finds_a_flipped_byte_in_the_sqlite_file(tmp_path: Path) -> None:
    _, homes = build_network(tmp_path, "Flip Health", MEMBERS[:2], PASSPHRASE)
    node = Node(homes[MAKER], lambda: PASSPHRASE)
    node.commission(GTIN, "LOTFLIP", date(2030, 1, 31), 5)
    audit(node.ledger)
    node.close()
    db = homes[MAKER] / "ledger.sqlite"
    data = bytearray(db.read_bytes())
    at = data.index(b"LOTFLIP")  # inside the first stored entry (or its derived copy)
    data[at + 3] ^= 0x04
    db.write_bytes(bytes(data))
    node = Node(homes[MAKER], lambda: PASSPHRASE)
    with pytest.raises(AuditFailure):
        audit(node.ledger)
    node.close()


def test_pharmacy_stays_consistent_after_refused_import(network: Network,
                                                        tmp_path: Path) -> None:
    path, doc = _bundle(network, tmp_path)
    raw = bytearray(base64.b64decode(doc["logs"][0]["entries"][1]))
    raw[raw.index(b'"to":"') + 8] ^= 0x01  # the ship's recipient, so the signature fails
    doc["logs"][0]["entries"][1] = base64.b64encode(bytes(raw)).decode()
    path.write_text(json.dumps(doc))
    with pytest.raises(BundleError):
        import_bundle(network[PHARMACY].ledger, path)
    audit(network[PHARMACY].ledger)
