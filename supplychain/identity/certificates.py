"""Consortium identity: the root CA, member certificates, private keys and revocations.

The consortium root (held by the regulator) signs one X.509 certificate per member. The
certificate carries the member's name (subject O and CN), its GLN (subject serialNumber), and,
in a private non-critical extension, the canonical JSON (RFC 8785) of its GLN, role and GS1
company prefixes. Every key is Ed25519. All cryptography comes from the `cryptography` package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.x509.oid import NameOID, ObjectIdentifier

from supplychain.errors import (
    IdentityError,
    InvalidCertificate,
    InvalidSignature,
    NoPassphrase,
    RevokedMember,
    WrongPassphrase,
)
from supplychain.files import write_atomically
from supplychain.ids import GLN

__all__ = [
    "MEMBER_INFO_OID",
    "PASSPHRASE_ENV",
    "REVOCATION_TYPE",
    "ConsortiumRoot",
    "Member",
    "MemberInfo",
    "Revocation",
    "Role",
    "create_root",
    "generate_member_key",
    "issue_member_certificate",
    "load_certificate",
    "load_private_key",
    "resolve_passphrase",
    "save_private_key",
    "sign",
    "sign_revocation",
    "verify_member_certificate",
    "verify_signature",
]

MEMBER_INFO_OID = ObjectIdentifier("1.3.6.1.4.1.55555.1.1")
"""Private extension carrying rfc8785 JSON {"gln", "role", "prefixes"} of a member."""

PASSPHRASE_ENV = "SUPPLYCHAIN_PASSPHRASE"
REVOCATION_TYPE = "supplychain.revocation.v1"

_CLOCK_SKEW = timedelta(minutes=5)
_MAX_NAME = 64  # X.509 upper bound for CommonName; `cryptography` counts UTF-8 bytes
_MAX_JSON_INT = 2**53 - 1
_PREFIX_RE = re.compile(r"[0-9]{4,12}")
_GLN_RE = re.compile(r"[0-9]{13}")
_SERIAL_RE = re.compile(r"[1-9][0-9]*")


class Role(str, Enum):
    """What a member may do in the supply chain."""

    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"
    PHARMACY = "pharmacy"
    REGULATOR = "regulator"


# --- small checks ---------------------------------------------------------------
def _check_gln(value: object) -> GLN:
    """Return `value` as a GLN if it is 13 digits with a valid GS1 mod-10 check digit."""
    if not isinstance(value, str) or not _GLN_RE.fullmatch(value):
        raise IdentityError(f"GLN must be 13 digits, got {value!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(value[:12]))
    if (10 - total % 10) % 10 != int(value[12]):
        raise IdentityError(f"GLN {value} has a wrong check digit")
    return GLN(value)


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name or name != name.strip():
        raise IdentityError(f"name must be non-empty text without outer spaces, got {name!r}")
    if len(name.encode("utf-8")) > _MAX_NAME or not name.isprintable():
        raise IdentityError(
            f"name must be printable and at most {_MAX_NAME} bytes in UTF-8: {name!r}"
        )
    return name


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("time must be timezone-aware")
    return at.astimezone(UTC)


# --- member information -------------------------------------------------------
@dataclass(frozen=True)
class MemberInfo:
    """Who a member is: name, GLN, role and (manufacturers only) GS1 company prefixes."""

    name: str
    gln: GLN
    role: Role
    prefixes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_gln(self.gln)
        try:
            object.__setattr__(self, "role", Role(self.role))
        except ValueError:
            raise IdentityError(f"unknown role {self.role!r}") from None
        if not isinstance(self.prefixes, tuple | list):
            raise IdentityError("prefixes must be a tuple of digit strings")
        object.__setattr__(self, "prefixes", tuple(self.prefixes))
        for prefix in self.prefixes:
            if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
                raise IdentityError(f"GS1 company prefix must be 4 to 12 digits, got {prefix!r}")
        if len(set(self.prefixes)) != len(self.prefixes):
            raise IdentityError(f"duplicate GS1 company prefix in {self.prefixes}")
        if self.role is Role.MANUFACTURER and not self.prefixes:
            raise IdentityError("a manufacturer needs at least one GS1 company prefix")
        if self.role is not Role.MANUFACTURER and self.prefixes:
            raise IdentityError(
                f"only a manufacturer may hold GS1 company prefixes, not a {self.role.value}"
            )

    def extension_bytes(self) -> bytes:
        """The canonical JSON stored in the certificate's private extension."""
        return rfc8785.dumps(
            {"gln": self.gln, "role": self.role.value, "prefixes": list(self.prefixes)}
        )


@dataclass(frozen=True)
class Member:
    """A member certificate that verified against the consortium root."""

    info: MemberInfo
    certificate: x509.Certificate
    public_key: Ed25519PublicKey = field(compare=False)

    @property
    def serial(self) -> int:
        """The certificate serial number."""
        return self.certificate.serial_number

    @property
    def cert_pem(self) -> bytes:
        """The certificate as PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def key_id(self) -> str:
        """First 16 hex characters of SHA-256 over the raw 32-byte public key."""
        return _key_id(self.public_key)


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public_key)).hexdigest()[:16]


@dataclass(frozen=True)
class ConsortiumRoot:
    """The consortium's self-signed CA certificate."""

    name: str
    certificate: x509.Certificate

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The root's Ed25519 public key."""
        key = self.certificate.public_key()
        assert isinstance(key, Ed25519PublicKey)  # checked by from_certificate
        return key

    @classmethod
    def from_certificate(cls, cert: x509.Certificate) -> ConsortiumRoot:
        """Check that `cert` is a self-signed Ed25519 CA certificate and wrap it."""
        if not isinstance(cert.public_key(), Ed25519PublicKey):
            raise InvalidCertificate("the consortium root certificate must hold an Ed25519 key")
        try:
            cert.verify_directly_issued_by(cert)
        except (ValueError, TypeError, _CryptoInvalidSignature):
            raise InvalidCertificate("the consortium root certificate is not self-signed") from None
        if not _basic_constraints(cert).ca:
            raise InvalidCertificate("the consortium root certificate is not a CA certificate")
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if len(names) != 1 or not isinstance(names[0].value, str):
            raise InvalidCertificate("the consortium root certificate has no single common name")
        return cls(names[0].value, cert)


def _basic_constraints(cert: x509.Certificate) -> x509.BasicConstraints:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        raise InvalidCertificate("certificate has no BasicConstraints extension") from None
    except ValueError as exc:
        raise InvalidCertificate(f"certificate extensions are malformed: {exc}") from exc


# --- signing helpers ----------------------------------------------------------
def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """Ed25519 signature (64 bytes) of `data`."""
    return key.sign(data)


def verify_signature(public_key: Ed25519PublicKey, data: bytes, signature: bytes) -> None:
    """Raise errors.InvalidSignature unless `signature` is a valid signature of `data`."""
    try:
        public_key.verify(signature, data)
    except _CryptoInvalidSignature:
        raise InvalidSignature("the signature does not verify against the signer's key") from None


# --- certificates -------------------------------------------------------------
def generate_member_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def _name(name: str, gln: GLN | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ]
    if gln is not None:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, gln))
    return x509.Name(attrs)


def create_root(name: str, valid_days: int = 3650) -> tuple[Ed25519PrivateKey, x509.Certificate]:
    """Create the consortium root: a key and a self-signed CA certificate (pathlen 0)."""
    _check_name(name)
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC).replace(microsecond=0)
    subject = _name(name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, None)
    )
    return key, cert


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def issue_member_certificate(
    root_key: Ed25519PrivateKey,
    root_cert: x509.Certificate,
    member_public_key: Ed25519PublicKey,
    info: MemberInfo,
    valid_days: int = 825,
) -> x509.Certificate:
    """Sign a member certificate for `member_public_key` describing `info`."""
    root = ConsortiumRoot.from_certificate(root_cert)
    if _raw(root_key.public_key()) != _raw(root.public_key):
        raise IdentityError("the root key does not belong to the root certificate")
    if not isinstance(member_public_key, Ed25519PublicKey):
        raise IdentityError("a member key must be an Ed25519 public key")
    if not isinstance(info, MemberInfo):
        raise TypeError("info must be a MemberInfo")
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    now = datetime.now(UTC).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(info.name, info.gln))
        .issuer_name(root_cert.subject)
        .public_key(member_public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(member_public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key), critical=False
        )
        .add_extension(
            x509.UnrecognizedExtension(MEMBER_INFO_OID, info.extension_bytes()), critical=False
        )
        .sign(root_key, None)
    )


def _single(name: x509.Name, oid: ObjectIdentifier, label: str) -> str:
    attrs = name.get_attributes_for_oid(oid)
    if len(attrs) != 1 or not isinstance(attrs[0].value, str):
        raise InvalidCertificate(f"member certificate subject must have exactly one {label}")
    return attrs[0].value


def _check_validity(cert: x509.Certificate, at: datetime, what: str) -> None:
    if at < cert.not_valid_before_utc:
        raise InvalidCertificate(
            f"{what} is not valid until {cert.not_valid_before_utc.isoformat()} "
            f"(checked at {at.isoformat()}); check the computer's clock"
        )
    if at > cert.not_valid_after_utc:
        raise InvalidCertificate(
            f"{what} expired on {cert.not_valid_after_utc.isoformat()} "
            f"(checked at {at.isoformat()}); ask the consortium root for a new one"
        )


def _parse_member_extension(cert: x509.Certificate) -> dict[str, Any]:
    try:
        ext = cert.extensions.get_extension_for_oid(MEMBER_INFO_OID)
    except x509.ExtensionNotFound:
        raise InvalidCertificate(
            "member certificate lacks the consortium member extension"
        ) from None
    except ValueError as exc:
        raise InvalidCertificate(f"member certificate extensions are malformed: {exc}") from exc
    if ext.critical or not isinstance(ext.value, x509.UnrecognizedExtension):
        raise InvalidCertificate("the consortium member extension is malformed")
    raw = ext.value.value
    try:
        data = json.loads(raw.decode("utf-8"))
        canonical = rfc8785.dumps(data)
    except (UnicodeDecodeError, ValueError, rfc8785.CanonicalizationError):
        raise InvalidCertificate("the consortium member extension is not valid JSON") from None
    if canonical != raw:
        raise InvalidCertificate("the consortium member extension is not canonical JSON")
    if not isinstance(data, dict) or set(data) != {"gln", "role", "prefixes"}:
        raise InvalidCertificate(
            "the consortium member extension must hold exactly gln, role and prefixes"
        )
    if not isinstance(data["prefixes"], list):
        raise InvalidCertificate("the consortium member extension's prefixes must be a list")
    if data["role"] not in {r.value for r in Role}:
        raise InvalidCertificate(f"member certificate names an unknown role {data['role']!r}")
    return data


def verify_member_certificate(
    cert: x509.Certificate, root_cert: x509.Certificate, at: datetime | None = None
) -> Member:
    """Verify `cert` against the consortium root at time `at` (default now) and read it.

    Raises InvalidCertificate naming the first problem found.
    """
    when = _utc(at)
    ConsortiumRoot.from_certificate(root_cert)
    try:
        cert.verify_directly_issued_by(root_cert)
    except (ValueError, TypeError, _CryptoInvalidSignature):
        raise InvalidCertificate(
            "member certificate is not signed by this consortium root (or was altered)"
        ) from None
    _check_validity(root_cert, when, "the consortium root certificate")
    _check_validity(cert, when, "member certificate")
    if _basic_constraints(cert).ca:
        raise InvalidCertificate("a CA certificate cannot be used as a member certificate")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except (x509.ExtensionNotFound, ValueError):
        raise InvalidCertificate("member certificate has no valid KeyUsage extension") from None
    if not usage.digital_signature or usage.key_cert_sign:
        raise InvalidCertificate("member certificate key usage must be digital signature only")
    public_key = cert.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise InvalidCertificate("member certificate must hold an Ed25519 key")
    data = _parse_member_extension(cert)
    name = _single(cert.subject, NameOID.ORGANIZATION_NAME, "organisation name")
    if _single(cert.subject, NameOID.COMMON_NAME, "common name") != name:
        raise InvalidCertificate("member certificate common name differs from organisation name")
    if _single(cert.subject, NameOID.SERIAL_NUMBER, "serial number (GLN)") != data["gln"]:
        raise InvalidCertificate("member certificate subject GLN differs from its extension")
    try:
        info = MemberInfo(name, data["gln"], Role(data["role"]), tuple(data["prefixes"]))
    except IdentityError as exc:
        raise InvalidCertificate(f"member certificate content is invalid: {exc}") from exc
    return Member(info, cert, public_key)


def load_certificate(pem_or_der: bytes) -> x509.Certificate:
    """Parse one certificate from PEM or DER bytes; InvalidCertificate if it is not one."""
    try:
        if pem_or_der.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(pem_or_der)
        return x509.load_der_x509_certificate(pem_or_der)
    except ValueError as exc:
        raise InvalidCertificate(f"not a readable X.509 certificate: {exc}") from exc


# --- private keys and passphrases ----------------------------------------------
def save_private_key(path: Path, key: Ed25519PrivateKey, passphrase: bytes) -> None:
    """Write `key` as encrypted PKCS#8 PEM, mode 0600, atomically (temp file + rename)."""
    if not passphrase:
        raise NoPassphrase("refusing to save a private key with an empty passphrase")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    write_atomically(Path(path), pem, error=IdentityError, mode=0o600)


def load_private_key(path: Path, passphrase: bytes) -> Ed25519PrivateKey:
    """Read an encrypted Ed25519 key written by `save_private_key`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IdentityError(f"cannot read private key file {path}: {exc.strerror}") from exc
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" not in data:
        raise IdentityError(f"{path} is not an encrypted private key file")
    try:
        key = serialization.load_pem_private_key(data, passphrase or None)
    except TypeError:
        raise NoPassphrase(f"{path} is encrypted: supply its passphrase") from None
    except ValueError as exc:
        text = str(exc).lower()
        if "password" in text or "decrypt" in text:
            raise WrongPassphrase(
                f"wrong passphrase for {path}: check SUPPLYCHAIN_PASSPHRASE or --passphrase-file"
            ) from None
        raise IdentityError(f"private key file {path} is damaged: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise IdentityError(f"{path} does not hold an Ed25519 key")
    return key


def resolve_passphrase(
    passphrase_file: Path | None = None, *, env: Mapping[str, str] = os.environ
) -> bytes:
    """The key passphrase: the file's content (one trailing newline removed), else the env."""
    if passphrase_file is not None:
        try:
            raw = Path(passphrase_file).read_bytes()
        except OSError as exc:
            raise IdentityError(
                f"cannot read passphrase file {passphrase_file}: {exc.strerror}"
            ) from exc
        for ending in (b"\r\n", b"\n"):
            if raw.endswith(ending):
                raw = raw[: -len(ending)]
                break
        if not raw:
            raise NoPassphrase(f"passphrase file {passphrase_file} is empty")
        return raw
    value = env.get(PASSPHRASE_ENV, "")
    if value:
        return value.encode("utf-8")
    raise NoPassphrase(
        f"no passphrase given: set {PASSPHRASE_ENV} or pass --passphrase-file FILE"
    )


# --- revocations --------------------------------------------------------------
def _check_iso_utc(value: object) -> str:
    if not isinstance(value, str):
        raise IdentityError(f"revoked_at must be an ISO 8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise IdentityError(f"revoked_at is not an ISO 8601 time: {value!r}") from None
    if parsed.utcoffset() != timedelta(0):
        raise IdentityError(f"revoked_at must be UTC with an explicit offset: {value!r}")
    return value


def _check_int(value: object, label: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise IdentityError(f"{label} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise IdentityError(f"{label} must be at most {maximum}, got {value}")
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
        _check_gln(self.gln)
        _check_int(self.cert_serial, "cert_serial", 1)
        _check_int(self.valid_log_size, "valid_log_size", 0, _MAX_JSON_INT)
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise IdentityError("a revocation needs a non-empty reason")
        _check_iso_utc(self.revoked_at)
        if not isinstance(self.signature, bytes) or len(self.signature) != 64:
            raise IdentityError("a revocation signature must be 64 bytes")

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
            raise IdentityError("a revocation must be a JSON object")
        missing, extra = _REVOCATION_FIELDS - set(d), set(d) - _REVOCATION_FIELDS
        if missing or extra:
            raise IdentityError(
                f"malformed revocation: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        if d["type"] != REVOCATION_TYPE:
            raise IdentityError(f"not a revocation: type is {d['type']!r}")
        serial = d["cert_serial"]
        if not isinstance(serial, str) or not _SERIAL_RE.fullmatch(serial):
            raise IdentityError(f"cert_serial must be a decimal string, got {serial!r}")
        sig = d["signature"]
        try:
            signature = base64.b64decode(sig, validate=True) if isinstance(sig, str) else None
        except (binascii.Error, ValueError):
            signature = None
        if signature is None or base64.b64encode(signature).decode("ascii") != sig:
            raise IdentityError("revocation signature must be canonical base64")
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
            raise IdentityError("revocation not signed by the consortium root") from None

    def applies_to(self, member: Member) -> bool:
        """True if this revocation names `member`'s GLN and certificate serial."""
        return member.info.gln == self.gln and member.serial == self.cert_serial

    def check_entry(self, member: Member, index: int) -> None:
        """Raise RevokedMember if entry `index` of `member`'s log falls under this revocation."""
        if self.applies_to(member) and index >= self.valid_log_size:
            raise RevokedMember(
                f"{member.info.name} ({self.gln}) was revoked on {self.revoked_at} "
                f"({self.reason}); log entries from index {self.valid_log_size} are rejected"
            )


def sign_revocation(
    root_key: Ed25519PrivateKey,
    gln: GLN,
    cert_serial: int,
    valid_log_size: int,
    reason: str,
    revoked_at: datetime | None = None,
) -> Revocation:
    """Sign a revocation with the consortium root key; `revoked_at` defaults to now (seconds)."""
    stamp = _utc(revoked_at).replace(microsecond=0).isoformat()
    unsigned = Revocation(gln, cert_serial, valid_log_size, reason, stamp, bytes(64))
    return Revocation(
        gln, cert_serial, valid_log_size, reason, stamp, root_key.sign(unsigned.signed_bytes())
    )
