"""Commands for packs leaving the chain (``stolen``, ``export``, ``sample``) and for returns
(``return`` at the pharmacy; ``returns check``, ``returns receive``, ``returns incoming`` at
the wholesaler). docs/ARCHITECTURE.md, "Exits and returns", has the rules."""

from __future__ import annotations

import argparse
from typing import Any

from supplychain.cli.common import (
    EXIT_FAULT,
    EXIT_OK,
    Handler,
    add_command,
    codes_from,
    open_node,
)
from supplychain.i18n import _, ngettext
from supplychain.ledger.events import SignedEvent
from supplychain.node import exits, returns
from supplychain.node.returns import ReturnCheck, outcome_words


def _emit_event(args: argparse.Namespace, signed: SignedEvent, sentence: str) -> None:
    count = len(signed.event.items)
    args.out.emit({"event": signed.hash, "type": signed.event.type.value, "packs": count},
                  f"{sentence.format(count=count, to=signed.event.to)} "
                  + _("event {hash}").format(hash=signed.hash[:16]))


def cmd_stolen(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = exits.report_stolen(node, codes_from(args.codes, args), args.reason)
    count = len(signed.event.items)
    _emit_event(args, signed, ngettext("Reported stolen: {count} pack;",
                                       "Reported stolen: {count} packs;", count))


def cmd_export(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = exits.export_packs(node, codes_from(args.codes, args), args.reason)
    count = len(signed.event.items)
    _emit_event(args, signed, ngettext("Exported out of the market: {count} pack;",
                                       "Exported out of the market: {count} packs;", count))


def cmd_sample(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = exits.hand_over_sample(node, codes_from(args.codes, args), args.reason)
    count = len(signed.event.items)
    _emit_event(args, signed, ngettext("Handed over as a sample: {count} pack;",
                                       "Handed over as samples: {count} packs;", count))


def cmd_return(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = returns.return_packs(node, args.to, codes_from(args.codes, args), args.reason)
    count = len(signed.event.items)
    _emit_event(args, signed, ngettext("Returned to {to}: {count} pack;",
                                       "Returned to {to}: {count} packs;", count))


def _check_lines(checks: tuple[ReturnCheck, ...] | list[ReturnCheck]) -> list[str]:
    return [f"{c.code.key}  {outcome_words(c.outcome).upper()}: {c.message}" for c in checks]


def cmd_returns_check(args: argparse.Namespace) -> int:
    """Exit status 0 when every pack passes, 1 otherwise (for scripts)."""
    with open_node(args) as node:
        checks = returns.check_returns(node, args.pharmacy, codes_from(args.codes, args))
    args.out.emit({"checks": [c.to_dict() for c in checks]}, "\n".join(_check_lines(checks)))
    return EXIT_OK if all(c.accepted for c in checks) else EXIT_FAULT


def cmd_returns_receive(args: argparse.Namespace) -> int:
    """Receive the packs that pass; exit status 1 when any did not."""
    with open_node(args) as node:
        receipt = returns.receive_returns(node, args.pharmacy, codes_from(args.codes, args),
                                          quarantine=args.quarantine)
    received = receipt.received
    count = len(received.event.items) if received else 0
    lines = _check_lines(receipt.checks)
    lines.append(ngettext("Received back into saleable stock: {count} pack.",
                          "Received back into saleable stock: {count} packs.", count)
                 .format(count=count)
                 + (" " + _("event {hash}").format(hash=received.hash[:16]) if received else ""))
    refused = len(receipt.checks) - count
    if refused:
        lines.append(ngettext("Not received: {count} pack (see above).",
                              "Not received: {count} packs (see above).", refused)
                     .format(count=refused))
    if receipt.reports:
        lines.append(_("Quarantined and reported as suspect: {count} pack(s).")
                     .format(count=len(receipt.reports)))
    data: dict[str, Any] = {"checks": [c.to_dict() for c in receipt.checks],
                            "received": count, "event": received.hash if received else None,
                            "reports": [r.hash for r in receipt.reports]}
    args.out.emit(data, "\n".join(lines))
    return EXIT_OK if not refused else EXIT_FAULT


def cmd_returns_incoming(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        records = returns.incoming_returns(node)
        rows = [{"pack": r.pack, "from": r.custodian,
                 "from_name": node.ledger.member_name(r.custodian), "lot": r.lot,
                 "expiry": r.expiry.isoformat()} for r in records]
    args.out.emit(rows, "\n".join(f"{r['pack']}  {r['from_name']} ({r['from']})" for r in rows)
                  or _("No returns on their way to this node."))


def register(sub: Any) -> None:
    """Add the exit and returns commands to the ``supplychain`` parser's sub-commands."""
    for name, handler, text in (
            ("stolen", cmd_stolen, _("report packs in our custody stolen (they leave the chain)")),
            ("export", cmd_export, _("export packs out of this market (they leave the chain)")),
            ("sample", cmd_sample,
             _("hand packs to an authority as samples (they leave the chain)"))):
        p = add_command(sub, name, handler, text)
        p.add_argument("codes", nargs="+", metavar="CODE")
        p.add_argument("--reason", default=None,
                       help=_("e.g. the police report, the destination country or the "
                              "authority and its reference"))
    p = add_command(sub, "return", cmd_return,
                    _("return packs to the wholesaler they came from (pharmacy)"))
    p.add_argument("--to", required=True, help=_("the wholesaler's GLN"))
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.add_argument("--reason", default=None)

    group = sub.add_parser("returns", help=_("check returned packs before they are resold "
                                             "(wholesaler)"))
    group_sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    checks: tuple[tuple[str, Handler, str], ...] = (
            ("check", cmd_returns_check,
             _("the saleable-returns check of each returned pack (writes nothing)")),
            ("receive", cmd_returns_receive,
             _("check returned packs and receive those that pass into saleable stock")))
    for name, check_handler, text in checks:
        p = add_command(group_sub, name, check_handler, text)
        p.add_argument("--from", dest="pharmacy", required=True, metavar="GLN",
                       help=_("the returning pharmacy's GLN"))
        p.add_argument("codes", nargs="+", metavar="CODE")
        if name == "receive":
            p.add_argument("--quarantine", action="store_true",
                           help=_("also report as suspect each pack that should not exist "
                                  "where it is (unknown, dispensed, not the pharmacy's, ...)"))
    add_command(group_sub, "incoming", cmd_returns_incoming,
                _("returned packs on their way to this node"))
