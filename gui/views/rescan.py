"""The re-scan step under a SUSPECT or COUNTERFEIT verdict: "Scan it again".

Most alarming verdicts at a counter are the scanner's fault (a dropped separator, Caps Lock,
the wrong keyboard layout, a read cut short). The step asks for a second scan of the same
pack (into the scanner input, which keeps the focus, so a USB scanner just scans again) and
offers a small form for the fields printed on the pack. The view runs the check
(``supplychain.node.counter.check_rescan`` through the service) and the step shows what it
found: the fault in plain words and "closed as a scanning error", or the re-scan confirming
the verdict with the alert left open. Enter checks, Esc skips.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from supplychain.codes.scanner_faults import ScannerFault
from supplychain.ledger.verdicts import verdict_word
from supplychain.node.counter import RescanOutcome

_STYLES = {
    "waiting": "#fff4d6; border: 3px solid #f2a900",
    "closed": "#e8f5e9; border: 3px solid #1b7f3b",
    "confirmed": "#ffebee; border: 3px solid #c62828",
    "unknown": "#eceff1; border: 3px solid #546e7a",
}


class RescanStep(QFrame):
    """The "Scan it again" box: instructions, the printed-fields form, then the outcome."""

    check_requested = Signal()
    """Enter in a printed field, or Check: compare with what was typed (no new scan)."""
    skipped = Signal()

    def __init__(self, shortcut_owner: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rescanStep")
        self.first_text: str | None = None
        self.waiting = False
        self.state = "waiting"
        self.title = QLabel()
        self.title.setObjectName("rescanTitle")
        self.title.setStyleSheet("QLabel { font-size: 14pt; font-weight: bold; border: none; "
                                 "background: transparent; }")
        self.help = QLabel(self.tr(
            "Scanners garble good codes (Caps Lock, a dropped separator, the wrong keyboard "
            "layout, a read cut short). Scan the same pack again now, or type the fields "
            "printed next to its code and press Enter. Esc skips."))
        self.help.setWordWrap(True)
        self.outcome = QLabel()
        self.outcome.setObjectName("rescanOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.help, self.outcome):
            label.setStyleSheet("QLabel { font-size: 11pt; border: none; "
                                "background: transparent; }")

        # The printed fields: each says what it is (placeholder and accessible name).
        self.gtin = self._field(self.tr("Printed GTIN / PC"), "rescanGtin")
        self.serial = self._field(self.tr("Serial (SN)"), "rescanSerial")
        self.lot = self._field(self.tr("Lot / Batch"), "rescanLot")
        self.expiry = self._field(self.tr("Expiry (EXP), e.g. 06/2026"), "rescanExpiry")
        self.form = QWidget()
        grid = QGridLayout(self.form)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, field in enumerate(self.fields()):
            grid.addWidget(field, i // 2, i % 2)
        self.check_button = QPushButton(self.tr("Check (Enter)"))
        self.skip_button = QPushButton(self.tr("Skip (Esc)"))
        for column, button in enumerate((self.check_button, self.skip_button)):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scanner input keeps the focus
            button.setMinimumHeight(34)
            grid.addWidget(button, 2, column)
        self.check_button.clicked.connect(self.check_requested)
        self.skip_button.clicked.connect(self.skip)

        self.title.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.help)
        layout.addWidget(self.form)
        layout.addWidget(self.outcome)
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), shortcut_owner)
        self.escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.escape.activated.connect(self.skip)
        self.hide()

    def _field(self, placeholder: str, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setPlaceholderText(placeholder)
        field.setAccessibleName(placeholder)
        field.setToolTip(placeholder)
        field.setMinimumHeight(34)
        field.returnPressed.connect(self.check_requested)
        return field

    def above(self, below: QWidget) -> QWidget:
        """This step stacked over `below` (the camera preview), in one column."""
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self)
        layout.addWidget(below, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        below.setMinimumHeight(100)  # the camera picture gives way while the step is shown
        return column

    def fields(self) -> tuple[QLineEdit, ...]:
        return (self.gtin, self.serial, self.lot, self.expiry)

    def tab_after(self, scanner_input: QWidget) -> None:
        """Tab goes from the scanner input through GTIN, serial, lot and expiry."""
        chain = (scanner_input, *self.fields())
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)

    def printed_texts(self) -> tuple[str, str, str, str]:
        gtin, serial, lot, expiry = (field.text() for field in self.fields())
        return gtin, serial, lot, expiry

    # --- states ---------------------------------------------------------------------------
    def open_for(self, first_text: str, verdict_text: str) -> None:
        """Ask for the re-scan of the pack just scanned (`verdict_text`: SUSPECT, ...)."""
        self.first_text = first_text
        self.waiting = True
        for field in self.fields():
            field.clear()
        self.title.setText(self.tr("{verdict}? Scan it again").format(verdict=verdict_text))
        self.help.show()
        self.form.show()
        self.outcome.hide()
        self._style("waiting")
        self.show()

    def show_outcome(self, outcome: RescanOutcome) -> None:
        """What the re-scan found; the step is over (the next scan is a new one)."""
        self.waiting = False
        self.help.hide()
        self.form.hide()
        diagnosis = outcome.diagnosis
        report = outcome.report
        if outcome.confirmed and report is not None and diagnosis.fault is not None:
            state = "confirmed"  # read right, the pack has a problem of its own
            headline = self.tr("{fault} Read right, the pack is still {verdict}: its alert "
                               "stays open; set the pack aside and report it.").format(
                fault=self.fault_words(diagnosis.fault), verdict=verdict_word(report.verdict))
        elif outcome.confirmed and report is not None:
            state = "confirmed"
            headline = self.tr("Re-scan confirms: {verdict}. The alert stays open: set the "
                               "pack aside and report it.").format(
                verdict=verdict_word(report.verdict))
        elif outcome.closed is not None:
            state = "closed"
            headline = self.tr("{fault} Closed as a scanning error: the alert does not go to "
                               "the regulator.").format(fault=self.fault_words(diagnosis.fault))
        elif report is not None:
            state = "closed"
            headline = self.tr("{fault} The pack itself is fine.").format(
                fault=self.fault_words(diagnosis.fault))
        else:
            state = "unknown"
            headline = self.tr("The re-scan could not settle it.")
        self.title.setText(headline)
        self.outcome.setText(diagnosis.explanation)
        self.outcome.show()
        self._style(state)
        self.show()

    def skip(self) -> None:
        if self.isVisible():
            self.close_step()
            self.skipped.emit()

    def close_step(self) -> None:
        self.waiting = False
        self.first_text = None
        self.hide()

    def fault_words(self, fault: ScannerFault | None) -> str:
        words = {
            ScannerFault.DROPPED_GS: self.tr("Scanner fault: separators dropped."),
            ScannerFault.CAPS_LOCK: self.tr("Scanner fault: Caps Lock."),
            ScannerFault.KEYBOARD_LAYOUT: self.tr("Scanner fault: wrong keyboard layout."),
            ScannerFault.TRUNCATED: self.tr("Scanner fault: the read was cut short."),
        }
        return words[fault] if fault is not None else self.tr("The scan matches the pack.")

    def _style(self, state: str) -> None:
        self.state = state
        self.setStyleSheet(f"QFrame#rescanStep {{ background: {_STYLES[state]}; "
                           "border-radius: 6px; }")
