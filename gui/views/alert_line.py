"""The line under a SUSPECT or COUNTERFEIT verdict at Scan & verify: the alert the scan
raised ("Alert a1b2c3d4e5 raised — see Alerts (Ctrl+7)"), or the open one it joined."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from gui.alert_queue import short_id
from gui.context import AppContext
from gui.services import ScanResult
from supplychain.ledger.alert_life import Alert
from supplychain.ledger.verdicts import Verdict

ALERTING = (Verdict.SUSPECT, Verdict.COUNTERFEIT)


class AlertLine(QLabel):
    """Raises the alert a verdict calls for (on the node thread) and says which."""

    raised = Signal(object)
    """The Alert a scan raised or joined (the Alerts view reloads)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("verdictAlert")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel { color: #8a1c1c; font-weight: bold; padding: 2px 10px; }")
        self.scan = 0
        self.hide()

    def follow(self, result: ScanResult) -> None:
        """After a verdict is shown: raise its alert when it calls for one."""
        self.scan += 1
        self.hide()
        report = result.report
        if report is None or report.verdict not in ALERTING:
            return
        scan = self.scan
        self.ctx.call(lambda s, _t: s.alert_for_verdict(report),
                      on_success=lambda found: self._show(scan, found))

    def _show(self, scan: int, found: tuple[Alert, bool] | None) -> None:
        if found is None:
            return
        alert, new = found
        if scan == self.scan:  # a later scan replaced the verdict meanwhile: say nothing
            self.setText((self.tr("⚠ Alert {id} raised — see Alerts (Ctrl+7)") if new else
                          self.tr("⚠ Alert {id} is open for this pack — see Alerts (Ctrl+7)"))
                         .format(id=short_id(alert)))
            self.show()
        self.raised.emit(alert)
