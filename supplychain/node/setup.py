"""Setting up members' nodes: one enrolment (the `consortium enroll` command, the app's
"create consortium", the demo network, tests and scripts all go through it).

Moving what the nodes hold between them is ``supplychain.interchange.bundle.exchange``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supplychain.errors import LedgerError
from supplychain.i18n import _
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.consortium import CONSORTIUM_FILES, Consortium
from supplychain.identity.keys import generate_member_key
from supplychain.identity.sharing import FULL_SHARING, SharingPolicy
from supplychain.ledger.membership import accept_directory
from supplychain.ledger.sparse import NodeMode, set_node_mode
from supplychain.node.operations import Node


@dataclass(frozen=True)
class Identity:
    """A member's new key and the certificate the consortium issued for it (PEM)."""

    info: MemberInfo
    key: Ed25519PrivateKey
    certificate_pem: bytes


def issue_identity(consortium: Consortium, info: MemberInfo, passphrase: bytes) -> Identity:
    """Generate a member key and have the consortium root certify it (filed in the
    consortium directory)."""
    key = generate_member_key()
    cert = consortium.issue(info, key.public_key(), passphrase)
    return Identity(info, key, cert.public_bytes(serialization.Encoding.PEM))


def initialise_home(consortium: Consortium, identity: Identity, home: Path, passphrase: bytes,
                    directory: Iterable[bytes] = ()) -> Path:
    """Create the node home of an issued identity, knowing ``directory``'s certificates and
    the consortium's revocations, and holding its current root-signed member directory."""
    node = Node.initialise(home, consortium.name, consortium.root_pem,
                           identity.certificate_pem, identity.key, passphrase, directory)
    with node:
        for revocation in consortium.revocations():
            node.ledger.add_revocation(revocation)
        accept_directory(node.ledger, consortium.directory(passphrase))
    return home


def enrol_member(consortium: Consortium, info: MemberInfo, home: Path,
                 passphrase: bytes, *, light: bool = False, store: str | None = None) -> Path:
    """Issue a member certificate for ``info`` and initialise its node home; returns ``home``.

    All or nothing: the home is built in a temporary folder next to ``home`` (key,
    certificates, store), the certificate is filed in the consortium only once that
    worked, and the folder is moved into place last. If any step fails, the certificate is
    withdrawn again and the temporary folder removed, so the GLN can be enrolled again.
    ``light``: the node is a light node (``ledger.sparse.NodeMode``; full by default).
    ``store``: a PostgreSQL URL for the node's ledger (database and schema created if
    missing); by default ``ledger.sqlite`` in the home.
    """
    if (home / "node.json").exists():
        raise LedgerError(_("{home} is already a node home; choose another "
                            "directory.").format(home=home))
    key = generate_member_key()
    cert = consortium.certify(info, key.public_key(), passphrase)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    staging = _staging_folder(home)
    filed = False
    try:
        node = Node.initialise(staging, consortium.name, consortium.root_pem, pem, key,
                               passphrase, consortium.member_pems(), store=store)
        with node:
            for revocation in consortium.revocations():
                node.ledger.add_revocation(revocation)
            directory = consortium.file(cert, passphrase)
            filed = True
            accept_directory(node.ledger, directory)
            if light:
                set_node_mode(node.store, NodeMode.LIGHT)
        _move_into_place(staging, home)
    except BaseException as exc:
        if filed:
            consortium.withdraw(info.gln, passphrase)
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _unwritable(home, exc) from exc
        raise
    return home


def _unwritable(home: Path, exc: OSError) -> LedgerError:
    return LedgerError(_("Cannot create the node home {home}: {error}. Nothing was enrolled; "
                         "choose a folder you can write to.").format(
                             home=home, error=exc.strerror or exc))


def _staging_folder(home: Path) -> Path:
    """A new empty folder next to ``home`` (same file system, so it can be renamed)."""
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{home.name}.enrolling-", dir=home.parent))
    except OSError as exc:
        raise _unwritable(home, exc) from exc


def _move_into_place(staging: Path, home: Path) -> None:
    """Make ``staging`` the node home: a rename, or, into an existing folder, one rename
    per file with ``node.json`` (what marks a node home) last."""
    if not home.exists():
        staging.rename(home)
        return
    entries = sorted(staging.iterdir(), key=lambda p: p.name == "node.json")
    for entry in entries:
        entry.replace(home / entry.name)
    staging.rmdir()


def create_consortium_with_regulator(directory: Path, name: str, regulator: MemberInfo,
                                     home: Path, passphrase: bytes) -> Path:
    """Create a consortium root in ``directory`` and enrol the regulator's own node at
    ``home`` (the regulator holds the root); returns ``home``. If the regulator's home
    cannot be made, the new consortium is removed again."""
    if regulator.role is not Role.REGULATOR:
        raise LedgerError(_("{name} must be enrolled as a regulator to hold the consortium "
                            "root, not as a {role}.").format(name=regulator.name,
                                                             role=regulator.role.value))
    if (home / "node.json").exists():
        raise LedgerError(_("{home} is already a node home; choose another "
                            "directory.").format(home=home))
    existed = directory.exists()
    consortium = Consortium.create(directory, name, passphrase)
    try:
        return enrol_member(consortium, regulator, home, passphrase)
    except BaseException:
        if existed:
            for made in CONSORTIUM_FILES:
                target = directory / made
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)
        else:
            shutil.rmtree(directory, ignore_errors=True)
        raise


def build_network(directory: Path, consortium_name: str, members: Sequence[MemberInfo],
                  passphrase: bytes, sharing: SharingPolicy = FULL_SHARING,
                  ) -> tuple[Consortium, dict[str, Path]]:
    """Create a consortium in ``directory/consortium`` and one node home per member.

    ``sharing`` is full by default (the demo and most tests: every node pulls every log);
    tests of need-to-know serving pass ``NEED_TO_KNOW``. Every node starts knowing every
    member's certificate (and holds the root-signed member directory listing them). Returns
    the consortium and the node homes by GLN.
    """
    consortium = Consortium.create(directory / "consortium", consortium_name, passphrase,
                                   sharing)
    identities = [issue_identity(consortium, info, passphrase) for info in members]
    pems = [i.certificate_pem for i in identities]
    homes: dict[str, Path] = {}
    for identity in identities:
        home = directory / "nodes" / f"{identity.info.gln}"
        homes[identity.info.gln] = initialise_home(consortium, identity, home, passphrase,
                                                   pems)
    return consortium, homes

