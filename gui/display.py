"""Words for the screen built from a sync round's plain data: its progress and its result per
peer. No decisions here: the failure kinds, evidence words and rules come typed from
``supplychain`` (how fresh a verdict's ledger copy is: ``supplychain.ledger.freshness``).
The words are Qt's (context ``SyncRound``); an error a peer's report carries comes from the
core already translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from supplychain.ledger.verdicts import verdict_word
from supplychain.ledger.witnessing import LogWitnessing
from supplychain.node.containers import ContainerReport
from supplychain.sync.puller import PeerFailure, PullReport
from supplychain.sync.service import SyncProgress, SyncRound


@dataclass(frozen=True)
class PeerResult:
    """What one peer gave in a round, in plain words."""

    url: str
    label: str
    ok: bool
    new_entries: int
    text: str
    blocked: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class SyncOutcome:
    results: tuple[PeerResult, ...]
    skipped_blocked: tuple[str, ...] = ()
    cancelled: bool = False

    @property
    def total_new(self) -> int:
        return sum(r.new_entries for r in self.results)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)


def progress_text(progress: SyncProgress) -> str:
    return QCoreApplication.translate(
        "SyncRound", "{done} of {total} peers done · {new} new entries so far").format(
            done=progress.peers_done, total=progress.peers_total, new=progress.new_entries)


def sync_outcome(result: SyncRound, timeout: float) -> SyncOutcome:
    """A round's reports as one line of plain words per peer."""
    return SyncOutcome(tuple(_peer_result(r, result, timeout) for r in result.reports),
                       result.skipped_blocked, result.cancelled)


def _peer_result(report: PullReport, result: SyncRound, timeout: float) -> PeerResult:
    url = report.peer
    peer = result.peer(url)
    gln = report.peer_gln or (peer.gln if peer else None)
    label = result.names.get(gln, url) if gln else url
    new = report.total_new
    failure = report.failure
    if failure is None:
        if new:
            per_log = ", ".join(f"{result.names.get(g, g)}: {n}"
                                for g, n in sorted(report.new_entries.items()))
            text = (QCoreApplication.translate("SyncRound", "{peer}: {count} new entry ({logs}).")
                    if new == 1 else
                    QCoreApplication.translate("SyncRound",
                                               "{peer}: {count} new entries ({logs})."))
            text = text.format(peer=label, count=new, logs=per_log)
        else:
            text = QCoreApplication.translate(
                "SyncRound", "{peer}: up to date, {logs} log(s) checked.").format(
                    peer=label, logs=report.logs_checked)
        return PeerResult(url, label, True, new, text)
    if failure is PeerFailure.CANCELLED:
        return PeerResult(url, label, False, 0, QCoreApplication.translate(
            "SyncRound", "{peer}: cancelled before it finished; batches already verified are "
                         "kept.").format(peer=label), cancelled=True)
    if failure is PeerFailure.BLOCKED:
        reason = ((peer.reason if peer else None) or report.error
                  or QCoreApplication.translate("SyncRound", "it misbehaved"))
        return PeerResult(url, label, False, new, QCoreApplication.translate(
            "SyncRound", "{peer}: blocked: {reason}. The evidence is kept; unblock it only "
                         "after looking at it.").format(peer=label, reason=reason), blocked=True)
    if failure is PeerFailure.TIMEOUT:
        text = QCoreApplication.translate(
            "SyncRound", "{peer} did not answer within {seconds} s; it will be tried again."
        ).format(peer=label, seconds=f"{timeout:g}")
    elif failure is PeerFailure.UNREACHABLE:
        text = QCoreApplication.translate(
            "SyncRound", "{peer} could not be reached ({problem}); it will be tried again."
        ).format(peer=label, problem=report.problem or report.error)
    elif failure is PeerFailure.BAD_ANSWER:
        text = QCoreApplication.translate(
            "SyncRound", "{peer} sent a bad answer ({error}); it will be tried again."
        ).format(peer=label, error=report.error)
    else:
        text = QCoreApplication.translate(
            "SyncRound", "{peer}: the round stopped with an error: {error}").format(
                peer=label, error=report.error)
    return PeerResult(url, label, False, new, text)


def witnesses_line(witnesses: Sequence[LogWitnessing]) -> str:
    """The pack view's line saying which witnesses vouched for the logs behind a verdict
    ("" when it relies on no log). Names come from the core (member names of the witnesses
    whose cosignatures were verified there); no decision is made here."""
    if not witnesses:
        return ""
    names = sorted({name for w in witnesses for name in w.names})
    missing = sum(1 for w in witnesses if not w.names)
    if not names:
        return QCoreApplication.translate("Verdict", "Log vouched for by: not yet witnessed")
    text = QCoreApplication.translate("Verdict", "Log vouched for by: {names}").format(
        names=", ".join(names))
    if missing:
        text += " " + QCoreApplication.translate(
            "Verdict", "({missing} of {total} logs not yet witnessed)").format(
                missing=missing, total=len(witnesses))
    return text


def case_details(case: ContainerReport) -> str:
    """The line under a case's verdict: what is inside, and each pack that is not genuine."""
    text = QCoreApplication.translate("Display", "Case {sscc}: {packs} packs inside.").format(
        sscc=case.code.sscc, packs=len(case.packs))
    bad = case.not_genuine
    if bad:
        text += " " + QCoreApplication.translate("Display", "Not genuine: {packs}").format(
            packs="; ".join(f"SN {r.code.serial} ({verdict_word(r.verdict)}: "
                            f"{r.decision.message})" for r in bad[:10]))
        if len(bad) > 10:
            text += " " + QCoreApplication.translate("Display", "… and {count} more.").format(
                count=len(bad) - 10)
    return text
