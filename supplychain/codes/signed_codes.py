"""Signed pack codes: offline evidence that a manufacturer issued a code.

A manufacturer may add a short Ed25519 signature to a label's GS1 Digital Link URI, over
the pack's identity (GTIN, serial, lot, expiry). A node that is offline, or whose copy of
the ledger is stale, can then tell a code the manufacturer really issued from a made-up
one, with nothing but the manufacturer's member certificate.

Canonical message (`code_signing_bytes`): the RFC 8785 JSON of
``{"type": "supplychain.code.v1", "gtin": <14 digits>, "serial": ..., "lot": <lot or "">,
"expiry": <YYYY-MM-DD or "">}``. The resolver domain is not signed: the same pack may be
relabelled under another resolver without losing its signature.

On the label, two extra query parameters follow the GS1 ones:
``...?10=<lot>&17=<yymmdd>&sig=<86 chars>&kid=<16 hex>``. GS1 Digital Link lets a URI
carry non-GS1 key=value pairs (their keys must not be all digits), and
`supplychain.gs1.parse_pack_code` ignores them, so a signed URI still scans as an ordinary
pack code everywhere. ``sig`` is the full 64-byte Ed25519 signature in unpadded base64url
(86 characters; a signature is never truncated: that would weaken it below its 128-bit
security level); ``kid`` is the signer's key id (`Member.key_id`), so a verifier can pick the
certificate. This adds 112 characters: an ~80-character URI grows from QR version 5 to 9 or
10 (at error correction M), from 15.7 mm to 22.4-24.1 mm wide at 0.4233 mm per module.

In a GS1 DataMatrix (an element string, no URI to carry query parameters) the same
signature travels in two more GS1 fields after the pack's own:
``01<gtin>17<yymmdd>10<lot><GS>21<serial><GS>8030<86 chars><GS>91<16 hex>``. AI 8030 is
GS1's "Digital Signature (DigSig)" field, made for a signature over the other data in the
same symbol; its character set (GS1 "cset 64") is exactly unpadded base64url, up to 90
characters, so the 86-character signature fits unchanged. The key id rides in AI 91
("company internal information", which the brand owner defines): GS1 gives no field for a
signer's key id, and 8030's 90 characters cannot hold both. The signed message is this
ledger's own (Ed25519 over the canonical JSON above), not GS1's DigSig profile: a verifier
that only knows GS1 DigSig cannot check it. Every GS1 parser reads both fields as ordinary
data, so a signed Data Matrix still scans as a plain pack code anywhere; it grows the
symbol from 22 x 22 (32 x 32 with 20-character serial and lot) to 44 x 44 (48 x 48) modules,
from 7.5 to 14.9 mm (10.8 to 16.3 mm) at 0.3387 mm per module. `split_signature` reads both forms.

What it does NOT prove: that this physical pack is the one the code was printed on. A
copied (cloned) code carries a valid signature too. Clones are caught by the ledger, not
here: a second dispense is `already_dispensed`, a second custody path is a forked chain.
The signature only rules out codes that the manufacturer never issued.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import rfc8785
from biip import ParseError
from biip.gs1_element_strings import GS1ElementString
from biip.symbology import SymbologyIdentifier
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
)

from supplychain.codes.gs1 import GS, PackCode, gtin_in_prefix, split_symbology_identifier
from supplychain.codes.scanner_text import DEFAULT_GS_SUBSTITUTES
from supplychain.errors import DamagedCode, IdentityError, InvalidSignature
from supplychain.i18n import _
from supplychain.identity import keys
from supplychain.identity.certificates import Member, Role
from supplychain.identity.keys import sign, verify_signature

__all__ = [
    "CODE_SIGNATURE_TYPE",
    "KEY_ID_AI",
    "KEY_ID_PARAM",
    "SIGNATURE_AI",
    "SIGNATURE_PARAM",
    "CodeSignature",
    "code_signature",
    "code_signing_bytes",
    "sign_code",
    "signed_element_string",
    "split_signature",
    "verify_code_signature",
]

CODE_SIGNATURE_TYPE = "supplychain.code.v1"
"""Domain-separation tag inside every signed code message."""

SIGNATURE_PARAM = "sig"
KEY_ID_PARAM = "kid"
SIGNATURE_AI = "8030"
"""GS1 AI of the signature in an element string (Digital Signature, DigSig)."""
KEY_ID_AI = "91"
"""GS1 AI of the signer's key id in an element string (company internal information)."""

_SIG_LEN = 64
_SIG_B64_LEN = 86
_KEY_ID_RE = re.compile(r"[0-9a-f]{16}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]{86}")


@dataclass(frozen=True)
class CodeSignature:
    """A manufacturer's signature over one pack code, as carried in its label's URI."""

    key_id: str
    """The signer's key id: 16 lower-case hex characters (`Member.key_id`)."""
    signature: bytes
    """The 64-byte Ed25519 signature over `code_signing_bytes(code)`."""

    def __post_init__(self) -> None:
        if not isinstance(self.key_id, str) or not _KEY_ID_RE.fullmatch(self.key_id):
            raise DamagedCode(
                _("The code's signing key id {key_id} is damaged: it should be 16 lower-case "
                  "hex characters. Scan it again; if it keeps failing, report the "
                  "label.").format(key_id=repr(self.key_id))
            )
        if not isinstance(self.signature, bytes) or len(self.signature) != _SIG_LEN:
            raise DamagedCode(
                _("The code's manufacturer signature is damaged: it should be 64 bytes. "
                  "Scan it again; if it keeps failing, report the label.")
            )

    def to_query(self) -> str:
        """The query parameters as a label carries them: 'sig=<b64url>&kid=<hex>'."""
        return f"{SIGNATURE_PARAM}={_b64url(self.signature)}&{KEY_ID_PARAM}={self.key_id}"

    def to_elements(self) -> str:
        """The GS1 fields as a Data Matrix carries them: '8030<b64url><GS>91<hex>'."""
        return f"{SIGNATURE_AI}{_b64url(self.signature)}{GS}{KEY_ID_AI}{self.key_id}"

    @classmethod
    def parse(cls, sig: str, kid: str) -> CodeSignature:
        """Strict inverse of `to_query`'s values: DamagedCode unless both are canonical."""
        if not _B64URL_RE.fullmatch(sig):
            raise DamagedCode(
                _("The code's manufacturer signature is damaged: it should be {expected} "
                  "characters of base64url, got {found}. Scan it again; if it keeps failing, "
                  "report the label.").format(expected=_SIG_B64_LEN, found=len(sig))
            )
        try:
            raw = base64.urlsafe_b64decode(sig + "==")
        except (binascii.Error, ValueError) as exc:  # pragma: no cover - the regex rules it out
            raise DamagedCode(_("The code's manufacturer signature is damaged.")) from exc
        if _b64url(raw) != sig:
            raise DamagedCode(
                _("The code's manufacturer signature is damaged: its last character is not "
                  "a valid ending. Scan it again; if it keeps failing, report the label.")
            )
        return cls(kid, raw)


def code_signing_bytes(code: PackCode) -> bytes:
    """The exact bytes a manufacturer signs for `code` (RFC 8785 canonical JSON)."""
    return rfc8785.dumps(
        {
            "type": CODE_SIGNATURE_TYPE,
            "gtin": code.gtin,
            "serial": code.serial,
            "lot": code.lot if code.lot is not None else "",
            "expiry": code.expiry.isoformat() if code.expiry is not None else "",
        }
    )


def sign_code(
    code: PackCode, key: Ed25519PrivateKey, key_id: str, domain: str = "https://id.gs1.org"
) -> str:
    """The pack's Digital Link URI with the manufacturer's signature appended (sig, kid).

    `key_id` must be the id of `key`'s public key (`Member.key_id` of the signer's
    certificate); IdentityError otherwise, since such a label could never verify.
    """
    signature = code_signature(code, key, key_id)
    uri = code.to_digital_link(domain)
    return f"{uri}{'&' if '?' in uri else '?'}{signature.to_query()}"


def code_signature(code: PackCode, key: Ed25519PrivateKey, key_id: str) -> CodeSignature:
    """The manufacturer's signature over `code`; IdentityError unless `key_id` is `key`'s."""
    own_id = keys.key_id(key.public_key())
    if key_id != own_id:
        raise IdentityError(
            _("Key id {key_id!r} does not belong to the signing key (its id is {own_id}); "
              "use the key id of the manufacturer's own certificate.")
            .format(key_id=key_id, own_id=own_id)
        )
    return CodeSignature(key_id, sign(key, code_signing_bytes(code)))


def signed_element_string(code: PackCode, signature: CodeSignature) -> str:
    """The pack's GS1 element string with the signature fields (8030, 91) after it."""
    return f"{code.to_element_string()}{GS}{signature.to_elements()}"


def split_signature(text: str) -> tuple[str, CodeSignature | None]:
    """Split a scanned code into (code without sig/kid, signature or None).

    A Digital Link carries the signature as the query parameters sig and kid; an element
    string (GS1 DataMatrix) as the fields 8030 and 91. Text with no signature comes back
    unchanged with None. A leading symbology identifier (e.g. ']Q1', ']d2') is kept, and so
    are all other query parameters or GS1 fields, in their order. Raises DamagedCode when
    only one of sig/kid (8030/91) is present, either appears twice, or either is malformed.
    """
    symbology, stripped = split_symbology_identifier(text.strip())
    if not re.match(r"(?i)https?://", stripped):
        return _split_element_string(text, symbology, stripped)
    try:
        parts = urlsplit(stripped)
    except ValueError:
        return text, None
    pairs = parts.query.split("&") if parts.query else []
    keep: list[str] = []
    found: dict[str, list[str]] = {SIGNATURE_PARAM: [], KEY_ID_PARAM: []}
    for pair in pairs:
        name, _sep, value = pair.partition("=")
        if name in found:
            found[name].append(value)
        else:
            keep.append(pair)
    sigs, kids = found[SIGNATURE_PARAM], found[KEY_ID_PARAM]
    if not sigs and not kids:
        return text, None
    if len(sigs) != 1 or len(kids) != 1:
        raise DamagedCode(
            _("The code's manufacturer signature is incomplete or repeated: it needs exactly "
              "one '{sig}' and one '{kid}'. Scan it again; if it keeps failing, report the "
              "label.").format(sig=SIGNATURE_PARAM, kid=KEY_ID_PARAM)
        )
    signature = CodeSignature.parse(sigs[0], kids[0])
    rest = urlunsplit(parts._replace(query="&".join(keep)))
    return (str(symbology) if symbology is not None else "") + rest, signature


def _split_element_string(
    text: str, symbology: SymbologyIdentifier | None, content: str
) -> tuple[str, CodeSignature | None]:
    """The element-string half of `split_signature`: fields 8030 (signature) and 91 (key id).

    A scanner may type GS as one of the usual substitutes ('<GS>'); they are read as GS here.
    Text that does not split into GS1 fields, or has no field 8030, comes back unchanged
    (AI 91 alone is some other company-internal datum, not ours).
    """
    for substitute in DEFAULT_GS_SUBSTITUTES:
        content = content.replace(substitute, GS)
    fields: list[GS1ElementString] = []
    rest = content.strip()
    while rest:
        try:
            element = GS1ElementString.extract(rest)
        except (ParseError, ValueError):
            return text, None
        fields.append(element)
        rest = rest[len(element):].lstrip(GS)
    sigs = [f.value for f in fields if f.ai.ai == SIGNATURE_AI]
    kids = [f.value for f in fields if f.ai.ai == KEY_ID_AI]
    if not sigs:
        return text, None
    if len(sigs) != 1 or len(kids) != 1:
        raise DamagedCode(
            _("The code's manufacturer signature is incomplete or repeated: it needs exactly "
              "one field ({sig}) and one field ({kid}). Scan it again; if it keeps failing, "
              "report the label.").format(sig=SIGNATURE_AI, kid=KEY_ID_AI)
        )
    signature = CodeSignature.parse(sigs[0], kids[0])
    keep = [f for f in fields if f.ai.ai not in (SIGNATURE_AI, KEY_ID_AI)]
    rebuilt = "".join(f"{f.ai.ai}{f.value}{GS if f.ai.separator_required else ''}"
                      for f in keep).rstrip(GS)
    return (str(symbology) if symbology is not None else "") + rebuilt, signature


def verify_code_signature(code: PackCode, sig: CodeSignature, manufacturer: Member) -> None:
    """Raise InvalidSignature unless `manufacturer` signed `code` with its certificate's key.

    `manufacturer` must come from `identity.verify_member_certificate`: a manufacturer
    whose GS1 company prefixes own the code's GTIN, with the key named by `sig.key_id`.
    """
    info = manufacturer.info
    if info.role is not Role.MANUFACTURER:
        raise InvalidSignature(
            _("{name} is a {role}, not a manufacturer: only the manufacturer "
              "of a pack can vouch for its code.").format(name=info.name, role=info.role.value)
        )
    if not any(gtin_in_prefix(code.gtin, prefix) for prefix in info.prefixes):
        raise InvalidSignature(
            _("{name} does not own the product code (GTIN) {gtin}: its GS1 company "
              "prefixes are {prefixes}. The code was not issued by {name}.")
            .format(name=info.name, gtin=code.gtin, prefixes=", ".join(info.prefixes))
        )
    if sig.key_id != manufacturer.key_id:
        raise InvalidSignature(
            _("This code was signed with key {key_id}, not with {name}'s key "
              "{own_key}: the code was not issued by {name}, or under a "
              "certificate this node does not hold.")
            .format(key_id=sig.key_id, name=info.name, own_key=manufacturer.key_id)
        )
    try:
        verify_signature(manufacturer.public_key, code_signing_bytes(code), sig.signature)
    except InvalidSignature:
        raise InvalidSignature(
            _("This code's manufacturer signature does not match: the code was not issued by "
              "{name}.").format(name=info.name)
        ) from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
