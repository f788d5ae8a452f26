"""``consortium create --sharing`` and ``consortium sharing``: the consortium's sharing policy."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from supplychain.cli.common import Handler, add_command, passphrase
from supplychain.i18n import _
from supplychain.identity.consortium import Consortium
from supplychain.identity.sharing import SharingMode, SharingPolicy


def sharing_options(p: argparse.ArgumentParser) -> None:
    """``--sharing MODE`` (need-to-know by default) and ``--hub GLN`` (repeatable)."""
    p.add_argument("--sharing", choices=[m.value for m in SharingMode],
                   default=SharingMode.NEED_TO_KNOW.value,
                   help=_("who may pull whole logs: need-to-know (the regulator and hubs; "
                          "the default) or full (every member)"))
    p.add_argument("--hub", action="append", default=[], metavar="GLN",
                   help=_("a designated hub that may pull whole logs (repeatable)"))


def sharing_from_args(args: argparse.Namespace) -> SharingPolicy:
    return SharingPolicy(args.sharing, tuple(args.hub))


def cmd_consortium_sharing(args: argparse.Namespace) -> None:
    consortium = Consortium.open(args.dir)
    sharing = sharing_from_args(args)
    directory = consortium.set_sharing(sharing, passphrase(args))
    args.out.emit({"sharing": sharing.to_dict(), "directory_version": directory.version},
                  _("Sharing is now {sharing} (hubs: {hubs}); member directory version "
                    "{version} carries it to the nodes (sync, bundles, `consortium "
                    "directory`).").format(sharing=sharing.mode.value,
                                           hubs=", ".join(sharing.hubs) or "-",
                                           version=directory.version))


def register_sharing(cons_sub: Any, create: Handler) -> None:
    """Add ``consortium create DIR --name NAME [--sharing MODE] [--hub GLN ...]`` (run by
    ``create``) and ``consortium sharing DIR --sharing MODE [--hub GLN ...]``."""
    p = add_command(cons_sub, "create", create, _("create a consortium root (regulator)"))
    p.add_argument("dir", type=Path)
    p.add_argument("--name", required=True)
    sharing_options(p)
    p = add_command(cons_sub, "sharing", cmd_consortium_sharing,
                    _("change the consortium's sharing policy (signs a new member directory)"))
    p.add_argument("dir", type=Path)
    sharing_options(p)
