"""Witness cosignatures (C2SP tlog-cosignature ``cosignature/v1``, Ed25519, timestamped) and
cosigned checkpoint notes (C2SP signed-note: the author's line first, then cosignatures).

A cosignature line is ``— <witness key name> base64(key ID || u64 timestamp || signature)``,
key ID = SHA-256(name || 0x0A || 0x04 || key)[:4], and the signature is over::

    cosignature/v1
    time <timestamp>
    <the checkpoint body: origin, size, root>

``policy_accepts`` is the verifiers' pure check: which of the policy's witnesses vouch for a
note, and whether they make its quorum.
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.errors import CheckpointError, CosignatureError
from supplychain.i18n import _
from supplychain.identity.witness_policy import PolicyWitness, WitnessPolicy, cosigner_key_id
from supplychain.ledger.checkpoint import (
    KEY_ID_SIZE,
    SIGNATURE_SIZE,
    Checkpoint,
    NoteSignature,
    SignedCheckpoint,
    note_signatures,
)

HEADER = b"cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1
_BLOB_SIZE = KEY_ID_SIZE + 8 + SIGNATURE_SIZE


def message(checkpoint: Checkpoint, timestamp: int) -> bytes:
    """What a cosigner signs: header line, time line, then the checkpoint body."""
    return HEADER + f"time {timestamp}\n".encode() + checkpoint.to_body()


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Cosignature:
    """One witness's timestamped Ed25519 cosignature of a checkpoint."""

    key_name: str
    key_id: bytes
    timestamp: int
    signature: bytes

    def __post_init__(self) -> None:
        if len(self.key_id) != KEY_ID_SIZE or len(self.signature) != SIGNATURE_SIZE:
            raise CosignatureError(_("a cosignature holds a 4-byte key ID and a 64-byte "
                                     "signature"))
        if not 0 <= self.timestamp <= MAX_TIMESTAMP:
            raise CosignatureError(_("cosignature timestamp {timestamp} is out of range")
                                   .format(timestamp=self.timestamp))

    def to_signature(self) -> NoteSignature:
        return NoteSignature(self.key_name, self.key_id + struct.pack(">Q", self.timestamp)
                             + self.signature)

    def to_line(self) -> str:
        return self.to_signature().to_line()

    @classmethod
    def from_signature(cls, sig: NoteSignature) -> Cosignature:
        if len(sig.blob) != _BLOB_SIZE:
            raise CosignatureError(_("cosignature by {name!r} must decode to {size} bytes, got "
                                     "{got}").format(name=sig.key_name, size=_BLOB_SIZE,
                                                     got=len(sig.blob)))
        (timestamp,) = struct.unpack(">Q", sig.blob[KEY_ID_SIZE:KEY_ID_SIZE + 8])
        return cls(sig.key_name, sig.key_id, timestamp, sig.blob[KEY_ID_SIZE + 8:])

    @classmethod
    def parse_line(cls, line: str) -> Cosignature:
        try:
            return cls.from_signature(NoteSignature.parse_line(line))
        except CheckpointError as exc:
            raise CosignatureError(str(exc)) from exc

    def verify(self, checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> None:
        """Check key ID and signature; CosignatureError names the witness and checkpoint."""
        expected = cosigner_key_id(self.key_name, _raw(public_key))
        if not hmac.compare_digest(expected, self.key_id):
            raise CosignatureError(_("cosignature by {name!r}: key ID {got} does not match its "
                                     "key (expected {expected})")
                                   .format(name=self.key_name, got=self.key_id.hex(),
                                           expected=expected.hex()))
        try:
            public_key.verify(self.signature, message(checkpoint, self.timestamp))
        except InvalidSignature:
            raise CosignatureError(_("cosignature by {name!r} of {origin} @ {size} does not "
                                     "verify").format(name=self.key_name,
                                                      origin=checkpoint.origin,
                                                      size=checkpoint.size)) from None


def cosign(checkpoint: Checkpoint, key_name: str, private_key: Ed25519PrivateKey,
           timestamp: int) -> Cosignature:
    """Cosign ``checkpoint`` as witness ``key_name`` at POSIX time ``timestamp`` (> 0)."""
    if timestamp <= 0:
        raise CosignatureError(_("a witness cosignature needs a timestamp after 1970"))
    key_id = cosigner_key_id(key_name, _raw(private_key.public_key()))
    NoteSignature(key_name, key_id + bytes(1))  # checks the key name
    return Cosignature(key_name, key_id, timestamp,
                       private_key.sign(message(checkpoint, timestamp)))


def cosigned_text(signed: SignedCheckpoint, cosignatures: Iterable[Cosignature]) -> str:
    """The note with the author's line first and each distinct cosignature line after it,
    sorted: one text form for one set of signatures."""
    lines = sorted({c.to_line() for c in cosignatures})
    return signed.to_text() + "".join(f"{line}\n" for line in lines)


def witness_key(witness: PolicyWitness) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(witness.vkey.public_key)


def vouching(policy: WitnessPolicy, note: str | bytes
             ) -> list[tuple[PolicyWitness, Cosignature]]:
    """The policy's witnesses that cosigned ``note``, with their verified cosignatures.

    Lines of keys the policy does not know are ignored (signed-note); a line of a known
    witness that fails to verify makes the whole note invalid (CosignatureError).
    Raises CheckpointError for a malformed note. The author's line is not checked here.
    """
    body, lines = note_signatures(note)
    checkpoint = Checkpoint.from_body(body)
    found: list[tuple[PolicyWitness, Cosignature]] = []
    for sig in lines[1:]:
        witness = policy.witness(sig.key_name, sig.key_id)
        if witness is None:
            continue
        cosignature = Cosignature.from_signature(sig)
        cosignature.verify(checkpoint, witness_key(witness))
        if witness not in (w for w, _c in found):
            found.append((witness, cosignature))
    return found


def policy_accepts(policy: WitnessPolicy, note: str | bytes) -> tuple[bool, tuple[str, ...]]:
    """Does ``note`` carry the policy's quorum of witness cosignatures? Returns (accepted,
    the policy names of the witnesses that vouched, sorted). Pure: no store, no clock.

    A malformed note or a bad cosignature of a known witness gives (False, ()). The caller
    still checks the author's signature (``Ledger.verify_checkpoint_note``).
    """
    try:
        names = tuple(sorted(w.name for w, _c in vouching(policy, note)))
    except CheckpointError:
        return False, ()
    return policy.satisfied_by(names), names
