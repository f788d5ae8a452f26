"""The root-signed member directory: a node learns of members enrolled after it.

Routes tested here: a directory file from the regulator, and a bundle. (Sync: see
tests/sync/test_directory_sync.py.) Forged, foreign and older directories change nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from supplychain.errors import DirectoryError, RuleViolation, StaleDirectory
from supplychain.identity.consortium import Consortium
from supplychain.identity.directory import MemberDirectory
from supplychain.ledger.membership import accept_directory, held_directory
from supplychain.node.operations import Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, PHARMACY, PREFIX


@pytest.fixture
def late_member(cli, tmp_path: Path) -> tuple[Path, Path, Path]:
    """The maker is enrolled first, then the pharmacy: the maker does not know the pharmacy."""
    consortium, maker, pharmacy = tmp_path / "consortium", tmp_path / "maker", tmp_path / "ph"
    assert cli("consortium", "create", consortium, "--name", "Directory Health")[0] == 0
    assert cli("consortium", "enroll", consortium, "--org", "Acme", "--gln", MAKER,
               "--role", "manufacturer", "--prefix", PREFIX, "--home", maker)[0] == 0
    assert cli("consortium", "enroll", consortium, "--org", "Corner Pharmacy", "--gln",
               PHARMACY, "--role", "pharmacy", "--home", pharmacy)[0] == 0
    return consortium, maker, pharmacy


def _commission(home: Path) -> list:
    with Node(home, lambda: PASSPHRASE) as node:
        return node.commission(GTIN, "L1", date(2030, 1, 31), 2)


def _ship(home: Path, codes: list) -> None:
    with Node(home, lambda: PASSPHRASE) as node:
        node.ship(PHARMACY, codes)


def _members(home: Path) -> list[bytes]:
    with Node(home, lambda: PASSPHRASE) as node:
        return node.store.all_member_certs()


def _version(home: Path) -> int | None:
    with Node(home, lambda: PASSPHRASE) as node:
        held = held_directory(node.ledger)
        return held.version if held else None


def test_an_earlier_node_cannot_ship_to_a_later_member_before(late_member) -> None:
    _, maker, _ = late_member
    with pytest.raises(RuleViolation, match="not a member known to this node"):
        _ship(maker, _commission(maker))


def test_directory_file_teaches_an_earlier_node(cli, late_member, tmp_path: Path) -> None:
    consortium, maker, _ = late_member
    codes = _commission(maker)
    code, out, _ = cli("consortium", "directory", consortium, "--out", tmp_path / "dir.json")
    assert code == 0 and "version 3" in out  # created, maker enrolled, pharmacy enrolled
    assert _version(maker) == 2
    code, out, _ = cli("--home", maker, "directory", "import", tmp_path / "dir.json")
    assert code == 0 and "version 3 imported: 1 new member" in out
    _ship(maker, codes)
    assert _version(maker) == 3
    # Importing the same version again is a no-op.
    code, out, _ = cli("--home", maker, "directory", "import", tmp_path / "dir.json")
    assert code == 0 and "already holds member directory version 3" in out
    code, out, _ = cli("--home", maker, "directory", "show")
    assert code == 0 and "version 3" in out and "Corner Pharmacy" in out


def test_bundle_carries_the_directory(cli, late_member, tmp_path: Path) -> None:
    _, maker, pharmacy = late_member
    codes = _commission(maker)
    assert cli("--home", pharmacy, "bundle", "export", tmp_path / "p.json")[0] == 0
    bundle = json.loads((tmp_path / "p.json").read_text())
    assert bundle["directory"]["version"] == 3
    assert cli("--home", maker, "bundle", "import", tmp_path / "p.json")[0] == 0
    assert _version(maker) == 3
    _ship(maker, codes)


def test_a_bundle_with_an_older_directory_keeps_the_newer(cli, late_member,
                                                          tmp_path: Path) -> None:
    _, maker, pharmacy = late_member
    assert cli("--home", maker, "bundle", "export", tmp_path / "m.json")[0] == 0
    assert cli("--home", pharmacy, "bundle", "import", tmp_path / "m.json")[0] == 0
    assert _version(pharmacy) == 3


def _refused(maker: Path, directory: MemberDirectory | bytes, error: type[Exception],
             match: str) -> None:
    before = (_members(maker), _version(maker))
    with Node(maker, lambda: PASSPHRASE) as node, pytest.raises(error, match=match):
        if isinstance(directory, bytes):
            directory = MemberDirectory.parse(directory)
        accept_directory(node.ledger, directory)
    assert (_members(maker), _version(maker)) == before


def test_an_older_directory_is_refused(cli, late_member, tmp_path: Path) -> None:
    consortium, maker, _ = late_member
    older = Consortium.open(consortium).signed_directory()
    assert older is not None and older.version == 3
    assert cli("consortium", "directory", consortium, "--out", tmp_path / "d.json")[0] == 0
    assert cli("--home", maker, "directory", "import", tmp_path / "d.json")[0] == 0
    cli("consortium", "revoke", consortium, "--gln", PHARMACY, "--valid-size", "0",
        "--reason", "test")
    newer = Consortium.open(consortium).signed_directory()
    assert newer is not None and newer.version == 4
    with Node(maker, lambda: PASSPHRASE) as node:
        assert accept_directory(node.ledger, newer).new_revocations == 1
    _refused(maker, older, StaleDirectory, "version 3, older than the version 4")
    (tmp_path / "old.json").write_bytes(older.to_bytes())
    code, _, err = cli("--home", maker, "directory", "import", tmp_path / "old.json")
    assert code == 1 and "never rolls back" in err


def test_a_tampered_directory_is_refused(late_member) -> None:
    consortium, maker, _ = late_member
    directory = Consortium.open(consortium).signed_directory()
    assert directory is not None
    data = directory.to_dict()
    data["version"] = 99  # a relay bumps the number to win over later versions
    _refused(maker, json.dumps(data).encode(), DirectoryError, "altered after signing")
    data = directory.to_dict()
    data["members"] = data["members"][:1]  # a relay drops a member
    _refused(maker, json.dumps(data).encode(), DirectoryError, "altered after signing")
    raw = bytearray(directory.to_bytes())
    at = raw.index(b"MII") + 40  # one byte inside the first certificate
    raw[at] = ord("A") if raw[at] != ord("A") else ord("B")
    _refused(maker, bytes(raw), DirectoryError, "altered after signing|certificate")


def test_a_directory_of_another_root_is_refused(cli, late_member, tmp_path: Path) -> None:
    _, maker, _ = late_member
    other = tmp_path / "other"
    assert cli("consortium", "create", other, "--name", "Directory Health")[0] == 0
    foreign = Consortium.open(other).directory(PASSPHRASE)
    _refused(maker, foreign, DirectoryError, "signed by another consortium root")
    (tmp_path / "foreign.json").write_bytes(foreign.to_bytes())
    code, _, err = cli("--home", maker, "directory", "import", tmp_path / "foreign.json")
    assert code == 1 and "another consortium root" in err


def test_a_bundle_with_a_tampered_directory_is_refused(cli, late_member, tmp_path: Path) -> None:
    _, maker, pharmacy = late_member
    assert cli("--home", pharmacy, "bundle", "export", tmp_path / "p.json")[0] == 0
    bundle = json.loads((tmp_path / "p.json").read_text())
    bundle["directory"]["version"] = 7
    bundle["members"] = []
    (tmp_path / "p.json").write_text(json.dumps(bundle))
    before = _members(maker), _version(maker)
    code, _, err = cli("--home", maker, "bundle", "import", tmp_path / "p.json")
    assert code == 1 and "altered after signing" in err
    assert (_members(maker), _version(maker)) == before


def test_directory_round_trips(late_member) -> None:
    consortium, _, _ = late_member
    directory = Consortium.open(consortium).signed_directory()
    assert directory is not None
    again = MemberDirectory.parse(directory.to_bytes())
    assert again == directory and again.to_bytes() == directory.to_bytes()
    assert len(again.verify(Consortium.open(consortium).root_cert)) == 2


def test_malformed_directory_documents_are_refused() -> None:
    with pytest.raises(DirectoryError, match="not valid JSON"):
        MemberDirectory.parse(b"{nope")
    with pytest.raises(DirectoryError, match="Not a member directory"):
        MemberDirectory.parse(b'{"type": "something.else"}')
    with pytest.raises(DirectoryError, match="unexpected \\['extra'\\]"):
        MemberDirectory.from_dict({"type": "supplychain.directory.v1", "consortium": "x",
                                   "version": 1, "issued_at": "2026-01-01T00:00:00+00:00",
                                   "root_key_id": "0" * 16, "members": [], "revocations": [],
                                   "signature": "", "extra": 1})
