"""Command-line sub-commands for static tiles: ``publish`` (and ``sync --tiles URL``, which
``supplychain.cli.sync`` hands to :func:`sync_tiles`).

Registered in ``supplychain.cli.main.COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supplychain.cli.common import add_command, open_node
from supplychain.i18n import _
from supplychain.identity.keys import resolve_passphrase

if TYPE_CHECKING:
    from supplychain.sync.puller import PullReport


def cmd_publish(args: argparse.Namespace) -> None:
    from supplychain.interchange.publish import publish

    with open_node(args) as node:
        report = publish(node.ledger, args.out_dir)
    rows = [{"gln": p.gln, "size": p.size, "written": p.written} for p in report.logs]
    args.out.emit({"out": str(report.out), "logs": rows, "written": report.written},
                   _("Published {logs} log(s) to {out}: {written} new file(s).").format(
                       logs=len(rows), out=report.out, written=report.written))


def sync_tiles(args: argparse.Namespace, timeout: float) -> PullReport:
    """``sync --tiles URL``: one verified pull from a tiles URL (never raises for the
    server's faults: the report says what failed)."""
    from supplychain.sync.replica import Replica
    from supplychain.sync.tiles import check_tiles_url, pull_tiles, tiles_context

    url = check_tiles_url(args.tiles)
    with open_node(args) as node:
        ctx = (tiles_context(node.home, resolve_passphrase(args.passphrase_file))
               if url.startswith("https://") else None)
        return asyncio.run(pull_tiles(url, Replica(node.ledger, node.gln), ssl_context=ctx,
                                      timeout=timeout))


def register(sub: Any) -> None:
    p = add_command(sub, "publish", cmd_publish,
                    _("write every log held as C2SP tlog-tiles for a static web server"))
    p.add_argument("--out", dest="out_dir", required=True, type=Path, metavar="DIR")
