"""The `supplychain` command line: headless nodes, scripts and administrators.

Every command accepts ``--json`` after its name. Bad input gives a one-line error on stderr and
a non-zero exit status, and leaves the store unchanged. Each command module registers its own
sub-commands; this module lists them explicitly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from supplychain import __version__
from supplychain.cli import (
    alerts,
    commands,
    containers,
    disputes,
    epcis,
    exits,
    light,
    proofs,
    quarantine,
    receiving,
    scan,
    sync,
    tiles,
    witnesses,
)
from supplychain.cli.common import EXIT_FAULT, EXIT_OK, Output, default_home
from supplychain.errors import SupplyChainError
from supplychain.i18n import _, available_languages, set_language

#: Every command module, in the order its commands appear in ``--help``.
COMMAND_MODULES = (commands, alerts, containers, exits, quarantine, light, proofs, receiving,
                   scan, epcis, sync, tiles, witnesses, disputes)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supplychain",
        description=_("Drug supply-chain provenance ledger: signed custody events, verdicts."))
    parser.add_argument("--version", action="version", version=f"supplychain {__version__}")
    parser.add_argument("--lang", metavar="LANG", default=None,
                        help=_("language of the messages: {languages} (default: "
                               "$SUPPLYCHAIN_LANG, else the system locale)").format(
                            languages=", ".join(available_languages())))
    parser.add_argument("--home", type=Path, default=None,
                        help=_("node home directory (default: $SUPPLYCHAIN_HOME or the per-user "
                             "data directory)"))
    parser.add_argument("--passphrase-file", type=Path, default=None,
                        help=_("file holding the key passphrase (else $SUPPLYCHAIN_PASSPHRASE)"))
    parser.add_argument("--gs-substitute", action="append", default=[], metavar="TEXT",
                        help=_("what your USB scanner types for the GS separator (repeatable; "
                             "also $SUPPLYCHAIN_GS_SUBSTITUTE); <GS>, {GS}, ^] are known"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def language_option(argv: Sequence[str]) -> str | None:
    """The ``--lang`` value given before the command, read before the parser is built (so
    that its help text is translated too); None when not given."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", default=None)
    known, _rest = early.parse_known_args(list(argv))
    value: str | None = known.lang
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(language_option(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "home", None) is None:
        args.home = default_home()
    args.out = Output(getattr(args, "json", False))
    try:
        result = args.handler(args)
    except SupplyChainError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if args.out.as_json:
            print(json.dumps({"error": type(exc).__name__, "message": message}))
        print("supplychain: " + _("error: {message}").format(message=message), file=sys.stderr)
        return EXIT_FAULT
    except KeyboardInterrupt:
        print("supplychain: " + _("interrupted; nothing was half-written."), file=sys.stderr)
        return 130
    return int(result) if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
