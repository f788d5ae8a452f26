"""The member directory travels with every sync round (GET /v1/directory): over real TLS,
and a forged one served in process (the lie is in the data)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from supplychain.cli.main import main
from supplychain.errors import RuleViolation
from supplychain.ledger.membership import held_directory
from supplychain.node.operations import Node
from supplychain.sync.protocol import DirectoryDoc
from supplychain.sync.replica import Replica
from supplychain.sync.service import SyncService
from tests.conftest import GTIN, MAKER, PASSPHRASE, PHARMACY, PREFIX
from tests.sync.helpers import MemoryPeer, pull, pull_in_process, run, serving

pytestmark = pytest.mark.both_backends


@pytest.fixture
def late(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Node, Node]:
    """The maker's node, enrolled before the pharmacy's; both open."""
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", PASSPHRASE.decode())
    consortium = tmp_path / "consortium"
    assert main(["consortium", "create", str(consortium), "--name", "Sync Health"]) == 0
    assert main(["consortium", "enroll", str(consortium), "--org", "Acme", "--gln", MAKER,
                 "--role", "manufacturer", "--prefix", PREFIX,
                 "--home", str(tmp_path / "maker")]) == 0
    assert main(["consortium", "enroll", str(consortium), "--org", "Corner Pharmacy",
                 "--gln", PHARMACY, "--role", "pharmacy", "--home", str(tmp_path / "ph")]) == 0
    maker = Node(tmp_path / "maker", lambda: PASSPHRASE)
    pharmacy = Node(tmp_path / "ph", lambda: PASSPHRASE)
    yield maker, pharmacy
    maker.close()
    pharmacy.close()


def _version(node: Node) -> int | None:
    held = held_directory(node.ledger)
    return held.version if held else None


def test_a_sync_round_teaches_an_earlier_node_the_later_member(late) -> None:
    maker, pharmacy = late
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 2)
    with pytest.raises(RuleViolation):
        maker.ship(PHARMACY, codes)

    async def go():  # type: ignore[no-untyped-def]
        async with serving(pharmacy) as (_, url):
            service = SyncService(maker, PASSPHRASE, timeout=5)
            try:
                return (await pull(service, url))[0]
            finally:
                service.close()

    report = run(go())
    assert report.error is None and report.directory_version == 3
    assert report.new_members == 1 and _version(maker) == 3
    maker.ship(PHARMACY, codes)


def test_a_peer_serving_an_altered_directory_is_blocked(late) -> None:
    maker, pharmacy = late
    liar = Replica(pharmacy.ledger, PHARMACY)
    honest = liar.directory_doc

    def altered() -> DirectoryDoc:
        doc = honest()
        assert doc.directory is not None
        return dataclasses.replace(doc, directory={**doc.directory, "version": 50})

    members_before = maker.store.all_member_certs()
    report = pull_in_process(maker, MemoryPeer(liar, "https://liar.example",
                                               directory_doc=altered))
    assert report.blocked and "altered after signing" in (report.error or "")
    assert "forged_directory" in {e.kind for e in maker.store.evidence()}
    assert maker.store.all_member_certs() == members_before and _version(maker) == 2
