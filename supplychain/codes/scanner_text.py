"""Keyboard-wedge scanners: turn what a USB 2D scanner typed into a clean GS1 scan.

Pure logic, no I/O. A USB scanner "types" the code as keystrokes. The FNC1/GS field
separator (ASCII 29) arrives as the real character, as a configured substitute such as
``<GS>``, or not at all; an Enter ends the scan. `normalise_scanner_text` undoes all of
that, and where the separators were dropped it splits the fields again by the GS1 length
rules, but only when exactly one split gives a valid pack code: a wrong guess would show
up as a false "unknown serial" alert, so an ambiguous scan is refused instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from biip import ParseError
from biip.gs1_element_strings import GS1ElementString

from supplychain.codes.gs1 import GS, PackCode, parse_pack_code, split_symbology_identifier
from supplychain.errors import DamagedCode
from supplychain.i18n import N_, _

__all__ = [
    "AMBIGUOUS_SPLIT",
    "DEFAULT_GS_SUBSTITUTES",
    "gs_splits",
    "normalise_scanner_text",
    "parse_scanned",
]

DEFAULT_GS_SUBSTITUTES: tuple[str, ...] = ("<GS>", "{GS}", "^]", "\\x1d", "\u241d")
"""How scanners are commonly set to type the GS separator."""

AMBIGUOUS_SPLIT = N_(
    "The scanner dropped the group separators and the code cannot be split unambiguously; "
    "set the scanner to send GS (ASCII 29) or scan the Digital Link QR instead."
)
"""The message of an ambiguous GS-less scan (in English; shown translated with ``_()``)."""

# The AIs a pack code may carry when separators are lost: AI -> (min, max) data length.
# Fixed-length AIs (min == max) need no separator; 10 and 21 are variable, up to 20.
_PACK_AIS: dict[str, tuple[int, int]] = {
    "01": (14, 14),
    "11": (6, 6),
    "17": (6, 6),
    "10": (1, 20),
    "21": (1, 20),
}
_MAX_SPLITS = 64

Split = tuple[tuple[str, str], ...]
"""One way to cut a GS-less element string into (AI, value) fields."""


def normalise_scanner_text(
    text: str, gs_substitutes: Sequence[str] = DEFAULT_GS_SUBSTITUTES
) -> str:
    """Return the scan with real GS separators, without the trailing Enter.

    Keeps a symbology identifier. If an element string arrived with no separator at all,
    re-inserts them when the GS1 length rules allow exactly one valid pack code; raises
    DamagedCode (`AMBIGUOUS_SPLIT`) when several splits are valid.
    """
    text = text.rstrip("\r\n")
    for substitute in gs_substitutes:
        if substitute:
            text = text.replace(substitute, GS)
    _symbology, content = split_symbology_identifier(text.strip())
    content = content.strip()
    if GS in content or not re.fullmatch(r"\d\d[!%-?A-Z_a-z\x22]*", content):
        return text
    splits = _pack_splits(content)
    if not splits:
        return text  # not a pack code either way: let parse_pack_code say why
    if len(splits) > 1:
        dated = [split for split in splits if split[-1][0] == "17"]
        splits = dated or splits
    if len(splits) > 1:
        raise DamagedCode(_(AMBIGUOUS_SPLIT))
    prefix = text.strip()[: len(text.strip()) - len(content)]
    return prefix + _join(splits[0])


def parse_scanned(text: str, gs_substitutes: Sequence[str] = DEFAULT_GS_SUBSTITUTES) -> PackCode:
    """Parse what a keyboard-wedge scanner typed, recovering lost separators if needed."""
    return parse_pack_code(normalise_scanner_text(text, gs_substitutes))


def gs_splits(content: str) -> list[str]:
    """Every way to put the GS separators back into a GS-less element string (no symbology
    identifier) that gives a valid pack code, for a caller that knows which one is right
    (the re-scan step compares them with the pack); [] when the text is no such string."""
    if GS in content or not re.fullmatch(r"\d\d[!%-?A-Z_a-z\x22]*", content):
        return []
    return [_join(split) for split in _pack_splits(content)]


def _pack_splits(content: str) -> list[Split]:
    """All ways to cut `content` into valid pack fields that hold a GTIN and a serial."""
    found: list[Split] = []
    for split in _splits(content, ()):
        ais = {ai for ai, _ in split}
        if {"01", "21"} <= ais:
            found.append(split)
            if len(found) >= _MAX_SPLITS:
                break
    return found


def _splits(rest: str, done: Split) -> Iterator[Split]:
    if not rest:
        yield done
        return
    used = {ai for ai, _ in done}
    for ai, (shortest, longest) in _PACK_AIS.items():
        if ai in used or not rest.startswith(ai):
            continue
        data = rest[len(ai) :]
        for length in range(shortest, min(longest, len(data)) + 1):
            value = data[:length]
            if _valid_field(ai, value):
                yield from _splits(data[length:], (*done, (ai, value)))


def _valid_field(ai: str, value: str) -> bool:
    """Whether biip accepts `value` for `ai`: pattern, real date, GTIN check digit."""
    try:
        element = GS1ElementString.parse(f"{ai}{value}")
    except (ParseError, ValueError):
        return False
    return element.gtin_error is None


def _join(split: Split) -> str:
    """Write fields back as an element string, with GS after each non-final variable field."""
    out = []
    for index, (ai, value) in enumerate(split):
        shortest, longest = _PACK_AIS[ai]
        last = index == len(split) - 1
        out.append(f"{ai}{value}{GS if shortest != longest and not last else ''}")
    return "".join(out)
