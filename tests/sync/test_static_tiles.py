"""Static tiles: ``publish`` writes C2SP tlog-tiles, a real ``http.server`` process on loopback
serves them, and a node syncs from the URL, verified like a peer (tampering refused with
evidence, nothing stored)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from supplychain.interchange.publish import PublishError, publish
from supplychain.ledger import tiles
from supplychain.node.operations import Node
from supplychain.sync.puller import PeerFailure, PullReport
from supplychain.sync.replica import Replica
from supplychain.sync.tiles import pull_tiles
from tests.conftest import GTIN, MAKER, PHARMACY, REGULATOR, Network
from tests.sync.helpers import free_port

pytestmark = pytest.mark.both_backends


def commission(node: Node, events: int, lot: str = "T") -> None:
    """``events`` entries in the node's log (one commissioned pack each)."""
    for i in range(events):
        node.commission(GTIN, f"{lot}{i}", date(2030, 1, 31), 1)


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """Start ``python -m http.server`` on a free loopback port for a folder; return its URL."""
    procs: list[subprocess.Popen[str]] = []

    def start(folder: Path) -> str:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", str(port),
             "--directory", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..." once bound
        assert f"port {port}" in line, line
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def pull(node: Node, url: str, batch: int = 1000) -> PullReport:
    return asyncio.run(pull_tiles(url, Replica(node.ledger, node.gln), timeout=10,
                                  batch=batch))


def test_publish_twice_writes_only_new_files(network: Network, tmp_path: Path) -> None:
    maker = network[MAKER]
    commission(maker, 300)
    out = tmp_path / "tiles"
    first = publish(maker.ledger, out)
    before = files(out)
    prefix = f"{MAKER}/"
    assert (out / "logs.txt").read_text() == "".join(f"{g}\n" for g in sorted(
        g for g in maker.store.log_sizes() if maker.store.latest_checkpoint(g)))
    assert f"{prefix}tile/0/000" in before and f"{prefix}tile/entries/000" in before
    assert f"{prefix}tile/0/001.p/44" in before and f"{prefix}tile/1/000.p/1" in before
    assert len(before[f"{prefix}tile/0/000"][0]) == tiles.FULL_TILE_BYTES
    assert (out / "directory.json").exists()
    # Hash tiles are the stored nodes: level 0 holds the leaf hashes.
    assert before[f"{prefix}tile/0/000"][0][:32] == maker.store.node(MAKER, 0, 0)

    again = publish(maker.ledger, out)
    assert again.written == 0 and files(out) == before  # nothing new: nothing touched

    commission(maker, 230, lot="U")  # 530 = 2 full tiles + 18
    second = publish(maker.ledger, out)
    after = files(out)
    assert set(before) <= set(after)
    changed = {p for p in before if after[p] != before[p]}
    assert changed == {f"{prefix}checkpoint"}  # every tile and bundle is untouched
    new = set(after) - set(before)
    assert new == {f"{prefix}tile/0/001", f"{prefix}tile/entries/001",
                   f"{prefix}tile/0/002.p/18", f"{prefix}tile/entries/002.p/18",
                   f"{prefix}tile/1/000.p/2"}
    log = {p.gln: p for p in second.logs}[MAKER]
    assert log.size == 530 and log.written == len(new) + 1
    assert {p.gln: p.size for p in first.logs}[MAKER] == 300


def test_publish_refuses_a_folder_with_another_history(network: Network,
                                                       tmp_path: Path) -> None:
    maker = network[MAKER]
    commission(maker, 2)
    out = tmp_path / "tiles"
    publish(maker.ledger, out)
    note = (out / MAKER / "checkpoint").read_text()
    lines = note.split("\n")
    lines[2] = "A" * 43 + "="  # another root
    (out / MAKER / "checkpoint").write_text("\n".join(lines))
    with pytest.raises(PublishError, match="another history"):
        publish(maker.ledger, out)


def test_a_fresh_node_syncs_from_tiles_over_http(network: Network, tmp_path: Path,
                                                 web_server: Callable[[Path], str],
                                                 cli: Callable[..., tuple[int, str, str]]
                                                 ) -> None:
    maker, pharmacy = network[MAKER], network[PHARMACY]
    commission(maker, 257)
    out = tmp_path / "tiles"
    status, _out, err = cli("--home", network.homes[MAKER], "publish", "--out", out)
    assert status == 0, err
    url = web_server(out)
    status, text, err = cli("--home", network.homes[PHARMACY], "sync", "--tiles", url,
                            "--once")
    assert status == 0, text + err
    assert "257 new entries" in text
    for gln, size in maker.store.log_sizes().items():
        assert pharmacy.store.log_size(gln) == size
        assert pharmacy.ledger.root(gln) == maker.ledger.root(gln)
    assert pharmacy.store.latest_checkpoint(MAKER).note == \
        maker.store.latest_checkpoint(MAKER).note  # type: ignore[union-attr]

    # The log grows; the next sync proves consistency from hash tiles, in small batches.
    commission(maker, 300, lot="V")
    publish(maker.ledger, out)
    report = pull(pharmacy, url, batch=100)
    assert report.failure is None, report.error
    assert report.new_entries == {MAKER: 300}
    assert pharmacy.ledger.root(MAKER) == maker.ledger.root(MAKER)
    assert pharmacy.store.evidence() == []


def _published(network: Network, tmp_path: Path, events: int) -> tuple[Node, Path]:
    maker = network[MAKER]
    commission(maker, events)
    out = tmp_path / "tiles"
    publish(maker.ledger, out)
    return maker, out


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_tampered_checkpoint_is_refused(network: Network, tmp_path: Path,
                                          web_server: Callable[[Path], str]) -> None:
    _maker, out = _published(network, tmp_path, 3)
    note = (out / MAKER / "checkpoint").read_text().split("\n")
    note[1] = "2"  # another size, same signature
    (out / MAKER / "checkpoint").write_text("\n".join(note))
    pharmacy = network[PHARMACY]
    report = pull(pharmacy, web_server(out))
    assert report.failure is PeerFailure.BLOCKED
    assert [e.kind for e in pharmacy.store.evidence()] == ["bad_checkpoint"]
    assert pharmacy.store.log_size(MAKER) == 0


def test_a_tampered_entry_bundle_is_refused(network: Network, tmp_path: Path,
                                            web_server: Callable[[Path], str]) -> None:
    _maker, out = _published(network, tmp_path, 3)
    bundle = out / MAKER / first_tile(3).bundle_path
    _flip(bundle, 40)  # inside the first entry's JSON
    pharmacy = network[PHARMACY]
    report = pull(pharmacy, web_server(out))
    assert report.failure is PeerFailure.BLOCKED
    kinds = [e.kind for e in pharmacy.store.evidence()]
    assert kinds in (["forged_entry"], ["root_mismatch"])
    assert pharmacy.store.log_size(MAKER) == 0


def test_a_truncated_entry_bundle_is_a_bad_answer(network: Network, tmp_path: Path,
                                                  web_server: Callable[[Path], str]) -> None:
    _maker, out = _published(network, tmp_path, 3)
    bundle = out / MAKER / first_tile(3).bundle_path
    bundle.write_bytes(bundle.read_bytes()[:-5])
    pharmacy = network[PHARMACY]
    report = pull(pharmacy, web_server(out))
    assert report.failure is PeerFailure.BAD_ANSWER
    assert "ends inside entry 2" in (report.error or "")
    assert [e.kind for e in pharmacy.store.evidence()] == ["bad_response"]
    assert pharmacy.store.log_size(MAKER) == 0


def test_a_tampered_hash_tile_is_refused(network: Network, tmp_path: Path,
                                         web_server: Callable[[Path], str]) -> None:
    maker, out = _published(network, tmp_path, 5)
    url = web_server(out)
    pharmacy = network[PHARMACY]
    assert pull(pharmacy, url).failure is None
    commission(maker, 4, lot="W")
    publish(maker.ledger, out)
    assert tiles.consistency_tiles(5, 9) == {first_tile(9)}
    _flip(out / MAKER / first_tile(9).path, 7)  # a leaf hash the consistency proof 5 -> 9 reads
    held = pharmacy.store.log_size(MAKER)
    report = pull(pharmacy, url)
    assert report.failure is PeerFailure.BLOCKED
    assert [e.kind for e in pharmacy.store.evidence()] == ["inconsistent_history"]
    assert pharmacy.store.log_size(MAKER) == held == 5


def test_sync_tiles_refuses_a_url_that_is_not_http(cli: Callable[..., tuple[int, str, str]],
                                                  network: Network) -> None:
    status, _out, err = cli("--home", network.homes[REGULATOR], "sync", "--tiles",
                            "ftp://127.0.0.1/x", "--once")
    assert status != 0 and "is not a tiles URL" in err


def first_tile(size: int) -> tiles.Tile:
    """The level-0 tile of a log smaller than 256 entries."""
    return tiles.tile_at(0, 0, size)

