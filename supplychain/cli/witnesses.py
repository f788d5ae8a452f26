"""Command-line sub-commands for witnesses: ``witness policy`` (the regulator sets the
consortium's witness policy) and ``witness status`` (who vouched for each log held here)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from supplychain.cli.common import add_command, open_node, passphrase
from supplychain.codes.gs1 import validate_gln
from supplychain.errors import WitnessPolicyError
from supplychain.files import read_input_file
from supplychain.i18n import _
from supplychain.identity.certificates import load_certificate, verify_member_certificate
from supplychain.identity.consortium import Consortium
from supplychain.identity.witness_policy import MAX_POLICY_BYTES, member_policy
from supplychain.ledger.membership import accept_directory
from supplychain.ledger.witnessing import held_policy, log_witnesses
from supplychain.node.operations import Node


def _member_keys(consortium: Consortium) -> dict[str, bytes]:
    keys = {}
    for pem in consortium.member_pems():
        member = verify_member_certificate(load_certificate(pem), consortium.root_cert)
        keys[str(member.info.gln)] = member.public_key.public_bytes(Encoding.Raw,
                                                                    PublicFormat.Raw)
    return keys


def cmd_witness_policy(args: argparse.Namespace) -> None:
    consortium = Consortium.open(args.dir)
    text: str | None
    if args.file is not None:
        text = read_input_file(args.file, MAX_POLICY_BYTES, what="witness policy",
                               error=WitnessPolicyError).decode("utf-8", "surrogateescape")
    elif args.member:
        keys = _member_keys(consortium)
        chosen = []
        for typed in args.member:
            gln = validate_gln(typed)
            if gln not in keys:
                raise WitnessPolicyError(_("No member with GLN {gln} is enrolled in this "
                                           "consortium.").format(gln=gln))
            chosen.append((str(gln), keys[gln]))
        text = member_policy(chosen, args.quorum)
    else:
        text = None  # the default: the regulator's node
    secret = passphrase(args)
    directory = consortium.set_witness_policy(text, secret)
    home = args.home
    applied = False
    if home is not None and (home / "node.json").is_file() and (home / "root.pem").is_file() \
            and (home / "root.pem").read_bytes() == consortium.root_pem:
        with Node(home, lambda: secret) as node:
            accept_directory(node.ledger, directory)
        applied = True
    shown = text if text is not None else _("(default: the regulator's node is the one "
                                            "witness)\n")
    args.out.emit({"version": directory.version, "witness_policy": text,
                   "home": str(home) if applied else None},
                  _("Member directory version {version} carries the witness policy:\n{policy}"
                    "Spread it like any directory (sync, bundles, `directory import`).")
                  .format(version=directory.version, policy=shown))


def cmd_witness_status(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        policy = held_policy(node.store)
        logs = log_witnesses(node.store, node.store.log_sizes())
    rows = [w.to_dict() for w in logs]
    lines = [_("Witness policy (quorum {quorum}):").format(quorum=policy.quorum),
             *("  " + line for line in policy.text.strip().splitlines())]
    for w in logs:
        vouched = ", ".join(w.names) if w.names else _("not yet witnessed")
        mark = _("quorum") if w.quorum else _("no quorum")
        lines.append(f"{w.log} @ {w.size}: {vouched} ({mark})")
    args.out.emit({"policy": policy.text, "logs": rows}, "\n".join(lines))


def register(sub: Any) -> None:
    wit = sub.add_parser("witness", help=_("witnesses: the consortium's policy, who vouched"))
    wit_sub = wit.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = add_command(wit_sub, "policy", cmd_witness_policy,
                    _("set the consortium's witness policy and sign the member directory "
                      "(regulator)"))
    p.add_argument("dir", type=Path, help=_("the consortium directory"))
    how = p.add_mutually_exclusive_group()
    how.add_argument("--file", type=Path, default=None,
                     help=_("a C2SP tlog-policy file (witness, group and quorum lines)"))
    how.add_argument("--member", action="append", default=[], metavar="GLN",
                     help=_("a member whose node witnesses, with its member key (repeatable)"))
    p.add_argument("--quorum", type=int, default=None, metavar="K",
                   help=_("how many of the --member witnesses must cosign (default all)"))
    add_command(wit_sub, "status", cmd_witness_status,
                _("the witness policy and who vouched for each log held here"))
