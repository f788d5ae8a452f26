"""Bundles written as a stream and split into parts of a given size, and the honest size limit
on import: each part is a whole bundle, importable alone and in any order, and together they
carry exactly what one bundle does."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from supplychain.cli.main import main
from supplychain.errors import BundleError
from supplychain.interchange import bundle
from supplychain.interchange.bundle import export_bundle, export_bundle_parts, import_bundle
from supplychain.ledger.audit import audit
from supplychain.node.operations import COMMISSION_CHUNK, Node
from tests.conftest import DIST_A, DIST_B, GTIN, MAKER, PASSPHRASE, PHARMACY, Network


def _state(node: Node) -> tuple:
    store = node.store
    return (store.log_sizes(), store.all_checkpoints(), store.derived_snapshot())


def _three_logs(network: Network) -> None:
    """MAKER's log (large entries), DIST_A's and DIST_B's (small), all held by DIST_A."""
    maker = network[MAKER]
    codes = maker.commission(GTIN, "P1", date(2030, 1, 31), 2 * COMMISSION_CHUNK)
    maker.ship(DIST_A, codes[:3])
    maker.ship(DIST_B, codes[3:5])
    import_bundle(network[DIST_A].ledger, _exported(maker, network.root / "m.json"))
    import_bundle(network[DIST_B].ledger, _exported(maker, network.root / "m.json"))
    network[DIST_A].receive(codes[:3])
    network[DIST_B].receive(codes[3:5])
    import_bundle(network[DIST_A].ledger, _exported(network[DIST_B], network.root / "b.json"))


def _exported(node: Node, path: Path) -> Path:
    export_bundle(node.ledger, path)
    return path


def test_a_streamed_bundle_is_the_same_json_document(network: Network, tmp_path: Path) -> None:
    _three_logs(network)
    path = tmp_path / "all.json"
    logs = export_bundle(network[DIST_A].ledger, path)
    document = json.loads(path.read_bytes())
    assert list(document) == ["format", "consortium", "root", "members", "revocations",
                              "directory", "logs"]
    assert {log["gln"]: len(log["entries"]) for log in document["logs"]} == logs
    assert set(logs) == {MAKER, DIST_A, DIST_B}


def test_parts_are_within_the_size_and_import_alone_in_any_order(network: Network,
                                                                  tmp_path: Path) -> None:
    _three_logs(network)
    source = network[DIST_A]
    whole = tmp_path / "whole.json"
    logs = export_bundle(source.ledger, whole)
    limit = whole.stat().st_size // 2  # MAKER's log alone is most of it
    parts = export_bundle_parts(source.ledger, tmp_path / "part.json", limit)
    assert len(parts) >= 2
    assert [p.path.name for p in parts][:2] == ["part.json", "part-2.json"]
    merged: dict[str, int] = {}
    for part in parts:
        assert part.size == part.path.stat().st_size
        assert part.size <= limit or len(part.logs) == 1  # a larger log travels alone
        assert not set(part.logs) & set(merged)
        merged |= part.logs
    assert merged == logs
    # PHARMACY knows nothing yet: parts in reverse order, each alone, then the whole bundle
    target = network[PHARMACY]
    for part in reversed(parts):
        assert import_bundle(target.ledger, part.path).total_new == sum(part.logs.values())
    assert import_bundle(target.ledger, whole).total_new == 0
    assert target.store.log_sizes() == {g: n for g, n in logs.items()}
    assert {g: target.ledger.root(g) for g in logs} == {g: source.ledger.root(g) for g in logs}
    audit(target.ledger)


def test_a_bundle_over_the_limit_is_refused_with_the_way_out(network: Network, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    path = _exported(network[MAKER], tmp_path / "m.json")
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", path.stat().st_size - 1)
    before = _state(network[DIST_A])
    with pytest.raises(BundleError, match=r"export it in parts with `supplychain bundle export "
                                          r"--max-mb \d+ FILE` and import each part"):
        import_bundle(network[DIST_A].ledger, path)
    assert _state(network[DIST_A]) == before


def test_bundle_export_max_mb_on_the_command_line(network: Network, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _three_logs(network)
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    home = network.homes[DIST_A]
    network[DIST_A].close()
    assert main(["--home", str(home), "bundle", "export", "--json", "--max-mb", "1",
                 str(tmp_path / "b.json")]) == 0
    parts = json.loads(capsys.readouterr().out)
    assert [p["file"] for p in parts] == [str(tmp_path / "b.json")]  # all fits in 1 MiB
    assert set(parts[0]["logs"]) == {MAKER, DIST_A, DIST_B}
    for bad in ("0", "100000"):
        assert main(["--home", str(home), "bundle", "export", "--max-mb", bad,
                     str(tmp_path / "c.json")]) == 1
        assert "--max-mb must be from 1 to 256" in capsys.readouterr().err
    assert not (tmp_path / "c.json").exists()
