"""Poisoned bundles: a relay cannot make a node store what the author's signed checkpoint does
not cover, a log that repeats an entry is refused, and a node holding entries no signed
checkpoint covers gives way to the author's signed log (the evidence is kept)."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from supplychain.errors import BundleError, DuplicateEntry, LedgerError
from supplychain.interchange.bundle import exchange, export_bundle, import_bundle
from supplychain.ledger import merkle
from supplychain.ledger.audit import audit
from supplychain.ledger.checkpoint import Checkpoint, sign_checkpoint
from supplychain.ledger.verdicts import Reason, Verdict
from supplychain.node.operations import Node
from tests.conftest import DIST_A, GTIN, MAKER, PASSPHRASE, PHARMACY, Network

LOT = "L1"
EXPIRY = date(2030, 1, 31)


def _state(node: Node) -> tuple:
    return (node.store.log_sizes(), node.store.derived_snapshot(), node.store.all_checkpoints())


def _maker_log(doc: dict) -> dict:
    (log,) = [log for log in doc["logs"] if log["gln"] == MAKER]
    return log


def _relayed(network: Network, tmp_path: Path) -> tuple[Path, list]:
    """The maker commissions and ships to DIST_A; DIST_A relays the maker's log onwards with
    copies of the maker's own signed entries added after the signed checkpoint."""
    codes = network[MAKER].commission(GTIN, LOT, EXPIRY, 2)
    network[MAKER].ship(DIST_A, codes)
    exchange(network[MAKER], network[DIST_A])
    path = tmp_path / "relayed.json"
    export_bundle(network[DIST_A].ledger, path)
    doc = json.loads(path.read_text())
    log = _maker_log(doc)
    assert len(log["entries"]) == 2
    log["entries"] += log["entries"][:2]  # the author's signatures, beyond its checkpoint
    path.write_text(json.dumps(doc))
    return path, codes


def test_entries_beyond_the_signed_checkpoint_are_not_stored(network: Network,
                                                            tmp_path: Path) -> None:
    path, _ = _relayed(network, tmp_path)
    pharmacy = network[PHARMACY]
    result = import_bundle(pharmacy.ledger, path)
    assert result.new_entries == {MAKER: 2}
    assert pharmacy.store.log_size(MAKER) == 2
    assert pharmacy.ledger.covered_size(MAKER) == 2
    audit(pharmacy.ledger)


def test_the_authors_later_recall_arrives_after_a_relayed_bundle(network: Network,
                                                                  tmp_path: Path) -> None:
    path, codes = _relayed(network, tmp_path)
    pharmacy = network[PHARMACY]
    import_bundle(pharmacy.ledger, path)
    assert Reason.RECALLED not in pharmacy.verify(codes[0]).decision.reasons
    network[MAKER].recall(GTIN, LOT, "contaminated")
    result = exchange(network[MAKER], pharmacy)
    assert result.new_entries == {MAKER: 1}
    report = pharmacy.verify(codes[0])
    assert report.verdict is Verdict.SUSPECT
    assert Reason.RECALLED in report.decision.reasons
    audit(pharmacy.ledger)


def test_a_checkpoint_covering_more_than_was_sent_is_refused(network: Network,
                                                             tmp_path: Path) -> None:
    path, _ = _relayed(network, tmp_path)
    doc = json.loads(path.read_text())
    _maker_log(doc)["entries"] = _maker_log(doc)["entries"][:1]
    path.write_text(json.dumps(doc))
    before = _state(network[PHARMACY])
    with pytest.raises(BundleError, match="covers 2 entries, but only 1 were sent"):
        import_bundle(network[PHARMACY].ledger, path)
    assert _state(network[PHARMACY]) == before


# --- a log that repeats an entry ---------------------------------------------------------------
def test_appending_a_repeated_entry_is_refused(network: Network) -> None:
    network[MAKER].commission(GTIN, LOT, EXPIRY, 1)
    exchange(network[MAKER], network[DIST_A])
    target = network[DIST_A]
    entry = target.store.entry(MAKER, 0)
    before = _state(target)
    with pytest.raises(DuplicateEntry, match="Entry 1 of log .* repeats entry 0"), \
            target.store.transaction():
        target.ledger.append_entries(MAKER, 1, [entry])
    assert _state(target) == before


def test_a_batch_repeating_an_entry_is_refused(network: Network) -> None:
    network[MAKER].commission(GTIN, LOT, EXPIRY, 1)
    network[MAKER].commission(GTIN, "L2", EXPIRY, 1)
    first, second = network[MAKER].store.entries(MAKER, 0, 2)
    target = network[PHARMACY]
    before = _state(target)
    with pytest.raises(DuplicateEntry, match="Entry 2 of log .* repeats entry 0"), \
            target.store.transaction():
        target.ledger.append_entries(MAKER, 0, [first, second, first])
    assert _state(target) == before


def test_a_signed_log_repeating_an_entry_is_refused(network: Network, tmp_path: Path) -> None:
    """Even the author's own signed checkpoint cannot make a node keep a repeated entry."""
    maker = network[MAKER]
    maker.commission(GTIN, LOT, EXPIRY, 1)
    path = tmp_path / "repeat.json"
    export_bundle(maker.ledger, path)
    doc = json.loads(path.read_text())
    log = _maker_log(doc)
    log["entries"] = log["entries"] * 2
    leaves = [merkle.leaf_hash(base64.b64decode(e)) for e in log["entries"]]
    origin = maker.ledger.origin(MAKER)
    signed = sign_checkpoint(Checkpoint(origin, 2, merkle.root(leaves)), origin,
                             maker._signing_key())
    log["checkpoint"] = signed.to_text()
    path.write_text(json.dumps(doc))
    before = _state(network[PHARMACY])
    with pytest.raises(BundleError, match="repeats entry 0") as caught:
        import_bundle(network[PHARMACY].ledger, path)
    assert isinstance(caught.value.__cause__, DuplicateEntry)
    assert _state(network[PHARMACY]) == before


# --- a node holding entries no signed checkpoint covers ---------------------------------------
def _poison_uncovered(network: Network, tmp_path: Path, node: Node) -> list:
    """``node`` holds the maker's 2 signed entries plus a third, signed by the maker but
    covered by no checkpoint (what a relayed bundle left before this fix): the maker's key
    signed it on a copy of its node that was then thrown away."""
    codes = network[MAKER].commission(GTIN, LOT, EXPIRY, 2)
    network[MAKER].ship(DIST_A, codes)
    exchange(network[MAKER], node)
    maker_home = network.homes[MAKER]
    network[MAKER].close()
    shutil.copytree(maker_home, tmp_path / "maker-copy")
    network.reopen(MAKER)
    with Node(tmp_path / "maker-copy", lambda: PASSPHRASE) as copy:
        copy.commission(GTIN, "STRAY", EXPIRY, 1)
        stray = copy.store.entry(MAKER, 2)
    with node.store.transaction():  # the old import path: appended, no checkpoint
        node.ledger.append_entries(MAKER, 2, [stray])
    assert node.store.log_size(MAKER) == 3 and node.ledger.covered_size(MAKER) == 2
    return codes


def test_the_signed_log_wins_over_uncovered_entries(network: Network, tmp_path: Path) -> None:
    pharmacy = network[PHARMACY]
    codes = _poison_uncovered(network, tmp_path, pharmacy)
    network[MAKER].recall(GTIN, LOT, "contaminated")
    result = exchange(network[MAKER], pharmacy)
    assert result.new_entries == {MAKER: 1}
    assert pharmacy.store.entries(MAKER, 0, 3) == network[MAKER].store.entries(MAKER, 0, 3)
    assert Reason.RECALLED in pharmacy.verify(codes[0]).decision.reasons
    (row,) = [r for r in pharmacy.store.evidence() if r.kind == "dropped_entries"]
    evidence = json.loads(row.evidence)
    assert evidence["from"] == 2 and len(evidence["dropped"]) == 1
    assert pharmacy.packs_of_lot(GTIN, "STRAY") == []  # the dropped entry's pack is gone
    audit(pharmacy.ledger)


def test_covered_entries_are_never_dropped(network: Network) -> None:
    network[MAKER].commission(GTIN, LOT, EXPIRY, 2)
    exchange(network[MAKER], network[PHARMACY])
    with pytest.raises(LedgerError, match="covered by a signed checkpoint"):
        network[PHARMACY].ledger.drop_uncovered(MAKER, 0)


def test_rewritten_covered_history_is_refused_and_the_evidence_kept(network: Network,
                                                                    tmp_path: Path) -> None:
    pharmacy = network[PHARMACY]
    _poison_uncovered(network, tmp_path, pharmacy)
    with Node(tmp_path / "maker-copy", lambda: PASSPHRASE) as copy:
        copy.commission(GTIN, "STRAY2", EXPIRY, 1)  # the copy signs 4 entries...
        path = tmp_path / "copy.json"
        export_bundle(copy.ledger, path)
    exchange(network[MAKER], pharmacy)  # ...the real maker signed 2 (+ nothing new)
    network[MAKER].recall(GTIN, LOT, "contaminated")
    exchange(network[MAKER], pharmacy)  # entry 2 is now covered by the real checkpoint
    before = _state(pharmacy)
    with pytest.raises(BundleError, match="rewrote history"):
        import_bundle(pharmacy.ledger, path)
    assert _state(pharmacy) == before
    (row,) = [r for r in pharmacy.store.evidence() if r.kind == "inconsistent_history"]
    evidence = json.loads(row.evidence)
    assert evidence["index"] == 2 and evidence["theirs"] and evidence["ours"]
