"""The consortium directory (held by the regulator): root key, member certificates, revocations.

Layout of a consortium directory::

    consortium.json        {"name": ..., "sharing": {"mode", "hubs"}} (no "sharing": full)
    root.pem / root.key    the root certificate and its passphrase-encrypted key
    members/<gln>.pem      every member certificate issued
    revocations/<gln>.json root-signed revocations
    directory.json         the latest root-signed member directory (re-signed on every change)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supplychain.errors import DirectoryError, IdentityError
from supplychain.files import write_atomically
from supplychain.i18n import _
from supplychain.identity.certificates import (
    MemberInfo,
    create_root,
    issue_member_certificate,
    load_certificate,
    verify_member_certificate,
    verify_stored_certificate,
)
from supplychain.identity.directory import MemberDirectory, sign_directory
from supplychain.identity.keys import load_private_key, save_private_key
from supplychain.identity.prefixes import check_no_clash
from supplychain.identity.revocations import Revocation, sign_revocation
from supplychain.identity.sharing import NEED_TO_KNOW, SharingPolicy
from supplychain.ids import GLN

CONSORTIUM_FILES = ("consortium.json", "root.pem", "root.key", "members", "revocations",
                    "directory.json")
"""What ``Consortium.create`` makes in its folder."""


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
    def create(cls, path: Path, name: str, passphrase: bytes,
               sharing: SharingPolicy = NEED_TO_KNOW) -> Consortium:
        """Create a new consortium root in an empty or new directory (need-to-know sharing
        unless ``sharing`` says otherwise)."""
        if (path / "consortium.json").exists():
            raise IdentityError(_("{path} already holds a consortium; choose another directory.")
                                .format(path=path))
        path.mkdir(parents=True, exist_ok=True)
        (path / "members").mkdir(exist_ok=True)
        (path / "revocations").mkdir(exist_ok=True)
        key, cert = create_root(name)
        save_private_key(path / "root.key", key, passphrase)
        (path / "root.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (path / "consortium.json").write_text(
            json.dumps({"name": name, "sharing": sharing.to_dict()}, indent=2) + "\n")
        consortium = cls(path, name, cert)
        consortium.directory(passphrase)
        return consortium

    @classmethod
    def open(cls, path: Path) -> Consortium:
        meta = path / "consortium.json"
        if not meta.exists():
            raise IdentityError(_("{path} is not a consortium directory (no consortium.json); "
                                  "create one with `supplychain consortium create`.")
                                .format(path=path))
        name = json.loads(meta.read_text())["name"]
        return cls(path, name, load_certificate((path / "root.pem").read_bytes()))

    def root_key(self, passphrase: bytes) -> Ed25519PrivateKey:
        return load_private_key(self.path / "root.key", passphrase)

    def issue(self, info: MemberInfo, public_key: object, passphrase: bytes) -> x509.Certificate:
        """Issue and file a member certificate for ``info``."""
        cert = self.certify(info, public_key, passphrase)
        self.file(cert, passphrase)
        return cert

    def certify(self, info: MemberInfo, public_key: object,
                passphrase: bytes) -> x509.Certificate:
        """Sign a member certificate for ``info`` without filing it (``file`` does).

        Refused (IdentityError) if the GLN is enrolled already or a company prefix repeats or
        nests with one of any member ever enrolled, revoked members included (their GTINs stay
        theirs in the entries they signed).
        """
        if (self.path / "members" / f"{info.gln}.pem").exists():
            raise IdentityError(_("GLN {gln} is already enrolled in this consortium.")
                                .format(gln=info.gln))
        check_no_clash(info, self.enrolled())
        return issue_member_certificate(self.root_key(passphrase), self.root_cert,
                                        public_key, info)  # type: ignore[arg-type]

    def file(self, cert: x509.Certificate, passphrase: bytes) -> MemberDirectory:
        """File a certificate from ``certify`` and sign the member directory listing it."""
        info = verify_member_certificate(cert, self.root_cert).info
        path = self.path / "members" / f"{info.gln}.pem"
        if path.exists():
            raise IdentityError(_("GLN {gln} is already enrolled in this consortium.")
                                .format(gln=info.gln))
        check_no_clash(info, self.enrolled())
        write_atomically(path, cert.public_bytes(serialization.Encoding.PEM),
                         error=IdentityError)
        return self.directory(passphrase)

    def withdraw(self, gln: GLN, passphrase: bytes) -> None:
        """Undo ``file`` for a member whose enrolment failed before its node existed: the
        certificate leaves the folder and the directory is signed again without it."""
        (self.path / "members" / f"{gln}.pem").unlink(missing_ok=True)
        self.directory(passphrase)

    def enrolled(self) -> list[MemberInfo]:
        """Who every filed certificate names (revoked members included)."""
        return [verify_stored_certificate(pem, self.root_cert).info
                for pem in self.member_pems()]

    def member_pems(self) -> list[bytes]:
        return [p.read_bytes() for p in sorted((self.path / "members").glob("*.pem"))]

    def revoke(self, gln: GLN, valid_log_size: int, reason: str,
               passphrase: bytes) -> Revocation:
        pem_path = self.path / "members" / f"{gln}.pem"
        if not pem_path.exists():
            raise IdentityError(_("No member with GLN {gln} is enrolled in this consortium.")
                                .format(gln=gln))
        member = verify_member_certificate(load_certificate(pem_path.read_bytes()), self.root_cert)
        revocation = sign_revocation(self.root_key(passphrase), gln, member.serial,
                                     valid_log_size, reason)
        (self.path / "revocations" / f"{gln}.json").write_text(
            json.dumps(revocation.to_dict(), indent=2) + "\n")
        self.directory(passphrase)
        return revocation

    def revocations(self) -> list[Revocation]:
        return [Revocation.from_dict(json.loads(p.read_text()))
                for p in sorted((self.path / "revocations").glob("*.json"))]

    # --- the sharing policy ---------------------------------------------------------------
    @property
    def sharing(self) -> SharingPolicy | None:
        """The sharing policy on file (None: a consortium made before policies, i.e. full)."""
        meta = json.loads((self.path / "consortium.json").read_text())
        return SharingPolicy.from_dict(meta["sharing"]) if "sharing" in meta else None

    def set_sharing(self, sharing: SharingPolicy, passphrase: bytes) -> MemberDirectory:
        """Change the sharing policy; the member directory is signed anew (next version)."""
        meta = json.loads((self.path / "consortium.json").read_text())
        meta["sharing"] = sharing.to_dict()
        write_atomically(self.path / "consortium.json",
                         (json.dumps(meta, indent=2) + "\n").encode(), error=IdentityError)
        return self.directory(passphrase)

    # --- the signed member directory ------------------------------------------------------
    def signed_directory(self) -> MemberDirectory | None:
        """The latest member directory on file (None if none was signed yet)."""
        path = self.path / "directory.json"
        if not path.exists():
            return None
        directory = MemberDirectory.parse(path.read_bytes())
        directory.verify(self.root_cert)
        return directory

    def directory(self, passphrase: bytes | Callable[[], bytes]) -> MemberDirectory:
        """The current member directory, signed anew (next version) if membership changed.

        ``passphrase`` (or a function giving it) is needed only when a new version is signed.
        """
        current = self.signed_directory()
        members, revocations, sharing = self.member_pems(), self.revocations(), self.sharing
        if current is not None and current.same_content(members, revocations, sharing):
            return current
        secret = passphrase() if callable(passphrase) else passphrase
        version = 1 if current is None else current.version + 1
        directory = sign_directory(self.root_key(secret), self.root_cert, self.name, version,
                                   members, revocations, sharing=sharing)
        write_atomically(self.path / "directory.json", directory.to_bytes(),
                         error=DirectoryError)
        return directory
