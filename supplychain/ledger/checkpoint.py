"""C2SP signed-note checkpoints: a log's (origin, tree size, root hash), signed with Ed25519.

Formats: https://c2sp.org/tlog-checkpoint and https://c2sp.org/signed-note ::

    example.com/log42
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

    — example.com/log42 <base64(4-byte key ID || 64-byte Ed25519 signature)>

Choices stricter than the specifications, made on purpose:

- Extension lines (optional, NOT RECOMMENDED by tlog-checkpoint) are rejected: our logs never
  write them, and accepting unsigned-meaning text would only widen what a peer can slip in.
- The author's signature is the note's first signature line (we always write it first; the
  witnesses' cosignatures follow, see ``supplychain.ledger.cosignature``). Further lines must be
  well-formed and distinct (one line per key name and key ID, at most ``MAX_SIGNATURES``) and
  are otherwise ignored here, as signed-note says for unknown keys: ``SignedCheckpoint`` holds
  the author's signature only, and writes the author-only note.
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
from supplychain.i18n import _

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
MAX_SIGNATURES = 32
"""Signature lines per note (signed-note asks verifiers to accept at least 16)."""
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")


def _b64decode(text: str, what: str) -> bytes:
    """Strict, canonical standard base64 (RFC 4648 section 4)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise CheckpointError(_("{what} is not valid base64: {value!r}")
                              .format(what=what, value=text[:40])) from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(_("{what} is not canonical base64: {value!r}")
                              .format(what=what, value=text[:40]))
    return raw


def _check_text(text: str, what: str) -> None:
    """signed-note: no ASCII control characters other than newline."""
    for ch in text:
        if ch < " " and ch != "\n":
            raise CheckpointError(_("{what} contains control character {ch!r}")
                                  .format(what=what, ch=ch))


def _check_key_name(key_name: str) -> None:
    """signed-note: key names are non-empty, with no Unicode spaces and no '+'."""
    if not key_name or any(ch.isspace() or ch == "+" or ch < " " for ch in key_name):
        raise CheckpointError(
            _("key name {key_name!r} must be non-empty, without spaces, '+' or control characters")
            .format(key_name=key_name)
        )


@dataclass(frozen=True)
class NoteSignature:
    """One signed-note signature line: ``— <key name> base64(key ID || signature)``.

    ``blob`` is everything the base64 carries (key ID first); its meaning depends on the key.
    """

    key_name: str
    blob: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.key_name)
        if len(self.blob) <= KEY_ID_SIZE:
            raise CheckpointError(_("signature line of {key_name!r} is too short")
                                  .format(key_name=self.key_name))

    @property
    def key_id(self) -> bytes:
        return self.blob[:KEY_ID_SIZE]

    def to_line(self) -> str:
        return f"{_SIGNATURE_PREFIX}{self.key_name} {base64.b64encode(self.blob).decode('ascii')}"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        """Parse one signature line (without its newline); CheckpointError if malformed."""
        if not line.startswith(_SIGNATURE_PREFIX):
            raise CheckpointError(_("signature line must start with an em dash: {value!r}")
                                  .format(value=line[:40]))
        fields = line[len(_SIGNATURE_PREFIX) :].split(" ")
        if len(fields) != 2:
            raise CheckpointError(_("signature line must be '— <name> <base64>': {value!r}")
                                  .format(value=line[:60]))
        return cls(fields[0], _b64decode(fields[1], "signature"))


def note_signatures(text: str | bytes) -> tuple[bytes, tuple[NoteSignature, ...]]:
    """A signed checkpoint note's body and every signature line (author's first), parsed
    with the same checks as ``SignedCheckpoint.parse``. Nothing is verified here."""
    signed = SignedCheckpoint.parse(text)
    raw = text.decode("utf-8") if isinstance(text, bytes) else text
    block = raw[raw.rfind("\n\n") + 2 : -1]
    return signed.checkpoint.to_body(), tuple(NoteSignature.parse_line(line)
                                              for line in block.split("\n"))


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed claim: its ``origin``, its tree ``size`` and the RFC 6962 ``root_hash``."""

    origin: str
    size: int
    root_hash: bytes

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError(_("origin {origin!r} must be one non-empty line")
                                  .format(origin=self.origin))
        _check_text(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise CheckpointError(_("tree size must be a non-negative integer, got {size!r}")
                                  .format(size=self.size))
        if self.size > MAX_TREE_SIZE:
            raise CheckpointError(_("tree size {size} is beyond the largest log size "
                                    "{max_tree_size}")
                                  .format(size=self.size, max_tree_size=MAX_TREE_SIZE))
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != ROOT_HASH_SIZE:
            raise CheckpointError(
                _("root hash of {origin} must be {root_hash_size} bytes, "
                  "got {root_hash_count}")
                .format(origin=self.origin, root_hash_size=ROOT_HASH_SIZE,
                        root_hash_count=len(self.root_hash))
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
            raise CheckpointError(_("checkpoint body is not valid UTF-8")) from exc
        _check_text(text, "checkpoint body")
        if not text.endswith("\n"):
            raise CheckpointError(_("checkpoint body must end with a newline"))
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(_("checkpoint body needs 3 lines, got {lines_count}")
                                  .format(lines_count=len(lines)))
        if len(lines) > 3:
            raise CheckpointError(
                _("checkpoint body has {value} extension line(s); not supported")
                .format(value=len(lines) - 3)
            )
        origin, size_text, root_text = lines
        if not _SIZE_RE.fullmatch(size_text):
            raise CheckpointError(_("tree size {value!r} is not a decimal without "
                                    "leading zeros").format(value=size_text[:40]))
        if len(size_text) > len(str(MAX_TREE_SIZE)):
            raise CheckpointError(_("tree size has {size_text_count} digits; a log size has at "
                                    "most {items_count}")
                                  .format(size_text_count=len(size_text),
                                          items_count=len(str(MAX_TREE_SIZE))))
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
                _("Ed25519 signature must be {signature_size} bytes, got {signature_count}")
                .format(signature_size=SIGNATURE_SIZE, signature_count=len(self.signature))
            )
        if len(self.key_id) != KEY_ID_SIZE:
            raise CheckpointError(_("key ID must be {key_id_size} bytes, got {key_id_count}")
                                  .format(key_id_size=KEY_ID_SIZE, key_id_count=len(self.key_id)))

    def to_text(self) -> str:
        """The signed note: body, blank line, one ``— <key name> <base64>`` line."""
        blob = base64.b64encode(self.key_id + self.signature).decode("ascii")
        body = self.checkpoint.to_body().decode("utf-8")
        return f"{body}\n{_SIGNATURE_PREFIX}{self.key_name} {blob}\n"

    @classmethod
    def parse(cls, text: str | bytes) -> SignedCheckpoint:
        """Parse a signed note: one checkpoint, the author's Ed25519 signature line first,
        then any other well-formed lines (cosignatures: ignored here, see the module text).

        Raises CheckpointError on anything malformed. The signature is not verified here.
        """
        if len(text) > MAX_NOTE_BYTES:
            raise CheckpointError(_("signed checkpoint of {text_count} characters is longer than "
                                    "{max_note_bytes}, the limit")
                                  .format(text_count=len(text), max_note_bytes=MAX_NOTE_BYTES))
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CheckpointError(_("signed checkpoint is not valid UTF-8")) from exc
        _check_text(text, "signed checkpoint")
        split = text.rfind("\n\n")
        if split < 0:
            raise CheckpointError(_("signed checkpoint has no blank line before its signature"))
        body, signature_block = text[: split + 1], text[split + 2 :]
        if not signature_block.endswith("\n"):
            raise CheckpointError(_("signed checkpoint must end with a newline"))
        lines = [NoteSignature.parse_line(line) for line in signature_block[:-1].split("\n")]
        if len(lines) > MAX_SIGNATURES:
            raise CheckpointError(_("signed checkpoint has {lines_count} signature lines; at "
                                    "most {max_signatures} are accepted")
                                  .format(lines_count=len(lines), max_signatures=MAX_SIGNATURES))
        if len({(n.key_name, n.key_id) for n in lines}) != len(lines):
            raise CheckpointError(_("signed checkpoint repeats a signature line's key name "
                                    "and key ID"))
        author = lines[0]
        if len(author.blob) != KEY_ID_SIZE + SIGNATURE_SIZE:
            raise CheckpointError(
                _("signature must decode to {value} bytes "
                  "(key ID + Ed25519), got {blob_count}")
                .format(value=KEY_ID_SIZE + SIGNATURE_SIZE, blob_count=len(author.blob))
            )
        key_name, blob = author.key_name, author.blob
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
                _("checkpoint {origin} @ {size}: key ID {hex} does not match "
                  "key {key_name!r} (expected {hex2})")
                .format(origin=cp.origin, size=cp.size, hex=self.key_id.hex(),
                        key_name=self.key_name, hex2=expected.hex())
            )
        try:
            public_key.verify(self.signature, cp.to_body())
        except InvalidSignature as exc:
            raise CheckpointError(
                _("checkpoint {origin} @ {size}: bad signature by {key_name!r}")
                .format(origin=cp.origin, size=cp.size, key_name=self.key_name)
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
