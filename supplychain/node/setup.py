"""Setting up members' nodes: one enrolment (the `consortium enroll` command, the app's
"create consortium", the demo network, tests and scripts all go through it).

Moving what the nodes hold between them is ``supplychain.interchange.bundle.exchange``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from supplychain.errors import LedgerError
from supplychain.i18n import _
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.consortium import Consortium
from supplychain.identity.keys import generate_member_key
from supplychain.ledger.membership import accept_directory
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
                 passphrase: bytes) -> Path:
    """Issue a member certificate for ``info`` and initialise its node home; returns ``home``.

    The home is checked first, so a taken folder does not leave a certificate filed.
    """
    if (home / "node.json").exists():
        raise LedgerError(_("{home} is already a node home; choose another "
                            "directory.").format(home=home))
    identity = issue_identity(consortium, info, passphrase)
    return initialise_home(consortium, identity, home, passphrase, consortium.member_pems())


def create_consortium_with_regulator(directory: Path, name: str, regulator: MemberInfo,
                                     home: Path, passphrase: bytes) -> Path:
    """Create a consortium root in ``directory`` and enrol the regulator's own node at
    ``home`` (the regulator holds the root); returns ``home``."""
    if regulator.role is not Role.REGULATOR:
        raise LedgerError(_("{name} must be enrolled as a regulator to hold the consortium "
                            "root, not as a {role}.").format(name=regulator.name,
                                                             role=regulator.role.value))
    if (home / "node.json").exists():
        raise LedgerError(_("{home} is already a node home; choose another "
                            "directory.").format(home=home))
    consortium = Consortium.create(directory, name, passphrase)
    return enrol_member(consortium, regulator, home, passphrase)


def build_network(directory: Path, consortium_name: str, members: Sequence[MemberInfo],
                  passphrase: bytes) -> tuple[Consortium, dict[str, Path]]:
    """Create a consortium in ``directory/consortium`` and one node home per member.

    Every node starts knowing every member's certificate (and holds the root-signed member
    directory listing them). Returns the consortium and the node
    homes by GLN.
    """
    consortium = Consortium.create(directory / "consortium", consortium_name, passphrase)
    identities = [issue_identity(consortium, info, passphrase) for info in members]
    pems = [i.certificate_pem for i in identities]
    homes: dict[str, Path] = {}
    for identity in identities:
        home = directory / "nodes" / f"{identity.info.gln}"
        homes[identity.info.gln] = initialise_home(consortium, identity, home, passphrase,
                                                   pems)
    return consortium, homes

