"""Rewritten logs through a bundle and a witness's add-checkpoint: refused AND kept (a dispute
with both signed statements, a rewritten_log alert naming the author), and packs in the
disputed part SUSPECT. Sync over TLS: tests/sync/test_rewritten_sync.py; EPCIS:
tests/interchange/epcis/test_rewritten_epcis.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from supplychain.cli.main import main
from supplychain.errors import BundleError
from supplychain.identity.keys import load_private_key
from supplychain.interchange.bundle import exchange, export_bundle, import_bundle
from supplychain.ledger.checkpoint import Checkpoint, SignedCheckpoint, sign_checkpoint
from supplychain.ledger.witnessing import AddCheckpoint, add_checkpoint, held_policy, submission
from tests.conftest import GTIN, MAKER, OTHER_MAKER, PASSPHRASE, REGULATOR, Network
from tests.rewritten_helpers import (
    EXPIRY,
    assert_dispute_kept,
    assert_verdicts,
    rewritten_maker,
)

pytestmark = pytest.mark.both_backends


def _state(network: Network) -> tuple:
    store = network[REGULATOR].store
    return store.log_sizes(), store.derived_snapshot(), store.all_checkpoints()


def test_a_rewritten_log_in_a_bundle_is_refused_and_kept(network: Network,
                                                         tmp_path: Path) -> None:
    case = rewritten_maker(network, tmp_path, fork_entries=2)
    regulator = network[REGULATOR]
    exchange(network[MAKER], regulator)
    path = tmp_path / "fork.json"
    export_bundle(case.fork.ledger, path)
    before = _state(network)
    with pytest.raises(BundleError) as refused:
        import_bundle(regulator.ledger, path)
    message = str(refused.value)
    assert f"Acme Pharma ({MAKER}) rewrote history" in message
    assert "the evidence was kept" in message and "tell the regulator" in message
    assert "SUSPECT" in message
    assert _state(network) == before  # the import is undone, the evidence is not
    dispute = assert_dispute_kept(regulator, "bundle", from_index=1)
    assert dispute.relay == "fork.json" and dispute.entry_index == 1
    assert dispute.entry_theirs is not None and dispute.proof_theirs is not None
    assert_verdicts(regulator, disputed=case.late, clear=case.early)
    with pytest.raises(BundleError, match="rewrote history"):  # seen again: counted
        import_bundle(regulator.ledger, path)
    assert [d.count for d in regulator.store.disputes()] == [2]
    regulator.ledger.rebuild()  # evidence is no derived state: a rebuild keeps it
    assert_dispute_kept(regulator, "bundle", from_index=1)
    assert_verdicts(regulator, disputed=case.late, clear=case.early)
    case.fork.close()


def test_an_equivocating_checkpoint_in_a_bundle_leaves_a_trace(network: Network,
                                                               tmp_path: Path) -> None:
    """The issue's case, reproduced first: a bundle carrying the entries held here under
    another root signed by the author for the same size was refused ("two signed checkpoints
    ... (equivocation)") with no evidence, no alert and no verdict change."""
    maker, regulator = network[MAKER], network[REGULATOR]
    (code,) = maker.commission(GTIN, "L1", EXPIRY, 1)  # type: ignore[arg-type]
    exchange(maker, regulator)
    path = tmp_path / "bundle.json"
    export_bundle(maker.ledger, path)
    document = json.loads(path.read_text())
    (log,) = [log for log in document["logs"] if log["gln"] == MAKER]
    held = SignedCheckpoint.parse(log["checkpoint"]).checkpoint
    key = load_private_key(network.homes[MAKER] / "member.key", PASSPHRASE)
    other = Checkpoint(held.origin, held.size, bytes(32))  # the maker signs another root
    log["checkpoint"] = sign_checkpoint(other, maker.ledger.origin(MAKER), key).to_text()
    path.write_text(json.dumps(document))
    with pytest.raises(BundleError, match=f"Acme Pharma \\({MAKER}\\) rewrote history"):
        import_bundle(regulator.ledger, path)
    assert_dispute_kept(regulator, "bundle", from_index=0)
    report = regulator.verify(code)
    assert report.verdict.value == "suspect" and "disputed_log" in report.to_dict()["reasons"]


def test_a_witness_refuses_a_conflicting_checkpoint_and_keeps_the_dispute(
        network: Network, tmp_path: Path) -> None:
    case = rewritten_maker(network, tmp_path)
    maker, regulator = network[MAKER], network[REGULATOR]
    key = load_private_key(network.homes[REGULATOR] / "member.key", PASSPHRASE)
    exchange(maker, regulator)
    (other,) = network[OTHER_MAKER].commission(  # type: ignore[arg-type]
        "09506000134352", "X1", date(2030, 1, 31), 1)
    exchange(network[OTHER_MAKER], regulator)
    request = submission(maker.ledger, MAKER, held_policy(maker.store).witnesses[0])
    assert request is not None
    assert add_checkpoint(regulator.ledger, key, REGULATOR, request.to_bytes(), MAKER).status \
        == 200
    theirs = case.fork.store.latest_checkpoint(MAKER)
    assert theirs is not None and theirs.size == 2  # the size cosigned, another root
    answer = add_checkpoint(regulator.ledger, key, REGULATOR,
                            AddCheckpoint(2, (), theirs.note).to_bytes(), MAKER)
    assert answer.status == 422
    assert f"Acme Pharma ({MAKER}) rewrote history" in answer.body
    # A checkpoint alone does not say where the versions part: disputed from entry 0.
    dispute = assert_dispute_kept(regulator, "witness", from_index=0)
    assert dispute.statement_theirs == theirs.note and dispute.entry_index is None
    assert [e.kind for e in regulator.store.evidence()].count("witness_conflict") == 1
    assert_verdicts(regulator, disputed=case.early, clear=other)
    case.fork.close()


def test_the_disputes_commands_list_export_and_verify(network: Network, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    case = rewritten_maker(network, tmp_path, fork_entries=2)
    regulator = network[REGULATOR]
    exchange(network[MAKER], regulator)
    path = tmp_path / "fork.json"
    export_bundle(case.fork.ledger, path)
    case.fork.close()
    with pytest.raises(BundleError):
        import_bundle(regulator.ledger, path)
    regulator.close()
    home = ["--home", str(network.homes[REGULATOR])]
    assert main([*home, "disputes"]) == 0
    listed = capsys.readouterr().out
    assert f"Acme Pharma ({MAKER}): log disputed from entry 1 on; seen through bundle" \
        in listed
    out = tmp_path / "dispute.json"
    assert main([*home, "disputes", "show", MAKER, "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "verified: entry 1 differs between the two signed trees" in shown
    assert "statement held here:" in shown and "conflicting statement:" in shown
    document = json.loads(out.read_text())
    assert document["author"] == MAKER and document["disputes"][0]["entry_index"] == 1
    other_home = ["--home", str(network.homes[OTHER_MAKER])]  # any member's node verifies it
    network[OTHER_MAKER].close()
    assert main([*other_home, "disputes", "verify", "--json", str(out)]) == 0
    (checked,) = json.loads(capsys.readouterr().out)
    assert checked["author"] == MAKER and checked["from_index"] == 1
    document["disputes"][0]["entry_theirs"] = document["disputes"][0]["entry_ours"]
    out.write_text(json.dumps(document))
    assert main([*other_home, "disputes", "verify", str(out)]) == 1
    assert "are the same" in capsys.readouterr().err
    assert main([*home, "disputes", "show", "5012345000046"]) == 1
    assert "No dispute about the log of 5012345000046" in capsys.readouterr().err


def test_a_version_4_file_gains_the_disputes_table(tmp_path: Path) -> None:
    from supplychain.ledger import sql
    from supplychain.ledger.store import Store

    path = tmp_path / "v4.sqlite"
    store = Store(path, create=True)
    store.conn.execute("DROP TABLE disputes")  # the shape of a version-4 file
    store.set_meta("schema_version", "4")
    store.close()
    store = Store(path)
    assert store.get_meta("schema_version") == str(sql.SCHEMA_VERSION) == "5"
    assert store.disputes() == [] and store.disputed_from() == {}
    with store.transaction():
        store.put_dispute(MAKER, "d1", "bundle", "a.json", 3, "ours", "theirs", None, None,
                          None, "2026-01-01T00:00:00Z")
        store.put_dispute(MAKER, "d1", "bundle", "a.json", 1, "ours", "theirs", None, None,
                          None, "2026-01-02T00:00:00Z")
    (row,) = store.disputes(MAKER)
    assert (row.from_index, row.count, row.first_seen, row.last_seen) == (
        1, 2, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
    assert store.disputed_from() == {MAKER: 1} and store.disputes(REGULATOR) == []
    store.close()
