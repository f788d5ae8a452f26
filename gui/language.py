"""The app's language: Qt's translators for the window, the core's gettext for its sentences.

The choice (System / English / Deutsch ...) is stored in QSettings under ``LANGUAGE_KEY`` and
applied at start-up by `install` (gui/app.py), before any window exists; changing it in the
menu takes effect on the next start. "System" follows ``$SUPPLYCHAIN_LANG`` and the locale
(see ``supplychain.i18n``), else the desktop's language. The core is told the same language,
so verdict sentences and reasons arrive already translated.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    QTranslator,
)
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from supplychain import i18n
from supplychain.identity.certificates import Role

LANGUAGE_KEY = "ui/language"
SYSTEM = "system"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
APP_CATALOG = "supplychain"
QT_CATALOG = "qtbase"

# Each language is named in itself, so a reader of any language finds their own.
CHOICES: tuple[tuple[str, str], ...] = (
    (SYSTEM, QT_TRANSLATE_NOOP("language", "System language")),
    ("en", "English"),
    ("de", "Deutsch"),
)

_ROLE_WORDS = {
    Role.MANUFACTURER: QT_TRANSLATE_NOOP("roles", "manufacturer"),
    Role.DISTRIBUTOR: QT_TRANSLATE_NOOP("roles", "distributor"),
    Role.PHARMACY: QT_TRANSLATE_NOOP("roles", "pharmacy"),
    Role.REGULATOR: QT_TRANSLATE_NOOP("roles", "regulator"),
}

_installed: list[QTranslator] = []


def role_words(role: Role) -> str:
    """A member's role in words, in the app's language."""
    return QCoreApplication.translate("roles", _ROLE_WORDS[role])


def chosen(settings: QSettings) -> str:
    """The stored choice: a language code, or ``SYSTEM``."""
    value = settings.value(LANGUAGE_KEY, SYSTEM)
    known = {code for code, _name in CHOICES}
    return str(value) if str(value) in known else SYSTEM


def resolve(choice: str) -> str:
    """Set the core's language for ``choice`` and return the language in use."""
    if choice != SYSTEM:
        return i18n.set_language(choice)
    language = i18n.set_language(None)
    variables = (i18n.ENV_OVERRIDE, *i18n.LOCALE_VARIABLES)
    if language == i18n.SOURCE_LANGUAGE and not any(os.environ.get(v) for v in variables):
        language = i18n.set_language(QLocale.system().name())  # Windows, macOS: no variables
    return language


def install(app: QCoreApplication, settings: QSettings) -> str:
    """Apply the stored language to the core and install Qt's translators; return it."""
    uninstall(app)
    language = resolve(chosen(settings))
    if language == i18n.SOURCE_LANGUAGE:
        return language
    for name, folder in ((APP_CATALOG, TRANSLATIONS),
                         (QT_CATALOG, Path(QLibraryInfo.path(
                             QLibraryInfo.LibraryPath.TranslationsPath)))):
        translator = QTranslator(app)
        if translator.load(f"{name}_{language}", str(folder)):
            app.installTranslator(translator)
            _installed.append(translator)
    return language


def uninstall(app: QCoreApplication) -> None:
    """Remove the translators `install` put in (the window's text reverts to English)."""
    while _installed:
        app.removeTranslator(_installed.pop())


def language_menu(parent: QWidget, settings: QSettings,
                  notify: Callable[[str], None]) -> QMenu:
    """A "Language" menu: one checkable entry per choice; a change applies on restart."""
    menu = QMenu(QCoreApplication.translate("language", "&Language"), parent)
    menu.setToolTipsVisible(True)
    group = QActionGroup(menu)
    group.setExclusive(True)
    current = chosen(settings)
    for code, name in CHOICES:
        text = QCoreApplication.translate("language", name) if code == SYSTEM else name
        action = QAction(text, menu)
        action.setCheckable(True)
        action.setChecked(code == current)
        action.setData(code)
        action.setToolTip(QCoreApplication.translate(
            "language", "Applies when the app is started again."))
        group.addAction(action)
        menu.addAction(action)

    def changed(action: QAction) -> None:
        code = str(action.data())
        if code == chosen(settings):
            return
        settings.setValue(LANGUAGE_KEY, code)
        notify(QCoreApplication.translate(
            "language", "Language set to {language}. It applies when you start the app "
                        "again.").format(language=action.text()))

    group.triggered.connect(changed)
    return menu
