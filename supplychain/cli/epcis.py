"""`supplychain epcis export|import`: GS1 EPCIS 2.0 interchange from the command line.

The mapping lives in ``supplychain.interchange.epcis``; this module only reads and writes files.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from supplychain.cli.common import EXIT_FAULT, add_command, open_node
from supplychain.codes.gs1 import validate_gln, validate_gtin
from supplychain.codes.sscc import parse_pack_or_container
from supplychain.errors import EpcisError
from supplychain.files import write_atomically
from supplychain.i18n import _

# supplychain.interchange.epcis.* (and jsonschema) is imported when an epcis command runs.


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text} is not a YYYY-MM-DD date").format(
            text=repr(text))) from None


def _write_atomically(path: Path, text: str) -> None:
    """Never a half-written document (supplychain.files)."""
    write_atomically(path, text.encode("utf-8"), error=EpcisError)


def cmd_epcis_export(args: argparse.Namespace) -> None:
    from supplychain.interchange.epcis.export import Selection, export_document

    if args.lot is not None and args.gtin is None:
        raise EpcisError(_("--lot narrows --gtin; give the product's --gtin too."))
    selection = Selection(
        code=parse_pack_or_container(args.code) if args.code else None,
        gtin=validate_gtin(args.gtin) if args.gtin else None,
        lot=args.lot,
        org=validate_gln(args.org) if args.org else None,
        since=args.since,
    )
    with open_node(args) as node:
        doc, count = export_document(node.ledger, selection, exporter=node.gln)
    events = len(doc["epcisBody"]["eventList"])
    _write_atomically(args.out_file, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    args.out.emit({"file": str(args.out_file), "ledger_events": count, "epcis_events": events},
                  _("Exported {count} ledger event(s) as {events} EPCIS event(s) to "
                    "{file}").format(count=count, events=events, file=args.out_file)
                  + ("" if count else " " + _("(nothing matched the selection)")))


def cmd_epcis_import(args: argparse.Namespace) -> int:
    from supplychain.interchange.epcis.importer import import_document
    from supplychain.interchange.epcis.schema import MAX_DOCUMENT_BYTES, read_document_file

    try:
        size = args.file.stat().st_size
    except OSError as exc:
        raise EpcisError(_("Cannot read {file} ({problem}).").format(
            file=args.file, problem=exc.strerror or exc)) from exc
    if size > MAX_DOCUMENT_BYTES:
        raise EpcisError(_("{file} is {size} bytes; EPCIS documents up to {limit} bytes "
                           "are imported. Split it.").format(
                               file=args.file, size=size, limit=MAX_DOCUMENT_BYTES))
    data = read_document_file(args.file)  # refuses a folder, a device or a pipe unread
    with open_node(args) as node:
        report = import_document(node, data, dry_run=args.dry_run)
    args.out.emit(report.to_dict(), report.text())
    if not report.ok:
        # The per-event reasons are the output; stdout stays one document (JSON mode), and the
        # exit status says the import was refused as a whole.
        print("supplychain: " + _("error: nothing imported from {file}: {count} event(s) "
                                  "rejected").format(file=args.file, count=len(report.rejected))
              + (_(", document invalid") if report.document_errors else ""), file=sys.stderr)
        return EXIT_FAULT
    return 0


def register(sub: Any) -> None:
    """Add the `epcis` command group to the top-level sub-parsers."""
    group = sub.add_parser("epcis", help=_("GS1 EPCIS 2.0 export and import"))
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = add_command(actions, "export", cmd_epcis_export,
                    _("write applied ledger events as an EPCIS 2.0 JSON-LD document"))
    which = p.add_mutually_exclusive_group()
    which.add_argument("--code", help=_("only events of this pack or case (SSCC); any scanned "
                                        "form"))
    which.add_argument("--gtin", help=_("only events of packs of this GTIN (and its recalls)"))
    p.add_argument("--lot", help=_("with --gtin: only this lot"))
    p.add_argument("--org", help=_("only events in this organisation's log (GLN)"))
    p.add_argument("--since", type=_date, help=_("only events at or after this date (UTC)"))
    p.add_argument("--out", dest="out_file", type=Path, required=True,
                   help=_("the .jsonld file to write"))
    p = add_command(actions, "import", cmd_epcis_import,
                    _("sign the events of an EPCIS 2.0 document as our own, all or nothing"))
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true",
                   help=_("check every event against the rules; write nothing"))

