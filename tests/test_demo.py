"""The demo network shows every verdict at the pharmacy, and every node agrees on the logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.demo.network import DEMO_PASSPHRASE, Demo, create_demo
from supplychain.identity.certificates import Role
from supplychain.ledger.audit import audit
from supplychain.ledger.verdicts import Reason, Verdict
from supplychain.node.operations import Node


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return create_demo(tmp_path_factory.mktemp("demo") / "demo")


EXPECTED = {
    "genuine": (Verdict.GENUINE, ()),
    "genuine_in_transit": (Verdict.GENUINE, ()),
    "already_dispensed": (Verdict.COUNTERFEIT, (Reason.ALREADY_DISPENSED,)),
    "reported_suspect": (Verdict.SUSPECT, (Reason.REPORTED_SUSPECT,)),
    "recalled": (Verdict.SUSPECT, (Reason.RECALLED,)),
    "forked_chain": (Verdict.COUNTERFEIT, (Reason.FORKED_CHAIN, Reason.NOT_IN_CUSTODY)),
    "unknown_serial": (Verdict.COUNTERFEIT, (Reason.UNKNOWN_SERIAL,)),
    "unknown_product": (Verdict.COUNTERFEIT, (Reason.UNKNOWN_PRODUCT,)),
    "not_in_custody": (Verdict.SUSPECT, (Reason.NOT_IN_CUSTODY,)),
    "diverted": (Verdict.SUSPECT, (Reason.NOT_IN_CUSTODY,)),
    "destroyed": (Verdict.COUNTERFEIT, (Reason.DECOMMISSIONED,)),
    "bolt_at_hospital": (Verdict.SUSPECT, (Reason.NOT_IN_CUSTODY,)),
    "bolt_dispensed_at_hospital": (Verdict.COUNTERFEIT, (Reason.ALREADY_DISPENSED,)),
}


def test_the_consortium_has_every_role_the_issue_asks_for(demo: Demo) -> None:
    roles = [n.role for n in demo.nodes]
    assert roles.count(Role.REGULATOR) == 1 and roles.count(Role.MANUFACTURER) == 2
    assert roles.count(Role.DISTRIBUTOR) == 2 and roles.count(Role.PHARMACY) == 3


def test_the_hospital_sees_its_own_packs_as_genuine(demo: Demo) -> None:
    hospital = next(n for n in demo.nodes if n.name.startswith("St Mary"))
    with Node(hospital.home, lambda: DEMO_PASSPHRASE) as node:
        assert node.verify(demo.samples["bolt_at_hospital"]).verdict is Verdict.GENUINE
        diverted = node.verify(demo.samples["diverted"])
        assert diverted.decision.reasons == (Reason.NOT_IN_CUSTODY,)


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_each_sample_code_gets_its_verdict_at_the_pharmacy(demo: Demo, sample: str) -> None:
    with Node(demo.node(Role.PHARMACY).home, lambda: DEMO_PASSPHRASE) as pharmacy:
        report = pharmacy.verify(demo.samples[sample])
    verdict, reasons = EXPECTED[sample]
    assert report.verdict is verdict
    assert report.decision.reasons == reasons


def test_all_nodes_hold_identical_logs_and_pass_audit(demo: Demo) -> None:
    roots = []
    for member in demo.nodes:
        with Node(member.home, lambda: DEMO_PASSPHRASE) as node:
            audit(node.ledger)
            roots.append({g: node.ledger.root(g) for g in node.store.log_sizes()})
    assert all(r == roots[0] for r in roots)


def test_demo_reloads(demo: Demo) -> None:
    again = Demo.load(demo.directory)
    assert again == demo and isinstance(again.directory, Path)
