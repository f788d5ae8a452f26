"""Receiving with exceptions on the command line: `goods-in` (what arrived against what was
shipped to us; overage, shortage and damaged reported; only what is right received)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from supplychain.cli.common import EXIT_FAULT, EXIT_OK, add_command, open_node
from supplychain.errors import SupplyChainError
from supplychain.i18n import _, ngettext
from supplychain.node.receiving import (
    Reconciliation,
    overage_words,
    receive_reconciled,
    reconcile,
)


def scanned_lines(path: str) -> list[str]:
    """The codes a USB scanner typed into a file (one per line; ``-``: standard input)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SupplyChainError(_("Cannot read the scanned codes from {path}: {error}")
                               .format(path=path, error=exc.strerror or exc)) from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def report_lines(check: Reconciliation) -> list[str]:
    """The clerk's report: expected, then each exception on a line of its own."""
    lines = [ngettext("Expected: {count} pack", "Expected: {count} packs", len(check.expected))
             .format(count=len(check.expected))
             + (" " + ngettext("({cases} case)", "({cases} cases)", len(check.cases))
                .format(cases=len(check.cases)) if check.cases else "")]
    for case in check.cases:
        lines.append("  " + _("case {sscc}: {count} pack(s)").format(sscc=case.sscc,
                                                                     count=len(case.packs)))
    lines.append(_("RIGHT     {count} pack(s) to receive").format(count=len(check.to_receive)))
    for sscc in check.opened_cases:
        lines.append("  " + _("case {sscc} arrived in part: it is opened on receipt")
                     .format(sscc=sscc))
    for key in check.shortage:
        lines.append(_("SHORT     {key}  shipped to us, not scanned: not received")
                     .format(key=key))
    for key in check.damaged:
        lines.append(_("DAMAGED   {key}  not received").format(key=key))
    for over in check.overage:
        lines.append(_("OVERAGE   {code}  {why}: {message}").format(
            code=over.key or over.text, why=overage_words(over.kind), message=over.message))
    if check.clean:
        lines.append(_("Everything shipped arrived, undamaged, and nothing else."))
    return lines


def cmd_goods_in(args: argparse.Namespace) -> int:
    """Exit status 0 when everything was right, 1 when there were exceptions."""
    codes = list(args.codes)
    for path in args.scanned or ():
        codes.extend(scanned_lines(path))
    if not codes and not args.damaged:
        raise SupplyChainError(_("Scan what arrived: give the codes, or --scanned FILE with one "
                                 "code per line (- for standard input)."))
    with open_node(args) as node:
        check = reconcile(node, codes, args.damaged or (), args.sender)
        receipt = None if args.check else receive_reconciled(node, check, args.reason)
    lines = report_lines(check)
    data: dict[str, Any] = {"check": check.to_dict(), "written": receipt is not None}
    if receipt is None:
        lines.append(_("Checked only: nothing was written."))
    else:
        received = receipt.received
        data["event"] = received.hash if received else None
        data["reports"] = [r.hash for r in receipt.reports]
        lines.append(ngettext("Received {count} pack;", "Received {count} packs;",
                              len(check.to_receive)).format(count=len(check.to_receive))
                     + (" " + _("event {hash}").format(hash=received.hash[:16])
                        if received else ""))
        if receipt.reports:
            lines.append(ngettext("Exceptions recorded in {count} signed report:",
                                  "Exceptions recorded in {count} signed reports:",
                                  len(receipt.reports)).format(count=len(receipt.reports))
                         + " " + ", ".join(r.hash[:16] for r in receipt.reports))
    args.out.emit(data, "\n".join(lines))
    return EXIT_OK if check.clean else EXIT_FAULT


def register(sub: Any) -> None:
    p = add_command(sub, "goods-in", cmd_goods_in,
                    _("receive a delivery as scanned: report overage, shortage and damaged "
                      "packs, receive only what is right"))
    p.add_argument("codes", nargs="*", metavar="CODE",
                   help=_("what arrived: pack codes and case labels (SSCC; a case counts for "
                          "everything in it)"))
    p.add_argument("--scanned", "--file", action="append", dest="scanned", metavar="FILE",
                   help=_("a file of scanned codes, one per line (- for standard input)"))
    p.add_argument("--damaged", action="append", metavar="CODE",
                   help=_("a pack or case that arrived damaged (repeat for each)"))
    p.add_argument("--from", dest="sender", default=None, metavar="GLN",
                   help=_("only shipments from this sender are expected"))
    p.add_argument("--reason", default=None,
                   help=_("the clerk's words, added to each exception recorded"))
    p.add_argument("--check", action="store_true",
                   help=_("print the report only; write nothing"))
