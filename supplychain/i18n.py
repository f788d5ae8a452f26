"""Translation of the core's human text (gettext, domain ``supplychain``).

Mark text with ``_("...")`` where it is shown, or with ``N_("...")`` for a module-level
constant that is translated later with ``_(CONSTANT)``: a string is looked up in the current
language each time it is shown, so a language chosen after import takes effect. Put values
in with ``str.format`` after translating (``_("Lot {lot}").format(lot=...)``), never with an
f-string, so the catalog holds one message per sentence. Machine-readable values (reason
codes, JSON keys) are never translated.

The language is, in this order: the one set with `set_language` (the CLI's ``--lang``, the
app's Language setting), ``$SUPPLYCHAIN_LANG``, the system locale (``$LANGUAGE``,
``$LC_ALL``, ``$LC_MESSAGES``, ``$LANG``), and English. A language without a catalog falls
through to the next candidate. Catalogs live in ``supplychain/locale/<lang>/LC_MESSAGES/``;
``scripts/update_translations.py`` extracts the messages and compiles them.
"""

from __future__ import annotations

import gettext as _gettext
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

__all__ = [
    "DOMAIN",
    "ENV_OVERRIDE",
    "LOCALE_VARIABLES",
    "SOURCE_LANGUAGE",
    "LOCALE_DIR",
    "N_",
    "_",
    "available_languages",
    "current_language",
    "detect_language",
    "gettext",
    "ngettext",
    "set_language",
    "shown_language",
    "source_language",
]

DOMAIN = "supplychain"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"
ENV_OVERRIDE = "SUPPLYCHAIN_LANG"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_lock = threading.Lock()
_chosen: str | None = None  # set_language's choice; None: detect from the environment
_active: str | None = None  # the language in use, resolved on first use
_untranslated = threading.local()  # .on: this thread makes source-language text for now;
# .shown: it makes shown text even where source-language text is asked for


def available_languages() -> tuple[str, ...]:
    """English (the source language) and every language with a compiled catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE))


def _candidates(value: str) -> list[str]:
    """'de_DE.UTF-8@euro' -> ['de_DE', 'de']; 'C' and 'POSIX' mean English."""
    tag = value.split(".", 1)[0].split("@", 1)[0].replace("-", "_").strip()
    if not tag:
        return []
    if tag in ("C", "POSIX"):
        return [SOURCE_LANGUAGE]
    language = tag.split("_", 1)[0].lower()
    return [tag, language] if tag != language else [language]


def _first_available(values: list[str]) -> str | None:
    available = set(available_languages())
    for value in values:
        for candidate in _candidates(value):
            if candidate in available:
                return candidate
    return None


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The language from ``$SUPPLYCHAIN_LANG``, else the system locale, else English.

    ``$LANGUAGE`` may list several languages (``de:fr``); the first with a catalog wins. As in
    GNU gettext, ``$LANGUAGE`` counts only when the locale is not C/POSIX.
    """
    env = os.environ if environ is None else environ
    override = env.get(ENV_OVERRIDE, "")
    if override:
        found = _first_available([override])
        if found:
            return found
    locale_values = [env.get(name, "") for name in LOCALE_VARIABLES[1:]]
    effective = next((v for v in locale_values if v), "")
    wanted: list[str] = []
    if effective.split(".", 1)[0].split("@", 1)[0] not in ("C", "POSIX"):
        wanted += [v for v in env.get("LANGUAGE", "").split(":") if v]
    wanted += [v for v in locale_values if v]
    return _first_available(wanted) or SOURCE_LANGUAGE


def set_language(language: str | None) -> str:
    """Use ``language`` ('de', 'de_AT', 'en'...) from now on, or detect it again (None).

    Returns the language in use: a language without a catalog falls back to the detected one.
    """
    global _chosen, _active
    with _lock:
        _chosen = language or None
        _active = None
    return current_language()


def current_language() -> str:
    """The language text is translated into now."""
    global _active
    with _lock:
        if _active is None:
            chosen = _first_available([_chosen]) if _chosen else None
            _active = chosen or detect_language()
        return _active


@cache
def _translations(language: str) -> _gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


@contextmanager
def source_language() -> Iterator[None]:
    """Text made on this thread inside the block is in the source language (English).

    For text that is stored rather than shown (the reasons derivation writes to the derived
    tables): it must not depend on the language of whoever derived it. Inside
    `shown_language` this does nothing.
    """
    previous = getattr(_untranslated, "on", False)
    _untranslated.on = not getattr(_untranslated, "shown", False)
    try:
        yield
    finally:
        _untranslated.on = previous


@contextmanager
def shown_language() -> Iterator[None]:
    """Text made on this thread inside the block is in the current language, even where
    `source_language` is asked for: for work whose text is shown and never kept (a node's
    own append, rolled back when a rule refuses it, says why in the person's language)."""
    previous = getattr(_untranslated, "on", False), getattr(_untranslated, "shown", False)
    _untranslated.on, _untranslated.shown = False, True
    try:
        yield
    finally:
        _untranslated.on, _untranslated.shown = previous


def _language_now() -> str:
    return SOURCE_LANGUAGE if getattr(_untranslated, "on", False) else current_language()


def gettext(message: str) -> str:
    """``message`` in the current language (itself when there is no translation)."""
    return _translations(_language_now()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the current language."""
    return _translations(_language_now()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for the catalog without translating it (module-level constants)."""
    return message


_ = gettext
