"""Revocations: the consortium root's signed statement that a member certificate is revoked.

A revocation names the member's GLN and certificate serial and the size of its log that stays
valid; entries from that index on are rejected. It is canonical JSON (RFC 8785) signed with
the root key, and travels in bundles and sync like the member certificates.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supplychain.clock import as_utc, parse_iso, to_iso
from supplychain.errors import BadTimestamp, IdentityError, RevokedMember
from supplychain.i18n import _
from supplychain.identity.certificates import ConsortiumRoot, Member, check_member_gln
from supplychain.ids import GLN

__all__ = ["REVOCATION_TYPE", "Revocation", "sign_revocation"]

REVOCATION_TYPE = "supplychain.revocation.v1"

_MAX_JSON_INT = 2**53 - 1
_SERIAL_RE = re.compile(r"[1-9][0-9]{0,48}")  # X.509 serials are at most 20 bytes


def _check_iso_utc(value: object) -> str:
    if not isinstance(value, str):
        raise IdentityError(_("revoked_at must be an ISO 8601 string, got {value!r}")
                            .format(value=value))
    try:
        parsed = parse_iso(value)
    except BadTimestamp:
        raise IdentityError(_("revoked_at is not an ISO 8601 time with an offset: {value!r}")
                            .format(value=value)
                            ) from None
    if parsed.utcoffset() != timedelta(0):
        raise IdentityError(_("revoked_at must be UTC with an explicit offset: {value!r}")
                            .format(value=value))
    return value


def _check_int(value: object, label: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise IdentityError(_("{label} must be an integer >= {minimum}, got {value!r}")
                            .format(label=label, minimum=minimum, value=value))
    if maximum is not None and value > maximum:
        raise IdentityError(_("{label} must be at most {maximum}, got {value}")
                            .format(label=label, maximum=maximum, value=value))
    return value


_REVOCATION_FIELDS = frozenset(
    {"type", "gln", "cert_serial", "valid_log_size", "reason", "revoked_at", "signature"}
)


@dataclass(frozen=True)
class Revocation:
    """The consortium root's statement that a member certificate is revoked.

    Entries of the member's log at index >= `valid_log_size` are to be rejected.
    In JSON, `cert_serial` is a decimal string (serials exceed JSON's safe integers) and
    `signature` is standard base64.
    """

    gln: GLN
    cert_serial: int
    valid_log_size: int
    reason: str
    revoked_at: str
    signature: bytes

    def __post_init__(self) -> None:
        check_member_gln(self.gln)
        _check_int(self.cert_serial, "cert_serial", 1)
        _check_int(self.valid_log_size, "valid_log_size", 0, _MAX_JSON_INT)
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise IdentityError(_("a revocation needs a non-empty reason"))
        _check_iso_utc(self.revoked_at)
        if not isinstance(self.signature, bytes) or len(self.signature) != 64:
            raise IdentityError(_("a revocation signature must be 64 bytes"))

    def _fields(self) -> dict[str, Any]:
        return {
            "type": REVOCATION_TYPE,
            "gln": self.gln,
            "cert_serial": str(self.cert_serial),
            "valid_log_size": self.valid_log_size,
            "reason": self.reason,
            "revoked_at": self.revoked_at,
        }

    def signed_bytes(self) -> bytes:
        """Canonical JSON (RFC 8785) of every field but the signature, with a type tag."""
        return rfc8785.dumps(self._fields())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; `from_dict` reads it back."""
        return {**self._fields(), "signature": base64.b64encode(self.signature).decode("ascii")}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Revocation:
        """Strict inverse of `to_dict`: IdentityError on missing, extra or ill-typed fields."""
        if not isinstance(d, Mapping):
            raise IdentityError(_("a revocation must be a JSON object"))
        missing, extra = _REVOCATION_FIELDS - set(d), set(d) - _REVOCATION_FIELDS
        if missing or extra:
            raise IdentityError(
                _("malformed revocation: missing {value}, unexpected {value2}")
                .format(value=sorted(missing), value2=sorted(extra))
            )
        if d["type"] != REVOCATION_TYPE:
            raise IdentityError(_("not a revocation: type is {type!r}").format(type=d['type']))
        serial = d["cert_serial"]
        if not isinstance(serial, str) or not _SERIAL_RE.fullmatch(serial):
            raise IdentityError(_("cert_serial must be a decimal string, got {serial!r}")
                                .format(serial=serial))
        sig = d["signature"]
        try:
            signature = base64.b64decode(sig, validate=True) if isinstance(sig, str) else None
        except (binascii.Error, ValueError):
            signature = None
        if signature is None or base64.b64encode(signature).decode("ascii") != sig:
            raise IdentityError(_("revocation signature must be canonical base64"))
        return cls(
            gln=d["gln"],
            cert_serial=int(serial),
            valid_log_size=d["valid_log_size"],
            reason=d["reason"],
            revoked_at=d["revoked_at"],
            signature=signature,
        )

    def verify(self, root_cert: x509.Certificate) -> None:
        """Raise IdentityError unless the consortium root signed this revocation."""
        root = ConsortiumRoot.from_certificate(root_cert)
        try:
            root.public_key.verify(self.signature, self.signed_bytes())
        except _CryptoInvalidSignature:
            raise IdentityError(_("revocation not signed by the consortium root")) from None

    def applies_to(self, member: Member) -> bool:
        """True if this revocation names `member`'s GLN and certificate serial."""
        return member.info.gln == self.gln and member.serial == self.cert_serial

    def check_entry(self, member: Member, index: int) -> None:
        """Raise RevokedMember if entry `index` of `member`'s log falls under this revocation."""
        if self.applies_to(member) and index >= self.valid_log_size:
            raise RevokedMember(
                _("{name} ({gln}) was revoked on {revoked_at} "
                  "({reason}); log entries from index {valid_log_size} are rejected")
                .format(name=member.info.name, gln=self.gln, revoked_at=self.revoked_at,
                        reason=self.reason, valid_log_size=self.valid_log_size)
            )


def sign_revocation(
    root_key: Ed25519PrivateKey,
    gln: GLN,
    cert_serial: int,
    valid_log_size: int,
    reason: str,
    revoked_at: datetime | None = None,
) -> Revocation:
    """Sign a revocation with the consortium root key; `revoked_at` defaults to now."""
    stamp = to_iso(as_utc(revoked_at))
    unsigned = Revocation(gln, cert_serial, valid_log_size, reason, stamp, bytes(64))
    return Revocation(
        gln, cert_serial, valid_log_size, reason, stamp, root_key.sign(unsigned.signed_bytes())
    )
