"""The suspect-product commands, run in-process on real node homes: `quarantine` and
`release` (codes as arguments and in --file, a case refused with what to do), the refusals
while held, `verify --exit-code`, and `falsification-report`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from supplychain.codes.sscc import make_sscc
from supplychain.node.containers import pack
from tests.conftest import GTIN, MAKER, PHARMACY, Network, packs_at_pharmacy


def _links_at_pharmacy(network: Network, count: int) -> list[str]:
    return [c.to_digital_link() for c in packs_at_pharmacy(network, count)]


def test_quarantine_and_release_from_the_command_line(cli, network: Network,
                                                      tmp_path: Path) -> None:
    links = _links_at_pharmacy(network, 3)
    pharmacy = network.homes[PHARMACY]
    listed = tmp_path / "codes.txt"
    listed.write_text(f"{links[1]}\n\n{links[2]}\n", encoding="utf-8")
    code, out, _ = cli("--home", pharmacy, "quarantine", links[0], "--reason", "seal broken")
    assert code == 0 and out.startswith("Quarantined 1 pack: it cannot be dispensed or "
                                        "shipped until released; event ")
    code, out, _ = cli("--home", pharmacy, "quarantine", "--json", "--file", listed,
                       "--reason", "same carton")
    assert code == 0
    assert {k: v for k, v in json.loads(out).items() if k != "event"} == {
        "type": "quarantine", "packs": 2, "reason": "same carton"}

    code, _, err = cli("--home", pharmacy, "dispense", links[0])
    assert code == 1 and "is in quarantine at" in err and "supplychain release" in err
    code, out, _ = cli("--home", pharmacy, "verify", "--exit-code", links[0])
    assert code == 4 and out.startswith("SUSPECT: This pack is held in quarantine at this site")

    code, out, _ = cli("--home", pharmacy, "release", links[0], "--reason", "seal original")
    assert code == 0 and out.startswith("Released 1 pack from quarantine: it is active again;")
    code, out, _ = cli("--home", pharmacy, "verify", "--exit-code", links[0])
    assert code == 0 and out.startswith("GENUINE")
    code, _, err = cli("--home", pharmacy, "release", links[0], "--reason", "again")
    assert code == 1 and "not in quarantine: there is nothing to release" in err
    with pytest.raises(SystemExit) as usage:  # the reason is required
        cli("--home", pharmacy, "quarantine", links[0])
    assert usage.value.code == 2


def test_a_case_is_refused_with_what_to_do(cli, network: Network) -> None:
    maker = network[MAKER]
    codes = maker.commission(GTIN, "L1", date(2030, 1, 31), 2)
    sscc = make_sscc("501234", 9)
    pack(maker, sscc, codes)
    code, _, err = cli("--home", network.homes[MAKER], "quarantine", sscc, "--reason", "x")
    assert code == 1
    assert f"{sscc} is a case or pallet: quarantine and release take packs. Unpack it " \
           f"(supplychain unpack {sscc})" in err


def test_the_falsification_report_command_writes_each_format(cli, network: Network,
                                                             tmp_path: Path) -> None:
    links = _links_at_pharmacy(network, 2)
    pharmacy = network.homes[PHARMACY]
    for suffix in (".json", ".csv", ".pdf"):
        out_file = tmp_path / f"report{suffix}"
        code, out, _ = cli("--home", pharmacy, "falsification-report", *links,
                           "--found", "seal re-glued", "--out", out_file)
        assert code == 0
        assert out.strip() == f"Wrote the falsification report of 2 pack(s) to {out_file}"
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["found"] == "seal re-glued" and data["quantity"] == 2
    rows = list(csv.reader(io.StringIO((tmp_path / "report.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 3
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
