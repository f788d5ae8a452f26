"""Cases on the command line: pack, ship, receive, verify, history and unpack by SSCC, the
SSCC given in every form a scanner or a person sends it; a damaged SSCC is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from supplychain.codes.sscc import make_sscc
from tests.conftest import GTIN
from tests.test_cli import PHARMACY_GLN, two_nodes  # noqa: F401 - the fixture

SSCC = make_sscc("501234", 77)


def forms(sscc: str) -> dict[str, str]:
    return {"digital link": f"https://id.gs1.org/00/{sscc}",
            "element string": f"00{sscc}",
            "with symbology id": f"]C100{sscc}",
            "bracketed": f"(00){sscc}",
            "printed": f"(00) {sscc[0]} {sscc[1:8]} {sscc[8:17]} {sscc[17]}",
            "plain": sscc}


@pytest.mark.parametrize("form", list(forms(SSCC)))
def test_a_case_by_sscc_in_every_form(cli, two_nodes, tmp_path: Path,  # noqa: F811
                                      form: str) -> None:
    _, maker, pharmacy = two_nodes
    scanned = forms(SSCC)[form]
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "L1",
                       "--expiry", "2030-01-31", "--count", "3")
    links = json.loads(out)["codes"]
    code, out, err = cli("--home", maker, "pack", "--json", "--sscc", scanned, *links)
    assert code == 0, err
    packed = json.loads(out)
    assert packed["sscc"] == SSCC and packed["type"] == "pack" and len(packed["children"]) == 3
    code, out, _ = cli("--home", maker, "ship", "--json", "--to", PHARMACY_GLN, scanned)
    assert code == 0 and json.loads(out)["packs"] == 3
    assert cli("--home", maker, "bundle", "export", tmp_path / "m.json")[0] == 0
    assert cli("--home", pharmacy, "bundle", "import", tmp_path / "m.json")[0] == 0
    code, out, _ = cli("--home", pharmacy, "verify", "--json", scanned)
    verdict = json.loads(out)
    assert verdict["verdict"] == "genuine" and verdict["packs"] == 3, verdict
    assert cli("--home", pharmacy, "receive", scanned)[0] == 0
    code, out, err = cli("--home", pharmacy, "dispense", links[0])
    assert code == 1 and f"take it out of case {SSCC} first" in err
    code, out, _ = cli("--home", pharmacy, "unpack", scanned, links[0])
    assert code == 0 and f"Took 1 pack or case out of {SSCC}" in out
    assert cli("--home", pharmacy, "dispense", links[0])[0] == 0
    code, out, _ = cli("--home", pharmacy, "history", "--json", scanned)
    assert [s["type"] for s in json.loads(out)["history"]] == [
        "pack", "ship", "receive", "unpack"]
    code, out, _ = cli("--home", pharmacy, "unpack", "--json", scanned)  # all the rest
    assert code == 0 and len(json.loads(out)["children"]) == 2
    code, out, _ = cli("--home", pharmacy, "audit")
    assert code == 0 and "Audit passed" in out


def test_a_wrong_check_digit_is_refused(cli, two_nodes) -> None:  # noqa: F811
    _, maker, _ = two_nodes
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "L1",
                       "--expiry", "2030-01-31", "--count", "1")
    links = json.loads(out)["codes"]
    damaged = SSCC[:-1] + str((int(SSCC[-1]) + 1) % 10)
    for text in forms(damaged).values():
        code, _, err = cli("--home", maker, "pack", "--sscc", text, *links)
        assert code == 1 and "check) digit should be" in err, (text, err)
        code, _, err = cli("--home", maker, "verify", text)
        assert code == 1 and "check) digit should be" in err, (text, err)
    code, out, _ = cli("--home", maker, "history", "--json", links[0])
    assert [s["type"] for s in json.loads(out)["history"]] == ["commission"]  # nothing packed


def test_codes_from_a_file_and_from_stdin(cli, two_nodes, tmp_path: Path,  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk input: ``--file codes.txt`` (one code a line, blank lines skipped) and
    ``--file -`` (standard input), alone or next to codes given as arguments."""
    _, maker, pharmacy = two_nodes
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "F1",
                       "--expiry", "2030-01-31", "--count", "1500")
    links = json.loads(out)["codes"]
    listing = tmp_path / "codes.txt"
    listing.write_text("\n".join(links[:1499]) + "\n\n", encoding="utf-8")
    code, out, err = cli("--home", maker, "pack", "--json", "--sscc", SSCC, "--file", listing,
                         links[1499])
    assert code == 0, err
    assert len(json.loads(out)["children"]) == 1500  # one packing event
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SSCC}\n"))
    code, out, err = cli("--home", maker, "ship", "--json", "--to", PHARMACY_GLN, "--file", "-")
    assert code == 0 and json.loads(out)["packs"] == 1500, err
    code, _, err = cli("--home", maker, "ship", "--to", PHARMACY_GLN)
    assert code != 0 and "No codes given" in err
    code, _, err = cli("--home", maker, "ship", "--to", PHARMACY_GLN, "--file",
                       tmp_path / "missing.txt")
    assert code != 0 and "Cannot read codes from" in err
