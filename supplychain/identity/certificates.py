"""Member certificates: the consortium root CA and the X.509 certificate of each member.

The consortium root (held by the regulator) signs one X.509 certificate per member. The
certificate carries the member's name (subject O and CN), its GLN (subject serialNumber), and,
in a private non-critical extension, the canonical JSON (RFC 8785) of its GLN, role and GS1
company prefixes. Every key is Ed25519 (keys: ``supplychain.identity.keys``; revocations:
``supplychain.identity.revocations``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from itertools import combinations
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

from supplychain.clock import as_utc, now, to_iso
from supplychain.errors import CodeError, IdentityError, InvalidCertificate
from supplychain.identity.keys import key_id, raw_public_key
from supplychain.identity.prefixes import check_company_prefix, nests
from supplychain.ids import GLN, check_gln

__all__ = [
    "MEMBER_INFO_OID",
    "ConsortiumRoot",
    "Member",
    "MemberInfo",
    "Role",
    "check_member_gln",
    "create_root",
    "issue_member_certificate",
    "load_certificate",
    "verify_member_certificate",
    "verify_stored_certificate",
]

MEMBER_INFO_OID = ObjectIdentifier("1.3.6.1.4.1.55555.1.1")
"""Private extension carrying rfc8785 JSON {"gln", "role", "prefixes"} of a member."""

_CLOCK_SKEW = timedelta(minutes=5)
_MAX_NAME = 64  # X.509 upper bound for CommonName; `cryptography` counts UTF-8 bytes


class Role(str, Enum):
    """What a member may do in the supply chain."""

    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"
    PHARMACY = "pharmacy"
    REGULATOR = "regulator"


# --- small checks ---------------------------------------------------------------
def check_member_gln(value: object) -> GLN:
    """``value`` as a GLN (``ids.check_gln``), else IdentityError saying what is wrong."""
    try:
        return check_gln(value)
    except CodeError as exc:
        raise IdentityError(str(exc)) from None


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name or name != name.strip():
        raise IdentityError(f"name must be non-empty text without outer spaces, got {name!r}")
    if len(name.encode("utf-8")) > _MAX_NAME or not name.isprintable():
        raise IdentityError(
            f"name must be printable and at most {_MAX_NAME} bytes in UTF-8: {name!r}"
        )
    return name


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
        check_member_gln(self.gln)
        try:
            object.__setattr__(self, "role", Role(self.role))
        except ValueError:
            raise IdentityError(f"unknown role {self.role!r}") from None
        if not isinstance(self.prefixes, tuple | list):
            raise IdentityError("prefixes must be a tuple of digit strings")
        object.__setattr__(self, "prefixes", tuple(self.prefixes))
        if len(set(self.prefixes)) != len(self.prefixes):
            raise IdentityError(f"duplicate GS1 company prefix in {self.prefixes}")
        for prefix in self.prefixes:
            check_company_prefix(prefix)
        for a, b in combinations(self.prefixes, 2):
            if nests(a, b):
                raise IdentityError(f"GS1 company prefixes {a} and {b} nest: list only the "
                                    "shorter one")
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
        return key_id(self.public_key)


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


# --- certificates -------------------------------------------------------------
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
    now_s = now().replace(microsecond=0)
    subject = _name(name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now_s - _CLOCK_SKEW)
        .not_valid_after(now_s + timedelta(days=valid_days))
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
    if raw_public_key(root_key.public_key()) != raw_public_key(root.public_key):
        raise IdentityError("the root key does not belong to the root certificate")
    if not isinstance(member_public_key, Ed25519PublicKey):
        raise IdentityError("a member key must be an Ed25519 public key")
    if not isinstance(info, MemberInfo):
        raise TypeError("info must be a MemberInfo")
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    now_s = now().replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(info.name, info.gln))
        .issuer_name(root_cert.subject)
        .public_key(member_public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now_s - _CLOCK_SKEW)
        .not_valid_after(now_s + timedelta(days=valid_days))
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
            f"{what} is not valid until {to_iso(cert.not_valid_before_utc)} "
            f"(checked at {to_iso(at)}); check the computer's clock"
        )
    if at > cert.not_valid_after_utc:
        raise InvalidCertificate(
            f"{what} expired on {to_iso(cert.not_valid_after_utc)} "
            f"(checked at {to_iso(at)}); ask the consortium root for a new one"
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
    when = as_utc(at)
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


def verify_stored_certificate(pem: bytes, root_cert: x509.Certificate) -> Member:
    """Verify a member certificate held in the store, as of the start of its own validity.

    Entries outlive certificates: what a member signed while its certificate was valid stays
    verifiable after the certificate expires.
    """
    cert = load_certificate(pem)
    return verify_member_certificate(cert, root_cert, at=cert.not_valid_before_utc)
