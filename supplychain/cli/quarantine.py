"""Suspect product on the command line: ``quarantine`` and ``release`` (signed chain events by
the custodian) and ``falsification-report`` (the form for the regulator and trading partners).
docs/ARCHITECTURE.md, "Quarantine and release", has the rules."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from supplychain.cli.common import add_codes, add_command, codes_from, open_node, scanned_from
from supplychain.i18n import _, ngettext
from supplychain.ledger.events import SignedEvent
from supplychain.node.falsification_report import (
    build_falsification_report,
    write_falsification_report,
)


def _emit(args: argparse.Namespace, signed: SignedEvent, sentence: str) -> None:
    count = len(signed.event.items)
    args.out.emit({"event": signed.hash, "type": signed.event.type.value, "packs": count,
                   "reason": signed.event.reason},
                  f"{sentence.format(count=count)} "
                  + _("event {hash}").format(hash=signed.hash[:16]))


def cmd_quarantine(args: argparse.Namespace) -> None:
    codes = scanned_from(args.codes, args)
    with open_node(args) as node:
        signed = node.quarantine(codes, args.reason)
    count = len(signed.event.items)
    _emit(args, signed, ngettext(
        "Quarantined {count} pack: it cannot be dispensed or shipped until released;",
        "Quarantined {count} packs: they cannot be dispensed or shipped until released;",
        count))


def cmd_release(args: argparse.Namespace) -> None:
    codes = scanned_from(args.codes, args)
    with open_node(args) as node:
        signed = node.release(codes, args.reason)
    count = len(signed.event.items)
    _emit(args, signed, ngettext("Released {count} pack from quarantine: it is active again;",
                                 "Released {count} packs from quarantine: they are active "
                                 "again;", count))


def cmd_falsification_report(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        codes = codes_from(args.codes, args)
        report = build_falsification_report(node, [c.key for c in codes], args.found)
    write_falsification_report(report, args.out_file)
    args.out.emit({"file": str(args.out_file), "packs": len(report.packs)},
                  _("Wrote the falsification report of {count} pack(s) to {file}").format(
                      count=len(report.packs), file=args.out_file))


def register(sub: Any) -> None:
    """Add the quarantine, release and falsification-report commands."""
    p = add_command(sub, "quarantine", cmd_quarantine,
                    _("set suspect packs in our custody aside: nothing moves them until they "
                      "are released"))
    add_codes(p)
    p.add_argument("--reason", required=True,
                   help=_("what makes the packs suspect (recorded in the signed event)"))
    p = add_command(sub, "release", cmd_release,
                    _("release cleared packs from quarantine (they are active again)"))
    add_codes(p)
    p.add_argument("--reason", required=True,
                   help=_("why the packs are cleared (recorded in the signed event)"))
    p = add_command(sub, "falsification-report", cmd_falsification_report,
                    _("write the report of suspect or falsified packs for the regulator and "
                      "trading partners (.json, .csv or .pdf)"))
    add_codes(p)
    p.add_argument("--found", required=True,
                   help=_("what was found (e.g. the verdict, the seal, the printing)"))
    p.add_argument("--out", dest="out_file", required=True, type=Path, metavar="FILE",
                   help=_("the report file: .json, .csv or .pdf"))
