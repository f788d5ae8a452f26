"""One enrolment for the CLI, the app and the demo (supplychain.node.setup)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.errors import IdentityError, LedgerError
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.consortium import Consortium
from supplychain.identity.keys import generate_member_key
from supplychain.ids import GLN
from supplychain.node import setup
from supplychain.node.network import members
from supplychain.node.operations import Node
from supplychain.node.setup import create_consortium_with_regulator, enrol_member
from tests.conftest import PASSPHRASE

REGULATOR = MemberInfo("Agency", GLN("5012345000015"), Role.REGULATOR)
PHARMACY = MemberInfo("Corner Pharmacy", GLN("5012345000053"), Role.PHARMACY)


def test_create_consortium_with_regulator_and_enrol_a_member(tmp_path: Path) -> None:
    home = create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                            tmp_path / "regulator", PASSPHRASE)
    with Node(home, lambda: PASSPHRASE) as node:
        assert node.gln == REGULATOR.gln and node.me.info.role is Role.REGULATOR
        assert node.consortium == "Test Health"
    consortium = Consortium.open(tmp_path / "c")
    pharmacy = enrol_member(consortium, PHARMACY, tmp_path / "pharmacy", PASSPHRASE)
    with Node(pharmacy, lambda: PASSPHRASE) as node:
        # A member enrolled later knows every member enrolled before it.
        assert {m.gln for m in members(node)} == {REGULATOR.gln, PHARMACY.gln}


def test_a_taken_home_is_refused_before_a_certificate_is_filed(tmp_path: Path) -> None:
    home = create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                            tmp_path / "regulator", PASSPHRASE)
    consortium = Consortium.open(tmp_path / "c")
    with pytest.raises(LedgerError, match="already a node home"):
        enrol_member(consortium, PHARMACY, home, PASSPHRASE)
    assert not (tmp_path / "c" / "members" / f"{PHARMACY.gln}.pem").exists()
    with pytest.raises(LedgerError, match="already a node home"):
        create_consortium_with_regulator(tmp_path / "c2", "Other", REGULATOR, home, PASSPHRASE)
    assert not (tmp_path / "c2").exists()
    with pytest.raises(IdentityError, match="already enrolled"):
        enrol_member(consortium, REGULATOR, tmp_path / "again", PASSPHRASE)


def test_only_a_regulator_holds_the_root(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="must be enrolled as a regulator"):
        create_consortium_with_regulator(tmp_path / "c", "X", PHARMACY, tmp_path / "h",
                                         PASSPHRASE)


def test_a_member_enrolled_after_a_revocation_knows_it(tmp_path: Path) -> None:
    create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                     tmp_path / "regulator", PASSPHRASE)
    consortium = Consortium.open(tmp_path / "c")
    enrol_member(consortium, PHARMACY, tmp_path / "pharmacy", PASSPHRASE)
    consortium.revoke(PHARMACY.gln, 0, "closed", PASSPHRASE)
    other = MemberInfo("Wholesale", GLN("5012345000039"), Role.DISTRIBUTOR)
    home = enrol_member(consortium, other, tmp_path / "wholesale", PASSPHRASE)
    with Node(home, lambda: PASSPHRASE) as node:
        assert node.store.revocation_size(PHARMACY.gln) == 0


# --- prefixes: plausible, never overlapping ---------------------------------------------------
MAKER = MemberInfo("Acme", GLN("5012345000022"), Role.MANUFACTURER, ("501234",))


def _consortium_with_maker(tmp_path: Path) -> Consortium:
    create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                     tmp_path / "regulator", PASSPHRASE)
    consortium = Consortium.open(tmp_path / "c")
    enrol_member(consortium, MAKER, tmp_path / "acme", PASSPHRASE)
    return consortium


def _filed(consortium: Consortium) -> list[str]:
    return sorted(p.stem for p in (consortium.path / "members").glob("*.pem"))


@pytest.mark.parametrize(("prefix", "message"), [
    ("5012345", "prefix 501234 of 5012345000022 and 5012345 of 5012345000060 are nested"),
    ("50123", "must be 6 to 12 digits"),
    ("501234", "501234 of 5012345000022 and 501234 of 5012345000060 are the same"),
])
def test_enrolment_refuses_an_overlapping_or_implausible_prefix(tmp_path: Path, prefix: str,
                                                                message: str) -> None:
    consortium = _consortium_with_maker(tmp_path)
    filed, version = _filed(consortium), consortium.directory(PASSPHRASE).version
    with pytest.raises(IdentityError, match=message):
        enrol_member(consortium, MemberInfo("Rogue", GLN("5012345000060"), Role.MANUFACTURER,
                                            (prefix,)), tmp_path / "rogue", PASSPHRASE)
    assert _filed(consortium) == filed and consortium.directory(PASSPHRASE).version == version
    assert not (tmp_path / "rogue").exists()


def test_a_shorter_prefix_around_anothers_and_a_revoked_members_prefix_are_refused(
        tmp_path: Path) -> None:
    consortium = _consortium_with_maker(tmp_path)
    wide = MemberInfo("Wide", GLN("5012345000060"), Role.MANUFACTURER, ("501230", "501234"))
    with pytest.raises(IdentityError, match="are the same"):
        consortium.issue(wide, generate_member_key().public_key(), PASSPHRASE)
    consortium.revoke(MAKER.gln, 0, "closed", PASSPHRASE)
    heir = MemberInfo("Heir", GLN("5012345000077"), Role.MANUFACTURER, ("5012349",))
    with pytest.raises(IdentityError, match="are nested"):  # a GTIN stays with its entries
        consortium.issue(heir, generate_member_key().public_key(), PASSPHRASE)
    other = MemberInfo("Other", GLN("5012345000077"), Role.MANUFACTURER, ("501235",))
    enrol_member(consortium, other, tmp_path / "other", PASSPHRASE)
    assert other.gln in _filed(consortium)


# --- enrolment is all or nothing ---------------------------------------------------------------
def test_an_unwritable_home_files_nothing_and_the_gln_stays_free(tmp_path: Path) -> None:
    create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                     tmp_path / "regulator", PASSPHRASE)
    consortium = Consortium.open(tmp_path / "c")
    version = consortium.directory(PASSPHRASE).version
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where the home's parent should be")  # root too
    with pytest.raises(LedgerError, match="Cannot create the node home .*Nothing was enrolled"):
        enrol_member(consortium, PHARMACY, blocker / "pharmacy", PASSPHRASE)
    assert _filed(consortium) == [REGULATOR.gln]
    assert consortium.directory(PASSPHRASE).version == version
    home = enrol_member(consortium, PHARMACY, tmp_path / "pharmacy", PASSPHRASE)
    with Node(home, lambda: PASSPHRASE) as node:
        assert node.gln == PHARMACY.gln
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "not-a-folder", "pharmacy",
                                                          "regulator"]  # no staging left


def test_a_failure_after_filing_withdraws_the_certificate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                     tmp_path / "regulator", PASSPHRASE)
    consortium = Consortium.open(tmp_path / "c")

    def fail(staging: Path, home: Path) -> None:
        assert (consortium.path / "members" / f"{PHARMACY.gln}.pem").exists()  # filed
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(setup, "_move_into_place", fail)
    with pytest.raises(LedgerError, match="Permission denied. Nothing was enrolled"):
        enrol_member(consortium, PHARMACY, tmp_path / "pharmacy", PASSPHRASE)
    assert _filed(consortium) == [REGULATOR.gln]
    directory = consortium.directory(PASSPHRASE)
    # Version 2 listed the regulator, 3 the pharmacy too; 4 is signed again without it.
    assert len(directory.members) == 1 and directory.version == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "regulator"]


def test_enrolment_into_an_existing_folder_keeps_its_other_files(tmp_path: Path) -> None:
    create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                     tmp_path / "regulator", PASSPHRASE)
    home = tmp_path / "pharmacy"
    home.mkdir()
    (home / "notes.txt").write_text("kept")
    enrol_member(Consortium.open(tmp_path / "c"), PHARMACY, home, PASSPHRASE)
    with Node(home, lambda: PASSPHRASE) as node:
        assert node.gln == PHARMACY.gln
    assert (home / "notes.txt").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_consortium_whose_regulator_home_fails_is_not_left_behind(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LedgerError, match="Cannot create the node home"):
        create_consortium_with_regulator(tmp_path / "c", "Test Health", REGULATOR,
                                         blocker / "regulator", PASSPHRASE)
    assert not (tmp_path / "c").exists()
    existing = tmp_path / "kept"
    existing.mkdir()
    (existing / "readme.txt").write_text("mine")
    with pytest.raises(LedgerError, match="Cannot create the node home"):
        create_consortium_with_regulator(existing, "Test Health", REGULATOR,
                                         blocker / "regulator", PASSPHRASE)
    assert [p.name for p in existing.iterdir()] == ["readme.txt"]
    create_consortium_with_regulator(existing, "Test Health", REGULATOR,
                                     tmp_path / "regulator", PASSPHRASE)  # a second try works
