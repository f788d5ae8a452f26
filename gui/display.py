"""Words for the screen built from the core's plain data: how long ago, how fresh a verdict's
ledger copy is, a sync round's progress and its result per peer. No decisions here: the
failure kinds, evidence words and rules come typed from ``supplychain``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supplychain import clock
from supplychain.ledger.freshness import SyncInfo
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


def ago(iso: str, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '3 days ago' for an ISO time."""
    then = clock.parse_iso(iso)
    seconds = max(0, int(((now or clock.now()) - then).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 90 * 60:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


def freshness_line(info: SyncInfo | None, now: datetime | None = None) -> tuple[str, bool]:
    """The line under a verdict about how fresh the ledger copy is: (text, stale)."""
    if info is None:
        return "", False
    if not info.last_synced:
        return ("Ledger copy: this verdict rests on this node's own log only (always "
                "current)."), False
    times = list(info.last_synced.values())
    if any(t is None for t in times):
        never = sum(1 for t in times if t is None)
        what = ("the log behind this verdict was" if len(times) == 1 else
                f"{never} of the {len(times)} logs behind this verdict were")
        return (f"Stale copy: {what} never synced with a peer (bundles only) — sync before "
                "trusting a GENUINE."), True
    oldest = min(t for t in times if t is not None)
    if info.stale:
        return (f"Stale copy: last synced {ago(oldest, now)} — sync before trusting a "
                "GENUINE."), True
    return f"Ledger copy last synced {ago(oldest, now)}.", False
