"""The one place where an exception becomes words on the screen (anki: ``aqt/errors.py``).

``show_error(exc)`` logs the traceback and hands a plain sentence to the sink the main window
registered (its message banner); without a window it falls back to a message box. Nothing
else in ``gui/`` turns an exception into a dialog or a banner.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QCoreApplication

from supplychain.errors import CodeError, SupplyChainError

log = logging.getLogger("gui")
translate = QCoreApplication.translate

_sink: Callable[[str], None] | None = None


def set_sink(sink: Callable[[str], None] | None) -> None:
    """Where ``show_error`` sends its sentence (the main window's banner)."""
    global _sink
    _sink = sink


def plain_words(exc: BaseException) -> str:
    """A sentence a pharmacist can act on; never a traceback."""
    if isinstance(exc, CodeError):
        return translate("errors", "Cannot read this code: {problem}").format(
            problem=_sentence(str(exc)))
    if isinstance(exc, SupplyChainError):
        return _sentence(str(exc))
    if isinstance(exc, PermissionError):
        return translate("errors", "This program may not use {file}: check its "
                                   "permissions.").format(
            file=exc.filename or translate("errors", "that file"))
    if isinstance(exc, FileNotFoundError):
        if exc.filename:
            return translate("errors", "{file} was not found.").format(file=exc.filename)
        return translate("errors", "The file was not found.")
    if isinstance(exc, OSError):
        return translate("errors", "The computer refused: {problem} ({file}).").format(
            problem=exc.strerror or exc, file=exc.filename or translate("errors", "file"))
    return translate("errors", "Something unexpected went wrong and the last action may not "
                               "have finished. Details were written to the log "
                               "({kind}).").format(kind=type(exc).__name__)


def _sentence(text: str) -> str:
    text = text.strip() or translate("errors", "The operation failed.")
    return text[0].upper() + text[1:]


def show_error(exc: BaseException) -> None:
    """Log ``exc`` and show it in plain words in the window."""
    log.error("%s", "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    message = plain_words(exc)
    if _sink is not None:
        _sink(message)
        return
    from PySide6.QtWidgets import QApplication, QMessageBox
    if QApplication.instance() is not None:
        QMessageBox.warning(None, translate("errors", "Supply-chain ledger"), message)
    else:
        print(message, file=sys.stderr)


def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Installed as ``sys.excepthook``: an uncaught error in a slot becomes a banner."""
    show_error(exc.with_traceback(tb))
