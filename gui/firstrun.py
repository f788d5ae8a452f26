"""First run: no node configured yet. Open the demo, join a consortium, or create one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.widgets import big_button, heading
from supplychain.codes.gs1 import validate_gln
from supplychain.errors import CodeError


class FirstRunPage(QWidget):
    """Three choices as large cards; a progress bar while the demo is made."""

    demo_requested = Signal()
    join_requested = Signal()
    create_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        title = heading(self.tr("Welcome to the medicines provenance ledger"), 20)
        intro = QLabel(self.tr("This computer has no node yet. A node is your organisation's "
                               "copy of the ledger, with its signing key. Choose how to start:"))
        intro.setWordWrap(True)
        self.demo_button = big_button(self.tr("Open the demo network"), focus=True)
        self.join_button = big_button(self.tr("Join a consortium…"), focus=True)
        self.create_button = big_button(self.tr("Create a consortium…"), focus=True)
        self.demo_button.clicked.connect(self.demo_requested)
        self.join_button.clicked.connect(self.join_requested)
        self.create_button.clicked.connect(self.create_requested)
        cards = QHBoxLayout()
        cards.addWidget(_card(self.demo_button, self.tr(
            "A made-up network of eight organisations — regulator, two manufacturers, two "
            "wholesalers, three pharmacies — with sample packs for every verdict. Switch between "
            "them to play each role. Never for real data.")))
        cards.addWidget(_card(self.join_button, self.tr(
            "Your regulator enrolled your organisation with `supplychain consortium enroll`. "
            "Pick the node folder it made and type its passphrase.")))
        cards.addWidget(_card(self.create_button, self.tr(
            "For a regulator starting a new network: creates the consortium root (name) and "
            "your own node (organisation name, GLN).")))
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(16)
        layout.addLayout(cards)
        layout.addSpacing(16)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addStretch(1)

    def set_busy(self, text: str | None) -> None:
        busy = text is not None
        for b in (self.demo_button, self.join_button, self.create_button):
            b.setEnabled(not busy)
        self.progress_label.setText(text or "")
        self.progress_label.setVisible(busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)


def _card(button: QPushButton, text: str) -> QFrame:
    frame = QFrame()
    frame.setObjectName("card")
    frame.setStyleSheet("QFrame#card { border: 1px solid #b0bec5; border-radius: 8px; "
                        "background: #fafafa; }")
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    layout = QVBoxLayout(frame)
    layout.addWidget(button)
    layout.addWidget(label, 1)
    return frame


@dataclass(frozen=True)
class NewConsortium:
    name: str
    regulator_name: str
    gln: str
    folder: Path
    passphrase: bytes


class CreateConsortiumDialog(QDialog):
    """Consortium name, the regulator's name and GLN, a folder and a passphrase."""

    def __init__(self, parent: QWidget | None, default_folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Create a consortium"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. National Medicines Verification Network"))
        self.org = QLineEdit()
        self.org.setPlaceholderText(self.tr("e.g. Medicines Regulatory Agency"))
        self.gln = QLineEdit()
        self.gln.setPlaceholderText(self.tr("13-digit GLN"))
        self.gln.setMaxLength(13)
        self.folder = QLineEdit(str(default_folder))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #8a1c1c")
        self.problem.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Consortium name:"), self.name)
        form.addRow(self.tr("Your organisation:"), self.org)
        form.addRow(self.tr("Your GLN:"), self.gln)
        form.addRow(self.tr("Folder:"), self.folder)
        form.addRow(self.tr("Passphrase:"), self.passphrase)
        form.addRow(self.tr("Repeat passphrase:"), self.repeat)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(560, 300)

    def _check(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem)
        if not problem:
            self.accept()

    def problem_text(self) -> str:
        if not self.name.text().strip() or not self.org.text().strip():
            return self.tr("Give the consortium and your organisation a name.")
        try:
            validate_gln(self.gln.text())
        except CodeError as exc:
            return str(exc)
        if len(self.passphrase.text()) < 8:
            return self.tr("Choose a passphrase of at least 8 characters; it protects the root "
                           "key.")
        if self.passphrase.text() != self.repeat.text():
            return self.tr("The two passphrases differ.")
        return ""

    def values(self) -> NewConsortium:
        return NewConsortium(self.name.text().strip(), self.org.text().strip(),
                             self.gln.text().strip(), Path(self.folder.text().strip()),
                             self.passphrase.text().encode("utf-8"))


def ask_new_consortium(parent: QWidget, default_folder: Path) -> NewConsortium | None:
    dialog = CreateConsortiumDialog(parent, default_folder)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
