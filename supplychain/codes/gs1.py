"""GS1 pack identity: parse what a pack's 2D code holds, and write it back out.

Pure logic, no I/O. The GS1 grammar itself (application identifiers, their patterns,
Digital Link paths, dates) comes from `biip`; this module only adds the checks a
medicine-verification system needs on top (serial present, no SSCC, no trailing
garbage, duplicate AIs) and turns every failure into a `NotAPackCode` ("this is not a
pack code at all") or a `DamagedCode` ("this is a pack code, but it cannot be trusted"),
each with a message a pharmacist can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, unquote, urlsplit

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology, SymbologyIdentifier

from supplychain.errors import DamagedCode, NotAPackCode
from supplychain.i18n import N_, _
from supplychain.ids import GLN, GTIN, PackKey, check_gln

__all__ = [
    "GS",
    "PackCode",
    "expiry_to_yymmdd",
    "gtin_check_digit",
    "gtin_in_prefix",
    "parse_pack_code",
    "split_symbology_identifier",
    "validate_gln",
    "validate_gtin",
]

GS = "\x1d"
"""ASCII 29, the group separator that stands for FNC1 between GS1 fields."""

_CSET82 = re.compile(r"[!%-?A-Z_a-z\x22]{1,20}")
"""GS1 AI encodable character set 82, 1..20 characters (serial and lot)."""

_FIELD_NAMES = {
    "00": N_("shipping code (SSCC, AI 00)"),
    "01": N_("product code (GTIN, AI 01)"),
    "10": N_("batch/lot number (AI 10)"),
    "17": N_("expiry date (AI 17)"),
    "21": N_("serial number (AI 21)"),
}

_GS1_SYMBOLOGIES = frozenset(GS1Symbology.with_gs1_messages())

_OTHER_PAYLOADS = (
    ("WIFI:", N_("This code holds Wi-Fi network settings ({shown}), not a medicine pack code.")),
    ("MAILTO:", N_("This code holds an e-mail address ({shown}), not a medicine pack code.")),
    ("TEL:", N_("This code holds a telephone number ({shown}), not a medicine pack code.")),
    ("SMSTO:", N_("This code holds a text message ({shown}), not a medicine pack code.")),
    ("SMS:", N_("This code holds a text message ({shown}), not a medicine pack code.")),
    ("BEGIN:VCARD", N_("This code holds a contact card ({shown}), not a medicine pack code.")),
    ("MECARD:", N_("This code holds a contact card ({shown}), not a medicine pack code.")),
    ("BEGIN:VEVENT", N_("This code holds a calendar event ({shown}), not a medicine pack "
                        "code.")),
    ("GEO:", N_("This code holds a map location ({shown}), not a medicine pack code.")),
)

_SCAN_DATAMATRIX = N_("Scan the square 2D code (Data Matrix) on the pack instead.")


@dataclass(frozen=True)
class PackCode:
    """The identity of one serialised medicine pack: GTIN + serial, with lot and expiry."""

    gtin: GTIN
    """Always 14 digits with a valid check digit."""
    serial: str
    """AI 21: 1..20 characters of GS1 character set 82."""
    lot: str | None = None
    """AI 10: 1..20 characters of GS1 character set 82, or None."""
    expiry: date | None = None
    """AI 17, with a day of 00 already turned into the last day of the month."""

    def __post_init__(self) -> None:
        if len(self.gtin) != 14 or validate_gtin(self.gtin) != self.gtin:
            raise DamagedCode(
                _("A pack's product code (GTIN) must have 14 digits, got {gtin}.").format(
                    gtin=repr(self.gtin))
            )
        _check_cset82(_("serial number"), self.serial)
        if self.lot is not None:
            _check_cset82(_("batch/lot number"), self.lot)

    @property
    def key(self) -> PackKey:
        """The pack's identity in the ledger: '<gtin14>/<serial>'."""
        return PackKey(f"{self.gtin}/{self.serial}")

    def to_digital_link(self, domain: str = "https://id.gs1.org") -> str:
        """GS1 Digital Link URI, as a QR label holds it; serial and lot percent-encoded."""
        uri = f"{domain.rstrip('/')}/01/{self.gtin}/21/{quote(self.serial, safe='')}"
        query = []
        if self.lot is not None:
            query.append(f"10={quote(self.lot, safe='')}")
        if self.expiry is not None:
            query.append(f"17={expiry_to_yymmdd(self.expiry)}")
        return f"{uri}?{'&'.join(query)}" if query else uri

    def to_element_string(self, gs: str = GS) -> str:
        """GS1 element string in the order 01, 17, 10, 21: one separator at most, none trailing."""
        parts = [f"01{self.gtin}"]
        if self.expiry is not None:
            parts.append(f"17{expiry_to_yymmdd(self.expiry)}")
        if self.lot is not None:
            parts.append(f"10{self.lot}{gs}")
        parts.append(f"21{self.serial}")
        return "".join(parts)

    def to_human_readable(self) -> str:
        """Bracketed form, e.g. '(01)09506000134352(21)ABC(10)L1(17)260630'."""
        text = f"(01){self.gtin}(21){self.serial}"
        if self.lot is not None:
            text += f"(10){self.lot}"
        if self.expiry is not None:
            text += f"(17){expiry_to_yymmdd(self.expiry)}"
        return text

    def label_lines(self) -> list[str]:
        """The lines printed next to the code on a pack (GTIN, SN, LOT, EXP)."""
        lines = [f"GTIN {self.gtin}", f"SN {self.serial}"]
        if self.lot is not None:
            lines.append(f"LOT {self.lot}")
        if self.expiry is not None:
            lines.append(f"EXP {self.expiry.isoformat()}")
        return lines

    def eu_label_lines(self) -> list[str]:
        """The human-readable lines beside an EU pack's Data Matrix (PC, SN, Batch, EXP).

        "PC" (product code) and "SN" (serial number) are the abbreviations the EU's
        Delegated Regulation 2016/161 (Art. 7) and the European pack coding guidelines use;
        batch and expiry are printed as Directive 2001/83/EC requires, the date as
        YYYY-MM-DD.
        """
        lines = [f"PC: {self.gtin}", f"SN: {self.serial}"]
        if self.lot is not None:
            lines.append(f"Batch: {self.lot}")
        if self.expiry is not None:
            lines.append(f"EXP: {self.expiry.isoformat()}")
        return lines


# --- small helpers ------------------------------------------------------------------


def gtin_check_digit(body: str) -> str:
    """GS1 mod-10 check digit for `body` (a GTIN/GLN/SSCC without its last digit)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"A check digit is computed over digits only, got {body!r}.")
    return str(gs1_standard_check_digit(body))


def validate_gtin(text: str) -> GTIN:
    """Check a GTIN-8/12/13/14 and return it as 14 digits."""
    digits = text.strip()
    if not digits or not digits.isascii() or not digits.isdigit():
        raise NotAPackCode(_("{shown} is not a product code (GTIN): a GTIN has only "
                             "digits.").format(shown=_show(text)))
    if len(digits) not in (8, 12, 13, 14):
        raise DamagedCode(
            _("The product code (GTIN) {gtin} has {count} digits; a GTIN has 8, 12, 13 or 14. "
              "A digit is missing or extra.").format(gtin=digits, count=len(digits))
        )
    expected = gtin_check_digit(digits[:-1])
    if digits[-1] != expected:
        raise DamagedCode(
            _("The product code (GTIN) {gtin} is damaged: its last (check) digit should be "
              "{expected}, not {found}. Scan again; if it keeps failing, the code is "
              "misprinted.").format(gtin=digits, expected=expected, found=digits[-1])
        )
    return GTIN(digits.zfill(14))


def validate_gln(text: str) -> GLN:
    """A GLN typed by a person (outer spaces ignored), checked by ``ids.check_gln``."""
    return check_gln(text.strip())


def gtin_in_prefix(gtin: GTIN, prefix: str) -> bool:
    """Whether the GS1 company prefix `prefix` owns `gtin` (compared on its GTIN-13 form)."""
    if not prefix or not prefix.isascii() or not prefix.isdigit():
        raise ValueError(f"A GS1 company prefix is digits only, got {prefix!r}.")
    return gtin[1:].startswith(prefix)


def expiry_to_yymmdd(d: date) -> str:
    """A date as GS1 AI 17 writes it (YYMMDD; read back within GS1's +-50 year window)."""
    return d.strftime("%y%m%d")


def split_symbology_identifier(text: str) -> tuple[SymbologyIdentifier | None, str]:
    """Split a leading symbology identifier (e.g. ']d2', ']Q3') from the rest of a scan."""
    if len(text) >= 3 and text.startswith("]"):
        try:
            symbology = SymbologyIdentifier.extract(text)
        except (ParseError, ValueError, IndexError):
            return None, text
        return symbology, text[len(symbology) :]
    return None, text


# --- parsing -----------------------------------------------------------------------


def parse_pack_code(text: str) -> PackCode:
    """Parse a scanned pack code: Digital Link URI, element string (GS separators) or
    bracketed form, with or without a symbology identifier and surrounding whitespace.

    Raises NotAPackCode when the code is something else (web link, retail barcode,
    SSCC, no serial) and DamagedCode when it is a GS1 pack code that cannot be trusted.
    """
    symbology, content = split_symbology_identifier(text.strip())
    content = content.strip()
    gs1_symbology = symbology is not None and symbology.gs1_symbology in _GS1_SYMBOLOGIES
    if not content:
        raise NotAPackCode(_("The scan was empty: no code was read. Scan the pack again."))
    if re.match(r"(?i)https?://", content):
        elements = _parse_digital_link(content)
    elif content.startswith("("):
        elements = _parse_bracketed(content)
    elif _is_plain_gtin(content):
        raise NotAPackCode(
            _("This is a retail product barcode without a serial number: not a serialised "
              "medicine pack (GTIN {gtin}).").format(gtin=content) + " " + _(_SCAN_DATAMATRIX)
        )
    else:
        _reject_other_payloads(content)
        looks_gs1 = gs1_symbology or re.match(r"0[01]\d", content) is not None
        elements = _parse_element_string(content, looks_gs1=looks_gs1, shown=text.strip())
    return _pack_from_elements(elements)


def _parse_digital_link(uri: str) -> list[GS1ElementString]:
    try:
        elements = GS1DigitalLinkURI.parse(uri).element_strings
    except (ParseError, ValueError) as exc:
        path, query = _split_uri(uri)
        if re.search(r"/0[01]/\d{8,18}(/|$)", path):
            raise _diagnose_digital_link(uri, path, query) from exc
        raise NotAPackCode(
            _("This is a web link ({shown}), not a medicine pack code.").format(shown=_show(uri))
            + " " + _(_SCAN_DATAMATRIX)
        ) from exc
    return list(elements)


def _split_uri(uri: str) -> tuple[str, str]:
    """The path and query of a URI, or ('', '') when it cannot be split."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "", ""
    return parts.path, parts.query


def _diagnose_digital_link(uri: str, path: str, query: str) -> DamagedCode:
    """A specific DamagedCode for a GS1 Digital Link that biip rejected."""
    segments = path.split("/")
    start = next(i for i, seg in enumerate(segments) if seg in ("00", "01"))
    pairs = list(zip(segments[start::2], segments[start + 1 :: 2], strict=False))
    pairs += [tuple(kv.split("=", 1)) for kv in query.split("&") if "=" in kv]  # type: ignore[misc]
    for ai, value in pairs:
        if not ai.isdigit():
            continue
        try:
            GS1ElementString.parse(f"{ai}{unquote(value)}")
        except (ParseError, ValueError):
            return _diagnose_field(f"{ai}{unquote(value)}", after=[])
    return DamagedCode(
        _("This GS1 Digital Link ({shown}) is damaged or incomplete: its parts are not in the "
          "/01/<GTIN>/21/<serial> form. Scan it again; if it keeps failing, report the "
          "label.").format(shown=_show(uri))
    )


def _parse_bracketed(text: str) -> list[GS1ElementString]:
    try:
        message = GS1Message.parse_hri(text)
    except (ParseError, ValueError) as exc:
        raise DamagedCode(
            _("The bracketed GS1 text {shown} cannot be read: {problem} Check it was copied in "
              "full, as (01)<GTIN>(21)<serial>...").format(shown=_show(text), problem=exc)
        ) from exc
    compact = "".join(text.split())
    rebuilt = "".join(f"({es.ai.ai}){es.value}" for es in message.element_strings)
    if rebuilt != compact:
        raise DamagedCode(
            _("The bracketed GS1 text {shown} has parts that are empty or not GS1 fields; only "
              "{read} could be read. Check it was copied in full.").format(
                shown=_show(text), read=repr(rebuilt))
        )
    return list(message.element_strings)


def _is_plain_gtin(content: str) -> bool:
    """A bare EAN/UPC/ITF-14 number (a damaged one too, unless it reads as a GS1 field)."""
    if not (content.isascii() and content.isdigit() and len(content) in (8, 12, 13, 14)):
        return False
    check_ok = content[-1] == gtin_check_digit(content[:-1])
    return check_ok or re.match(r"0[01]\d", content) is None


def _parse_element_string(text: str, *, looks_gs1: bool, shown: str) -> list[GS1ElementString]:
    """Split a GS1 element string into fields (biip), diagnosing the first failure."""
    elements: list[GS1ElementString] = []
    rest = text
    while rest:
        try:
            element = GS1ElementString.extract(rest)
        except (ParseError, ValueError) as exc:
            if not elements and not looks_gs1:
                raise NotAPackCode(
                    _("This code holds plain text ({shown}), not a medicine pack code.").format(
                        shown=_show(shown)) + " " + _(_SCAN_DATAMATRIX)
                ) from exc
            raise _diagnose_field(rest, after=elements) from exc
        elements.append(element)
        rest = rest[len(element) :].lstrip(GS)
    return elements


def _diagnose_field(rest: str, *, after: list[GS1ElementString]) -> DamagedCode:
    """A specific DamagedCode for the field at the start of `rest` that biip rejected."""
    try:
        ai = GS1ApplicationIdentifier.extract(rest)
    except ParseError:
        if after:
            text = _("Unreadable data after the valid part of the code: {shown} is not a GS1 "
                     "field. The code is damaged, a field is longer than allowed, or the "
                     "scanner added characters.")
        else:
            text = _("Unreadable data in the code: {shown} is not a GS1 field. The code is "
                     "damaged, a field is longer than allowed, or the scanner added "
                     "characters.")
        return DamagedCode(text.format(shown=_show(rest)))
    name = _field_name(ai.ai, ai.description)
    data = rest[len(ai) :].split(GS, 1)[0]
    fixed = re.fullmatch(r"\^\d+\(\\d\{(\d+)\}\)\$", ai.pattern)
    if not data:
        return DamagedCode(_("The {name} is empty: the code is cut short or damaged.").format(
            name=name))
    if fixed and data.isdigit() and len(data) < int(fixed.group(1)):
        return DamagedCode(
            _("The {name} has only {count} digits where {needed} are needed: the code is cut "
              "short or damaged.").format(name=name, count=len(data), needed=fixed.group(1))
        )
    if "date" in ai.description.lower() and re.match(r"\d{6}", data):
        return DamagedCode(
            _("The {name} {value} is not a real date (YYMMDD): the code is damaged or "
              "misprinted.").format(name=name, value=data[:6])
        )
    return DamagedCode(
        _("The {name} '{value}' is not valid for that field: the code is damaged or "
          "misprinted.").format(name=name, value=_show(data))
    )


def _field_name(ai: str, description: str) -> str:
    """A GS1 field's name for a message: ours, translated, else biip's (English) name."""
    known = _FIELD_NAMES.get(ai)
    return _(known) if known else f"{description} (AI {ai})"


def _reject_other_payloads(content: str) -> None:
    upper = content[:12].upper()
    for marker, sentence in _OTHER_PAYLOADS:
        if upper.startswith(marker):
            raise NotAPackCode(
                _(sentence).format(shown=_show(content)) + " " + _(_SCAN_DATAMATRIX)
            )
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", content):
        raise NotAPackCode(
            _("This is a link ({shown}), not a medicine pack code.").format(shown=_show(content))
            + " " + _(_SCAN_DATAMATRIX)
        )


def _pack_from_elements(elements: list[GS1ElementString]) -> PackCode:
    """Apply the pack rules to parsed GS1 fields: GTIN + serial, no SSCC, no conflicts."""
    fields: dict[str, GS1ElementString] = {}
    for es in elements:
        seen = fields.get(es.ai.ai)
        if seen is not None and seen.value != es.value:
            name = _(_FIELD_NAMES[es.ai.ai]) if es.ai.ai in _FIELD_NAMES else f"AI {es.ai.ai}"
            raise DamagedCode(
                _("The code holds two different values for the {name}: {first} and {second}. "
                  "It cannot be trusted; report the pack.").format(
                    name=name, first=repr(seen.value), second=repr(es.value))
            )
        fields[es.ai.ai] = es
    if "00" in fields:
        raise NotAPackCode(
            _("This is a shipping case/pallet code (SSCC {sscc}), not a pack. Receive it as a "
              "shipment, or scan a single pack.").format(sscc=fields["00"].value)
        )
    gtin_field = fields.get("01")
    if gtin_field is None:
        raise NotAPackCode(
            _("This GS1 code has no product code (GTIN), so it does not identify a medicine "
              "pack.") + " " + _(_SCAN_DATAMATRIX)
        )
    gtin = validate_gtin(gtin_field.value)
    if "21" not in fields:
        raise NotAPackCode(
            _("This code names the product (GTIN {gtin}) but has no serial number: not a "
              "serialised medicine pack.").format(gtin=gtin) + " " + _(_SCAN_DATAMATRIX)
        )
    lot = fields.get("10")
    expiry = fields.get("17")
    return PackCode(
        gtin=gtin,
        serial=fields["21"].value,
        lot=lot.value if lot is not None else None,
        expiry=_expiry_date(expiry) if expiry is not None else None,
    )


def _expiry_date(es: GS1ElementString) -> date:
    if es.date is None:  # biip verifies dates; this only guards a changed config
        raise DamagedCode(_("The expiry date {value} is not a real date (YYMMDD).").format(
            value=es.value))
    return es.date


def _check_cset82(name: str, value: str) -> None:
    if not _CSET82.fullmatch(value):
        raise DamagedCode(
            _("The {name} {value} is not usable in a GS1 code: it needs 1 to 20 characters "
              "from letters, digits and {allowed} (no spaces).").format(
                name=name, value=repr(value), allowed="!\"%&'()*+,-./:;<=>?_")
        )


def _show(text: str, limit: int = 60) -> str:
    """A scan, shortened and with control characters made visible, for a message."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return "".join(ch if ch.isprintable() else f"<{ord(ch):02X}>" for ch in shown)
