"""`supplychain goods-in` on the command line: a case scanned by its label from a file as a
USB scanner types it, a missing pack, a damaged one and a stranger; --check writes nothing,
then the delivery is received with its exceptions recorded."""

from __future__ import annotations

import json
from pathlib import Path

from supplychain.codes.sscc import make_sscc
from tests.conftest import GTIN
from tests.test_cli import PHARMACY_GLN, two_nodes  # noqa: F401 - the fixture

SSCC = make_sscc("501234", 78)


def test_goods_in_checks_then_receives_what_is_right(cli, two_nodes,  # noqa: F811
                                                     tmp_path: Path) -> None:
    _, maker, pharmacy = two_nodes
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "L1",
                       "--expiry", "2030-01-31", "--count", "6")
    links = json.loads(out)["codes"]
    assert cli("--home", maker, "pack", "--sscc", SSCC, *links[:2])[0] == 0
    assert cli("--home", maker, "ship", "--to", PHARMACY_GLN, SSCC, *links[2:5])[0] == 0
    assert cli("--home", maker, "bundle", "export", tmp_path / "m.json")[0] == 0
    assert cli("--home", pharmacy, "bundle", "import", tmp_path / "m.json")[0] == 0
    scans = tmp_path / "scans.txt"  # the case label, two loose packs; links[4] is missing
    scans.write_text(f"(00){SSCC}\n{links[2]}\n\n{links[5]}\n", encoding="utf-8")

    code, out, err = cli("--home", pharmacy, "goods-in", "--check", "--scanned", scans,
                         "--damaged", links[3])
    assert code == 1, err
    assert "SHORT" in out and "DAMAGED" in out and "OVERAGE" in out
    assert "never shipped to us" in out and "Checked only: nothing was written." in out
    # --file, as pack and ship take it, is the same as --scanned
    code, out, _ = cli("--home", pharmacy, "goods-in", "--json", "--check", "--file", scans)
    check = json.loads(out)["check"]
    assert check["cases"] == [{"sscc": SSCC, "from": check["cases"][0]["from"], "packs": 2}]
    assert len(check["to_receive"]) == 3 and len(check["shortage"]) == 2

    code, out, err = cli("--home", pharmacy, "goods-in", "--json", "--scanned", scans,
                         "--damaged", links[3], "--reason", "pallet wrap torn")
    assert code == 1, err
    done = json.loads(out)
    assert done["written"] and done["event"] and len(done["reports"]) == 3
    assert done["check"]["whole_cases"] == [SSCC]
    code, out, _ = cli("--home", pharmacy, "verify", "--json", links[4])
    assert json.loads(out)["verdict"] == "suspect"  # short: reported by its recipient
    code, out, _ = cli("--home", pharmacy, "audit")
    assert code == 0 and "Audit passed" in out


def test_goods_in_without_codes_says_what_to_do(cli, two_nodes) -> None:  # noqa: F811
    _, _, pharmacy = two_nodes
    code, _, err = cli("--home", pharmacy, "goods-in")
    assert code == 1 and "Scan what arrived" in err
