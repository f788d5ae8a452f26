"""The questions an alert's steps ask: why it is closed (with a note), whether it is really
confirmed falsified. Keyboard first: type the note, Tab to the reasons, arrows, Enter.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gui.alert_queue import short_id
from supplychain.ledger.alert_life import (
    REPORT_DEADLINE,
    Alert,
    ClosingReason,
    cause_words,
    closing_words,
    duration_words,
)


class CloseAlertDialog(QDialog):
    """Close an alert: a closing reason (radio buttons, in plain words) and a required note.
    An alert confirmed falsified can only be closed as confirmed falsified."""

    def __init__(self, parent: QWidget | None, alert: Alert) -> None:
        super().__init__(parent)
        self.setObjectName("closeAlertDialog")
        self.setWindowTitle(self.tr("Close alert {id}").format(id=short_id(alert)))
        self.setMinimumWidth(560)
        intro = QLabel(self.tr("<b>{cause}</b> — {subject}").format(
            cause=cause_words(alert.cause), subject=alert.subject))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        # Keyboard: type the note, Tab to the reasons, arrows pick one, Enter closes.
        self.note = QLineEdit()
        self.note.setObjectName("closingNote")
        self.note.setPlaceholderText(self.tr("e.g. \"the re-scan read the code correctly\""))
        self.note.setAccessibleName(self.tr("Closing note"))
        note_label = QLabel(self.tr("What did you find? (required)"))
        note_label.setBuddy(self.note)
        layout.addWidget(note_label)
        layout.addWidget(self.note)
        layout.addWidget(QLabel(self.tr("Why is this alert closed?")))
        self.group = QButtonGroup(self)
        self.radios: dict[ClosingReason, QRadioButton] = {}
        explain = {
            ClosingReason.SCANNING_ERROR: self.tr("the scanner misread the code (the re-scan or "
                                                  "the printed text agrees with the ledger)"),
            ClosingReason.PROCESS_ERROR: self.tr("our own handling: a step done twice, skipped "
                                                 "or out of order"),
            ClosingReason.DATA_ERROR: self.tr("a wrong record: a lot or expiry entered wrongly, "
                                              "a late or missing event"),
            ClosingReason.CONFIRMED_FALSIFIED: self.tr("the pack is falsified: the regulator "
                                                       "and the trading partners that handled "
                                                       "it are notified now"),
        }
        confirmed = alert.confirmed_at is not None
        for reason in ClosingReason:
            radio = QRadioButton(closing_words(reason))
            radio.setObjectName(f"closing_{reason.value}")
            radio.setEnabled(not confirmed or reason is ClosingReason.CONFIRMED_FALSIFIED)
            words = QLabel(explain[reason])
            words.setWordWrap(True)
            words.setEnabled(radio.isEnabled())
            words.setStyleSheet("color: #455a64; margin-left: 24px;")
            self.group.addButton(radio)
            self.radios[reason] = radio
            layout.addWidget(radio)
            layout.addWidget(words)
        first = next(r for r in self.radios.values() if r.isEnabled())
        first.setChecked(True)
        if confirmed:
            only = QLabel(self.tr("This alert was confirmed falsified: it can only be closed as "
                                  "confirmed falsified."))
            only.setWordWrap(True)
            layout.addWidget(only)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Close alert"))
        self.ok.setDefault(True)
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.note.textChanged.connect(
            lambda text: self.ok.setEnabled(bool(text.strip())))
        layout.addWidget(self.buttons)
        self.setTabOrder(self.note, first)
        self.note.setFocus(Qt.FocusReason.OtherFocusReason)

    def accept(self) -> None:
        if self.note.text().strip():  # Enter with an empty note does nothing
            super().accept()

    def reason(self) -> ClosingReason:
        return next(r for r, radio in self.radios.items() if radio.isChecked())

    def note_text(self) -> str:
        return self.note.text().strip()


def ask_close(parent: QWidget, alert: Alert) -> tuple[ClosingReason, str] | None:
    """The closing reason and note, or None when cancelled (tests replace this)."""
    dialog = CloseAlertDialog(parent, alert)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason(), dialog.note_text()


def confirm_words(alert: Alert) -> tuple[str, str]:
    """Title and text of the question before confirming an alert falsified."""
    title = QCoreApplication.translate("CloseAlertDialog", "Confirm falsified")
    text = QCoreApplication.translate(
        "CloseAlertDialog",
        "Confirm the pack of alert {id} ({subject}) as falsified?\n\n"
        "This says the pack is not genuine, in your signed log. It starts the {hours} clock: "
        "the report to the regulator and to the trading partners that handled the pack is due "
        "within {hours}. Keep the pack in quarantine.\n\n"
        "Confirm only after the re-scan and the check of the printed pack.").format(
        id=short_id(alert), subject=alert.subject, hours=duration_words(REPORT_DEADLINE))
    return title, text
