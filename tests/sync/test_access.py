"""The sharing policy: every role x policy x request decided by ``sync.access``, and the
policy's journey in the root-signed member directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from supplychain.errors import DirectoryError
from supplychain.identity.certificates import Role
from supplychain.identity.consortium import Consortium
from supplychain.identity.directory import MemberDirectory
from supplychain.identity.sharing import FULL_SHARING, NEED_TO_KNOW, SharingMode, SharingPolicy
from supplychain.ledger.membership import accept_directory, sharing_policy
from supplychain.sync.access import (
    PUBLIC_READS,
    WHOLE_LOG_READS,
    Caller,
    Read,
    Rule,
    decide,
    may_push,
    may_read_log,
)
from tests.conftest import DIST_A, DIST_B, MAKER, PASSPHRASE, PHARMACY, REGULATOR, Network

HUB = DIST_B
POLICY = SharingPolicy(SharingMode.NEED_TO_KNOW, (HUB,))
CALLERS = {
    "manufacturer": Caller(MAKER, Role.MANUFACTURER),
    "distributor": Caller(DIST_A, Role.DISTRIBUTOR),
    "pharmacy": Caller(PHARMACY, Role.PHARMACY),
    "regulator": Caller(REGULATOR, Role.REGULATOR),
    "hub": Caller(HUB, Role.DISTRIBUTOR),
}
OTHER_LOG = "5012345000077"  # a log none of the callers wrote


def _expected(who: str, policy: SharingPolicy, read: Read, log: str) -> bool:
    caller = CALLERS[who]
    if read in PUBLIC_READS:
        return True
    if read is Read.PUSH:
        return caller.gln == log
    if not policy.need_to_know:
        return True
    return caller.gln == log or who in ("regulator", "hub")


@pytest.mark.parametrize("policy", [POLICY, SharingPolicy(SharingMode.FULL, (HUB,))],
                         ids=["need-to-know", "full"])
@pytest.mark.parametrize("read", list(Read))
@pytest.mark.parametrize("who", list(CALLERS))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_every_role_policy_and_request(who: str, read: Read, policy: SharingPolicy,
                                       whose: str) -> None:
    log = CALLERS[who].gln if whose == "own" else OTHER_LOG
    decision = decide(CALLERS[who], policy, read, log)
    assert decision.allowed is _expected(who, policy, read, log)
    assert bool(decision) is decision.allowed
    assert decision.reason
    if not decision.allowed and read in WHOLE_LOG_READS:
        assert decision.rule is Rule.NEED_TO_KNOW
        assert "need-to-know" in decision.reason and "regulator and hubs" in decision.reason


def test_a_non_entitled_read_names_the_rule() -> None:
    decision = may_read_log(CALLERS["pharmacy"], NEED_TO_KNOW, MAKER)
    assert not decision
    assert decision.reason.startswith("this consortium shares need-to-know: whole logs go only "
                                      "to the regulator and hubs")
    assert may_read_log(CALLERS["pharmacy"], FULL_SHARING, MAKER).rule is Rule.FULL_SHARING
    assert may_read_log(CALLERS["pharmacy"], NEED_TO_KNOW, PHARMACY).rule is Rule.AUTHOR


def test_only_the_author_pushes_under_any_policy() -> None:
    assert may_push(CALLERS["pharmacy"], PHARMACY)
    refused = may_push(CALLERS["regulator"], PHARMACY)
    assert not refused and refused.rule is Rule.PUSH_OWN_LOG


def test_a_whole_log_read_needs_the_log() -> None:
    with pytest.raises(ValueError):
        decide(CALLERS["pharmacy"], NEED_TO_KNOW, Read.LOG_ENTRIES)


def test_policy_json_is_strict() -> None:
    assert SharingPolicy.from_dict(POLICY.to_dict()) == POLICY
    for bad in ({"mode": "open", "hubs": []}, {"mode": "full"},
                {"mode": "full", "hubs": ["123"]}, {"mode": "full", "hubs": "x", }, []):
        with pytest.raises(DirectoryError):
            SharingPolicy.from_dict(bad)


def test_new_consortium_defaults_to_need_to_know(tmp_path: Path) -> None:
    consortium = Consortium.create(tmp_path / "c", "New Health", PASSPHRASE)
    directory = consortium.directory(PASSPHRASE)
    assert directory.sharing == NEED_TO_KNOW
    again = MemberDirectory.parse(directory.to_bytes())
    again.verify(consortium.root_cert)
    assert again.sharing_policy == NEED_TO_KNOW


def test_a_directory_without_policy_means_full_and_still_verifies(network: Network) -> None:
    consortium = Consortium.open(network.root / "consortium")
    directory = consortium.directory(PASSPHRASE)
    doc = directory.to_dict()
    assert doc["sharing"] == FULL_SHARING.to_dict()  # build_network keeps full
    # An older file: consortium.json without a policy signs a directory without the field.
    meta = json.loads((consortium.path / "consortium.json").read_text())
    del meta["sharing"]
    (consortium.path / "consortium.json").write_text(json.dumps(meta))
    older = consortium.directory(PASSPHRASE)
    assert "sharing" not in older.to_dict() and older.version == directory.version + 1
    older.verify(consortium.root_cert)
    assert older.sharing_policy == FULL_SHARING
    accept_directory(network[PHARMACY].ledger, older)
    assert sharing_policy(network[PHARMACY].ledger) == FULL_SHARING


def test_the_root_changes_the_policy_with_a_new_directory(network: Network) -> None:
    consortium = Consortium.open(network.root / "consortium")
    before = consortium.directory(PASSPHRASE)
    after = consortium.set_sharing(POLICY, PASSPHRASE)
    assert after.version == before.version + 1 and after.sharing == POLICY
    node = network[PHARMACY]
    assert sharing_policy(node.ledger) == FULL_SHARING
    accept_directory(node.ledger, after)
    assert sharing_policy(node.ledger) == POLICY
    forged = MemberDirectory.from_dict({**after.to_dict(), "sharing": FULL_SHARING.to_dict()})
    with pytest.raises(DirectoryError, match="altered after signing"):
        forged.verify(consortium.root_cert)


def test_cli_create_and_change_sharing(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    status, out, _ = cli("consortium", "create", tmp_path / "c", "--name", "Cli Health",
                         "--json")
    assert status == 0
    assert Consortium.open(tmp_path / "c").sharing == NEED_TO_KNOW
    status, out, _ = cli("consortium", "sharing", tmp_path / "c", "--sharing", "full",
                         "--hub", DIST_A, "--json")
    assert status == 0, out
    assert json.loads(out)["sharing"] == {"mode": "full", "hubs": [DIST_A]}
    assert Consortium.open(tmp_path / "c").signed_directory().sharing == SharingPolicy(  # type: ignore[union-attr]
        SharingMode.FULL, (DIST_A,))
