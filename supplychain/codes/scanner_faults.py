"""The re-scan step: tell a scanner's fault from a suspect pack.

Pure logic, no I/O. Most "unknown serial" alerts at a counter are the scanner's fault, not
the pack's: the scanner dropped the GS separators, Caps Lock inverted the letters, the
scanner types for another keyboard layout (QWERTZ swaps Y and Z), or the read stopped
early. `diagnose` compares the first scan with a second scan of the same pack and/or the
fields printed on it as a person read them, tries each fault's undoing on the first scan,
and names the fault whose undoing gives the pack's code. The GS1 grammar stays biip's:
every candidate is parsed with `parse_scanned`; only the faults are undone here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from itertools import permutations
from urllib.parse import urlsplit

from supplychain.codes.gs1 import (
    GS,
    PackCode,
    expiry_to_yymmdd,
    split_symbology_identifier,
    validate_gtin,
)
from supplychain.codes.keyboard_layouts import LAYOUT_MIXUPS, Layout, LayoutMixup, retypings
from supplychain.codes.scanner_text import DEFAULT_GS_SUBSTITUTES, gs_splits, parse_scanned
from supplychain.errors import CodeError, MalformedInput
from supplychain.i18n import N_, _
from supplychain.ids import GTIN

__all__ = ["Diagnosis", "PrintedFields", "ScannerFault", "diagnose"]


class ScannerFault(StrEnum):
    """A classic way a keyboard-wedge scanner garbles a good code."""

    DROPPED_GS = "dropped_gs"
    CAPS_LOCK = "caps_lock"
    KEYBOARD_LAYOUT = "keyboard_layout"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class PrintedFields:
    """The fields printed beside a pack's code, as a person read and typed them."""

    gtin: str | None = None
    """A GTIN-8/12/13/14 (compared as 14 digits); None when not typed."""
    serial: str | None = None
    lot: str | None = None
    expiry: date | None = None
    """Compared by year and month: packs print EXP 06/2026 as often as a full date."""

    @classmethod
    def from_text(cls, gtin: str = "", serial: str = "", lot: str = "",
                  expiry: str = "") -> PrintedFields:
        """The fields as a person typed them (blank: not typed). The expiry may be written
        2026-06-30, 30.06.2026, 2026-06, 06/2026, 06/26 or 260630 (YYMMDD); a month alone
        stands for its last day. Raises MalformedInput for an expiry that is no date."""
        return cls(gtin.strip() or None, serial.strip() or None, lot.strip() or None,
                   _typed_expiry(expiry.strip()) if expiry.strip() else None)

    def is_empty(self) -> bool:
        return not (self.gtin or self.serial or self.lot or self.expiry)

    def matches(self, code: PackCode) -> bool:
        """Whether `code` agrees with every field typed (fields left empty are not compared)."""
        if self.gtin and _gtin14(self.gtin) != code.gtin:
            return False
        if self.serial and self.serial.strip() != code.serial:
            return False
        if self.lot and self.lot.strip() != (code.lot or ""):
            return False
        if self.expiry is not None:
            if code.expiry is None:
                return False
            return (self.expiry.year, self.expiry.month) == (code.expiry.year, code.expiry.month)
        return True

    def code(self) -> PackCode | None:
        """The pack code these fields spell out, when GTIN and serial were typed and valid."""
        gtin = _gtin14(self.gtin) if self.gtin else None
        if not (gtin and self.serial):
            return None
        try:
            return PackCode(gtin=gtin, serial=self.serial.strip(),
                            lot=self.lot.strip() if self.lot else None, expiry=self.expiry)
        except CodeError:
            return None


@dataclass(frozen=True)
class Diagnosis:
    """What the re-scan step found.

    `fault` None and `corrected` None: the first scan agrees with the pack, so the verdict
    stands (not a scanner fault). `fault` None with `corrected` set: the reads differ for a
    reason none of the known faults explains; `corrected` is the re-scan's code.
    """

    fault: ScannerFault | None
    corrected: PackCode | None
    explanation: str
    """Plain words for the person at the counter: what happened and what to do."""


NOT_A_FAULT = N_("The scan matches the pack: not a scanner fault.")
_DROPPED_GS = N_(
    "The scanner dropped the GS separators between fields, so where one field ends and the "
    "next begins had to be guessed. Set the scanner to send GS as <GS> (or as the ASCII 29 "
    "character)."
)
_TYPE_SERIAL_AND_LOT = N_(
    "Type the serial and lot printed on the pack to tell which fields the code holds."
)
_CAPS_LOCK = N_(
    "Caps Lock was on: the letters of the code came in the wrong case. Turn Caps Lock off."
)
_LAYOUT = N_(
    "The scanner types as if the keyboard were {scanner}, but this computer uses {computer}: "
    "{swaps}. Set the scanner's keyboard layout to match the computer's."
)
_TRUNCATED = N_(
    "Truncated read: the scan stopped early ({count} characters missing). Scan again holding "
    "the pack still."
)
_UNKNOWN = N_(
    "The first scan and the pack differ, and no known scanner fault explains it (first read "
    "{first}, the pack {second}). Treat the pack as suspect."
)
_RESCAN_UNREADABLE = N_(
    "The re-scan could not be read either ({problem}) and no field was typed to compare with. "
    "Type the GTIN, serial, lot and expiry printed on the pack."
)
_NOTHING = N_(
    "Nothing to compare the first scan with: scan the pack again or type the fields printed "
    "on it."
)
_LAYOUT_NAMES = {
    Layout.US: N_("US English (QWERTY)"),
    Layout.DE: N_("German (QWERTZ)"),
    Layout.FR: N_("French (AZERTY)"),
}
_SWAP = N_("\"{got}\" came in for \"{meant}\"")
_AND_MORE = N_("and more")
_MAX_SWAPS_SHOWN = 4
_SYMBOLOGIES = ("]d2", "]Q3", "]C1", "]e0")
"""Symbology identifiers of GS1 codes, to recognise one cut short."""


@dataclass(frozen=True)
class _Target:
    """What the pack really holds: the re-scan's code and/or the printed fields."""

    code: PackCode | None
    printed: PrintedFields | None
    text: str | None
    """The re-scan's text (separators as GS), when it is the authority."""

    def matches(self, code: PackCode) -> bool:
        if self.printed is not None and not self.printed.matches(code):
            return False
        return self.code is None or code == self.code

    def full_code(self) -> PackCode | None:
        return self.code or (self.printed.code() if self.printed is not None else None)


def diagnose(first_text: str, rescan_text: str | None,
             printed: PrintedFields | None) -> Diagnosis:
    """Compare a first scan with a re-scan and/or the printed fields and name the fault.

    The printed fields are the authority when given (a person read them off the pack); a
    re-scan that disagrees with them is taken as faulty too. Raises MalformedInput when
    there is nothing to compare with (no re-scan text and no field typed).
    """
    first = _clean(first_text)
    if printed is not None and printed.is_empty():
        printed = None
    rescan = _clean(rescan_text) if rescan_text is not None and rescan_text.strip() else None
    if rescan is None and printed is None:
        raise MalformedInput(_(_NOTHING))
    rescan_code, problem = _read(rescan) if rescan is not None else (None, None)
    if rescan_code is not None and printed is not None and not printed.matches(rescan_code):
        rescan, rescan_code = None, None
    if rescan_code is None and printed is None:
        return Diagnosis(None, None, _(_RESCAN_UNREADABLE).format(problem=problem))
    target = _Target(rescan_code, printed, rescan if rescan_code is not None else None)
    found = _find_fault(first, target)
    if found is not None:
        return found
    first_code, _problem = _read(first)
    if first_code is not None and target.matches(first_code):
        return Diagnosis(None, None, _(NOT_A_FAULT))
    corrected = target.full_code()
    pack = _shown(corrected, rescan) if corrected is not None or rescan else _typed(printed)
    return Diagnosis(None, corrected, _(_UNKNOWN).format(first=_shown(first_code, first),
                                                         second=pack))


def _find_fault(first: str, target: _Target) -> Diagnosis | None:
    """The first fault whose undoing turns `first` into the pack's code, or None."""
    splits = {code for code in map(_parse, _gs_candidates(first))
              if code is not None and target.matches(code)}
    if len(splits) == 1:
        return Diagnosis(ScannerFault.DROPPED_GS, splits.pop(), _(_DROPPED_GS))
    if splits:  # the typed fields fit more than one cut: say so, guess none
        return Diagnosis(ScannerFault.DROPPED_GS, None,
                         _(_DROPPED_GS) + " " + _(_TYPE_SERIAL_AND_LOT))
    first_code, _problem = _read(first)
    if first_code is not None and target.matches(first_code):
        return None  # the scan was right: nothing to undo
    code = _parse(_swap_case(first))
    if code is not None and target.matches(code):
        return Diagnosis(ScannerFault.CAPS_LOCK, code, _(_CAPS_LOCK))
    for mixup in LAYOUT_MIXUPS:
        for meant in _layout_candidates(first, mixup):
            code = _parse(meant)
            if code is not None and target.matches(code):
                return Diagnosis(ScannerFault.KEYBOARD_LAYOUT, code, _layout_text(
                    first, meant, mixup))
    truncation = _truncation(first, target)
    if truncation is not None:
        missing, corrected = truncation
        return Diagnosis(ScannerFault.TRUNCATED, corrected, _(_TRUNCATED).format(count=missing))
    return None


# --- the faults' undoing ------------------------------------------------------------------


def _gs_candidates(first: str) -> list[str]:
    """The first scan with separators put back, when it has none and its fields need one."""
    prefix, content = _split_prefix(first)
    return [prefix + split for split in gs_splits(content) if GS in split]


def _swap_case(text: str) -> str:
    return "".join(ch.swapcase() if ch.isascii() and ch.isalpha() else ch for ch in text)


def _layout_candidates(first: str, mixup: LayoutMixup) -> Iterator[str]:
    """What the scanner meant under `mixup`; a leading symbology identifier's ']' may have
    come through untranslated (a scanner's layout may type it with AltGr, or not at all)."""
    yield from retypings(first, mixup)
    if first.startswith("]"):
        yield from ("]" + rest for rest in retypings(first[1:], mixup))


def _truncation(first: str, target: _Target) -> tuple[int, PackCode] | None:
    """How many characters a cut-short first scan lacks, with the pack's code; None when
    the first scan is not the start of a way to write that code."""
    if not first:
        return None
    if target.code is not None and target.text is not None:
        if len(target.text) > len(first) and target.text.startswith(first):
            return len(target.text) - len(first), target.code
    prefix, content = _split_prefix(first)
    prefixes = [prefix] if prefix or not first.startswith("]") else list(_SYMBOLOGIES)
    for code in _expiry_variants(target.full_code()):
        for rendering in _renderings(code, content):
            for start in prefixes:
                text = start + rendering
                if len(text) > len(first) and text.startswith(first):
                    return len(text) - len(first), code
    return None


def _expiry_variants(code: PackCode | None) -> list[PackCode]:
    """`code` as typed, then with its expiry on the last day of its month: a person may
    type only the month printed on the pack, the code holds a day (the last, for 00)."""
    if code is None:
        return []
    if code.expiry is None:
        return [code]
    return list(dict.fromkeys([code, replace(code, expiry=_last_day(code.expiry))]))


def _renderings(code: PackCode, like: str) -> Iterator[str]:
    """The ways a label may write `code`, likeliest first: a Digital Link when the first
    scan is a link (on its domain, else GS1's), else the element string in the usual
    field order, then in every other order."""
    start = like[:8].lower()
    if start and (start.startswith("http") or "https://".startswith(start)):
        parts = urlsplit(like)
        domains = ([like[: like.index("/01/")]] if "/01/" in like
                   else ["https://id.gs1.org", f"{parts.scheme}://{parts.netloc}"])
        for domain in domains:
            uri = code.to_digital_link(domain)
            yield uri
            if code.lot is not None and code.expiry is not None:
                path, query = uri.split("?", 1)
                yield path + "?" + "&".join(reversed(query.split("&")))
        return
    yield code.to_element_string()
    fields: list[tuple[str, str, bool]] = [("01", str(code.gtin), True)]
    if code.expiry is not None:
        fields.append(("17", expiry_to_yymmdd(code.expiry), True))
    if code.lot is not None:
        fields.append(("10", code.lot, False))
    fields.append(("21", code.serial, False))
    for order in permutations(fields):
        yield "".join(f"{ai}{value}{'' if fixed or i == len(order) - 1 else GS}"
                      for i, (ai, value, fixed) in enumerate(order))


# --- helpers ------------------------------------------------------------------------------


def _typed_expiry(text: str) -> date:
    """A printed expiry as typed (see `PrintedFields.from_text`)."""
    formats = {r"(\d{4})-(\d{1,2})-(\d{1,2})": "ymd", r"(\d{1,2})\.(\d{1,2})\.(\d{4})": "dmy",
               r"(\d{4})-(\d{1,2})": "ym", r"(\d{1,2})/(\d{4})": "my", r"(\d{1,2})/(\d{2})": "my",
               r"(\d{2})(\d{2})(\d{2})": "ymd"}
    for pattern, order in formats.items():
        match = re.fullmatch(pattern, text)
        if match is None:
            continue
        parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
        year = parts["y"] + (2000 if parts["y"] < 100 else 0)
        try:
            if "d" in parts and parts["d"] != 0:
                return date(year, parts["m"], parts["d"])
            return _last_day(date(year, parts["m"], 1))
        except ValueError:
            break
    raise MalformedInput(_("The expiry {text} is not a date: type it as printed on the pack, "
                           "e.g. 2026-06-30 or 06/2026.").format(text=repr(text)))


def _last_day(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _gtin14(text: str) -> GTIN | None:
    try:
        return validate_gtin(text)
    except CodeError:
        return None


def _clean(text: str) -> str:
    """A scan without its Enter and surrounding blanks, separator substitutes as GS."""
    text = text.strip().rstrip("\r\n")
    for substitute in DEFAULT_GS_SUBSTITUTES:
        text = text.replace(substitute, GS)
    return text


def _split_prefix(text: str) -> tuple[str, str]:
    symbology, content = split_symbology_identifier(text)
    return text[: len(text) - len(content)], content


def _read(text: str) -> tuple[PackCode | None, str | None]:
    try:
        return parse_scanned(text), None
    except CodeError as exc:
        return None, str(exc)


def _parse(text: str) -> PackCode | None:
    return _read(text)[0]


def _layout_text(first: str, meant: str, mixup: LayoutMixup) -> str:
    swaps = list(dict.fromkeys((got, want) for got, want in zip(first, meant, strict=True)
                               if got != want))
    shown = ", ".join(_(_SWAP).format(got=got, meant=want)
                      for got, want in swaps[:_MAX_SWAPS_SHOWN])
    if len(swaps) > _MAX_SWAPS_SHOWN:
        shown += ", " + _(_AND_MORE)
    return _(_LAYOUT).format(scanner=_(_LAYOUT_NAMES[mixup.scanner]),
                             computer=_(_LAYOUT_NAMES[mixup.computer]), swaps=shown)


def _typed(printed: PrintedFields | None) -> str:
    if printed is None:
        return ""
    parts = [f"{label} {value}" for label, value in (
        ("GTIN", printed.gtin), ("SN", printed.serial), ("LOT", printed.lot),
        ("EXP", printed.expiry.isoformat() if printed.expiry else None)) if value]
    return ", ".join(parts)


def _shown(code: PackCode | None, text: str | None) -> str:
    if code is not None:
        return code.to_human_readable()
    return "".join(ch if ch.isprintable() else f"<{ord(ch):02X}>" for ch in text or "")[:60]
