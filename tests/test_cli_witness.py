"""`supplychain witness policy` and `witness status`: the consortium's witness policy travels
in the root-signed member directory."""

from __future__ import annotations

import json
from pathlib import Path

from supplychain.ledger.witnessing import held_policy
from tests.conftest import MAKER, REGULATOR, Network


def test_the_regulator_sets_a_policy_and_nodes_take_it_with_the_directory(
        network: Network, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    consortium = network.root / "consortium"
    regulator_home = network.homes[REGULATOR]
    network[REGULATOR].close()
    code, out, err = cli("--home", regulator_home, "witness", "policy", consortium,
                         "--member", REGULATOR, "--member", MAKER, "--quorum", "2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["home"] == str(regulator_home) and "group witnesses 2" in result["witness_policy"]
    directory = json.loads((consortium / "directory.json").read_text())
    assert directory["witness_policy"] == result["witness_policy"]
    regulator = network.reopen(REGULATOR)
    policy = held_policy(regulator.store)
    assert [w.name for w in policy.witnesses] == sorted([REGULATOR, MAKER])
    assert not policy.satisfied_by({REGULATOR}) and policy.satisfied_by({REGULATOR, MAKER})
    # another node takes it with the directory file, as any directory
    maker_home = network.homes[MAKER]
    network[MAKER].close()
    assert cli("--home", maker_home, "directory", "import", consortium / "directory.json")[0] == 0
    assert held_policy(network.reopen(MAKER).store).text == policy.text

    # a malformed policy file is refused with its line, and nothing changes
    bad = tmp_path / "policy.txt"
    bad.write_text("witness A not-a-key\nquorum A\n")
    code, out, err = cli("witness", "policy", consortium, "--file", bad)
    assert code != 0 and "line 1" in err and "verifier key" in err
    assert json.loads((consortium / "directory.json").read_text()) == directory

    # back to the default: the regulator's node alone
    assert cli("witness", "policy", consortium)[0] == 0
    assert "witness_policy" not in json.loads((consortium / "directory.json").read_text())


def test_witness_status_lists_each_log(network: Network, cli) -> None:  # type: ignore[no-untyped-def]
    home = network.homes[MAKER]
    network[MAKER].close()
    code, out, err = cli("--home", home, "witness", "status", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert f"quorum {REGULATOR}" in status["policy"]
    code, out, err = cli("--home", home, "witness", "status")
    assert f"Witness policy (quorum {REGULATOR}):" in out
