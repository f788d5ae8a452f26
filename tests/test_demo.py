"""The demo network shows every verdict at the pharmacy, and every node agrees on the logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp

from supplychain.cli.main import main
from supplychain.demo.network import (
    DEMO_PASSPHRASE,
    LAST_SYNC_FILE,
    Demo,
    create_demo,
    last_demo_sync,
    open_demo,
)
from supplychain.demo.samples import demo_of, sample_packs, write_sample_sheet
from supplychain.errors import CodeError
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
    # Dispensed at this pharmacy minutes ago: the same pack scanned twice, no alert.
    "already_dispensed": (Verdict.INFORMATION, (Reason.ALREADY_DISPENSED_HERE,)),
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


def test_the_genuine_sample_is_fresh_not_stale(demo: Demo) -> None:
    # The demo's nodes really synced (loopback TLS): every log behind the verdict was
    # confirmed by a peer just now, so GENUINE carries no "stale copy" warning.
    with Node(demo.node(Role.PHARMACY).home, lambda: DEMO_PASSPHRASE) as pharmacy:
        report = pharmacy.verify(demo.samples["genuine"])
    assert report.verdict is Verdict.GENUINE
    assert report.sync is not None and report.sync.last_synced
    assert all(report.sync.last_synced.values()) and not report.sync.stale


def test_opening_the_demo_later_syncs_again(demo: Demo) -> None:
    home = demo.node(Role.PHARMACY).home
    with Node(home, lambda: DEMO_PASSPHRASE) as pharmacy:
        for gln, record in pharmacy.store.synced().items():
            pharmacy.store.put_synced(gln, "2020-01-01T00:00:00+00:00", record.peer,
                                      record.size)
        assert pharmacy.verify(demo.samples["genuine"]).sync.stale  # type: ignore[union-attr]
    (demo.directory / LAST_SYNC_FILE).write_text('{"synced": "2020-01-01T00:00:00+00:00"}')
    assert open_demo(demo.directory) == demo
    with Node(home, lambda: DEMO_PASSPHRASE) as pharmacy:
        report = pharmacy.verify(demo.samples["genuine"])
    assert report.sync is not None and not report.sync.stale
    assert all(t > "2020-01-01" for t in report.sync.last_synced.values())  # type: ignore[operator]
    last = last_demo_sync(demo)
    assert last is not None and last.year > 2020


def test_every_sample_pack_gets_its_listed_verdict_at_the_pharmacy(demo: Demo) -> None:
    samples = sample_packs(demo)
    assert {s.verdict for s in samples} == {Verdict.GENUINE, Verdict.SUSPECT,
                                            Verdict.COUNTERFEIT, Verdict.INFORMATION, None}
    with Node(demo.node(Role.PHARMACY).home, lambda: DEMO_PASSPHRASE) as pharmacy:
        for sample in samples:
            if sample.verdict is None:
                with pytest.raises(CodeError):
                    pharmacy.verify(sample.code)
            else:
                assert pharmacy.verify(sample.code).verdict is sample.verdict, sample.key
    assert demo_of(demo.node(Role.PHARMACY).home) == demo
    assert demo_of(demo.directory) is None


def test_the_sample_sheet_holds_a_captioned_qr_per_verdict(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "samples.pdf"
    assert write_sample_sheet(demo, path) == 1
    document = pdfium.PdfDocument(str(path))
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        image = page.render(scale=300 / 72).to_pil().convert("L")
    finally:
        document.close()
    for word in ("GENUINE", "SUSPECT", "COUNTERFEIT", "in your custody", "already dispensed"):
        assert word in text
    read = {r.text for r in zxingcpp.read_barcodes(np.array(image), formats=zxingcpp.QRCode)}
    assert read == {s.code for s in sample_packs(demo) if s.verdict is not None}


def test_the_demo_command_prints_the_sheet(demo: Demo, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(demo.directory), "--sheet", str(tmp_path / "s.pdf")]) == 0
    assert "Sample sheet (1 page(s)" in capsys.readouterr().out
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF-")
