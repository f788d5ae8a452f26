"""The pharmacy counter's pipeline for one scan, as the product runs it, and the tally.

verify the scanned text (``Node.verify``) -> if not GENUINE and the view is stale (the
verdict's freshness, which pending events also make stale), sync and verify again -> if
SUSPECT or COUNTERFEIT: raise the alert (``alert_for_verdict``) and run the re-scan step
(``check_rescan``: the person re-scans cleanly and types the printed fields), which closes
the alert as a scanning error when the corrected code is fine. INFORMATION raises nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sim_noise import Fake

from supplychain.codes.scanner_faults import PrintedFields
from supplychain.errors import CodeError
from supplychain.ledger.alert_life import AlertState
from supplychain.ledger.verdicts import Verdict
from supplychain.node.alerts import alert_for_verdict
from supplychain.node.counter import check_rescan
from supplychain.node.operations import Node, VerdictReport


@dataclass
class ScanResult:
    """What the counter ended with for one scan."""

    final: VerdictReport        # the verdict acted on (of the corrected code after a re-scan)
    first: Verdict              # the verdict of the first read (after any sync)
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (id, cause) raised or met
    open_cause: str | None = None    # the cause of the alert left open for the pack
    closed_cause: str | None = None  # the alert the re-scan step closed as a scanning error
    resynced: bool = False
    unreadable: bool = False    # the first read did not parse: scanned again at once


@dataclass
class CounterDesk:
    """The counter of one site: its pipeline for each scan, raising and closing the site's
    alerts through ``node.alerts`` and ``node.counter``."""

    node: Node
    resync: Callable[[], None]

    def scan(self, text: str, clean: str, printed: PrintedFields) -> ScanResult:
        node = self.node
        unreadable = False
        try:
            report = node.verify(text)
        except CodeError:
            unreadable, text = True, clean  # "could not read the code": scan again
            report = node.verify(text)
        resynced = False
        settled = (Verdict.GENUINE, Verdict.INFORMATION)
        if report.verdict not in settled and report.sync is not None and report.sync.stale:
            self.resync()
            resynced = True
            report = node.verify(text)
        result = ScanResult(report, report.verdict, resynced=resynced, unreadable=unreadable)
        if report.verdict not in (Verdict.SUSPECT, Verdict.COUNTERFEIT):
            return result
        alert = alert_for_verdict(node, report)
        if alert is None:
            return result  # a verdict that calls for no alert (offline)
        result.alerts.append((alert.id, alert.cause.value))
        result.open_cause = alert.cause.value
        self._rescan(result, text, clean, printed)
        return result

    def _rescan(self, result: ScanResult, text: str, clean: str,
                printed: PrintedFields) -> None:
        """The re-scan step (``node.counter.check_rescan``): the person scans the pack again,
        cleanly, and types the printed fields."""
        outcome = check_rescan(self.node, text, clean, printed)
        if outcome.report is not None:
            result.final = outcome.report
        if outcome.closed is not None:
            result.closed_cause = outcome.closed.cause.value
        left = outcome.alert
        if left is not None and left.state is not AlertState.CLOSED:
            result.alerts.append((left.id, left.cause.value))
            result.open_cause = left.cause.value
        else:
            result.open_cause = None


# --- the tally ------------------------------------------------------------------------------
@dataclass
class CauseRow:
    raised: int = 0
    false_alerts: int = 0
    fakes_caught: int = 0
    fakes_missed: int = 0
    auto_closed: int = 0


@dataclass
class FakeRow:
    injected: int = 0
    caught: int = 0
    missed: int = 0
    causes: Counter[str] = field(default_factory=Counter)


@dataclass
class NoiseRow:
    events: int = 0
    alerts: int = 0
    auto_closed: int = 0
    false_alerts: int = 0


NO_ALERT = "(no alert)"


@dataclass
class Tally:
    scans: int = 0
    resyncs: int = 0
    unreadable: int = 0
    first_verdicts: Counter[str] = field(default_factory=Counter)
    causes: dict[str, CauseRow] = field(default_factory=dict)
    fakes: dict[Fake, FakeRow] = field(default_factory=lambda: {f: FakeRow() for f in Fake})
    noise: dict[str, NoiseRow] = field(default_factory=dict)
    false_examples: list[str] = field(default_factory=list)
    missed_examples: list[str] = field(default_factory=list)
    alert_ids: set[str] = field(default_factory=set)

    def note_noise(self, tag: str) -> None:
        self.noise.setdefault(tag, NoiseRow()).events += 1

    def count(self, result: ScanResult, fake: Fake | None, tags: tuple[str, ...]) -> None:
        self.scans += 1
        self.resyncs += result.resynced
        self.unreadable += result.unreadable
        self.first_verdicts[result.first.value] += 1
        for alert_id, cause in result.alerts:
            row = self.causes.setdefault(cause, CauseRow())
            if alert_id not in self.alert_ids:
                self.alert_ids.add(alert_id)
                row.raised += 1
        if result.closed_cause is not None:
            self.causes[result.closed_cause].auto_closed += 1
        left_open = result.open_cause is not None
        for tag in tags:
            noise = self.noise.setdefault(tag, NoiseRow())
            noise.events += 1
            noise.alerts += bool(result.alerts)
            noise.auto_closed += result.closed_cause is not None
            noise.false_alerts += fake is None and left_open
        if fake is None:
            if left_open:
                self.causes[result.open_cause or ""].false_alerts += 1
                if len(self.false_examples) < 12:
                    self.false_examples.append(f"{result.final.code.key}: "
                                               f"{_verdict_words(result)} "
                                               f"[{', '.join(tags) or 'no noise'}]")
            return
        fake_row = self.fakes[fake]
        fake_row.injected += 1
        if left_open:
            fake_row.caught += 1
            fake_row.causes[result.open_cause or ""] += 1
            self.causes[result.open_cause or ""].fakes_caught += 1
        else:
            fake_row.missed += 1
            self.causes.setdefault(result.closed_cause or NO_ALERT, CauseRow()).fakes_missed += 1
            if len(self.missed_examples) < 12:
                self.missed_examples.append(f"{fake.value} {result.final.code.key}: "
                                            f"{_verdict_words(result)}")

    @property
    def false_alerts(self) -> int:
        return sum(r.false_alerts for r in self.causes.values())

    @property
    def fakes_missed(self) -> int:
        return sum(r.missed for r in self.fakes.values())


def _verdict_words(result: ScanResult) -> str:
    """'suspect (not_in_custody), view stale' for the examples the bench prints."""
    final = result.final
    reasons = ", ".join(r.value for r in final.decision.reasons)
    stale = final.sync is not None and final.sync.stale
    return (f"{final.verdict.value}{f' ({reasons})' if reasons else ''}"
            f"{', view stale' if stale else ''}{', synced again' if result.resynced else ''}")
