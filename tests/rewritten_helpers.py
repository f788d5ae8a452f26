"""A maker that rewrote its log, for the rewritten-log tests of every channel: the real maker
and a copy of its node (same key) part after entry 0, and what each test asserts of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from supplychain.codes.gs1 import PackCode
from supplychain.ledger.alert_life import AlertCause, AlertState
from supplychain.ledger.dispute_file import check_dispute_document, dispute_document
from supplychain.ledger.records import DisputeRecord
from supplychain.ledger.verdicts import Reason, Verdict
from supplychain.node.alerts import list_alerts
from supplychain.node.operations import Node
from tests.conftest import GTIN, MAKER, PASSPHRASE, Network, copy_home

EXPIRY = date(2030, 1, 31)


@dataclass
class Rewritten:
    fork: Node  # the maker's node copied after entry 0: it signs another entry 1 on
    early: PackCode  # commissioned at entry 0, before the two versions part
    late: PackCode  # commissioned at entry 1 of the real log (the disputed part)


def rewritten_maker(network: Network, tmp_path: Path, fork_entries: int = 1) -> Rewritten:
    """The maker signs entry 0, then its node is copied: the real maker signs entry 1 (one
    pack), the copy signs ``fork_entries`` other entries from 1 on, with the same key."""
    maker = network[MAKER]
    (early,) = maker.commission(GTIN, "L1", EXPIRY, 1)  # type: ignore[arg-type]
    maker.close()
    copy_home(network.homes[MAKER], tmp_path / "fork")
    maker = network.reopen(MAKER)
    (late,) = maker.commission(GTIN, "L2", EXPIRY, 1)  # type: ignore[arg-type]
    fork = Node(tmp_path / "fork", lambda: PASSPHRASE)
    for _ in range(fork_entries):
        fork.commission(GTIN, "L9", EXPIRY, 1)  # type: ignore[arg-type]
    return Rewritten(fork, early, late)


def assert_dispute_kept(node: Node, channel: str, from_index: int) -> DisputeRecord:
    """One dispute about the maker's log through ``channel``, both statements the maker's
    (and proven in conflict, as `disputes verify` checks a file), and its alert."""
    (dispute,) = node.store.disputes(MAKER)
    assert dispute.channel == channel and dispute.from_index == from_index
    assert dispute.statement_ours != dispute.statement_theirs
    for note in (dispute.statement_ours, dispute.statement_theirs):
        node.ledger.verify_checkpoint_note(MAKER, note)  # raises unless the maker signed it
    (checked,) = check_dispute_document(node.ledger, dispute_document(node.ledger, MAKER))
    assert checked.author == MAKER and checked.from_index == from_index
    alerts = [e for e in node.store.evidence() if e.kind == "rewritten_log"]
    assert [(a.subject, a.peer) for a in alerts] == [(MAKER, dispute.relay)]
    assert dispute.digest in alerts[0].evidence
    # The alerts queue: one alert for the rewrite, carrying the dispute (the channel's own
    # evidence of the same rewrite, e.g. sync's inconsistent_history, is not a second alert).
    queued = [a for a in list_alerts(node) if a.cause is AlertCause.REWRITTEN_LOG]
    assert [(a.kind, a.subject, a.state) for a in queued] == [
        ("rewritten_log", MAKER, AlertState.NEW)]
    return dispute


def assert_verdicts(node: Node, disputed: PackCode, clear: PackCode) -> None:
    """A pack with an event in the disputed part is SUSPECT (DISPUTED_LOG, naming the maker);
    one whose events all lie before it is not held back by the dispute."""
    report = node.verify(disputed)
    assert report.verdict is Verdict.SUSPECT
    assert Reason.DISPUTED_LOG in report.decision.reasons
    assert f"Acme Pharma ({MAKER})'s log, which its author rewrote" in report.decision.message
    other = node.verify(clear)
    assert Reason.DISPUTED_LOG not in other.decision.reasons
    assert other.verdict is Verdict.GENUINE
