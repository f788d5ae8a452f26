"""The alerts part of the service layer: a site's queue, the regulator's national view, the
steps of an alert's life (``supplychain.node.alerts``). ``LedgerService`` inherits it, so the
views call these as ``service.investigate_alert(...)`` on the node thread like any other
service method. No crypto, no SQL and no Qt here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from supplychain.clock import now_iso
from supplychain.ledger.alert_life import Alert, ClosingReason
from supplychain.node import alerts
from supplychain.node.reports import VerdictReport

if TYPE_CHECKING:
    from supplychain.node.operations import Node

class AlertServices:
    """Alert methods of ``LedgerService`` (which sets ``node``)."""

    node: Node

    def alert_queue(self, national: bool = False) -> list[Alert]:
        """This site's alerts (signed and local detections), or with ``national`` every
        owner's signed alerts this node holds; newest first."""
        return alerts.list_alerts(self.node, national=national)

    def alert(self, alert_id: str) -> Alert:
        return alerts.get_alert(self.node, alert_id)

    def alert_for_verdict(self, report: VerdictReport) -> tuple[Alert, bool] | None:
        """The alert a SUSPECT/COUNTERFEIT verdict raises, or the open one of this site for
        the same pack and cause; with whether it was raised (signed) just now. None for a
        verdict that calls for no alert."""
        started = now_iso()
        alert = alerts.alert_for_verdict(self.node, report)
        return None if alert is None else (alert, alert.raised_at >= started)

    def investigate_alert(self, alert_id: str, note: str | None = None) -> Alert:
        return alerts.investigate(self.node, alert_id, note)

    def close_alert(self, alert_id: str, reason: ClosingReason, note: str) -> Alert:
        return alerts.close_alert(self.node, alert_id, reason, note)

    def confirm_falsified(self, alert_id: str, note: str | None = None) -> Alert:
        return alerts.confirm_falsified(self.node, alert_id, note)

    def report_alert(self, alert_id: str, out: Path | None = None) -> Alert:
        """Sign the report (regulators and the packs' trading partners are notified); with
        ``out``, write the falsification report form there too."""
        return alerts.report_alert(self.node, alert_id, out)
