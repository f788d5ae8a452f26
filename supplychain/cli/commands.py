"""The node and ledger commands: consortium, events, verdicts, bundles, audit, demo."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

import platformdirs

from supplychain.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    Handler,
    add_codes,
    add_command,
    codes_from,
    first_interrupt_sets,
    open_node,
    pack_count,
    parse_date,
    passphrase,
    scanned_from,
)
from supplychain.cli.sharing import register_sharing, sharing_from_args
from supplychain.codes.gs1 import PackCode, validate_gln
from supplychain.errors import BundleError, CommissionInterrupted, DirectoryError, SupplyChainError
from supplychain.files import read_input_file, write_atomically
from supplychain.i18n import _, ngettext
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.consortium import Consortium
from supplychain.identity.directory import MAX_DIRECTORY_BYTES, MemberDirectory
from supplychain.ids import GTIN
from supplychain.interchange.bundle import (
    MAX_BUNDLE_BYTES,
    export_bundle,
    export_bundle_parts,
    import_bundle,
)
from supplychain.ledger.audit import audit
from supplychain.ledger.backends import SQLITE_FILE, is_postgres
from supplychain.ledger.backends import describe as describe_store
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.membership import accept_directory, apply_revocation, held_directory
from supplychain.ledger.verdicts import status_words, verdict_word
from supplychain.node.operations import COMMISSION_CHUNK, Node, VerdictReport
from supplychain.node.setup import enrol_member


# --- consortium -----------------------------------------------------------------------
def cmd_consortium_create(args: argparse.Namespace) -> None:
    consortium = Consortium.create(args.dir, args.name, passphrase(args), sharing_from_args(args))
    args.out.emit({"consortium": consortium.name, "dir": str(args.dir)},
                  _("Created consortium '{name}' in {dir}. Keep root.key safe.").format(
                      name=consortium.name, dir=args.dir))


def store_url(text: str) -> str:
    """An argparse type: a PostgreSQL URL for ``--store``."""
    if not is_postgres(text):
        raise argparse.ArgumentTypeError(
            _("--store takes a PostgreSQL URL (postgresql://USER@HOST/DATABASE); without "
              "--store the node keeps its ledger in {file} in its home.").format(file=SQLITE_FILE))
    return text


def cmd_consortium_enroll(args: argparse.Namespace) -> None:
    consortium = Consortium.open(args.dir)
    info = MemberInfo(args.org, validate_gln(args.gln), Role(args.role), tuple(args.prefix))
    enrol_member(consortium, info, args.home, passphrase(args), light=args.light,
                 store=args.store)
    args.out.emit({"gln": info.gln, "role": info.role.value, "home": str(args.home),
                   "store": describe_store(args.store or args.home / SQLITE_FILE)},
                  _("Enrolled {name} ({gln}) as {role}; node home: {home}").format(
                      name=info.name, gln=info.gln, role=info.role.value, home=args.home))


def cmd_consortium_revoke(args: argparse.Namespace) -> None:
    consortium = Consortium.open(args.dir)
    gln = validate_gln(args.gln)
    secret = passphrase(args)
    revocation = consortium.revoke(gln, args.valid_size, args.reason, secret)
    data: dict[str, Any] = {**revocation.to_dict(), "home": None}
    text = _("Revoked {gln}: its log entries from index {index} on are rejected.").format(
        gln=gln, index=args.valid_size)
    home = args.home
    if (home / "node.json").is_file() and (home / "root.pem").is_file() \
            and (home / "root.pem").read_bytes() == consortium.root_pem:
        with Node(home, lambda: secret) as node:
            apply_revocation(node.ledger, revocation, consortium.signed_directory())
        data["home"] = str(home)
        text += " " + _("The node at {home} holds it now and passes it on in every bundle "
                        "it exports and every sync.").format(home=home)
    else:
        text += " " + _("Spread it from the regulator's node: `supplychain --home NODE "
                        "directory import {file}`, then export a bundle or sync.").format(
                            file=args.dir / "directory.json")
    args.out.emit(data, text)


def cmd_consortium_members(args: argparse.Namespace) -> None:
    consortium = Consortium.open(args.dir)
    from supplychain.identity.certificates import load_certificate, verify_member_certificate
    rows = []
    for pem in consortium.member_pems():
        info = verify_member_certificate(load_certificate(pem), consortium.root_cert).info
        rows.append({"name": info.name, "gln": info.gln, "role": info.role.value,
                     "prefixes": list(info.prefixes)})
    args.out.emit(rows, "\n".join(f"{r['gln']}  {r['role']:<12} {r['name']}" for r in rows))


def cmd_consortium_directory(args: argparse.Namespace) -> None:
    consortium = Consortium.open(args.dir)
    directory = consortium.directory(lambda: passphrase(args))
    write_atomically(args.out_file, directory.to_bytes(), error=SupplyChainError)
    args.out.emit({"version": directory.version, "issued_at": directory.issued_at,
                   "members": len(directory.members),
                   "revocations": len(directory.revocations), "file": str(args.out_file)},
                  _("Wrote member directory version {version} ({members} members, "
                    "{revocations} revocations) to {file}. Import it on any node with "
                    "`supplychain directory import FILE`.").format(
                      version=directory.version, members=len(directory.members),
                      revocations=len(directory.revocations), file=args.out_file))


def cmd_directory_import(args: argparse.Namespace) -> None:
    data = read_input_file(args.file, MAX_DIRECTORY_BYTES, what="member directory",
                           error=DirectoryError)
    with open_node(args) as node:
        update = accept_directory(node.ledger, MemberDirectory.parse(data))
    text = (_("Member directory version {version} imported: {members} new member(s), "
              "{revocations} new revocation(s).") if update.changed
            else _("This node already holds member directory version {version}."))
    args.out.emit(update.to_dict(), text.format(
        version=update.version, members=update.new_members, revocations=update.new_revocations))


def cmd_directory_show(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        held = held_directory(node.ledger)
        listed = held.verify(node.root_cert) if held else []
    names = sorted((m.info.gln, m.info.name, m.info.role.value) for m in listed)
    data = {"version": held.version if held else None,
            "issued_at": held.issued_at if held else None,
            "members": [{"gln": g, "name": n, "role": r} for g, n, r in names]}
    head = (_("Member directory version {version}, issued {issued_at}").format(
                version=held.version, issued_at=held.issued_at)
            if held else _("No signed member directory held yet"))
    args.out.emit(data, "\n".join([head] + [f"{g}  {r:<12} {n}" for g, n, r in names]))


# --- events ---------------------------------------------------------------------------
def cmd_commission(args: argparse.Namespace) -> int:
    """Commission a lot; the first Ctrl-C stops after the event being signed, and the packs
    committed until then are printed with how to print their labels (exit 130)."""
    stop = threading.Event()
    committed: list[str] = []

    def committed_event(signed: SignedEvent) -> None:  # a line per event when there are several
        committed.append(signed.hash)
        if args.count > COMMISSION_CHUNK:
            done = min(len(committed) * COMMISSION_CHUNK, args.count)
            print(_("committed {done} of {count} packs (event {hash})").format(
                done=done, count=args.count, hash=signed.hash[:16]), file=sys.stderr, flush=True)

    with open_node(args) as node, first_interrupt_sets(stop):
        try:
            codes = node.commission(args.gtin, args.lot, args.expiry, args.count,
                                    cancel=stop.is_set, on_event=committed_event)
            events = tuple(committed)
        except CommissionInterrupted as exc:
            codes = [PackCode(GTIN(key.partition("/")[0]), key.partition("/")[2], args.lot,
                              args.expiry) for key in exc.committed]
            events = exc.events
        links = [node.signed_uri(c) if args.signed else c.to_digital_link() for c in codes]
    interrupted = len(codes) < args.count
    data: dict[str, Any] = {"codes": links, "count": len(links)}
    if interrupted:
        data.update(interrupted=True, requested=args.count, events=list(events))
    args.out.emit(data, "\n".join(links))
    if not interrupted:
        return EXIT_OK
    print("supplychain: " + _interrupted_words(codes, events, args), file=sys.stderr)
    return EXIT_INTERRUPTED


def _interrupted_words(codes: list[PackCode], events: tuple[str, ...],
                       args: argparse.Namespace) -> str:
    if not codes:
        return _("interrupted before the first pack was committed; nothing was commissioned.")
    gtin = codes[0].gtin
    return _("interrupted: {done} of {count} packs of GTIN {gtin} lot {lot} were committed "
             "(serials {first} to {last}, {events} event(s): {hashes}) and stay commissioned. "
             "Print their labels with `supplychain labels --gtin {gtin} --lot {lot} --out "
             "labels.pdf`.").format(
        done=len(codes), count=args.count, gtin=gtin, lot=args.lot, first=codes[0].serial,
        last=codes[-1].serial, events=len(events), hashes=", ".join(h[:16] for h in events))


def _event_result(args: argparse.Namespace, verb: str, signed: Any, count: int,
                  **values: object) -> None:
    """Print an appended event: ``verb`` is a translated sentence with ``{count}``."""
    args.out.emit({"event": signed.hash, "type": signed.event.type.value, "packs": count},
                  f"{verb.format(count=count, **values)} "
                  + _("event {hash}").format(hash=signed.hash[:16]))


def cmd_ship(args: argparse.Namespace) -> None:
    codes = scanned_from(args.codes, args)
    with open_node(args) as node:
        signed = node.ship(args.to, codes)
    count = pack_count(signed.event)
    shipped = ngettext("Shipped to {to}: {count} pack;", "Shipped to {to}: {count} packs;", count)
    _event_result(args, shipped, signed, count, to=args.to)


def cmd_receive(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = node.receive(scanned_from(args.codes, args))
    count = pack_count(signed.event)
    _event_result(args, ngettext("Received {count} pack;", "Received {count} packs;", count),
                  signed, count)


def cmd_dispense(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = node.dispense(codes_from(args.codes, args))
    count = len(signed.event.items)
    _event_result(args, ngettext("Dispensed {count} pack;", "Dispensed {count} packs;", count),
                  signed, count)


def cmd_undo_dispense(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = node.undo_dispense(codes_from(args.codes, args), args.reason)
    count = len(signed.event.items)
    _event_result(args, ngettext("Undid the dispense of {count} pack;",
                                 "Undid the dispense of {count} packs;", count), signed, count)


def cmd_destroy(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = node.destroy(scanned_from(args.codes, args), args.reason)
    count = pack_count(signed.event)
    _event_result(args, ngettext("Destroyed {count} pack;", "Destroyed {count} packs;", count),
                  signed, count)


def cmd_recall(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = node.recall(args.gtin, args.lot, args.reason)
        affected = len(node.packs_of_lot(signed.event.gtin, args.lot))  # type: ignore[arg-type]
    args.out.emit({"event": signed.hash, "gtin": signed.event.gtin, "lot": args.lot,
                   "packs_known": affected},
                  _("Recalled lot {lot} of GTIN {gtin} ({count} known pack(s)); event "
                    "{hash}").format(lot=args.lot, gtin=signed.event.gtin, count=affected,
                                     hash=signed.hash[:16]))


def cmd_report(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        signed = node.report(codes_from([args.code], args), args.reason)
    _event_result(args, _("Reported as suspect: {count} pack;"), signed, 1)


# --- reading --------------------------------------------------------------------------
def _verdict_text(report: VerdictReport) -> str:
    lines = [f"{verdict_word(report.verdict)}: {report.decision.message}"]
    if report.decision.reasons:
        lines.append(_("reasons: {codes}").format(
            codes=", ".join(r.value for r in report.decision.reasons)))
    lines.extend(report.decision.notes)
    code = report.code
    lines.append(_("GTIN {gtin}  SN {serial}  LOT {lot}  EXP {expiry}").format(
        gtin=code.gtin, serial=code.serial, lot=code.lot or "-",
        expiry=code.expiry.isoformat() if code.expiry else "-"))
    if report.custodian:
        lines.append(_("custodian: {name} ({gln}); status: {status}").format(
            name=report.custodian_name, gln=report.custodian,
            status=status_words(report.status) if report.status else "-"))
    return "\n".join(lines)




def cmd_bundle_export(args: argparse.Namespace) -> None:
    if args.max_mb is None:
        with open_node(args) as node:
            logs = export_bundle(node.ledger, args.file)
        args.out.emit({"file": str(args.file), "logs": logs},
                      _("Exported {entries} entries of {logs} log(s) to {file}").format(
                          entries=sum(logs.values()), logs=len(logs), file=args.file))
        return
    if not 1 <= args.max_mb <= MAX_BUNDLE_BYTES // 2**20:
        raise BundleError(_("--max-mb must be from 1 to {most} (the largest bundle an import "
                            "accepts).").format(most=MAX_BUNDLE_BYTES // 2**20))
    with open_node(args) as node:
        parts = export_bundle_parts(node.ledger, args.file, args.max_mb * 2**20)
    args.out.emit([{"file": str(p.path), "logs": p.logs, "bytes": p.size} for p in parts],
                  "\n".join(_("Exported {entries} entries of {logs} log(s) to {file}").format(
                      entries=sum(p.logs.values()), logs=len(p.logs), file=p.path)
                      for p in parts))


def cmd_bundle_import(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        result = import_bundle(node.ledger, args.file)
    args.out.emit({"new_entries": result.new_entries, "new_members": result.new_members,
                   "new_revocations": result.new_revocations},
                  _("Imported {entries} new entries, {members} new member(s), {revocations} "
                    "revocation(s).").format(entries=result.total_new,
                                             members=result.new_members,
                                             revocations=result.new_revocations))


def cmd_audit(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        report = audit(node.ledger)
    args.out.emit(report.__dict__,
                  _("Audit passed: {entries} entries in {logs} log(s), {checkpoints} "
                    "checkpoint(s), {members} member(s) verified.").format(
                      entries=report.entries, logs=report.logs,
                      checkpoints=report.checkpoints, members=report.members))


def cmd_rebuild(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        node.ledger.rebuild()
    args.out.emit({"rebuilt": True}, _("Derived tables rebuilt from the logs."))


def cmd_status(args: argparse.Namespace) -> None:
    with open_node(args) as node:
        logs = {}
        for gln, size in node.store.log_sizes().items():
            latest = node.store.latest_checkpoint(gln)
            logs[gln] = {"name": node.ledger.member_name(gln), "size": size,
                         "checkpoint_size": latest.size if latest else None,
                         "root": latest.root.hex() if latest else None}
        data = {"gln": node.gln, "name": node.name, "role": node.me.info.role.value,
                "consortium": node.consortium, "logs": logs,
                "events": node.store.event_counts()}
    args.out.emit(data, _("{name} ({gln}), {role} in '{consortium}'").format(**data) + "\n"
                  + "\n".join(_("  log {gln} {name}: {size} entries").format(
                      gln=g, name=v["name"], size=v["size"]) for g, v in logs.items()))


def default_demo_dir() -> Path:
    return Path(platformdirs.user_data_dir("supplychain", appauthor=False)) / "demo"


def cmd_demo(args: argparse.Namespace) -> None:
    from supplychain.demo.network import DEMO_PASSPHRASE, open_demo

    directory = args.dir or default_demo_dir()
    demo = open_demo(directory)
    data = {"dir": str(directory), "passphrase": DEMO_PASSPHRASE.decode(),
            "nodes": [{"name": n.name, "gln": n.gln, "role": n.role.value, "home": str(n.home)}
                      for n in demo.nodes],
            "samples": demo.samples}
    lines = [_("Demo network in {dir} (passphrase: {passphrase})").format(
        dir=directory, passphrase=DEMO_PASSPHRASE.decode())]
    lines += [f"  {n.role.value:<12} {n.name:<28} --home {n.home}" for n in demo.nodes]
    lines.append(_("Sample codes:"))
    lines += [f"  {k:<22} {v}" for k, v in demo.samples.items() if k != "created"]
    if args.sheet is not None:
        from supplychain.demo.samples import write_sample_sheet

        pages = write_sample_sheet(demo, args.sheet)
        data["sheet"] = str(args.sheet)
        lines.append(_("Sample sheet ({pages} page(s), a QR label per verdict): {file}").format(
            pages=pages, file=args.sheet))
    args.out.emit(data, "\n".join(lines))


# --- parser ---------------------------------------------------------------------------


def register(sub: Any) -> None:
    """Add the node and ledger commands to the ``supplychain`` parser's sub-commands."""

    def command(name: str, handler: Handler, help_text: str,
                parent: Any = sub) -> argparse.ArgumentParser:
        return add_command(parent, name, handler, help_text)

    cons = sub.add_parser("consortium", help=_("create a consortium, enrol or revoke members"))
    cons_sub = cons.add_subparsers(dest="action", required=True, metavar="ACTION")
    register_sharing(cons_sub, cmd_consortium_create)  # create, sharing
    p = command("enroll", cmd_consortium_enroll,
                _("issue a member certificate and initialise the member's node"), cons_sub)
    p.add_argument("dir", type=Path)
    p.add_argument("--org", required=True, help=_("organisation name"))
    p.add_argument("--gln", required=True)
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--prefix", action="append", default=[],
                   help=_("GS1 company prefix a manufacturer may commission (repeatable)"))
    p.add_argument("--home", type=Path, required=True, help=_("the new member's node home"))
    p.add_argument("--light", action="store_true", help=_("a light node (see `node mode`)"))
    p.add_argument("--store", type=store_url, default=None, metavar="URL",
                   help=_("keep the ledger in PostgreSQL (postgresql://...; database and "
                          "schema are created if missing) instead of ledger.sqlite in the "
                          "home"))
    p = command("revoke", cmd_consortium_revoke, _("revoke a member"), cons_sub)
    p.add_argument("dir", type=Path)
    p.add_argument("--gln", required=True)
    p.add_argument("--valid-size", type=int, required=True,
                   help=_("entries of the member's log from this index on are rejected"))
    p.add_argument("--reason", required=True)
    p = command("members", cmd_consortium_members, _("list enrolled members"), cons_sub)
    p.add_argument("dir", type=Path)
    p = command("directory", cmd_consortium_directory,
                _("write the root-signed member directory to a file (for any node)"), cons_sub)
    p.add_argument("dir", type=Path)
    p.add_argument("--out", dest="out_file", type=Path, required=True,
                   help=_("where to write it (e.g. directory.json)"))

    members = sub.add_parser("directory", help=_("the consortium's signed member directory"))
    members_sub = members.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("import", cmd_directory_import,
                _("import a newer member directory (from `consortium directory`)"),
                members_sub)
    p.add_argument("file", type=Path)
    command("show", cmd_directory_show, _("the member directory this node holds"), members_sub)

    p = command("commission", cmd_commission, _("commission serialised packs of one lot"))
    p.add_argument("--gtin", required=True)
    p.add_argument("--lot", required=True)
    p.add_argument("--expiry", required=True, type=parse_date, help=_("YYYY-MM-DD"))
    p.add_argument("--count", required=True, type=int)
    p.add_argument("--signed", action="store_true",
                   help=_("print codes carrying the manufacturer's signature (offline check)"))
    p = command("ship", cmd_ship, _("ship packs or cases (SSCC) to another member"))
    p.add_argument("--to", required=True, help=_("recipient GLN"))
    add_codes(p)
    for name, handler, text in (("receive", cmd_receive, _("receive packs or cases shipped to us")),
                                ("dispense", cmd_dispense, _("dispense packs (pharmacy)"))):
        p = command(name, handler, text)
        add_codes(p)
    p = command("undo-dispense", cmd_undo_dispense,
                _("take back a mistaken dispense (same pharmacy, within 10 days)"))
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.add_argument("--reason", default=None)
    p = command("destroy", cmd_destroy, _("destroy packs or cases in our custody"))
    add_codes(p)
    p.add_argument("--reason", default=None)
    p = command("recall", cmd_recall, _("recall a lot"))
    p.add_argument("--gtin", required=True)
    p.add_argument("--lot", required=True)
    p.add_argument("--reason", default=None)
    p = command("report", cmd_report, _("report a pack as suspect"))
    p.add_argument("code", metavar="CODE")
    p.add_argument("--reason", required=True)

    bundle = sub.add_parser("bundle", help=_("move log entries between nodes as a file"))
    bundle_sub = bundle.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = command("export", cmd_bundle_export, _("write every log held to a bundle file"), bundle_sub)
    p.add_argument("file", type=Path)
    p.add_argument("--max-mb", type=int, default=None, metavar="MB",
                   help=_("split into files of at most MB mebibytes (FILE, FILE-2, ...), whole "
                          "logs in each; a larger log gets a file of its own"))
    p = command("import", cmd_bundle_import, _("verify and import a bundle file"), bundle_sub)
    p.add_argument("file", type=Path)

    p = command("demo", cmd_demo, _("create (or show) an eight-member demo network"))
    p.add_argument("dir", type=Path, nargs="?", default=None)
    p.add_argument("--sheet", type=Path, default=None, metavar="PDF",
                   help=_("also print the sample packs as QR labels captioned with their verdict"))
    command("audit", cmd_audit, _("re-verify every signature, proof, checkpoint and table"))
    command("rebuild", cmd_rebuild, _("recompute derived tables from the logs"))
    command("status", cmd_status, _("this node and the logs it holds"))
