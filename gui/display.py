"""Words for the screen built from a sync round's plain data: its progress and its result per
peer. No decisions here: the failure kinds, evidence words and rules come typed from
``supplychain`` (how fresh a verdict's ledger copy is: ``supplychain.ledger.freshness``).
"""

from __future__ import annotations

from dataclasses import dataclass

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
    return (f"{progress.peers_done} of {progress.peers_total} peers done · "
            f"{progress.new_entries} new entries so far")


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
            text = f"{label}: {new} new entr{'y' if new == 1 else 'ies'} ({per_log})."
        else:
            text = f"{label}: up to date, {report.logs_checked} log(s) checked."
        return PeerResult(url, label, True, new, text)
    if failure is PeerFailure.CANCELLED:
        return PeerResult(url, label, False, 0, f"{label}: cancelled before it finished; "
                          "batches already verified are kept.", cancelled=True)
    if failure is PeerFailure.BLOCKED:
        reason = (peer.reason if peer else None) or report.error or "it misbehaved"
        return PeerResult(url, label, False, new, f"{label}: blocked: {reason}. The evidence "
                          "is kept; unblock it only after looking at it.", blocked=True)
    if failure is PeerFailure.TIMEOUT:
        text = f"{label} did not answer within {timeout:g} s; it will be tried again."
    elif failure is PeerFailure.UNREACHABLE:
        text = (f"{label} could not be reached ({report.problem or report.error}); it will be "
                "tried again.")
    elif failure is PeerFailure.BAD_ANSWER:
        text = f"{label} sent a bad answer ({report.error}); it will be tried again."
    else:
        text = f"{label}: the round stopped with an error: {report.error}"
    return PeerResult(url, label, False, new, text)
