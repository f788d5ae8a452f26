"""Keyboard layouts as a USB keyboard-wedge scanner meets them: which key types which character.

Pure logic, no I/O. A wedge scanner "types" a code as key presses for the layout it is set
to; the computer turns the key presses back into characters with ITS layout. When the two
differ, characters come out on the wrong keys: a scanner set to German (QWERTZ) on a US
computer swaps Y and Z; one set to French (AZERTY) types digits with Shift, which a US
computer reads as ``!@#$%^&*()``. `mistype` plays that mix-up forwards, `retypings`
undoes it.

Each layout is written as the two characters (plain, with Shift) of every key that matters
for GS1 codes and Digital Link URIs, keys named by their US-English key cap. Keys typed
with AltGr are left out: none of them carries a character of a GS1 pack code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice, product

__all__ = ["LAYOUT_MIXUPS", "Layout", "LayoutMixup", "mistype", "retypings"]


class Layout(StrEnum):
    """A keyboard layout a scanner or a computer may be set to."""

    US = "us"
    """English (US), QWERTY."""
    DE = "de"
    """German, QWERTZ."""
    FR = "fr"
    """French, AZERTY."""


# US key cap -> (plain, shifted) character on that layout. "<>" is the extra key of ISO
# keyboards (left of Z); on the US layout it types a second backslash, and a backslash
# read back is taken as that key (a GS1 code holds '<', never a backslash).
_KEYS: dict[Layout, dict[str, tuple[str, str]]] = {
    Layout.US: {
        "`": ("`", "~"), "1": ("1", "!"), "2": ("2", "@"), "3": ("3", "#"),
        "4": ("4", "$"), "5": ("5", "%"), "6": ("6", "^"), "7": ("7", "&"),
        "8": ("8", "*"), "9": ("9", "("), "0": ("0", ")"), "-": ("-", "_"),
        "=": ("=", "+"), "[": ("[", "{"), "]": ("]", "}"), ";": (";", ":"),
        "'": ("'", '"'), "\\": ("\\", "|"), ",": (",", "<"), ".": (".", ">"),
        "/": ("/", "?"), "<>": ("\\", "|"),
    },
    Layout.DE: {
        "`": ("^", "°"), "1": ("1", "!"), "2": ("2", '"'), "3": ("3", "§"),
        "4": ("4", "$"), "5": ("5", "%"), "6": ("6", "&"), "7": ("7", "/"),
        "8": ("8", "("), "9": ("9", ")"), "0": ("0", "="), "-": ("ß", "?"),
        "=": ("´", "`"), "[": ("ü", "Ü"), "]": ("+", "*"), ";": ("ö", "Ö"),
        "'": ("ä", "Ä"), "\\": ("#", "'"), ",": (",", ";"), ".": (".", ":"),
        "/": ("-", "_"), "<>": ("<", ">"),
        "y": ("z", "Z"), "z": ("y", "Y"),
    },
    Layout.FR: {
        "`": ("²", "³"), "1": ("&", "1"), "2": ("é", "2"), "3": ('"', "3"),
        "4": ("'", "4"), "5": ("(", "5"), "6": ("-", "6"), "7": ("è", "7"),
        "8": ("_", "8"), "9": ("ç", "9"), "0": ("à", "0"), "-": (")", "°"),
        "=": ("=", "+"), "[": ("^", "¨"), "]": ("$", "£"), ";": ("m", "M"),
        "'": ("ù", "%"), "\\": ("*", "µ"), ",": (";", "."), ".": (":", "/"),
        "/": ("!", "§"), "<>": ("<", ">"),
        "q": ("a", "A"), "a": ("q", "Q"), "w": ("z", "Z"), "z": ("w", "W"), "m": (",", "?"),
    },
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _table(layout: Layout) -> dict[tuple[str, bool], str]:
    """(key cap, shift) -> character, letters included (a letter key types itself)."""
    table = {(key, False): plain for key, (plain, _shifted) in _KEYS[layout].items()}
    table |= {(key, True): shifted for key, (_plain, shifted) in _KEYS[layout].items()}
    for letter in _LETTERS:
        if letter not in _KEYS[layout]:
            table[(letter, False)] = letter
            table[(letter, True)] = letter.upper()
    return table


_TABLES = {layout: _table(layout) for layout in Layout}
_PRESSES: dict[Layout, dict[str, list[tuple[str, bool]]]] = {layout: {} for layout in Layout}
for _layout, _keys in _TABLES.items():
    for _press, _char in _keys.items():
        _PRESSES[_layout].setdefault(_char, []).append(_press)
_MAX_RETYPINGS = 256


@dataclass(frozen=True)
class LayoutMixup:
    """A scanner set to one layout typing into a computer set to another."""

    scanner: Layout
    computer: Layout


LAYOUT_MIXUPS: tuple[LayoutMixup, ...] = (
    LayoutMixup(Layout.DE, Layout.US),
    LayoutMixup(Layout.US, Layout.DE),
    LayoutMixup(Layout.FR, Layout.US),
    LayoutMixup(Layout.US, Layout.FR),
)
"""The mix-ups the re-scan step recognises."""


def mistype(text: str, mixup: LayoutMixup) -> str:
    """What the computer receives when the scanner types `text` under `mixup`.

    A character the scanner's layout has no key for, or whose key means nothing on the
    computer's layout, passes unchanged (control characters such as GS too).
    """
    computer = _TABLES[mixup.computer]
    out = []
    for char in text:
        presses = _PRESSES[mixup.scanner].get(char)
        out.append(computer.get(presses[0], char) if presses else char)
    return "".join(out)


def retypings(text: str, mixup: LayoutMixup) -> Iterator[str]:
    """Undo `mistype`: every text the scanner may have meant, from what the computer received.

    Mostly one: a few keys type the same character on the computer (a US computer reads
    both ISO keys as a backslash), each such character doubling the candidates (at most
    256 are yielded). A character with no key on the computer's layout stays as it is.
    """
    scanner, presses = _TABLES[mixup.scanner], _PRESSES[mixup.computer]
    options: list[list[str]] = []
    for char in text:
        meant = [scanner[press] for press in presses.get(char, ()) if press in scanner]
        options.append(list(dict.fromkeys(meant)) or [char])
    for chars in islice(product(*options), _MAX_RETYPINGS):
        yield "".join(chars)
