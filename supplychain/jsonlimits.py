"""The one strict reader of JSON from outside (peers, bundles, EPCIS files, directories, log
entries): a byte cap, a nesting cap checked before the parser can recurse, and caps on
number lengths, each failure a project error with a plain message.

Python's ``json`` recurses once per nesting level, so a few hundred thousand ``[`` raise
RecursionError (or worse, exhaust the stack of a small thread). The nesting is therefore
measured first by a linear scan that skips string contents; only then is ``json.loads`` run.
Integers longer than ``MAX_INT_DIGITS`` are refused before ``int()`` sees them (Python 3.11
would refuse past 4,300 digits, but only with a bare ValueError, and after quadratic work);
NaN and Infinity are refused (they are not JSON); so are duplicate keys in one object (two
readers could disagree about which one counts).
"""

from __future__ import annotations

import json
import re
from typing import Any

from supplychain.errors import MalformedInput, SupplyChainError
from supplychain.i18n import _

DEFAULT_MAX_DEPTH = 16
"""Nesting levels (arrays and objects) allowed by default: our own formats need at most 5."""
MAX_INT_DIGITS = 20
"""Digits allowed in one integer: every count, size and index fits in 64 bits (20 digits)."""
MAX_FLOAT_CHARS = 40
"""Characters allowed in one non-integer number (sign, digits, point and exponent)."""

# After escapes are gone, a string is quote to quote (the closing quote optional, so an
# unterminated string ends the scan in linear time); brackets inside it go with it.
_STRING = re.compile(rb'"[^"]*"?')
# Keeps only quotes and brackets; the second table maps { to [ and } to ].
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_BRACKETS = bytes.maketrans(b"{}", b"[]")


def too_deep(data: bytes, limit: int) -> bool:
    """True if ``data`` nests arrays and objects more than ``limit`` levels deep, measured
    without parsing in a few linear passes at C speed (strings skipped).

    After k passes that delete every adjacent "[]" pair, exactly the bracket pairs enclosing
    at most k levels are gone. So a balanced text is too deep iff a pair survives ``limit``
    passes; an unbalanced one also when more than ``limit`` unclosed "[" remain (so the
    parser that runs next never recurses more than twice ``limit`` levels).
    """
    # Escaped backslashes, then escaped quotes, are removed (left to right, as a JSON reader
    # pairs them); every remaining quote then opens or closes a string.
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    plain = data.translate(None, _NOT_STRUCTURE)
    if plain.count(b"[") + plain.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", plain).translate(_BRACKETS)
    for _round in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets = shorter
    opens = brackets.count(b"[")
    return opens > limit or (opens > 0 and brackets.find(b"[") < brackets.rfind(b"]"))


def load_json(data: bytes | str, *, max_bytes: int, max_depth: int = DEFAULT_MAX_DEPTH,
              what: str = "The document",
              error: type[SupplyChainError] = MalformedInput) -> Any:
    """Parse outside JSON under explicit limits; raise ``error`` (a project error class,
    MalformedInput by default) saying which limit or rule ``what`` broke.

    ``max_bytes`` caps the encoded size, ``max_depth`` the nesting of arrays and objects.
    Nothing but ``error`` comes out, whatever the bytes.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise error(_("{what} of {raw_count} bytes exceeds {max_bytes} bytes, the limit.")
                    .format(what=what, raw_count=len(raw), max_bytes=max_bytes))
    if too_deep(raw, max_depth):
        raise error(_("{what} nests arrays or objects too deeply (more than {max_depth} "
                      "levels); no valid document does, so it was refused unread.")
                    .format(what=what, max_depth=max_depth))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(_("{what} is not UTF-8 text, so not JSON.").format(what=what)) from None
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant,
                          object_pairs_hook=_object)
    except _Refused as exc:
        raise error(_("{what} is refused: {exc}").format(what=what, exc=exc)) from None
    except RecursionError:  # unreachable after the scan; kept so nothing else can escape
        raise error(_("{what} nests arrays or objects too deeply.").format(what=what)) from None
    except ValueError as exc:
        raise error(_("{what} is not JSON (not valid JSON: {value}).")
                    .format(what=what, value=_short(str(exc)))) from None


class _Refused(Exception):
    """Raised by the parse hooks; turned into the caller's error by load_json."""


def _int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise _Refused(_("it holds an integer of {digits:,} digits; at most {max_int_digits} "
                         "are allowed.").format(digits=digits, max_int_digits=MAX_INT_DIGITS))
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_FLOAT_CHARS:
        raise _Refused(_("it holds a number written with {text_count:,} characters; at most "
                         "{max_float_chars} are allowed.")
                       .format(text_count=len(text), max_float_chars=MAX_FLOAT_CHARS))
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(_("the number {value} is out of range.").format(value=text[:20]))
    return value


def _constant(text: str) -> Any:
    raise _Refused(_("{text} is not a JSON number.").format(text=text))


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _Refused(_("an object names the key {value!r} twice.").format(value=key[:40]))
            seen.add(key)
    return obj


def _short(text: str) -> str:
    return text if len(text) <= 100 else text[:99] + "…"
