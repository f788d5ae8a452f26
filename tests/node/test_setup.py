"""One enrolment for the CLI, the app and the demo (supplychain.node.setup)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.errors import IdentityError, LedgerError
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.consortium import Consortium
from supplychain.ids import GLN
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
