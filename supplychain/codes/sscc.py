"""Case and pallet identity: the GS1 SSCC (AI 00), parsed from every form a scanner sends.

A Serial Shipping Container Code is 18 digits: an extension digit, the GS1 company prefix of
the company that built the case, a serial reference, and a mod-10 check digit. A scan reaches
us as a GS1 Digital Link (``https://<domain>/00/<sscc>``), an element string (``00<sscc>``,
with or without a symbology identifier such as ``]d2`` or ``]C1``), the bracketed form
(``(00)<sscc>``) or the plain 18-digit number printed under the barcode. Pure logic, no I/O;
the check digit comes from `biip`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from biip.checksums import gs1_standard_check_digit

from supplychain.codes.gs1 import GS, PackCode, parse_pack_code, split_symbology_identifier
from supplychain.errors import DamagedCode, NotAContainerCode
from supplychain.i18n import _
from supplychain.ids import SSCC

__all__ = [
    "ContainerCode",
    "looks_like_sscc",
    "make_sscc",
    "parse_pack_or_container",
    "parse_sscc",
    "sscc_in_prefix",
]

_DIGITAL_LINK = re.compile(r"(?i)https?://[^/?#\s]+(?:/[^?#\s]*)?/00/([^/?#\s]*)/?(?:[?#].*)?")
_PLAIN = re.compile(r"\d{18}")


@dataclass(frozen=True)
class ContainerCode:
    """The identity of one case or pallet: its SSCC."""

    sscc: SSCC

    @property
    def extension(self) -> str:
        """The extension digit (0-9), chosen freely by the packer."""
        return self.sscc[0]

    def to_digital_link(self, domain: str = "https://id.gs1.org") -> str:
        """GS1 Digital Link URI of the container, as its QR label holds it."""
        return f"{domain.rstrip('/')}/00/{self.sscc}"

    def to_element_string(self) -> str:
        """GS1 element string (AI 00 is fixed-length: no separator needed after it)."""
        return f"00{self.sscc}"

    def to_human_readable(self) -> str:
        """The line printed under a case label's barcode: '(00) 1 2345678 901234567 8'."""
        return f"(00) {self.sscc}"

    def label_lines(self) -> list[str]:
        """The lines printed next to a case label's codes."""
        return [f"SSCC {self.sscc}"]


def make_sscc(company_prefix: str, serial_reference: int | str, extension: int = 0) -> SSCC:
    """Build an SSCC from a GS1 company prefix (6-12 digits), a serial reference and an
    extension digit, adding the check digit."""
    if not company_prefix.isascii() or not company_prefix.isdigit() \
            or not 6 <= len(company_prefix) <= 12:
        raise ValueError(f"A GS1 company prefix has 6 to 12 digits, got {company_prefix!r}.")
    if not 0 <= extension <= 9:
        raise ValueError(f"The SSCC extension digit is 0-9, got {extension!r}.")
    width = 16 - len(company_prefix)
    reference = str(serial_reference)
    if not reference.isascii() or not reference.isdigit() or len(reference) > width:
        raise ValueError(f"A serial reference after prefix {company_prefix} has at most "
                         f"{width} digits, got {serial_reference!r}.")
    body = f"{extension}{company_prefix}{reference.zfill(width)}"
    return SSCC(body + str(gs1_standard_check_digit(body)))


def sscc_in_prefix(sscc: SSCC, prefix: str) -> bool:
    """Whether the GS1 company prefix `prefix` owns `sscc` (the digits after the extension)."""
    if not prefix or not prefix.isascii() or not prefix.isdigit():
        raise ValueError(f"A GS1 company prefix is digits only, got {prefix!r}.")
    return sscc[1:].startswith(prefix)


def looks_like_sscc(text: str) -> bool:
    """Whether a scan is meant as a case/pallet code (any form), before checking it.

    Pack codes start with AI 01 (or a /01/ link), so a leading AI 00 decides."""
    return _sscc_digits(text) is not None


def parse_sscc(text: str) -> ContainerCode:
    """Parse a scanned or typed case/pallet code and check its check digit.

    Further GS1 fields after the SSCC (a logistic label's (02) content, (37) count) are
    ignored. Raises NotAContainerCode when the text is no SSCC at all (a pack code, a web
    link) and DamagedCode when it is an SSCC that cannot be trusted (length, check digit).
    """
    digits = _sscc_digits(text)
    if digits is None:
        raise NotAContainerCode(
            _("{shown} is not a case or pallet code (SSCC). Scan the SSCC label of the case "
              "(the code starting with (00)).").format(shown=_show(text)))
    return ContainerCode(check_sscc(digits))


def _sscc_digits(text: str) -> str | None:
    """The SSCC's digits as the scan holds them (unchecked), or None for no SSCC form."""
    symbology, content = split_symbology_identifier(text.strip())
    content = content.strip()
    if match := _DIGITAL_LINK.fullmatch(content):
        return match.group(1)
    if content.startswith("(00)"):
        return content[4:].split("(", 1)[0].replace(" ", "")
    if symbology is None and _PLAIN.fullmatch(content.replace(" ", "")):
        return content.replace(" ", "")  # the number printed under the barcode
    if content.startswith("00"):  # an element string (after a symbology id, or typed)
        return content[2:20].split(GS, 1)[0]
    return None


def check_sscc(digits: str) -> SSCC:
    """The one SSCC check: 18 ASCII digits whose last is the GS1 mod-10 check digit."""
    if not digits.isascii() or not digits.isdigit() or len(digits) != 18:
        raise DamagedCode(
            _("The case/pallet code (SSCC) {sscc} has {count} digits; an SSCC has 18. The "
              "code is cut short or damaged: scan it again.").format(
                sscc=_show(digits), count=len(digits)))
    expected = str(gs1_standard_check_digit(digits[:17]))
    if digits[17] != expected:
        raise DamagedCode(
            _("The case/pallet code (SSCC) {sscc} is damaged: its last (check) digit should be "
              "{expected}, not {found}. Scan again; if it keeps failing, the label is "
              "misprinted.").format(sscc=digits, expected=expected, found=digits[17]))
    return SSCC(digits)


def parse_pack_or_container(text: str) -> PackCode | ContainerCode:
    """A scan that may be a pack or a case/pallet: an SSCC form first, else a pack code
    (whose NotAPackCode / DamagedCode messages stand when it is neither)."""
    if looks_like_sscc(text):
        return parse_sscc(text)
    return parse_pack_code(text)


def _show(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return "".join(ch if ch.isprintable() else f"<{ord(ch):02X}>" for ch in shown)
