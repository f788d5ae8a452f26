"""`supplychain history CODE [--proof DIR]` and `supplychain check-proof FILE`.

A pack's custody chain, and its events as offline proofs (C2SP tlog-proof files) that anyone
holding the consortium root certificate can check without a node (docs/PROOFS.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from supplychain.cli.common import EXIT_FAULT, EXIT_OK, add_command, codes_from, open_node
from supplychain.cli.containers import cmd_container_history
from supplychain.codes.sscc import looks_like_sscc
from supplychain.errors import IdentityError, ProofError, SupplyChainError
from supplychain.files import read_input_file
from supplychain.i18n import _
from supplychain.identity.certificates import load_certificate
from supplychain.interchange.pack_proofs import write_pack_proofs
from supplychain.interchange.tlog_proof import MAX_PROOF_BYTES, ProvenEvent, verify_event_proof
from supplychain.node.operations import step_to_dict

MAX_ROOT_BYTES = 64 * 1024
SHOWN_PACKS = 5
"""Packs named in the text output of `check-proof` (an event may carry thousands)."""


def cmd_history(args: argparse.Namespace) -> None:
    if looks_like_sscc(args.code):  # a case or pallet: its own life
        cmd_container_history(args)
        return
    (code,) = codes_from([args.code], args)
    with open_node(args) as node:
        steps = node.history(code)
        if not steps:
            raise SupplyChainError(_("No events are known for {pack}.").format(pack=code.key))
        written = [] if args.proof is None else write_pack_proofs(node.ledger, code.key,
                                                                  args.proof)
    text = "\n".join(f"{s.time}  {s.type.value:<10} "
                     + _("by {name} ({gln})").format(name=s.actor_name, gln=s.actor)
                     + (f" -> {s.recipient}" if s.recipient else "")
                     for s in steps)
    data: dict[str, Any] = {"pack": code.key, "history": [step_to_dict(s) for s in steps]}
    if args.proof is not None:
        data["proofs"] = [{"file": str(w.path), "event": w.event_hash, "type": w.type,
                           "log": w.log, "index": w.index, "checkpoint_size": w.checkpoint_size}
                          for w in written]
        text += "\n" + "\n".join(
            _("proof: {file} (entry {index} of log {log}, against its latest signed "
              "checkpoint held here, size {size})")
            .format(file=w.path, index=w.index, log=w.log, size=w.checkpoint_size)
            for w in written)
    args.out.emit(data, text)


def _root_file(args: argparse.Namespace) -> Path:
    if args.root is not None:
        return Path(args.root)
    path = Path(args.home) / "root.pem"
    if not path.is_file():
        raise ProofError(_("Give the consortium root certificate with --root root.pem (no "
                           "node home at {home} to take it from).").format(home=args.home))
    return path


def describe(proven: ProvenEvent) -> str:
    """What a verified proof says, in one sentence per line."""
    event = proven.signed.event
    keys = [i.pack for i in event.items]
    packs = ", ".join(keys[:SHOWN_PACKS]) or _("lot {lot} of {gtin}").format(
        lot=event.lot, gtin=event.gtin)
    if len(keys) > SHOWN_PACKS:
        packs += " " + _("and {count} more (--json lists them all)").format(
            count=len(keys) - SHOWN_PACKS)
    lines = [_("VALID: {type} of {packs} by {name} ({gln}) at {time}").format(
        type=event.type.value, packs=packs, name=proven.author.info.name, gln=event.author,
        time=event.time)]
    if event.to is not None:
        lines.append(_("  shipped to {gln}").format(gln=event.to))
    if event.reason is not None:
        lines.append(_("  reason: {reason}").format(reason=event.reason))
    lines.append(_("  entry {index} of log {log}, under the author's signed checkpoint of size "
                   "{size}").format(index=proven.index, log=proven.checkpoint.origin,
                                    size=proven.checkpoint.size))
    return "\n".join(lines)


def cmd_check_proof(args: argparse.Namespace) -> int:
    try:
        root_pem = read_input_file(_root_file(args), MAX_ROOT_BYTES,
                                   what=_("root certificate"), error=ProofError)
        try:
            root = load_certificate(root_pem)
        except IdentityError as exc:
            raise ProofError(_("The root file is not a certificate: {exc}").format(exc=exc)) \
                from exc
        data = read_input_file(args.file, MAX_PROOF_BYTES, what=_("proof file"),
                               error=ProofError)
        proven = verify_event_proof(data, root)
    except ProofError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        args.out.emit({"valid": False, "file": str(args.file), "error": type(exc).__name__,
                       "message": message},
                      _("NOT VALID: {message}").format(message=message))
        return EXIT_FAULT
    args.out.emit({**proven.to_dict(), "file": str(args.file)}, describe(proven))
    return EXIT_OK


def register(sub: Any) -> None:
    """Add `history` and `check-proof` to the ``supplychain`` parser's sub-commands."""
    p = add_command(sub, "history", cmd_history, _("the custody chain of a pack"))
    p.add_argument("code", metavar="CODE")
    p.add_argument("--proof", type=Path, default=None, metavar="DIR",
                   help=_("also write each event as an offline proof file (C2SP tlog-proof) "
                          "into DIR, for `supplychain check-proof`"))
    p = add_command(sub, "check-proof", cmd_check_proof,
                    _("check an offline proof file (from `history --proof`) with only the "
                      "consortium root certificate"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--root", type=Path, default=None, metavar="ROOT_PEM",
                   help=_("the consortium root certificate (default: the node home's "
                          "root.pem)"))
