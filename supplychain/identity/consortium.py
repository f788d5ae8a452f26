"""The consortium directory (held by the regulator): root key, member certificates, revocations.

Layout of a consortium directory::

    consortium.json        {"name": ...}
    root.pem / root.key    the root certificate and its passphrase-encrypted key
    members/<gln>.pem      every member certificate issued
    revocations/<gln>.json root-signed revocations
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supplychain.errors import IdentityError
from supplychain.identity.certificates import (
    MemberInfo,
    create_root,
    issue_member_certificate,
    load_certificate,
    verify_member_certificate,
)
from supplychain.identity.keys import load_private_key, save_private_key
from supplychain.identity.revocations import Revocation, sign_revocation
from supplychain.ids import GLN


@dataclass(frozen=True)
class Consortium:
    """An opened consortium directory."""

    path: Path
    name: str
    root_cert: x509.Certificate

    @property
    def root_pem(self) -> bytes:
        return self.root_cert.public_bytes(serialization.Encoding.PEM)

    @classmethod
    def create(cls, path: Path, name: str, passphrase: bytes) -> Consortium:
        """Create a new consortium root in an empty or new directory."""
        if (path / "consortium.json").exists():
            raise IdentityError(f"{path} already holds a consortium; choose another directory.")
        path.mkdir(parents=True, exist_ok=True)
        (path / "members").mkdir(exist_ok=True)
        (path / "revocations").mkdir(exist_ok=True)
        key, cert = create_root(name)
        save_private_key(path / "root.key", key, passphrase)
        (path / "root.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (path / "consortium.json").write_text(json.dumps({"name": name}, indent=2) + "\n")
        return cls(path, name, cert)

    @classmethod
    def open(cls, path: Path) -> Consortium:
        meta = path / "consortium.json"
        if not meta.exists():
            raise IdentityError(f"{path} is not a consortium directory (no consortium.json); "
                                "create one with `supplychain consortium create`.")
        name = json.loads(meta.read_text())["name"]
        return cls(path, name, load_certificate((path / "root.pem").read_bytes()))

    def root_key(self, passphrase: bytes) -> Ed25519PrivateKey:
        return load_private_key(self.path / "root.key", passphrase)

    def issue(self, info: MemberInfo, public_key: object, passphrase: bytes) -> x509.Certificate:
        """Issue and file a member certificate for ``info``."""
        existing = self.path / "members" / f"{info.gln}.pem"
        if existing.exists():
            raise IdentityError(f"GLN {info.gln} is already enrolled in this consortium.")
        cert = issue_member_certificate(self.root_key(passphrase), self.root_cert,
                                        public_key, info)  # type: ignore[arg-type]
        existing.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert

    def member_pems(self) -> list[bytes]:
        return [p.read_bytes() for p in sorted((self.path / "members").glob("*.pem"))]

    def revoke(self, gln: GLN, valid_log_size: int, reason: str,
               passphrase: bytes) -> Revocation:
        pem_path = self.path / "members" / f"{gln}.pem"
        if not pem_path.exists():
            raise IdentityError(f"No member with GLN {gln} is enrolled in this consortium.")
        member = verify_member_certificate(load_certificate(pem_path.read_bytes()), self.root_cert)
        revocation = sign_revocation(self.root_key(passphrase), gln, member.serial,
                                     valid_log_size, reason)
        (self.path / "revocations" / f"{gln}.json").write_text(
            json.dumps(revocation.to_dict(), indent=2) + "\n")
        return revocation

    def revocations(self) -> list[Revocation]:
        return [Revocation.from_dict(json.loads(p.read_text()))
                for p in sorted((self.path / "revocations").glob("*.json"))]
