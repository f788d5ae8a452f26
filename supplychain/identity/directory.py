"""The member directory: every member certificate and revocation, signed by the consortium root.

The regulator signs a new, numbered version whenever it enrols or revokes a member. Nodes
pass it along (bundles, sync, a file) and keep the newest version they have verified: a relay
can delay a directory but neither forge nor roll one back. As JSON::

    {"type": "supplychain.directory.v1", "consortium": NAME, "version": N,
     "issued_at": ISO-UTC, "root_key_id": HEX16, "members": [PEM, ...],
     "revocations": [{...}, ...], "sharing": {"mode", "hubs"}, "signature": BASE64}

``sharing`` (the consortium's sharing policy, ``supplychain.identity.sharing``) is optional:
a directory without it (signed before policies existed) means full sharing, and its signature
still verifies because the field is signed only when present.

The signature is Ed25519 by the root key over the canonical JSON (RFC 8785) of every field
but ``signature``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supplychain.errors import DirectoryError, IdentityError
from supplychain.i18n import _
from supplychain.identity.certificates import (
    ConsortiumRoot,
    Member,
    load_certificate,
    verify_member_certificate,
)
from supplychain.identity.revocations import Revocation
from supplychain.identity.sharing import FULL_SHARING, SharingPolicy
from supplychain.jsonlimits import load_json

DIRECTORY_TYPE = "supplychain.directory.v1"
MAX_MEMBERS = 1_000_000
MAX_DIRECTORY_BYTES = 256 * 1024 * 1024
"""No member directory file is larger (a million members at about 1 KB of PEM each would not
fit: the limit is far above any consortium's real size, and bounds what is read)."""
MAX_DIRECTORY_DEPTH = 4
"""A directory nests at most this deep: directory, revocations list, revocation."""
_MAX_VERSION = 2**53 - 1  # signed as canonical JSON (RFC 8785): a safe integer
_FIELDS = frozenset({"type", "consortium", "version", "issued_at", "root_key_id", "members",
                     "revocations", "signature"})
_OPTIONAL_FIELDS = frozenset({"sharing"})


def root_key_id(root_cert: x509.Certificate) -> str:
    """First 16 hex characters of SHA-256 over the root's raw Ed25519 public key."""
    raw = ConsortiumRoot.from_certificate(root_cert).public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class MemberDirectory:
    """One signed version of the consortium's member list (certificates and revocations)."""

    consortium: str
    version: int
    issued_at: str
    root_key_id: str
    members: tuple[bytes, ...]
    revocations: tuple[Revocation, ...]
    signature: bytes
    sharing: SharingPolicy | None = None  # None: signed before policies existed (full)

    def __post_init__(self) -> None:
        if isinstance(self.version, bool) or not isinstance(self.version, int) \
                or not 1 <= self.version <= _MAX_VERSION:
            raise DirectoryError(_("A directory version is a whole number from 1, "
                                   "got {version!r}.").format(version=self.version))
        if not isinstance(self.signature, bytes) or len(self.signature) != 64:
            raise DirectoryError(_("A directory signature must be 64 bytes."))

    def _fields(self) -> dict[str, Any]:
        return {
            "type": DIRECTORY_TYPE,
            "consortium": self.consortium,
            "version": self.version,
            "issued_at": self.issued_at,
            "root_key_id": self.root_key_id,
            "members": [pem.decode("ascii") for pem in self.members],
            "revocations": [r.to_dict() for r in self.revocations],
            **({"sharing": self.sharing.to_dict()} if self.sharing is not None else {}),
        }

    @property
    def sharing_policy(self) -> SharingPolicy:
        """The consortium's sharing policy (full when the directory carries none)."""
        return self.sharing if self.sharing is not None else FULL_SHARING

    def signed_bytes(self) -> bytes:
        """The canonical JSON the root signs (every field but the signature)."""
        return rfc8785.dumps(self._fields())

    def to_dict(self) -> dict[str, Any]:
        return {**self._fields(), "signature": base64.b64encode(self.signature).decode("ascii")}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), indent=1).encode() + b"\n"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MemberDirectory:
        """Strict inverse of ``to_dict``; DirectoryError names what is wrong."""
        if not isinstance(d, Mapping):
            raise DirectoryError(_("A member directory must be a JSON object."))
        if d.get("type") != DIRECTORY_TYPE:
            raise DirectoryError(_("Not a member directory: type is {type!r}, "
                                   "expected {directory_type!r}.")
                                 .format(type=d.get("type"), directory_type=DIRECTORY_TYPE))
        missing, extra = _FIELDS - set(d), set(d) - _FIELDS - _OPTIONAL_FIELDS
        if missing or extra:
            raise DirectoryError(_("Malformed member directory: missing {missing}, "
                                   "unexpected {unexpected}.")
                                 .format(missing=sorted(missing), unexpected=sorted(extra)))
        for key in ("consortium", "issued_at", "root_key_id", "signature"):
            if not isinstance(d[key], str):
                raise DirectoryError(_("The member directory's '{key}' must be text.")
                                     .format(key=key))
        members, revocations = d["members"], d["revocations"]
        if not isinstance(members, list) or not all(isinstance(m, str) and m.isascii()
                                                    for m in members):
            raise DirectoryError(_("The member directory's 'members' must be a list of PEM text."))
        if not isinstance(revocations, list) or len(members) > MAX_MEMBERS:
            raise DirectoryError(_("The member directory's 'revocations' must be a list."))
        try:
            signature = base64.b64decode(d["signature"], validate=True)
        except (binascii.Error, ValueError):
            raise DirectoryError(_("The member directory's signature is not base64.")) from None
        try:
            parsed = tuple(Revocation.from_dict(r) for r in revocations)
        except IdentityError as exc:
            raise DirectoryError(_("A revocation in the member directory is malformed: "
                                   "{exc}").format(exc=exc)) from exc
        sharing = SharingPolicy.from_dict(d["sharing"]) if "sharing" in d else None
        return cls(d["consortium"], d["version"], d["issued_at"], d["root_key_id"],
                   tuple(m.encode("ascii") for m in members), parsed, signature, sharing)

    @classmethod
    def parse(cls, data: bytes) -> MemberDirectory:
        document = load_json(data, max_bytes=MAX_DIRECTORY_BYTES,
                             max_depth=MAX_DIRECTORY_DEPTH,
                             what="The member directory", error=DirectoryError)
        return cls.from_dict(document)

    def verify(self, root_cert: x509.Certificate) -> list[Member]:
        """Check the root's signature and every certificate and revocation; return the members.

        Raises DirectoryError saying whether the directory comes from another consortium
        root or was altered after signing.
        """
        ours = root_key_id(root_cert)
        if self.root_key_id != ours:
            raise DirectoryError(
                _("This member directory was signed by another consortium root (key "
                  "{root_key_id}), not this node's (key {ours}). Nothing was changed.")
                .format(root_key_id=self.root_key_id, ours=ours))
        root = ConsortiumRoot.from_certificate(root_cert)
        try:
            root.public_key.verify(self.signature, self.signed_bytes())
        except _CryptoInvalidSignature:
            raise DirectoryError(
                _("The member directory (version {version}) does not match the consortium "
                  "root's signature: it was altered after signing. Nothing was changed; ask the "
                  "regulator for a fresh copy.").format(version=self.version)) from None
        at = self.issued_datetime
        members = []
        for pem in self.members:
            try:
                members.append(verify_member_certificate(load_certificate(pem), root_cert, at=at))
            except IdentityError as exc:
                raise DirectoryError(_("A certificate in the member directory is invalid: "
                                       "{exc}").format(exc=exc)) from exc
        for revocation in self.revocations:
            try:
                revocation.verify(root_cert)
            except IdentityError as exc:
                raise DirectoryError(_("A revocation in the member directory is invalid: "
                                       "{exc}").format(exc=exc)) from exc
        return members

    @property
    def issued_datetime(self) -> datetime:
        try:
            at = datetime.fromisoformat(self.issued_at)
        except ValueError:
            raise DirectoryError(_("The member directory's issued_at is not a time: "
                                   "{issued_at!r}.").format(issued_at=self.issued_at)) from None
        if at.tzinfo is None:
            raise DirectoryError(_("The member directory's issued_at has no time zone."))
        return at

    def same_content(self, members: Iterable[bytes], revocations: Iterable[Revocation],
                     sharing: SharingPolicy | None = None) -> bool:
        """True if this version lists exactly ``members`` and ``revocations`` (and carries
        ``sharing``)."""
        return (self.sharing == sharing and sorted(self.members) == sorted(members)
                and sorted(r.signed_bytes() for r in self.revocations)
                == sorted(r.signed_bytes() for r in revocations))


def sign_directory(root_key: Ed25519PrivateKey, root_cert: x509.Certificate, consortium: str,
                   version: int, members: Iterable[bytes], revocations: Iterable[Revocation],
                   issued_at: datetime | None = None,
                   sharing: SharingPolicy | None = None) -> MemberDirectory:
    """Sign version ``version`` of the member directory with the consortium root key."""
    stamp = (issued_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat()
    unsigned = MemberDirectory(consortium, version, stamp, root_key_id(root_cert),
                               tuple(sorted(members)),
                               tuple(sorted(revocations, key=lambda r: (r.gln, r.revoked_at))),
                               bytes(64), sharing)
    signature = root_key.sign(unsigned.signed_bytes())
    return MemberDirectory(unsigned.consortium, unsigned.version, unsigned.issued_at,
                           unsigned.root_key_id, unsigned.members, unsigned.revocations,
                           signature, sharing)
