"""`supplychain epcis export|import` from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from supplychain.clock import now_iso
from supplychain.interchange.epcis.schema import validate_document
from tests.conftest import GTIN, MAKER, Network
from tests.interchange.epcis.helpers import commission_event, document


def test_cli_export_and_import(network: Network, story: dict[str, Any], cli,
                               tmp_path: Path) -> None:
    out = tmp_path / "maker.jsonld"
    home = network.homes[MAKER]
    for node in network.nodes.values():
        node.close()  # the CLI opens the homes itself
    code, stdout, _ = cli("--home", home, "epcis", "export", "--json", "--org", MAKER,
                          "--out", out)
    assert code == 0, stdout
    summary = json.loads(stdout)
    assert summary["ledger_events"] == 5 and summary["epcis_events"] == 5
    validate_document(json.loads(out.read_text()), strict_formats=True)
    code, stdout, _ = cli("--home", home, "epcis", "export", "--code",
                          story["lot1"][0].to_digital_link(), "--out", tmp_path / "one.jsonld")
    assert code == 0 and "Exported 2 ledger event(s)" in stdout  # the maker's log only holds 2
    code, _, err = cli("--home", home, "epcis", "export", "--lot", "L1", "--out", out)
    assert code == 1 and "--gtin" in err
    # Import: re-importing its own export is refused event by event, exit status 1.
    code, stdout, err = cli("--home", home, "epcis", "import", "--json", out)
    assert code == 1 and "nothing imported" in err
    report = json.loads(stdout)
    assert report["imported"] is False and report["rejected"] == report["events"] == 5
    code, _, err = cli("--home", home, "epcis", "import", tmp_path / "missing.jsonld")
    assert code == 1 and "Cannot read" in err
    (tmp_path / "bad.jsonld").write_text("{")
    code, _, err = cli("--home", home, "epcis", "import", tmp_path / "bad.jsonld")
    assert code == 1 and "not valid JSON" in err
    fresh = tmp_path / "fresh.jsonld"
    # Dated now: the maker's log already holds today's events, and a log's times never go back.
    fresh.write_text(json.dumps(document(commission_event(["C1", "C2"], time=now_iso()))))
    code, stdout, _ = cli("--home", home, "epcis", "import", "--dry-run", fresh)
    assert code == 0 and "would be imported" in stdout
    code, stdout, _ = cli("--home", home, "epcis", "import", fresh)
    assert code == 0 and "Imported 2 event(s)" not in stdout and "Imported 1 event(s)" in stdout
    code, stdout, _ = cli("--home", home, "verify", "--json",
                          f"https://id.gs1.org/01/{GTIN}/21/C1?10=L7&17=310531")
    assert json.loads(stdout)["status"] == "active"
