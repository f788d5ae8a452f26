"""Setting up a consortium and its members' nodes in one go (demo network, tests, scripts).

Moving what the nodes hold between them is ``supplychain.interchange.bundle.exchange``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from supplychain.identity.certificates import MemberInfo
from supplychain.identity.consortium import Consortium
from supplychain.identity.keys import generate_member_key
from supplychain.node.operations import Node


def build_network(directory: Path, consortium_name: str, members: Sequence[MemberInfo],
                  passphrase: bytes) -> tuple[Consortium, dict[str, Path]]:
    """Create a consortium in ``directory/consortium`` and one node home per member.

    Every node starts knowing every member's certificate. Returns the consortium and the node
    homes by GLN.
    """
    consortium = Consortium.create(directory / "consortium", consortium_name, passphrase)
    keys = {}
    pems = {}
    for info in members:
        key = generate_member_key()
        cert = consortium.issue(info, key.public_key(), passphrase)
        keys[info.gln] = key
        pems[info.gln] = cert.public_bytes(serialization.Encoding.PEM)
    homes: dict[str, Path] = {}
    for info in members:
        home = directory / "nodes" / f"{info.gln}"
        node = Node.initialise(home, consortium_name, consortium.root_pem, pems[info.gln],
                               keys[info.gln], passphrase, pems.values())
        node.close()
        homes[info.gln] = home
    return consortium, homes

