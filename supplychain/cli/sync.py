"""Command-line sub-commands for peer sync: ``serve``, ``peers``, ``sync``.

Registered in ``supplychain.cli.main.COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import sys
from typing import TYPE_CHECKING, Any

from supplychain.cli.common import EXIT_FAULT, EXIT_OK, add_command, open_node
from supplychain.cli.tiles import sync_tiles
from supplychain.errors import BadDuration, LedgerError
from supplychain.i18n import _
from supplychain.identity.keys import resolve_passphrase
from supplychain.node.network import (
    add_peer,
    parse_listen_address,
    remove_peer,
    unblock_peer,
)
from supplychain.sync.protocol import DEFAULT_INTERVAL, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from supplychain.sync.puller import PullReport

# supplychain.sync.service (and aiohttp) is imported only when a sync command runs, so other
# commands start quickly; the sans-I/O protocol module holds the defaults.


#: The longest --interval or --timeout accepted: a week.
MAX_SECONDS = 7 * 24 * 3600.0


def seconds_option(value: str | float, option: str) -> float:
    """A number of seconds given for ``option``: finite, above 0 and at most a week."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_SECONDS:
        raise BadDuration(_("{option} {value} is not a number of seconds above 0 and at most "
                            "{most:g}.").format(option=option, value=repr(str(value)),
                                                 most=MAX_SECONDS))
    return seconds


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def cmd_serve(args: argparse.Namespace) -> int:
    host, port = parse_listen_address(args.listen)
    interval = seconds_option(args.interval, "--interval")
    timeout = seconds_option(args.timeout, "--timeout")
    _logging(args.verbose)
    passphrase = resolve_passphrase(args.passphrase_file)
    with open_node(args) as node:
        from supplychain.sync.service import SyncService

        if args.witness and (args.replica or node.store.read_only):
            raise LedgerError(_("--witness cannot run on a read replica: a witness must store "
                               "what it cosigned. Run the witness on the ingest node, over "
                               "the primary."))
        service = SyncService(node, passphrase, timeout=timeout, witness=args.witness,
                              read_replica=args.replica)
        if service.read_replica:
            print(_("answer node on a read replica: serving reads only (no sync, pushes, "
                    "notices or witnessing)"), file=sys.stderr, flush=True)

        def ready(bound: int) -> None:
            shown = f"[{host}]" if ":" in host else host
            print(_("listening on {url}").format(url=f"https://{shown}:{bound}"), flush=True)

        try:
            asyncio.run(service.serve(host, port, interval, ready))
        except KeyboardInterrupt:
            pass
        finally:
            service.close()
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    interval = seconds_option(args.interval, "--interval")
    timeout = seconds_option(args.timeout, "--timeout")
    _logging(args.verbose)
    if args.tiles is not None:
        return _sync_tiles(args, interval, timeout)
    passphrase = resolve_passphrase(args.passphrase_file)
    with open_node(args) as node:
        from supplychain.sync.service import SyncService

        service = SyncService(node, passphrase, timeout=timeout)
        try:
            while True:
                result = asyncio.run(service.round())
                rows = [r.to_dict() for r in result.reports]
                lines = [_report_line(r) for r in result.reports]
                lines += [_("{url}: skipped (blocked; see `alerts`, then `peers "
                            "unblock`)").format(url=url) for url in result.skipped_blocked]
                args.out.emit(rows, "\n".join(lines)
                              or _("No active peers; add one with `peers add URL`."))
                if args.once:
                    return EXIT_FAULT if result.failed else EXIT_OK
                import time
                time.sleep(interval)
        finally:
            service.close()


def _sync_tiles(args: argparse.Namespace, interval: float, timeout: float) -> int:
    """``sync --tiles URL``: pull from a static tiles URL instead of the peers."""
    while True:
        report = sync_tiles(args, timeout)
        args.out.emit([report.to_dict()], _report_line(report))
        if args.once:
            return EXIT_FAULT if report.failure is not None else EXIT_OK
        import time
        time.sleep(interval)


def _report_line(report: PullReport) -> str:
    if report.failure is None:
        return f"{report.peer}: " + _("ok, {new} new entries, {logs} log(s) checked").format(
            new=report.total_new, logs=report.logs_checked)
    failed = (_("FAILED (will retry): {error}") if report.failure.retried else
              _("FAILED (blocked): {error}"))
    return f"{report.peer}: " + failed.format(error=report.error)


def cmd_peers_add(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        url, added = add_peer(node, args.url)
    args.out.emit({"url": url, "added": added},
                  (_("Added peer {url}.") if added else _("{url} is already a peer.")).format(
                      url=url))


def cmd_peers_remove(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        url = remove_peer(node, args.url)
    args.out.emit({"url": url, "removed": True}, _("Removed peer {url}.").format(url=url))


def cmd_peers_unblock(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        url = unblock_peer(node, args.url)
    args.out.emit({"url": url, "state": "active"},
                  _("Peer {url} is active again; its evidence stays in `alerts`.").format(url=url))


def cmd_peers_list(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        rows: list[dict[str, Any]] = [
            {"url": p.url, "gln": p.gln, "state": p.state, "reason": p.reason, "added": p.added,
             "last_attempt": p.last_attempt, "last_success": p.last_success,
             "failures": p.failures}
            for p in node.store.peers()]
    text = "\n".join(f"{r['url']}  {r['state']:<8} {r['gln'] or '-':<13} "
                     + _("last ok: {when}").format(when=r["last_success"] or _("never"))
                     + (f"\n    {r['reason']}" if r["reason"] else "") for r in rows)
    args.out.emit(rows, text or _("No peers; add one with `peers add https://HOST:PORT`."))


def register(sub: Any) -> None:
    p = add_command(sub, "serve", cmd_serve,
                    _("run this node headless: serve its logs over mutual TLS and sync with peers"))
    p.add_argument("--listen", required=True, metavar="HOST:PORT")
    p.add_argument("--interval", default=DEFAULT_INTERVAL,
                   help=_("seconds between sync rounds (default {seconds})").format(
                       seconds=f"{DEFAULT_INTERVAL:g}"))
    p.add_argument("--timeout", default=DEFAULT_TIMEOUT,
                   help=_("deadline of each request to a peer (default {seconds}s)").format(
                       seconds=f"{DEFAULT_TIMEOUT:g}"))
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--witness", action=argparse.BooleanOptionalAction, default=None,
                   help=_("act as a witness: cosign members' checkpoints (tlog-witness); "
                          "default: on for the regulator's node"))
    p.add_argument("--replica", action="store_true",
                   help=_("an answer node on a read replica of the ledger: serve the read "
                          "endpoints only; no sync rounds, pushes, notices or witnessing "
                          "(automatic when node.json sets \"store_read_only\")"))

    p = add_command(sub, "sync", cmd_sync, _("pull new entries from every peer"))
    p.add_argument("--once", action="store_true", help=_("one round, then exit"))
    p.add_argument("--tiles", metavar="URL", default=None,
                   help=_("pull from static tiles (`publish`) at URL instead of the peers"))
    p.add_argument("--interval", default=DEFAULT_INTERVAL)
    p.add_argument("--timeout", default=DEFAULT_TIMEOUT)
    p.add_argument("-v", "--verbose", action="store_true")

    peers = sub.add_parser("peers", help=_("the nodes this node syncs with"))
    peers_sub = peers.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = add_command(peers_sub, "add", cmd_peers_add, _("add a peer (https://HOST:PORT)"))
    p.add_argument("url")
    p = add_command(peers_sub, "remove", cmd_peers_remove, _("remove a peer"))
    p.add_argument("url")
    p = add_command(peers_sub, "unblock", cmd_peers_unblock,
                    _("let a blocked peer be pulled from again"))
    p.add_argument("url")
    add_command(peers_sub, "list", cmd_peers_list, _("list peers and their state"))
