"""The counter's re-scan step: a scanning error is closed as such, a real finding stays open.

On a SUSPECT or COUNTERFEIT verdict from scanner text, the person at the counter scans the
pack again and/or types the fields printed on it. `check_rescan` names the scanner fault
(`supplychain.codes.scanner_faults.diagnose`), verifies the code the pack really holds, and
when that code is fine closes the first scan's alert as a SCANNING_ERROR with the diagnosis
as its note, so a scanner's fault never reaches the regulator. When the re-scan confirms the
verdict, the alert stays open and is marked as being investigated, saying so. The app and
the network simulation both run this one pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplychain.codes.scanner_faults import Diagnosis, PrintedFields, diagnose
from supplychain.codes.scanner_text import parse_scanned
from supplychain.errors import CodeError
from supplychain.i18n import N_, _
from supplychain.ledger.alert_life import Alert, AlertState, ClosingReason
from supplychain.ledger.verdicts import Verdict, verdict_word
from supplychain.node.alerts import alert_for_verdict, close_alert, investigate
from supplychain.node.operations import Node
from supplychain.node.reports import VerdictReport

__all__ = ["RescanOutcome", "check_rescan", "is_rescan"]

_FINE = frozenset({Verdict.GENUINE, Verdict.INFORMATION})
"""Verdicts after which the first scan's alert was the scanner's fault."""

_CONFIRMED = N_("Re-scan confirms: {verdict}. {explanation}")


@dataclass(frozen=True)
class RescanOutcome:
    """What the re-scan step found and did."""

    diagnosis: Diagnosis
    report: VerdictReport | None
    """The verdict of the code the pack really holds (the corrected code, else the first
    scan's when it matches the pack); None when no pack code could be told."""
    alert: Alert | None
    """The first scan's alert after the step: closed as a scanning error, or still open (and
    being investigated); None when the first scan raised none (unreadable, or fine)."""

    @property
    def closed(self) -> Alert | None:
        """The alert this step closed as a scanning error, or None."""
        if self.alert is not None and self.alert.state is AlertState.CLOSED \
                and self.alert.closing is ClosingReason.SCANNING_ERROR:
            return self.alert
        return None

    @property
    def confirmed(self) -> bool:
        """Whether the pack itself is still SUSPECT or COUNTERFEIT after the re-scan."""
        return self.report is not None and self.report.verdict not in _FINE


def check_rescan(node: Node, first_text: str, rescan_text: str | None,
                 printed: PrintedFields | None) -> RescanOutcome:
    """Run the re-scan step for a first scan at this node's counter.

    Raises MalformedInput when there is nothing to compare with (no re-scan, no field).
    """
    diagnosis = diagnose(first_text, rescan_text, printed)
    first = _first_report(node, first_text)
    code = diagnosis.corrected
    if code is None and diagnosis.fault is None and first is not None:
        code = first.code  # the scan matches the pack: its verdict stands
    report = None if code is None else (
        first if first is not None and first.code == code else node.verify(code))
    alert = alert_for_verdict(node, first) if first is not None else None
    if alert is None or report is None:
        return RescanOutcome(diagnosis, report, alert)
    if report.verdict in _FINE:
        alert = close_alert(node, alert.id, ClosingReason.SCANNING_ERROR,
                            note=diagnosis.explanation)
    elif alert.state is AlertState.NEW:
        alert = investigate(node, alert.id, note=_(_CONFIRMED).format(
            verdict=verdict_word(report.verdict), explanation=diagnosis.explanation))
    return RescanOutcome(diagnosis, report, alert)


def is_rescan(first_text: str, text: str) -> bool:
    """Whether `text`, scanned while the re-scan step waits, is that re-scan: the same pack,
    or the pack a known scanner fault turns the first scan into. Another pack, or a text
    that is no pack code, is a new scan (the step is left)."""
    diagnosis = diagnose(first_text, text, None)
    if diagnosis.fault is not None:
        return True
    try:
        parse_scanned(text)
    except CodeError:
        return False
    return diagnosis.corrected is None  # None: the same pack; set: another pack


def _first_report(node: Node, first_text: str) -> VerdictReport | None:
    """The first scan's verdict, None when it cannot be read as a pack code at all."""
    try:
        return node.verify(first_text)
    except CodeError:
        return None
