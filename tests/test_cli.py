"""The command line, run in-process: the README's walk-through, --json, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import GTIN, PASSPHRASE

MAKER_GLN = "5012345000022"
PHARMACY_GLN = "5012345000053"




@pytest.fixture
def two_nodes(cli, tmp_path: Path):
    c = tmp_path / "consortium"
    assert cli("consortium", "create", c, "--name", "CLI Health")[0] == 0
    maker, pharmacy = tmp_path / "maker", tmp_path / "pharmacy"
    assert cli("consortium", "enroll", c, "--org", "Acme", "--gln", MAKER_GLN,
               "--role", "manufacturer", "--prefix", "501234", "--home", maker)[0] == 0
    assert cli("consortium", "enroll", c, "--org", "Corner Pharmacy", "--gln", PHARMACY_GLN,
               "--role", "pharmacy", "--home", pharmacy)[0] == 0
    # The manufacturer learns about the pharmacy (enrolled later) from its bundle.
    assert cli("--home", pharmacy, "bundle", "export", tmp_path / "p.json")[0] == 0
    assert cli("--home", maker, "bundle", "import", tmp_path / "p.json")[0] == 0
    return c, maker, pharmacy


def test_walk_through(cli, two_nodes, tmp_path: Path) -> None:
    _, maker, pharmacy = two_nodes
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "L1",
                       "--expiry", "2030-01-31", "--count", "2")
    assert code == 0
    links = json.loads(out)["codes"]
    assert len(links) == 2 and all(link.startswith("https://id.gs1.org/01/") for link in links)
    assert cli("--home", maker, "ship", "--to", PHARMACY_GLN, *links)[0] == 0
    assert cli("--home", maker, "bundle", "export", tmp_path / "m.json")[0] == 0
    assert cli("--home", pharmacy, "bundle", "import", tmp_path / "m.json")[0] == 0
    assert cli("--home", pharmacy, "receive", links[0])[0] == 0
    code, out, _ = cli("--home", pharmacy, "verify", "--json", links[0])
    verdict = json.loads(out)
    assert verdict["verdict"] == "genuine" and verdict["custodian"] == PHARMACY_GLN
    assert verdict["reasons"] == [] and verdict["message"]
    assert cli("--home", pharmacy, "dispense", links[0])[0] == 0
    code, out, _ = cli("--home", pharmacy, "verify", links[0])
    # Scanned again at the counter that just dispensed it: an answer, not an alert.
    assert code == 0 and out.startswith("ALREADY DISPENSED HERE: This pack was dispensed at "
                                        "this site") and "already_dispensed_here" in out
    code, out, _ = cli("--home", pharmacy, "verify", "--exit-code", links[0])
    assert code == 3
    code, out, _ = cli("--home", pharmacy, "history", "--json", links[0])
    assert [s["type"] for s in json.loads(out)["history"]] == [
        "commission", "ship", "receive", "dispense"]
    code, out, _ = cli("--home", pharmacy, "audit")
    assert code == 0 and "Audit passed" in out
    # Element-string form of the same pack verifies the same way.
    from supplychain.codes.gs1 import parse_pack_code
    element = "]d2" + parse_pack_code(links[1]).to_element_string()
    code, out, _ = cli("--home", maker, "verify", "--json", element)
    assert json.loads(out)["verdict"] == "suspect"  # in transit to the pharmacy
    assert cli("--home", maker, "recall", "--gtin", GTIN, "--lot", "L1")[0] == 0
    assert cli("--home", pharmacy, "report", links[1], "--reason", "torn seal")[0] == 0


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("verify", "https://example.com/hello"), "web link"),
        (("verify", "0105012345000016211234"), "(check) digit"),
        (("dispense", "https://id.gs1.org/01/05012345000015/21/NOPE"), "not known to this node"),
        (("ship", "--to", "5012345000023", "https://id.gs1.org/01/05012345000015/21/X"),
         "check digit"),
        (("commission", "--gtin", "09506000134352", "--lot", "L", "--expiry", "2030-01-01",
          "--count", "1"), "outside the company prefixes"),
        (("bundle", "import", "/nonexistent/bundle.json"), "Cannot read bundle"),
    ],
)
def test_bad_input_gives_one_line_error_and_changes_nothing(cli, two_nodes, args, phrase):
    _, maker, _ = two_nodes
    before = (maker / "ledger.sqlite").read_bytes()
    code, out, err = cli("--home", maker, *args)
    assert code == 1
    assert phrase in err and err.count("\n") == 1
    assert (maker / "ledger.sqlite").read_bytes() == before


def test_json_error_output(cli, two_nodes) -> None:
    _, maker, _ = two_nodes
    code, out, _ = cli("--home", maker, "verify", "--json", "WIFI:S:home;P:secret;;")
    assert code == 1
    assert json.loads(out)["error"] == "NotAPackCode"


def test_missing_passphrase_and_missing_home(cli, two_nodes, monkeypatch, tmp_path) -> None:
    _, maker, _ = two_nodes
    monkeypatch.delenv("SUPPLYCHAIN_PASSPHRASE")
    code, _, err = cli("--home", maker, "commission", "--gtin", GTIN, "--lot", "L",
                       "--expiry", "2030-01-01", "--count", "1")
    assert code == 1 and "SUPPLYCHAIN_PASSPHRASE" in err
    secret = tmp_path / "pw"
    secret.write_text(PASSPHRASE.decode() + "\n")
    code, _, _ = cli("--home", maker, "--passphrase-file", secret, "commission", "--gtin", GTIN,
                     "--lot", "L", "--expiry", "2030-01-01", "--count", "1")
    assert code == 0
    code, _, err = cli("--home", tmp_path / "nowhere", "status")
    assert code == 1 and "not a node home" in err


def test_home_defaults_to_environment(cli, two_nodes, monkeypatch) -> None:
    _, maker, _ = two_nodes
    monkeypatch.setenv("SUPPLYCHAIN_HOME", str(maker))
    code, out, _ = cli("status", "--json")
    assert code == 0 and json.loads(out)["gln"] == MAKER_GLN


def test_revoke_via_cli(cli, two_nodes, tmp_path: Path) -> None:
    c, maker, pharmacy = two_nodes
    assert cli("--home", maker, "commission", "--gtin", GTIN, "--lot", "L1", "--expiry",
               "2030-01-31", "--count", "1")[0] == 0
    code, out, _ = cli("consortium", "revoke", c, "--json", "--gln", MAKER_GLN,
                       "--valid-size", "1", "--reason", "key stolen")
    assert code == 0 and json.loads(out)["valid_log_size"] == 1
    code, out, _ = cli("consortium", "members", c, "--json")
    assert {m["gln"] for m in json.loads(out)} == {MAKER_GLN, PHARMACY_GLN}


def test_scanner_typed_codes_with_gs_substitutes(cli, two_nodes) -> None:
    _, maker, _ = two_nodes
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "W1",
                       "--expiry", "2030-01-31", "--count", "1")
    from supplychain.codes.gs1 import parse_pack_code
    pack = parse_pack_code(json.loads(out)["codes"][0])
    typed = "]d2" + pack.to_element_string(gs="<GS>")
    code, out, _ = cli("--home", maker, "verify", "--json", typed)
    assert code == 0 and json.loads(out)["serial"] == pack.serial
    custom = "]d2" + pack.to_element_string(gs="@@")
    code, _, err = cli("--home", maker, "verify", custom)
    assert code == 1  # '@@' is not a known substitute: the lot swallows the rest
    code, out, _ = cli("--home", maker, "--gs-substitute", "@@", "verify", "--json", custom)
    assert code == 0 and json.loads(out)["verdict"] == "genuine"


def test_lang_de_prints_german_and_keeps_json_codes(cli, two_nodes) -> None:
    _, maker, _ = two_nodes
    code, out, _ = cli("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "L1",
                       "--expiry", "2030-01-31", "--count", "1")
    (link,) = json.loads(out)["codes"]
    unknown = link.rsplit("/21/", 1)[0] + "/21/NEVERISSUED"

    code, out, _ = cli("--lang", "de", "--home", maker, "verify", link)
    assert code == 0 and out.startswith("ECHT: Echt: der Verlauf der Packung ist einwandfrei")
    code, out, _ = cli("--lang", "de", "--home", maker, "verify", unknown)
    assert out.startswith("FÄLSCHUNG: Das Produkt ist bekannt, aber diese Seriennummer")
    assert "Gründe: unknown_serial" in out  # the reason code itself stays as it is

    english = json.loads(cli("--home", maker, "verify", "--json", unknown)[1])
    german = json.loads(cli("--lang", "de", "--home", maker, "verify", "--json", unknown)[1])
    assert german.keys() == english.keys()
    assert (german["verdict"], german["reasons"]) == (english["verdict"], english["reasons"]) \
        == ("counterfeit", ["unknown_serial"])
    assert german["message"] != english["message"]
    assert german["message"].startswith("Das Produkt ist bekannt")

    code, out, err = cli("--lang", "de", "--home", maker, "verify", "https://example.com/x")
    assert code == 1 and out == ""
    assert err.startswith("supplychain: Fehler: Dies ist ein Weblink")


def test_language_from_the_environment(cli, two_nodes, monkeypatch) -> None:
    _, maker, _ = two_nodes
    monkeypatch.setenv("SUPPLYCHAIN_LANG", "de")
    code, out, _ = cli("--home", maker, "alerts")
    assert code == 0 and out.strip() == "Keine Warnungen."
    code, out, _ = cli("--lang", "en", "--home", maker, "alerts")
    assert out.strip() == "No alerts."
