"""Reusable widgets: the verdict banner, the message banner, the scanner input, the preview."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from supplychain.ledger.verdicts import Verdict, verdict_word

# State -> (background, text colour, title). Colour is never the only cue: each state also
# has its own shape (see StateIcon) and its own word. The words are translated when shown:
# the verdicts' by the core (the same word as the command line), the others by Qt.
STATES: dict[str, tuple[str, str, str]] = {
    "idle": ("#eceff1", "#263238", QT_TRANSLATE_NOOP("VerdictBanner", "READY TO SCAN")),
    "busy": ("#eceff1", "#263238", QT_TRANSLATE_NOOP("VerdictBanner", "CHECKING…")),
    "genuine": ("#1b7f3b", "#ffffff", "GENUINE"),
    "suspect": ("#f2a900", "#1a1a1a", "SUSPECT"),
    "counterfeit": ("#c62828", "#ffffff", "COUNTERFEIT"),
    # Calm steel blue: no alert (a pack scanned twice), neither green nor amber nor red.
    "information": ("#3b6e8f", "#ffffff", "ALREADY DISPENSED HERE"),
    "unreadable": ("#546e7a", "#ffffff",
                   QT_TRANSLATE_NOOP("VerdictBanner", "CANNOT READ THIS CODE")),
    "done": ("#0d47a1", "#ffffff", QT_TRANSLATE_NOOP("VerdictBanner", "DONE")),
}
_VERDICT_STATES = {verdict.value: verdict for verdict in Verdict}


class StateIcon(QWidget):
    """A shape per state: check in a circle, warning triangle, stop octagon, question square,
    an "i" in a circle (information)."""

    def __init__(self, size: int = 96, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "idle"
        self.setFixedSize(size, size)

    def set_state(self, state: str) -> None:
        self.state = state
        self.update()

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = float(min(self.width(), self.height()))
        fg = QColor(STATES.get(self.state, STATES["idle"])[1])
        pen = QPen(fg, s * 0.09, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        m = s * 0.08
        r = QRectF(m, m, s - 2 * m, s - 2 * m)
        if self.state == "genuine":
            p.drawEllipse(r)
            path = QPainterPath(QPointF(s * 0.28, s * 0.52))
            path.lineTo(s * 0.44, s * 0.68)
            path.lineTo(s * 0.73, s * 0.34)
            p.drawPath(path)
        elif self.state == "suspect":
            p.drawPolygon(QPolygonF([QPointF(s / 2, m), QPointF(s - m, s - m),
                                     QPointF(m, s - m)]))
            p.drawLine(QPointF(s / 2, s * 0.38), QPointF(s / 2, s * 0.62))
            p.drawPoint(QPointF(s / 2, s * 0.78))
        elif self.state == "counterfeit":
            import math
            pts = [QPointF(s / 2 + (s / 2 - m) * math.cos(math.radians(22.5 + 45 * i)),
                           s / 2 + (s / 2 - m) * math.sin(math.radians(22.5 + 45 * i)))
                   for i in range(8)]
            p.drawPolygon(QPolygonF(pts))
            p.drawLine(QPointF(s * 0.35, s * 0.35), QPointF(s * 0.65, s * 0.65))
            p.drawLine(QPointF(s * 0.65, s * 0.35), QPointF(s * 0.35, s * 0.65))
        elif self.state == "done":
            p.drawRoundedRect(r, s * 0.1, s * 0.1)
            path = QPainterPath(QPointF(s * 0.28, s * 0.52))
            path.lineTo(s * 0.44, s * 0.68)
            path.lineTo(s * 0.73, s * 0.34)
            p.drawPath(path)
        elif self.state == "information":
            p.drawEllipse(r)
            p.drawLine(QPointF(s / 2, s * 0.44), QPointF(s / 2, s * 0.72))
            p.drawPoint(QPointF(s / 2, s * 0.29))
        elif self.state == "unreadable":
            p.drawRoundedRect(r, s * 0.1, s * 0.1)
            font = QFont(self.font())
            font.setPixelSize(int(s * 0.55))
            font.setBold(True)
            p.setFont(font)
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, "?")
        else:
            pen.setWidthF(s * 0.05)
            p.setPen(pen)
            p.drawRect(QRectF(s * 0.22, s * 0.22, s * 0.56, s * 0.56))
            p.drawLine(QPointF(s * 0.12, s / 2), QPointF(s * 0.88, s / 2))
        p.end()


class VerdictBanner(QFrame):
    """The top of the counter screen: one huge word, a shape, and the reason in a sentence.

    ``property("verdict")`` is the state name (genuine/suspect/counterfeit/unreadable/idle),
    ``title.text()`` the word shown; ``colour()`` the background colour.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.icon = StateIcon(104)
        self.title = QLabel()
        self.title.setObjectName("verdictTitle")
        font = QFont(self.font())
        font.setPointSize(40)
        font.setBold(True)
        self.title.setFont(font)
        self.message = QLabel()
        self.message.setObjectName("verdictMessage")
        self.message.setWordWrap(True)
        mfont = QFont(self.font())
        mfont.setPointSize(15)
        self.message.setFont(mfont)
        self.detail = QLabel()
        self.detail.setObjectName("verdictDetail")
        self.detail.setWordWrap(True)
        dfont = QFont(self.font())
        dfont.setPointSize(12)
        self.detail.setFont(dfont)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.message)
        text.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 10, 20, 10)
        layout.setSpacing(20)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(text, 1)
        self.set_state("idle", self.tr("Scan a pack with the scanner, the camera, or open a "
                                       "picture."))

    def set_state(self, state: str, message: str, detail: str = "", word: str = "") -> None:
        background, foreground, default_word = STATES[state]
        if not word:
            verdict = _VERDICT_STATES.get(state)
            word = verdict_word(verdict) if verdict else self.tr(default_word)
        self.setProperty("verdict", state)
        self.title.setText(word)
        self.message.setText(message)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.icon.set_state(state)
        self.setStyleSheet(
            f"QFrame#verdictBanner {{ background: {background}; border-radius: 6px; }}"
            f"QFrame#verdictBanner QLabel {{ color: {foreground}; background: transparent; }}")

    def colour(self) -> QColor:
        return QColor(STATES[str(self.property("verdict"))][0])


class MessageBanner(QFrame):
    """A dismissable line at the top of the window for errors and confirmations."""

    KINDS = {"error": ("#fdecea", "#8a1c1c", "✖"), "info": ("#e8f4fd", "#0d3c61", "•"),
             "success": ("#e9f6ec", "#1e4620", "✔")}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.kind = ""
        self.symbol = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton(self.tr("Dismiss"))
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.symbol)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        background, foreground, symbol = self.KINDS[kind]
        self.kind = kind
        self.setStyleSheet(f"QFrame#messageBanner {{ background: {background}; "
                           f"border: 1px solid {foreground}; border-radius: 4px; }}"
                           f"QFrame#messageBanner QLabel {{ color: {foreground}; }}")
        self.symbol.setText(symbol)
        self.text.setText(text)
        self.show()
        self._timer.stop()
        if kind != "error":
            self._timer.start(12_000)


class ScanInput(QLineEdit):
    """The keyboard-wedge input. Keeps the GS separator a scanner types (shown as <GS>).

    QLineEdit drops control characters, so ASCII 29 (or Ctrl+], how it arrives as a key)
    is turned into the visible ``<GS>`` marker that ``supplychain.codes.scanner_text`` understands.
    """

    scanned = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        font = QFont(self.font())
        font.setPointSize(15)
        self.setFont(font)
        self.setMinimumHeight(44)
        self.returnPressed.connect(self._submit)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if "\x1d" in event.text() or (
                event.key() == Qt.Key.Key_BracketRight
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.insert("<GS>")
            return
        super().keyPressEvent(event)

    def _submit(self) -> None:
        text = self.text().strip()
        self.clear()
        if text:
            self.scanned.emit(text)


class PreviewWidget(QWidget):
    """Shows the latest camera frame, the outline of a code just read, or a message."""

    OUTLINE_SECONDS = 1.5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.outline: tuple[tuple[float, float], ...] | None = None
        self._outline_at = 0.0
        self.message = self.tr("Camera off. Choose a camera and press Start camera.")
        self.overlay = False  # the message is drawn over the last frame (camera stopped)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_frame(self, image: QImage) -> None:
        self.image = image
        self.update()

    def set_outline(self, corners: Sequence[tuple[float, float]], image: QImage | None) -> None:
        self.outline = tuple(corners)
        self._outline_at = time.monotonic()
        if image is not None:
            self.image = image
        self.update()
        QTimer.singleShot(int(self.OUTLINE_SECONDS * 1000) + 50, self.update)

    def set_message(self, text: str, overlay: bool = False) -> None:
        self.message = text
        self.overlay = overlay
        self.update()

    def clear(self, message: str) -> None:
        self.image = None
        self.outline = None
        self.set_message(message)

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#263238"))
        if self.image is None or self.image.isNull():
            p.setPen(QColor("#eceff1"))
            font = QFont(self.font())
            font.setPointSize(13)
            p.setFont(font)
            p.drawText(self.rect().adjusted(20, 20, -20, -20),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            p.end()
            return
        iw, ih = self.image.width(), self.image.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        x0, y0 = (self.width() - w) / 2, (self.height() - h) / 2
        p.drawImage(QRectF(x0, y0, w, h), self.image)
        if self.outline and time.monotonic() - self._outline_at < self.OUTLINE_SECONDS:
            pen = QPen(QColor("#00e676"), 4)
            p.setPen(pen)
            p.drawPolygon(QPolygonF([QPointF(x0 + x * scale, y0 + y * scale)
                                     for x, y in self.outline]))
        if self.message and self.overlay:
            p.setPen(QColor("#ffffff"))
            p.fillRect(QRectF(0, self.height() - 30, self.width(), 30), QColor(0, 0, 0, 160))
            p.drawText(QRectF(0, self.height() - 30, self.width(), 30),
                       Qt.AlignmentFlag.AlignCenter, self.message)
        p.end()

    def outline_visible(self) -> bool:
        return bool(self.outline) and time.monotonic() - self._outline_at < self.OUTLINE_SECONDS


def table_view(model: object, *, compact: bool = False) -> QTableView:
    """A read-only, row-selecting table over a model; ``compact``: one text line per row."""
    view = QTableView()
    view.setModel(model)  # type: ignore[arg-type]
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    if compact:
        view.setWordWrap(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    return view


def big_button(text: str, tooltip: str = "", focus: bool = False) -> QPushButton:
    """A large button that (by default) never takes the keyboard focus from the scan input."""
    button = QPushButton(text)
    button.setMinimumHeight(40)
    font = QFont(button.font())
    font.setPointSize(12)
    button.setFont(font)
    if tooltip:
        button.setToolTip(tooltip)
    if not focus:
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


def heading(text: str, size: int = 14) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label
