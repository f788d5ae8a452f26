"""Identifiers that must not be mixed up, as distinct types, and the one GLN check."""

from __future__ import annotations

from typing import NewType

from biip.checksums import gs1_standard_check_digit

from supplychain.errors import DamagedCode
from supplychain.i18n import _

GLN = NewType("GLN", str)
"""GS1 Global Location Number: 13 digits, the last a check digit."""

GTIN = NewType("GTIN", str)
"""GS1 Global Trade Item Number, always normalised to 14 digits."""

EventHash = NewType("EventHash", str)
"""SHA-256 of an event's canonical bytes, lower-case hex (64 characters)."""

PackKey = NewType("PackKey", str)
"""A pack's identity in the ledger: '<gtin14>/<serial>'."""

SSCC = NewType("SSCC", str)
"""GS1 Serial Shipping Container Code (AI 00) of a case or pallet: 18 digits, the last a check
digit (see ``codes.sscc``)."""


def check_gln(value: object) -> GLN:
    """The one GLN check: exactly 13 ASCII digits whose last is the GS1 mod-10 check digit.

    Strict (no spaces trimmed, no trailing newline): for GLNs read from certificates, events
    and peers; ``codes.gs1.validate_gln`` trims what a person typed and calls it. Raises
    DamagedCode naming the fault; callers in other layers re-raise it as their own error.
    """
    if (not isinstance(value, str) or len(value) != 13 or not value.isascii()
            or not value.isdigit()):
        shown = value if isinstance(value, str) and value.isprintable() else repr(value)
        raise DamagedCode(_("{shown} is not a location number (GLN): a GLN has 13 "
                            "digits.").format(shown=shown))
    expected = str(gs1_standard_check_digit(value[:12]))
    if value[12] != expected:
        raise DamagedCode(
            _("The location number (GLN) {gln} has a wrong check digit: the last digit should "
              "be {expected}, not {found}. Check the number for a typing error.").format(
                gln=value, expected=expected, found=value[12])
        )
    return GLN(value)
