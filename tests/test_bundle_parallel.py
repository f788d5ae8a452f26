"""Bundle import on a full node over PostgreSQL: the bundle's logs in parallel worker
processes give the serial import's state; a log with a forged entry is refused alone."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from supplychain.errors import BundleError
from supplychain.interchange import bundle_parallel
from supplychain.interchange.bundle import export_bundle, import_bundle
from supplychain.ledger import parallel
from supplychain.ledger.audit import audit
from supplychain.ledger.events import SignedEvent
from supplychain.node.operations import Node
from tests.conftest import (
    DIST_A,
    GTIN,
    MAKER,
    PASSPHRASE,
    PHARMACY,
    REGULATOR,
    Network,
    move_homes_to_postgresql,
)
from tests.pg import PgServer


@pytest.fixture(autouse=True)
def _small_threshold(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(bundle_parallel, "PARALLEL_MIN_ENTRIES", 1)
    yield


@pytest.fixture(scope="module", autouse=True)
def _workers() -> Iterator[None]:
    yield
    parallel.shutdown()


def _three_logs(network: Network, tmp_path: Path) -> Path:
    """A bundle of three logs with chains across them (ship, receive, ship, receive,
    dispense), exported by the pharmacy that holds them all."""
    from datetime import date

    from supplychain.interchange.bundle import exchange

    maker, dist, pharmacy = network[MAKER], network[DIST_A], network[PHARMACY]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 4)
    maker.ship(DIST_A, codes)
    exchange(maker, dist)
    dist.receive(codes)
    dist.ship(PHARMACY, codes[:3])
    exchange(dist, pharmacy)
    exchange(maker, pharmacy)
    pharmacy.receive(codes[:3])
    pharmacy.dispense(codes[:1])
    path = tmp_path / "three.json"
    export_bundle(pharmacy.ledger, path)
    return path


def _pg_copy(network: Network, gln: str, tmp_path: Path, server: PgServer, name: str) -> Node:
    home = tmp_path / name
    shutil.copytree(network.homes[gln], home)
    move_homes_to_postgresql(server, [home], ingest_workers=2)
    node = Node(home, lambda: PASSPHRASE)
    assert node.store.parallel_ingest and getattr(node.store, "ingest_workers", 0) > 0
    return node


def test_parallel_import_equals_serial(network: Network, tmp_path: Path, pg_server: PgServer,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = _pg_copy(network, REGULATOR, tmp_path, pg_server, "pg-regulator")
    path = _three_logs(network, tmp_path)
    calls: list[int] = []
    real = bundle_parallel.import_logs
    monkeypatch.setattr(bundle_parallel, "import_logs",
                        lambda ledger, logs, source: calls.append(len(logs))
                        or real(ledger, logs, source))
    serial = import_bundle(network[REGULATOR].ledger, path)  # SQLite: one transaction
    assert calls == []
    result = import_bundle(target.ledger, path)
    assert calls == [3]
    assert result.new_entries == serial.new_entries and len(result.new_entries) == 3
    assert target.store.derived_snapshot() == network[REGULATOR].store.derived_snapshot()
    assert target.store.log_sizes() == network[REGULATOR].store.log_sizes()
    audit(target.ledger)
    again = import_bundle(target.ledger, path)  # importing twice is a no-op
    assert again.total_new == 0
    target.close()


def test_forged_log_is_refused_alone(network: Network, tmp_path: Path,
                                     pg_server: PgServer) -> None:
    target = _pg_copy(network, REGULATOR, tmp_path, pg_server, "pg-regulator")
    path = _three_logs(network, tmp_path)
    doc = json.loads(path.read_text())
    log = next(entry for entry in doc["logs"] if entry["gln"] == DIST_A)
    signed = SignedEvent.from_bytes(base64.b64decode(log["entries"][-1]))
    bad = bytes([signed.signature[0] ^ 1]) + signed.signature[1:]
    log["entries"][-1] = base64.b64encode(
        SignedEvent(signed.event, bad, signed.event_bytes).to_bytes()).decode()
    path.write_text(json.dumps(doc))
    with pytest.raises(BundleError, match=f"1 log\\(s\\).*not imported.*{DIST_A}.*forged"):
        import_bundle(target.ledger, path)
    sizes = target.store.log_sizes()
    assert DIST_A not in sizes  # nothing of the forged log
    assert sizes[MAKER] == network[MAKER].store.log_size(MAKER)  # the others landed
    assert sizes[PHARMACY] == network[PHARMACY].store.log_size(PHARMACY)
    audit(target.ledger)
    target.close()


def test_a_rewritten_log_is_refused_alone_and_its_dispute_kept(
        network: Network, tmp_path: Path, pg_server: PgServer) -> None:
    from datetime import date

    from supplychain.interchange.bundle import exchange
    from tests.conftest import FOREIGN_GTIN, OTHER_MAKER
    from tests.rewritten_helpers import assert_dispute_kept, assert_verdicts, rewritten_maker

    case = rewritten_maker(network, tmp_path, fork_entries=2)
    exchange(network[MAKER], network[REGULATOR])  # the regulator holds the real log
    target = _pg_copy(network, REGULATOR, tmp_path, pg_server, "pg-regulator")
    (other,) = network[OTHER_MAKER].commission(  # type: ignore[arg-type]
        FOREIGN_GTIN, "X1", date(2030, 1, 31), 1)
    exchange(network[OTHER_MAKER], case.fork)  # the copy's bundle carries two logs
    path = tmp_path / "fork.json"
    export_bundle(case.fork.ledger, path)
    with pytest.raises(BundleError, match=f"1 log\\(s\\).*Acme Pharma \\({MAKER}\\) rewrote"):
        import_bundle(target.ledger, path)
    assert target.store.log_size(OTHER_MAKER) == 1  # the other log landed
    assert_dispute_kept(target, "bundle", from_index=1)
    assert_verdicts(target, disputed=case.late, clear=other)
    assert target.verify(case.early).verdict.value == "genuine"
    audit(target.ledger)
    target.close()
    case.fork.close()
