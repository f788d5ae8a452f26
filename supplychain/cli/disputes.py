"""Command-line sub-commands for rewritten logs (``supplychain.ledger.disputes``):
``disputes`` lists what is held, ``disputes show AUTHOR [--out FILE]`` shows (and exports) one
author's disputes with both signed statements, ``disputes verify FILE`` checks an exported
file against this node's consortium root and the author's key."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from supplychain.cli.common import add_command, open_node
from supplychain.codes.gs1 import validate_gln
from supplychain.i18n import _
from supplychain.ledger.dispute_file import (
    CheckedDispute,
    check_dispute_document,
    dispute_document,
    verify_dispute_file,
    write_dispute_file,
)
from supplychain.ledger.disputes import get_disputes
from supplychain.ledger.records import DisputeRecord


def _row(d: DisputeRecord, name: str) -> dict[str, Any]:
    return {"author": d.author, "name": name, "from_index": d.from_index,
            "channel": d.channel, "relay": d.relay, "first_seen": d.first_seen,
            "last_seen": d.last_seen, "count": d.count, "statement_ours": d.statement_ours,
            "statement_theirs": d.statement_theirs, "entry_index": d.entry_index}


def _line(row: dict[str, Any]) -> str:
    return _("{name} ({author}): log disputed from entry {from_index} on; seen through "
             "{channel} {relay}, {count} time(s), first {first_seen}").format(**row)


def cmd_disputes(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        rows = [_row(d, node.ledger.member_name(d.author)) for d in get_disputes(node.ledger)]
    args.out.emit(rows, "\n".join(_line(r) for r in rows) or _(
        "No disputes: no author was seen to rewrite its signed history."))


def _checked_lines(checked: list[CheckedDispute]) -> list[str]:
    return [_("  verified: {how} (both signed by the author's key)").format(how=c.how)
            for c in checked]


def cmd_disputes_show(args: argparse.Namespace) -> None:
    author = validate_gln(args.author)
    with open_node(args) as node:
        rows = [_row(d, node.ledger.member_name(d.author))
                for d in get_disputes(node.ledger, author)]
        if args.out_file is not None:
            checked = write_dispute_file(node.ledger, author, args.out_file)
        else:
            checked = check_dispute_document(node.ledger, dispute_document(node.ledger, author))
    lines = []
    for row, check in zip(rows, checked, strict=True):
        lines += [_line(row), *_checked_lines([check]),
                  _("  statement held here:"), *("    " + s for s in
                                                 row["statement_ours"].splitlines()),
                  _("  conflicting statement:"), *("    " + s for s in
                                                   row["statement_theirs"].splitlines())]
    if args.out_file is not None:
        lines.append(_("Written to {file}: check it on any node of the consortium with "
                       "`supplychain disputes verify {file}`.").format(file=args.out_file))
    args.out.emit({"disputes": rows, "verified": [c.how for c in checked],
                   "file": str(args.out_file) if args.out_file else None}, "\n".join(lines))


def cmd_disputes_verify(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        checked = verify_dispute_file(node.ledger, args.file)
    args.out.emit(
        [{"author": c.author, "from_index": c.from_index, "ours_size": c.ours_size,
          "theirs_size": c.theirs_size, "how": c.how} for c in checked],
        "\n".join([_("{file}: {count} dispute(s) about the log of {gln} verified; its author "
                     "signed two conflicting versions.").format(
                         file=args.file, count=len(checked), gln=checked[0].author),
                   *_checked_lines(checked)]))


def register(sub: Any) -> None:
    p = add_command(sub, "disputes", cmd_disputes,
                    _("rewritten logs: the two conflicting signed versions kept as evidence"))
    actions = p.add_subparsers(dest="action", required=False, metavar="ACTION")
    show = add_command(actions, "show", cmd_disputes_show,
                       _("one author's disputes with both signed statements, verified"))
    show.add_argument("author", metavar="AUTHOR", help=_("the GLN of the log's author"))
    show.add_argument("--out", dest="out_file", type=Path, default=None, metavar="FILE",
                      help=_("write them to FILE (JSON) for the regulator"))
    verify = add_command(actions, "verify", cmd_disputes_verify,
                         _("check a dispute file: certificates, both signatures, the proof"))
    verify.add_argument("file", type=Path, help=_("a file written by `disputes show --out`"))
