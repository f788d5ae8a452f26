"""Member keys: Ed25519 key pairs, signatures, and private keys kept encrypted on disk.

Every key is Ed25519; all cryptography comes from the `cryptography` package. A private key
is stored as encrypted PKCS#8 PEM (mode 0600); its passphrase comes from a file or the
``SUPPLYCHAIN_PASSPHRASE`` environment variable.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from supplychain.errors import IdentityError, InvalidSignature, NoPassphrase, WrongPassphrase
from supplychain.files import write_atomically
from supplychain.i18n import _

__all__ = [
    "PASSPHRASE_ENV",
    "generate_member_key",
    "key_id",
    "load_private_key",
    "raw_public_key",
    "resolve_passphrase",
    "save_private_key",
    "sign",
    "verify_signature",
]

PASSPHRASE_ENV = "SUPPLYCHAIN_PASSPHRASE"


def generate_member_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex characters of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(raw_public_key(public_key)).hexdigest()[:16]


# --- signatures ---------------------------------------------------------------
def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """Ed25519 signature (64 bytes) of `data`."""
    return key.sign(data)


def verify_signature(public_key: Ed25519PublicKey, data: bytes, signature: bytes) -> None:
    """Raise errors.InvalidSignature unless `signature` is a valid signature of `data`."""
    try:
        public_key.verify(signature, data)
    except _CryptoInvalidSignature:
        raise InvalidSignature(
            _("the signature does not verify against the signer's key")) from None


# --- private keys and passphrases ----------------------------------------------
def save_private_key(path: Path, key: Ed25519PrivateKey, passphrase: bytes) -> None:
    """Write `key` as encrypted PKCS#8 PEM, mode 0600, atomically (temp file + rename)."""
    if not passphrase:
        raise NoPassphrase(_("refusing to save a private key with an empty passphrase"))
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
        raise IdentityError(_("cannot read private key file {path}: {problem}")
                            .format(path=path, problem=exc.strerror)) from exc
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" not in data:
        raise IdentityError(_("{path} is not an encrypted private key file").format(path=path))
    try:
        key = serialization.load_pem_private_key(data, passphrase or None)
    except TypeError:
        raise NoPassphrase(_("{path} is encrypted: supply its passphrase")
                           .format(path=path)) from None
    except ValueError as exc:
        text = str(exc).lower()
        if "password" in text or "decrypt" in text:
            raise WrongPassphrase(
                _("wrong passphrase for {path}: check SUPPLYCHAIN_PASSPHRASE or --passphrase-file")
                .format(path=path)
            ) from None
        raise IdentityError(_("private key file {path} is damaged: {exc}")
                            .format(path=path, exc=exc)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise IdentityError(_("{path} does not hold an Ed25519 key").format(path=path))
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
                _("cannot read passphrase file {passphrase_file}: {problem}")
                .format(passphrase_file=passphrase_file, problem=exc.strerror)
            ) from exc
        for ending in (b"\r\n", b"\n"):
            if raw.endswith(ending):
                raw = raw[: -len(ending)]
                break
        if not raw:
            raise NoPassphrase(_("passphrase file {passphrase_file} is empty")
                               .format(passphrase_file=passphrase_file))
        return raw
    value = env.get(PASSPHRASE_ENV, "")
    if value:
        return value.encode("utf-8")
    raise NoPassphrase(
        _("no passphrase given: set {passphrase_env} or pass --passphrase-file FILE")
        .format(passphrase_env=PASSPHRASE_ENV)
    )
