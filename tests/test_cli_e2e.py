"""End to end through the real command line, in subprocesses, across separate node homes.

manufacturer -> distributor -> pharmacy -> dispense, exchanged with bundle files; a second scan
of the dispensed pack is counterfeit (already dispensed); a byte flipped in a node's SQLite
file makes `audit` fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GTIN, PASSPHRASE

MAKER, DIST, PHARMACY = "5012345000022", "5012345000039", "5012345000053"


def run(*args: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": PASSPHRASE.decode()}
    env.pop("SUPPLYCHAIN_HOME", None)
    proc = subprocess.run([sys.executable, "-m", "supplychain.cli.main", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def json_of(*args: str | Path) -> object:
    return json.loads(run(*args).stdout)


def hand_over(source: Path, target: Path, tmp: Path) -> None:
    bundle = tmp / f"{source.name}-to-{target.name}.json"
    run("--home", source, "bundle", "export", bundle)
    run("--home", target, "bundle", "import", bundle)


@pytest.mark.slow
def test_custody_chain_through_the_command_line(tmp_path: Path) -> None:
    consortium = tmp_path / "consortium"
    maker, dist, pharmacy = tmp_path / "maker", tmp_path / "dist", tmp_path / "pharmacy"
    run("consortium", "create", consortium, "--name", "E2E Health")
    run("consortium", "enroll", consortium, "--org", "Acme Pharma", "--gln", MAKER,
        "--role", "manufacturer", "--prefix", "501234", "--home", maker)
    run("consortium", "enroll", consortium, "--org", "North Wholesale", "--gln", DIST,
        "--role", "distributor", "--home", dist)
    run("consortium", "enroll", consortium, "--org", "Corner Pharmacy", "--gln", PHARMACY,
        "--role", "pharmacy", "--home", pharmacy)
    # Members enrolled later are learnt from bundles.
    hand_over(pharmacy, dist, tmp_path)
    hand_over(dist, maker, tmp_path)

    codes = json_of("--home", maker, "commission", "--json", "--gtin", GTIN, "--lot", "E2E1",
                    "--expiry", "2030-06-30", "--count", "3")["codes"]  # type: ignore[index]
    code = codes[0]
    run("--home", maker, "ship", "--to", DIST, code)
    hand_over(maker, dist, tmp_path)
    run("--home", dist, "receive", code)
    run("--home", dist, "ship", "--to", PHARMACY, code)
    hand_over(dist, pharmacy, tmp_path)
    hand_over(maker, pharmacy, tmp_path)
    arriving = json_of("--home", pharmacy, "verify", "--json", code)
    assert arriving["verdict"] == "genuine"  # type: ignore[index]
    run("--home", pharmacy, "receive", code)
    at_counter = json_of("--home", pharmacy, "verify", "--json", code)
    assert at_counter["verdict"] == "genuine"  # type: ignore[index]
    assert at_counter["custodian"] == PHARMACY  # type: ignore[index]
    run("--home", pharmacy, "dispense", code)

    second = json_of("--home", pharmacy, "verify", "--json", code)
    assert second["verdict"] == "information"  # type: ignore[index]
    assert second["reasons"] == ["already_dispensed_here"]  # type: ignore[index]
    history = json_of("--home", pharmacy, "history", "--json", code)
    assert [s["type"] for s in history["history"]] == [  # type: ignore[index]
        "commission", "ship", "receive", "ship", "receive", "dispense"]
    # Dispensing it again is refused, and the store is unchanged.
    refused = run("--home", pharmacy, "dispense", code, ok=False)
    assert refused.returncode == 1 and "stays decommissioned" in refused.stderr
    assert "Audit passed" in run("--home", pharmacy, "audit").stdout

    # A byte flipped inside a stored entry of the pharmacy's SQLite file is found.
    db = pharmacy / "ledger.sqlite"
    data = bytearray(db.read_bytes())
    at = data.index(b"E2E1")
    data[at + 1] ^= 0x01
    db.write_bytes(bytes(data))
    failed = run("--home", pharmacy, "audit", ok=False)
    assert failed.returncode == 1
    assert failed.stderr.startswith("supplychain: error: ")
