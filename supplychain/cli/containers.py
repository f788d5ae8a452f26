"""Cases and pallets on the command line: `pack --sscc SSCC CODE...`, `unpack SSCC [CODE...]`,
and the case forms of `verify` and `history` (ship, receive and destroy take an SSCC among
their codes: ``commands``)."""

from __future__ import annotations

import argparse
from typing import Any

from supplychain.cli.common import (
    EXIT_OK,
    add_codes,
    add_command,
    open_node,
    pack_count,
    scanned_from,
)
from supplychain.errors import SupplyChainError
from supplychain.i18n import _, ngettext
from supplychain.ledger.verdicts import Verdict
from supplychain.node.containers import (
    as_container,
    container_history,
    container_text,
    pack,
    unpack,
    verify_container,
)


def cmd_pack(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        signed = pack(node, args.sscc, scanned_from(args.codes, args))
    _done(args, signed, ngettext("Packed {count} pack or case into {sscc};",
                                 "Packed {count} packs or cases into {sscc};",
                                 len(signed.event.children)))
    return EXIT_OK


def cmd_unpack(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        signed = unpack(node, args.sscc, scanned_from(args.codes, args))
    _done(args, signed, ngettext("Took {count} pack or case out of {sscc};",
                                 "Took {count} packs or cases out of {sscc};",
                                 len(signed.event.children)))
    return EXIT_OK


def _done(args: argparse.Namespace, signed: Any, sentence: str) -> None:
    event = signed.event
    children = [str(i.pack) for i in event.children]
    args.out.emit({"event": signed.hash, "type": event.type.value, "sscc": event.parent,
                   "children": children, "packs": pack_count(event)},
                  sentence.format(count=len(children), sscc=event.parent) + " "
                  + _("event {hash}").format(hash=signed.hash[:16]))


VERDICT_EXIT = {Verdict.GENUINE: EXIT_OK, Verdict.INFORMATION: 3, Verdict.SUSPECT: 4,
                Verdict.COUNTERFEIT: 5}
"""``verify --exit-code``: the exit status per verdict (a script tells them apart without
reading the output; an already-dispensed pack is never 0). Without the flag ``verify``
exits 0 whatever the verdict: the command worked."""


def verdict_exit(verdict: Verdict, args: argparse.Namespace) -> int:
    """The exit status of ``verify`` for ``verdict`` (``VERDICT_EXIT`` with --exit-code)."""
    return VERDICT_EXIT[verdict] if getattr(args, "exit_code", False) else EXIT_OK


def cmd_verify_container(args: argparse.Namespace) -> int:
    with open_node(args) as node:
        report = verify_container(node, args.code)
    args.out.emit(report.to_dict(), container_text(report))
    return verdict_exit(report.verdict, args)


def cmd_container_history(args: argparse.Namespace) -> None:
    case = as_container(args.code)
    with open_node(args) as node:
        steps = container_history(node, case)
    if not steps:
        raise SupplyChainError(_("No events are known for case {sscc}.").format(sscc=case.sscc))
    lines = []
    for s in steps:
        line = (f"{s.step.time}  {s.step.type.value:<10} "
                + _("by {name} ({gln})").format(name=s.step.actor_name, gln=s.step.actor))
        if s.step.recipient:
            line += f" -> {s.step.recipient}"
        if s.children:
            line += "  " + _("{count} item(s): {keys}").format(count=len(s.children),
                                                               keys=", ".join(s.children))
        lines.append(line + "  " + _("({contents} inside)").format(contents=s.contents))
    args.out.emit({"sscc": case.sscc, "history": [s.to_dict() for s in steps]}, "\n".join(lines))


def register(sub: Any) -> None:
    p = add_command(sub, "pack", cmd_pack,
                    _("put packs or cases into a case or pallet (SSCC of your own prefix)"))
    p.add_argument("--sscc", required=True, help=_("the case or pallet code (SSCC, any form)"))
    add_codes(p)
    p = add_command(sub, "unpack", cmd_unpack,
                    _("take packs or cases out of a case or pallet (all when none is named)"))
    p.add_argument("sscc", metavar="SSCC")
    add_codes(p, optional=True)
