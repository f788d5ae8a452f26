"""The counter's re-scan step: a scanning error is closed as such, a real finding stays open.

On a SUSPECT or COUNTERFEIT verdict from scanner text, the person at the counter scans the
pack again and/or types the fields printed on it. `check_rescan` names the scanner fault
(`supplychain.codes.scanner_faults.diagnose`), verifies the code the pack really holds, and
when that code is fine closes the first scan's alert as a SCANNING_ERROR with the diagnosis
as its note, so a scanner's fault never reaches the regulator. When the re-scan confirms the
verdict, the alert stays open and is marked as being investigated, saying so; when the pack,
read right, has a problem of its own, the misread's alert is closed as a scanning error and
the pack's own alert stays open. The app and
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
    """The alert that stands for the pack after the step: the first scan's, closed as a
    scanning error when the pack is fine; else the pack's open alert, being investigated.
    None when no alert was due (the first scan unreadable, or fine)."""
    closed: Alert | None = None
    """The first scan's alert, closed by this step as a scanning error (also when the pack,
    read right, has a problem of its own: that is another alert)."""

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
    same = first is not None and first.code == code
    report = None if code is None else (first if same and first else node.verify(code))
    first_alert = alert_for_verdict(node, first) if first is not None else None
    if report is None:
        return RescanOutcome(diagnosis, None, first_alert)
    closed = None
    if first_alert is not None and (report.verdict in _FINE or not same):
        closed = close_alert(node, first_alert.id, ClosingReason.SCANNING_ERROR,
                             note=diagnosis.explanation)  # the first scan misread the pack
    if report.verdict in _FINE:
        return RescanOutcome(diagnosis, report, closed, closed)
    alert = first_alert if same else alert_for_verdict(node, report)
    if alert is not None and alert.state is AlertState.NEW:
        alert = investigate(node, alert.id, note=_(_CONFIRMED).format(
            verdict=verdict_word(report.verdict), explanation=diagnosis.explanation))
    return RescanOutcome(diagnosis, report, alert, closed)


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
