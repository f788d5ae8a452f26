"""Command-line sub-commands for peer sync: ``serve``, ``peers``, ``sync``.

Registered in ``supplychain.cli.main.COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any
from urllib.parse import urlsplit

from supplychain.cli.common import EXIT_FAULT, EXIT_OK, add_command, open_node
from supplychain.clock import now_iso
from supplychain.errors import SupplyChainError
from supplychain.i18n import _
from supplychain.identity.keys import resolve_passphrase

# Same values as supplychain.sync.service's defaults; that module (and aiohttp) is imported
# only when a sync command runs, so other commands start quickly.
DEFAULT_TIMEOUT = 30.0
DEFAULT_INTERVAL = 30.0


def _listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(_("{text} is not HOST:PORT").format(text=repr(text)))
    return host.strip("[]") or "127.0.0.1", int(port)


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        raise SupplyChainError(_("{text} is not a peer URL like https://host:port").format(
            text=repr(text)))
    try:
        port = parts.port
    except ValueError:
        raise SupplyChainError(_("{text} has a bad port number.").format(
            text=repr(text))) from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"https://{host}:{port or 443}"


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def cmd_serve(args: argparse.Namespace) -> int:
    _logging(args.verbose)
    host, port = args.listen
    passphrase = resolve_passphrase(args.passphrase_file)
    with open_node(args) as node:
        from supplychain.sync.service import SyncService

        service = SyncService(node, passphrase, timeout=args.timeout)

        def ready(bound: int) -> None:
            print(_("listening on {url}").format(url=f"https://{host}:{bound}"), flush=True)

        try:
            asyncio.run(service.serve(host, port, args.interval, ready))
        except KeyboardInterrupt:
            pass
        finally:
            service.close()
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    _logging(args.verbose)
    passphrase = resolve_passphrase(args.passphrase_file)
    with open_node(args) as node:
        from supplychain.sync.service import SyncService

        service = SyncService(node, passphrase, timeout=args.timeout)
        try:
            while True:
                reports = asyncio.run(service.sync_round())
                rows = [r.to_dict() for r in reports]
                lines = [f"{r.peer}: " + ((_("FAILED (blocked): {error}") if r.blocked else
                                           _("FAILED (will retry): {error}")).format(
                                              error=r.error) if r.error else
                                          _("ok, {new} new entries, {logs} log(s) "
                                            "checked").format(new=r.total_new,
                                                              logs=r.logs_checked))
                         for r in reports] or [_("No active peers; add one with `peers add "
                                                 "URL`.")]
                args.out.emit(rows, "\n".join(lines))
                if args.once:
                    return EXIT_FAULT if any(r.error for r in reports) else EXIT_OK
                import time
                time.sleep(args.interval)
        finally:
            service.close()


def cmd_peers_add(args: argparse.Namespace) -> None:
    url = _url(args.url)
    with open_node(args) as node, node.store.transaction():
        added = node.store.add_peer(url, now_iso())
    args.out.emit({"url": url, "added": added},
                  (_("Added peer {url}.") if added else _("{url} is already a peer.")).format(
                      url=url))


def cmd_peers_remove(args: argparse.Namespace) -> None:
    url = _url(args.url)
    with open_node(args) as node, node.store.transaction():
        removed = node.store.remove_peer(url)
    if not removed:
        raise SupplyChainError(_("{url} is not a peer of this node.").format(url=url))
    args.out.emit({"url": url, "removed": True}, _("Removed peer {url}.").format(url=url))


def cmd_peers_unblock(args: argparse.Namespace) -> None:
    url = _url(args.url)
    with open_node(args) as node, node.store.transaction():
        done = node.store.unblock_peer(url)
    if not done:
        raise SupplyChainError(_("{url} is not a peer of this node.").format(url=url))
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
    p.add_argument("--listen", required=True, type=_listen, metavar="HOST:PORT")
    p.add_argument("--interval", type=float, default=DEFAULT_INTERVAL,
                   help=_("seconds between sync rounds (default {seconds})").format(
                       seconds=f"{DEFAULT_INTERVAL:g}"))
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=_("deadline of each request to a peer (default {seconds}s)").format(
                       seconds=f"{DEFAULT_TIMEOUT:g}"))
    p.add_argument("-v", "--verbose", action="store_true")

    p = add_command(sub, "sync", cmd_sync, _("pull new entries from every peer"))
    p.add_argument("--once", action="store_true", help=_("one round, then exit"))
    p.add_argument("--interval", type=float, default=DEFAULT_INTERVAL)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
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
