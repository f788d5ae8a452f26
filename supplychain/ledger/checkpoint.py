"""C2SP signed-note checkpoints: a log's (origin, tree size, root hash), signed with Ed25519.

Formats: https://c2sp.org/tlog-checkpoint and https://c2sp.org/signed-note ::

    example.com/log42
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

    — example.com/log42 <base64(4-byte key ID || 64-byte Ed25519 signature)>

Choices stricter than the specifications, made on purpose:

- Extension lines (optional, NOT RECOMMENDED by tlog-checkpoint) are rejected: our logs never
  write them, and accepting unsigned-meaning text would only widen what a peer can slip in.
- A note carries exactly one signature, the log author's. Cosigned notes (witnesses) would need
  a list of signatures and "ignore unknown keys" handling; they are rejected as malformed.
- Base64 must be canonical (standard alphabet, padded) and the size must have no leading zeros,
  so every checkpoint has exactly one text form and parse/to_text round-trip byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.errors import CheckpointError

ROOT_HASH_SIZE = 32
KEY_ID_SIZE = 4
SIGNATURE_SIZE = 64
ED25519_SIGNATURE_TYPE = b"\x01"
"""signed-note signature type identifier byte for Ed25519."""

_SIGNATURE_PREFIX = "\u2014 "  # em dash, space
MAX_TREE_SIZE = 2**64 - 1
"""tlog-checkpoint sizes are 64-bit unsigned integers: at most 20 digits."""
MAX_NOTE_BYTES = 4096
"""No signed checkpoint note is longer (ours are about 200 bytes)."""
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")


def _b64decode(text: str, what: str) -> bytes:
    """Strict, canonical standard base64 (RFC 4648 section 4)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise CheckpointError(f"{what} is not valid base64: {text[:40]!r}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"{what} is not canonical base64: {text[:40]!r}")
    return raw


def _check_text(text: str, what: str) -> None:
    """signed-note: no ASCII control characters other than newline."""
    for ch in text:
        if ch < " " and ch != "\n":
            raise CheckpointError(f"{what} contains control character {ch!r}")


def _check_key_name(key_name: str) -> None:
    """signed-note: key names are non-empty, with no Unicode spaces and no '+'."""
    if not key_name or any(ch.isspace() or ch == "+" or ch < " " for ch in key_name):
        raise CheckpointError(
            f"key name {key_name!r} must be non-empty, without spaces, '+' or control characters"
        )


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed claim: its ``origin``, its tree ``size`` and the RFC 6962 ``root_hash``."""

    origin: str
    size: int
    root_hash: bytes

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError(f"origin {self.origin!r} must be one non-empty line")
        _check_text(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise CheckpointError(f"tree size must be a non-negative integer, got {self.size!r}")
        if self.size > MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size} is beyond the largest log size "
                                  f"{MAX_TREE_SIZE}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != ROOT_HASH_SIZE:
            raise CheckpointError(
                f"root hash of {self.origin} must be {ROOT_HASH_SIZE} bytes, "
                f"got {len(self.root_hash)}"
            )

    def to_body(self) -> bytes:
        """The note text: ``b"<origin>\\n<size>\\n<base64 root>\\n"``."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        return f"{self.origin}\n{self.size}\n{root}\n".encode()

    @classmethod
    def from_body(cls, body: bytes) -> Checkpoint:
        """Parse a note text of exactly three lines; extension lines are rejected."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("checkpoint body is not valid UTF-8") from exc
        _check_text(text, "checkpoint body")
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint body must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(f"checkpoint body needs 3 lines, got {len(lines)}")
        if len(lines) > 3:
            raise CheckpointError(
                f"checkpoint body has {len(lines) - 3} extension line(s); not supported"
            )
        origin, size_text, root_text = lines
        if not _SIZE_RE.fullmatch(size_text):
            raise CheckpointError(f"tree size {size_text[:40]!r} is not a decimal without "
                                  "leading zeros")
        if len(size_text) > len(str(MAX_TREE_SIZE)):
            raise CheckpointError(f"tree size has {len(size_text)} digits; a log size has at "
                                  f"most {len(str(MAX_TREE_SIZE))}")
        root_hash = _b64decode(root_text, "root hash")
        return cls(origin, int(size_text), root_hash)


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint with its author's signed-note signature line.

    ``key_id`` is the 4-byte signed-note key ID carried in the signature line; it is derived
    from the key name and public key (see :func:`key_id`) and checked by :meth:`verify`.
    """

    checkpoint: Checkpoint
    key_name: str
    signature: bytes  # raw 64-byte Ed25519 signature over checkpoint.to_body()
    key_id: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.key_name)
        if len(self.signature) != SIGNATURE_SIZE:
            raise CheckpointError(
                f"Ed25519 signature must be {SIGNATURE_SIZE} bytes, got {len(self.signature)}"
            )
        if len(self.key_id) != KEY_ID_SIZE:
            raise CheckpointError(f"key ID must be {KEY_ID_SIZE} bytes, got {len(self.key_id)}")

    def to_text(self) -> str:
        """The signed note: body, blank line, one ``— <key name> <base64>`` line."""
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        body = self.checkpoint.to_body().decode("utf-8")
        return f"{body}\n{_SIGNATURE_PREFIX}{self.key_name} {blob}\n"

    @classmethod
    def parse(cls, text: str | bytes) -> SignedCheckpoint:
        """Parse a signed note holding one checkpoint and one Ed25519 signature line.

        Raises CheckpointError on anything malformed. The signature is not verified here.
        """
        if len(text) > MAX_NOTE_BYTES:
            raise CheckpointError(f"signed checkpoint of {len(text)} characters is longer than "
                                  f"{MAX_NOTE_BYTES}, the limit")
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CheckpointError("signed checkpoint is not valid UTF-8") from exc
        _check_text(text, "signed checkpoint")
        split = text.rfind("\n\n")
        if split < 0:
            raise CheckpointError("signed checkpoint has no blank line before its signature")
        body, signature_block = text[: split + 1], text[split + 2 :]
        if not signature_block.endswith("\n"):
            raise CheckpointError("signed checkpoint must end with a newline")
        lines = signature_block[:-1].split("\n")
        if len(lines) != 1:
            raise CheckpointError(f"expected exactly one signature line, got {len(lines)}")
        line = lines[0]
        if not line.startswith(_SIGNATURE_PREFIX):
            raise CheckpointError(f"signature line must start with an em dash: {line[:40]!r}")
        fields = line[len(_SIGNATURE_PREFIX) :].split(" ")
        if len(fields) != 2:
            raise CheckpointError(f"signature line must be '— <name> <base64>': {line[:60]!r}")
        key_name, blob_text = fields
        blob = _b64decode(blob_text, "signature")
        if len(blob) != KEY_ID_SIZE + SIGNATURE_SIZE:
            raise CheckpointError(
                f"signature must decode to {KEY_ID_SIZE + SIGNATURE_SIZE} bytes "
                f"(key ID + Ed25519), got {len(blob)}"
            )
        checkpoint = Checkpoint.from_body(body.encode("utf-8"))
        return cls(checkpoint, key_name, blob[KEY_ID_SIZE:], blob[:KEY_ID_SIZE])

    def verify(self, public_key: Ed25519PublicKey) -> None:
        """Check the key ID (name + key) and the Ed25519 signature over the body.

        Raises CheckpointError naming the origin and size on any mismatch. The caller decides
        which public key (and so which key name) it trusts for the origin.
        """
        cp = self.checkpoint
        expected = key_id(self.key_name, public_key)
        if not hmac.compare_digest(expected, self.key_id):
            raise CheckpointError(
                f"checkpoint {cp.origin} @ {cp.size}: key ID {self.key_id.hex()} does not match "
                f"key {self.key_name!r} (expected {expected.hex()})"
            )
        try:
            public_key.verify(self.signature, cp.to_body())
        except InvalidSignature as exc:
            raise CheckpointError(
                f"checkpoint {cp.origin} @ {cp.size}: bad signature by {self.key_name!r}"
            ) from exc


def key_id(key_name: str, public_key: Ed25519PublicKey) -> bytes:
    """signed-note Ed25519 key ID: SHA-256(name || 0x0A || 0x01 || raw public key)[:4]."""
    _check_key_name(key_name)
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    digest = hashlib.sha256(key_name.encode("utf-8") + b"\n" + ED25519_SIGNATURE_TYPE + raw)
    return digest.digest()[:KEY_ID_SIZE]


def sign_checkpoint(
    cp: Checkpoint, key_name: str, private_key: Ed25519PrivateKey
) -> SignedCheckpoint:
    """Sign a checkpoint's body with Ed25519 under ``key_name`` (ideally the origin)."""
    signature = private_key.sign(cp.to_body())
    return SignedCheckpoint(cp, key_name, signature, key_id(key_name, private_key.public_key()))
