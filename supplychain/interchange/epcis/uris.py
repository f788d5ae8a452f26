"""Identifiers in EPCIS: EPC pure-identity URIs (GS1 EPC Tag Data Standard) and GS1 Digital
Link URIs, both ways.

Packs are SGTIN URNs, lots LGTIN class URNs, sites SGLN and parties PGLN URNs, cases and pallets
SSCC URNs. ``PrefixResolver`` picks the company prefix length a URN needs, or falls back to a
Digital Link when no one knows it. Pure: text in, text, ``PackCode`` or ``ContainerCode`` out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, unquote

from biip.gs1_prefixes import GS1CompanyPrefix

from supplychain.codes.gs1 import (
    PackCode,
    gtin_check_digit,
    gtin_in_prefix,
    parse_pack_code,
    validate_gln,
    validate_gtin,
)
from supplychain.codes.sscc import ContainerCode, check_sscc, sscc_in_prefix
from supplychain.errors import CodeError, EpcisError
from supplychain.i18n import _
from supplychain.identity.certificates import MemberInfo
from supplychain.ids import GLN, GTIN, SSCC
from supplychain.ledger.containers import sscc_owner_prefixes
from supplychain.ledger.events import is_container_key

DIGITAL_LINK_DOMAIN = "https://id.gs1.org"
MIN_PREFIX, MAX_PREFIX = 6, 12  # GS1 company prefix lengths the EPC Tag Data Standard allows

_EPC_SAFE = re.compile(r"[A-Za-z0-9!'()*+,\-.:;=_]")
_EPC_ESCAPE = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E",
               "?": "%3F"}
_EPC_UNESCAPE = {code[1:]: ch for ch, code in _EPC_ESCAPE.items()}


def escape_epc(text: str) -> str:
    """Escape a serial or lot for an EPC pure-identity URI: the seven characters of GS1 set 82
    that a URN cannot carry become %22 %25 %26 %2F %3C %3E %3F; every other character must be
    one the URN carries as it is."""
    out: list[str] = []
    for ch in text:
        if ch in _EPC_ESCAPE:
            out.append(_EPC_ESCAPE[ch])
        elif _EPC_SAFE.fullmatch(ch):
            out.append(ch)
        else:
            raise EpcisError(_("{text!r} holds {ch!r}, which no EPC URI can carry (GS1 "
                               "character set 82 only).").format(text=text, ch=ch))
    return "".join(out)


def unescape_epc(text: str, what: str) -> str:
    """Undo ``escape_epc`` strictly: only the seven escapes, only URN-safe characters."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            code = text[i + 1:i + 3].upper()
            if code not in _EPC_UNESCAPE:
                raise EpcisError(_("The {what} holds '%{value}', not one of the "
                                   "escapes an EPC URI allows (%22 %25 %26 %2F %3C %3E %3F).")
                                 .format(what=what, value=text[i + 1:i + 3]))
            out.append(_EPC_UNESCAPE[code])
            i += 3
        elif _EPC_SAFE.fullmatch(ch):
            out.append(ch)
            i += 1
        else:
            raise EpcisError(_("The {what} holds {ch!r}, which an EPC URI must not contain.")
                             .format(what=what, ch=ch))
    if not out:
        raise EpcisError(_("The {what} is empty.").format(what=what))
    return "".join(out)


def _check_prefix_length(length: int) -> None:
    if not MIN_PREFIX <= length <= MAX_PREFIX:
        raise EpcisError(_("A GS1 company prefix has {min_prefix} to {max_prefix} digits in an "
                           "EPC URI, not {length}.")
                         .format(min_prefix=MIN_PREFIX, max_prefix=MAX_PREFIX, length=length))


def sgtin_uri(gtin: str, serial: str, prefix_length: int) -> str:
    """``urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial`` for a GTIN-14 and serial."""
    _check_prefix_length(prefix_length)
    item = gtin[0] + gtin[1 + prefix_length:13]
    return f"urn:epc:id:sgtin:{gtin[1:1 + prefix_length]}.{item}.{escape_epc(serial)}"


def lgtin_uri(gtin: str, lot: str, prefix_length: int) -> str:
    """``urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot``: one lot of one product."""
    _check_prefix_length(prefix_length)
    item = gtin[0] + gtin[1 + prefix_length:13]
    return f"urn:epc:class:lgtin:{gtin[1:1 + prefix_length]}.{item}.{escape_epc(lot)}"


def sgln_uri(gln: str, prefix_length: int, extension: str = "0") -> str:
    """``urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension`` ("0": no extension)."""
    _check_prefix_length(prefix_length)
    return f"urn:epc:id:sgln:{gln[:prefix_length]}.{gln[prefix_length:12]}.{extension}"


def pgln_uri(gln: str, prefix_length: int) -> str:
    """``urn:epc:id:pgln:CompanyPrefix.PartyRef``: a GLN naming a party, not a place."""
    _check_prefix_length(prefix_length)
    return f"urn:epc:id:pgln:{gln[:prefix_length]}.{gln[prefix_length:12]}"


def sscc_uri(sscc: str, prefix_length: int) -> str:
    """``urn:epc:id:sscc:CompanyPrefix.SerialReference`` for an 18-digit SSCC: the serial
    reference starts with the SSCC's extension digit; the check digit is left out."""
    _check_prefix_length(prefix_length)
    return f"urn:epc:id:sscc:{sscc[1:1 + prefix_length]}.{sscc[0]}{sscc[1 + prefix_length:17]}"


EpcCode = PackCode | ContainerCode
"""What an EPC in an event names: a pack, or a case or pallet."""


def epc_key(code: EpcCode) -> str:
    """The ledger's item key of a pack ('<gtin14>/<serial>') or a case (its 18-digit SSCC)."""
    return code.key if isinstance(code, PackCode) else code.sscc


_SGTIN = re.compile(r"urn:epc:id:sgtin:([0-9]+)\.([0-9]+)\.(.*)")
_LGTIN = re.compile(r"urn:epc:class:lgtin:([0-9]+)\.([0-9]+)\.(.*)")
_SGLN = re.compile(r"urn:epc:id:sgln:([0-9]+)\.([0-9]*)\.(.+)")
_PGLN = re.compile(r"urn:epc:id:pgln:([0-9]+)\.([0-9]*)")
_SSCC = re.compile(r"urn:epc:id:sscc:([0-9]+)\.([0-9]+)")
_DL_SSCC = re.compile(r"(?i)https?://[^?#]+?/00/([^/?#]*)/?")
_DL_GLN = re.compile(r"https?://[^?#]+?/(414|417)/([0-9]+)(?:/254/[^/?#]+)?/?")
_DL_LOT = re.compile(r"https?://[^?#]+?/01/([0-9]+)/10/([^/?#]+)/?")


def _gtin_from_parts(prefix: str, item: str, uri: str) -> GTIN:
    if not MIN_PREFIX <= len(prefix) <= MAX_PREFIX or len(prefix) + len(item) != 13:
        raise EpcisError(_("{uri}: the company prefix ({min_prefix}-{max_prefix} digits) and the "
                           "indicator + item reference must have 13 digits together.")
                         .format(uri=uri, min_prefix=MIN_PREFIX, max_prefix=MAX_PREFIX))
    body = item[0] + prefix + item[1:]
    return GTIN(body + gtin_check_digit(body))


def parse_sgtin(uri: str) -> tuple[GTIN, str]:
    """(GTIN-14, serial) of an SGTIN URN; EpcisError naming the fault if it is malformed."""
    m = _SGTIN.fullmatch(uri)
    if m is None:
        raise EpcisError(_("{uri!r} is not an SGTIN URN (urn:epc:id:sgtin:Prefix.Item.Serial).")
                         .format(uri=uri))
    gtin = _gtin_from_parts(m.group(1), m.group(2), uri)
    return gtin, unescape_epc(m.group(3), f"serial of {uri}")


def parse_lgtin(uri: str) -> tuple[GTIN, str]:
    """(GTIN-14, lot) of an LGTIN class URN or a GS1 Digital Link ``/01/<gtin>/10/<lot>``."""
    m = _LGTIN.fullmatch(uri)
    if m is not None:
        return _gtin_from_parts(m.group(1), m.group(2), uri), unescape_epc(m.group(3),
                                                                           f"lot of {uri}")
    d = _DL_LOT.fullmatch(uri)
    if d is not None:
        try:
            code = PackCode(validate_gtin(d.group(1)), "0", unquote(d.group(2)))
        except CodeError as exc:
            raise EpcisError(_("{uri}: {exc}").format(uri=uri, exc=exc)) from None
        assert code.lot is not None
        return code.gtin, code.lot
    raise EpcisError(_("{uri!r} names no lot of a product (expected urn:epc:class:lgtin:... or "
                       "a GS1 Digital Link with /01/<GTIN>/10/<lot>).").format(uri=uri))


def parse_gln_uri(uri: str) -> GLN:
    """The GLN of an SGLN or PGLN URN or a Digital Link /414/ or /417/ (extension ignored)."""
    for pattern in (_SGLN, _PGLN):
        m = pattern.fullmatch(uri)
        if m is not None:
            prefix, ref = m.group(1), m.group(2)
            if not MIN_PREFIX <= len(prefix) <= MAX_PREFIX or len(prefix) + len(ref) != 12:
                raise EpcisError(_("{uri}: the company prefix and the location/party reference "
                                   "must have 12 digits together.").format(uri=uri))
            return GLN(prefix + ref + gtin_check_digit(prefix + ref))
    d = _DL_GLN.fullmatch(uri)
    if d is not None:
        try:
            return validate_gln(d.group(2))
        except CodeError as exc:
            raise EpcisError(_("{uri}: {exc}").format(uri=uri, exc=exc)) from None
    raise EpcisError(_("{uri!r} names no GLN (expected urn:epc:id:sgln:..., urn:epc:id:pgln:... "
                       "or a GS1 Digital Link with /414/ or /417/).").format(uri=uri))


def parse_sscc_epc(uri: Any) -> SSCC:
    """The SSCC of a case or pallet: an SSCC URN or a GS1 Digital Link ``/00/<sscc>``."""
    if not isinstance(uri, str):
        raise EpcisError(_("{uri!r} is not an identifier.").format(uri=uri))
    m = _SSCC.fullmatch(uri)
    if m is not None:
        prefix, reference = m.group(1), m.group(2)
        if not MIN_PREFIX <= len(prefix) <= MAX_PREFIX or len(prefix) + len(reference) != 17:
            raise EpcisError(_("{uri}: the company prefix ({min_prefix}-{max_prefix} digits) and "
                               "the serial reference must have 17 digits together.")
                             .format(uri=uri, min_prefix=MIN_PREFIX, max_prefix=MAX_PREFIX))
        body = reference[0] + prefix + reference[1:]
        return SSCC(body + gtin_check_digit(body))
    d = _DL_SSCC.fullmatch(uri)
    if d is not None:
        try:
            return check_sscc(d.group(1))
        except CodeError as exc:
            raise EpcisError(_("{uri}: {exc}").format(uri=uri, exc=exc)) from None
    raise EpcisError(_("{uri!r} names no case or pallet (expected urn:epc:id:sscc:... or a GS1 "
                       "Digital Link with /00/<SSCC>).").format(uri=uri))


def _is_sscc_epc(uri: str) -> bool:
    return uri.startswith("urn:epc:id:sscc:") or (
        "/01/" not in uri and _DL_SSCC.fullmatch(uri) is not None)


def parse_epc(uri: Any) -> EpcCode:
    """What an epcList or childEPCs entry names: a pack (``parse_pack_epc``) or a case or
    pallet (``parse_sscc_epc``)."""
    if isinstance(uri, str) and _is_sscc_epc(uri):
        return ContainerCode(parse_sscc_epc(uri))
    return parse_pack_epc(uri)


def parse_epcs(epcs: Sequence[Any], field: str) -> list[EpcCode]:
    """Every entry of an epcList or childEPCs (``field`` names it in messages), parsed by
    ``parse_epc``; the first three faults, with their positions, in one EpcisError."""
    codes: list[EpcCode] = []
    problems: list[str] = []
    for i, uri in enumerate(epcs):
        try:
            codes.append(parse_epc(uri))
        except EpcisError as exc:
            problems.append(f"{field}[{i}]: {exc}")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise EpcisError("; ".join(problems[:3]) + more)
    return codes


def parse_pack_epc(uri: Any) -> PackCode:
    """The pack an epcList entry names: SGTIN URN or GS1 Digital Link (lot/expiry kept)."""
    if not isinstance(uri, str):
        raise EpcisError(_("{uri!r} is not an identifier.").format(uri=uri))
    if uri.startswith("urn:epc:id:sgtin:"):
        gtin, serial = parse_sgtin(uri)
        try:
            return PackCode(gtin, serial)
        except CodeError as exc:
            raise EpcisError(_("{uri}: {exc}").format(uri=uri, exc=exc)) from None
    if _is_sscc_epc(uri):
        raise EpcisError(_("{uri} is a case or pallet (SSCC), not a pack: only packing, "
                           "unpacking, shipping, receiving and destroying name cases.")
                         .format(uri=uri))
    if uri.startswith("urn:epc:"):
        raise EpcisError(_("{uri} is not a serialised trade item (SGTIN) nor a case or pallet "
                           "(SSCC); the ledger holds packs and their cases only.").format(uri=uri))
    if re.match(r"(?i)https?://", uri):
        try:
            return parse_pack_code(uri)
        except CodeError as exc:
            raise EpcisError(_("{uri}: {exc}").format(uri=uri, exc=exc)) from None
    raise EpcisError(_("{uri!r} is neither an EPC URI nor a GS1 Digital Link.").format(uri=uri))


class PrefixResolver:
    """Chooses the GS1 company prefix length that EPC URIs need.

    For a GTIN: the longest company prefix of a known manufacturer certificate that owns it;
    for a GLN: the longest prefix of its own member's certificate that it starts with; for an
    SSCC: the longest prefix under which its packer (when named), else any member, builds
    cases (``ledger.containers.sscc_owner_prefixes``). Else biip's table of GS1 prefix lengths.
    When neither knows, the identifier is written as a GS1 Digital Link URI instead (EPCIS 2.0
    accepts both forms), so nothing is ever guessed.
    """

    def __init__(self, members: Iterable[MemberInfo], domain: str = DIGITAL_LINK_DOMAIN) -> None:
        members = list(members)
        self.domain = domain.rstrip("/")
        self._all = sorted({p for m in members for p in m.prefixes}, key=len, reverse=True)
        self._own: dict[str, list[str]] = {
            m.gln: sorted(m.prefixes, key=len, reverse=True) for m in members}
        self._packers: dict[str, list[str]] = {
            m.gln: sorted(sscc_owner_prefixes(m), key=len, reverse=True) for m in members}
        self._all_packers = sorted({p for ps in self._packers.values() for p in ps}, key=len,
                                   reverse=True)

    def gtin_prefix(self, gtin: str) -> str | None:
        for prefix in self._all:
            if MIN_PREFIX <= len(prefix) <= MAX_PREFIX and gtin_in_prefix(GTIN(gtin), prefix):
                return prefix
        return _biip_prefix(gtin[1:])

    def gln_prefix(self, gln: str) -> str | None:
        for prefix in self._own.get(gln, []):
            if MIN_PREFIX <= len(prefix) <= MAX_PREFIX and gln.startswith(prefix):
                return str(prefix)
        return _biip_prefix(gln)

    def sscc_prefix(self, sscc: str, packer: str | None = None) -> str | None:
        for prefix in [*self._packers.get(packer or "", []), *self._all_packers]:
            if MIN_PREFIX <= len(prefix) <= MAX_PREFIX and sscc_in_prefix(SSCC(sscc), prefix):
                return prefix
        return _biip_prefix(sscc[1:])

    def container(self, sscc: str, packer: str | None = None) -> str:
        """The EPC of a case or pallet; ``packer``: the member that packs it, if known."""
        prefix = self.sscc_prefix(sscc, packer)
        if prefix is None:
            return f"{self.domain}/00/{sscc}"
        return sscc_uri(sscc, len(prefix))

    def item(self, key: str, packer: str | None = None) -> str:
        """The EPC of a ledger item key: a pack's SGTIN or a case's SSCC."""
        if is_container_key(key):
            return self.container(key, packer)
        gtin, _sep, serial = key.partition("/")
        return self.pack(gtin, serial)

    def pack(self, gtin: str, serial: str) -> str:
        prefix = self.gtin_prefix(gtin)
        if prefix is None:
            return f"{self.domain}/01/{gtin}/21/{quote(serial, safe='')}"
        return sgtin_uri(gtin, serial, len(prefix))

    def lot_class(self, gtin: str, lot: str) -> str:
        prefix = self.gtin_prefix(gtin)
        if prefix is None:
            return f"{self.domain}/01/{gtin}/10/{quote(lot, safe='')}"
        return lgtin_uri(gtin, lot, len(prefix))

    def location(self, gln: str) -> str:
        prefix = self.gln_prefix(gln)
        return f"{self.domain}/414/{gln}" if prefix is None else sgln_uri(gln, len(prefix))

    def party(self, gln: str) -> str:
        prefix = self.gln_prefix(gln)
        return f"{self.domain}/417/{gln}" if prefix is None else pgln_uri(gln, len(prefix))


def _biip_prefix(digits13: str) -> str | None:
    found = GS1CompanyPrefix.extract(digits13)
    if found is None or not MIN_PREFIX <= len(found.value) <= MAX_PREFIX:
        return None
    return str(found.value)

