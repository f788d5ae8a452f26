"""Commands of light nodes: ``verify`` (asks the full nodes on a light node) and
``node mode``."""

from __future__ import annotations

import argparse
from typing import Any

from supplychain.cli.commands import _verdict_text
from supplychain.cli.common import EXIT_OK, add_command, gs_substitutes, open_node, passphrase
from supplychain.cli.containers import cmd_verify_container, verdict_exit
from supplychain.codes.sscc import looks_like_sscc
from supplychain.i18n import _
from supplychain.ledger.sparse import NodeMode, ProvenStore, node_mode, set_node_mode
from supplychain.node.alerts import alert_for_verdict
from supplychain.sync.questions import ASK_TIMEOUT


def cmd_verify(args: argparse.Namespace) -> int:
    from supplychain.sync.light import verify_anywhere  # noqa: PLC0415 - aiohttp when needed

    if looks_like_sscc(args.code):  # a case or pallet: one verdict for all inside
        return cmd_verify_container(args)

    with open_node(args) as node:
        report = verify_anywhere(node, args.code, gs_substitutes(args),
                                 lambda: passphrase(args), args.timeout)
        data, text = report.to_dict(), _verdict_text(report)
        if args.raise_alert:  # the alert a suspect or counterfeit verdict calls for
            alert = alert_for_verdict(node, report)
            data["alert"] = alert.id if alert else None
            text += "\n" + (_("Alert {id} raised: `supplychain alerts show {id}`.")
                            .format(id=alert.id[:10]) if alert
                            else _("No alert: this verdict calls for none."))
    args.out.emit(data, text)
    return verdict_exit(report.verdict, args)


def cmd_node_mode(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        if args.mode is not None:
            set_node_mode(node.store, NodeMode(args.mode))
        mode = node_mode(node.store)
        logs = node.store.log_sizes()
        data = {"mode": mode.value, "entries": sum(logs.values()),
                "proven_entries": ProvenStore(node.store).count()}
    args.out.emit(data, _("This node is a {mode} node: {entries} log entries held whole, "
                          "{proven} proven entries.").format(mode=mode.value,
                                                             entries=data["entries"],
                                                             proven=data["proven_entries"]))
    return EXIT_OK


def register(sub: Any) -> None:
    p = add_command(sub, "verify", cmd_verify, _("the verdict for a scanned code (a light "
                                                 "node asks its full nodes)"))
    p.add_argument("code", metavar="CODE")
    p.add_argument("--timeout", type=float, default=ASK_TIMEOUT,
                   help=_("seconds to wait for the full nodes (light nodes)"))
    p.add_argument("--exit-code", action="store_true",
                   help=_("exit 0 only for GENUINE: 3 already dispensed here, 4 suspect, "
                          "5 counterfeit"))
    p.add_argument("--raise-alert", action="store_true",
                   help=_("raise this site's alert for a suspect or counterfeit verdict (an "
                          "open alert for the same pack and cause is reused)"))
    node = sub.add_parser("node", help=_("this node's settings"))
    node_sub = node.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = add_command(node_sub, "mode", cmd_node_mode,
                    _("show or set the node's mode: full (every log) or light (what concerns "
                      "it, proven)"))
    p.add_argument("mode", nargs="?", choices=[m.value for m in NodeMode])
