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
from supplychain.cli import commands, epcis, scan, sync
from supplychain.cli.common import EXIT_FAULT, EXIT_OK, Output, default_home
from supplychain.errors import SupplyChainError

#: Every command module, in the order its commands appear in ``--help``.
COMMAND_MODULES = (commands, scan, epcis, sync)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supplychain",
        description="Drug supply-chain provenance ledger: signed custody events, verdicts.")
    parser.add_argument("--version", action="version", version=f"supplychain {__version__}")
    parser.add_argument("--home", type=Path, default=None,
                        help="node home directory (default: $SUPPLYCHAIN_HOME or the per-user "
                             "data directory)")
    parser.add_argument("--passphrase-file", type=Path, default=None,
                        help="file holding the key passphrase (else $SUPPLYCHAIN_PASSPHRASE)")
    parser.add_argument("--gs-substitute", action="append", default=[], metavar="TEXT",
                        help="what your USB scanner types for the GS separator (repeatable; "
                             "also $SUPPLYCHAIN_GS_SUBSTITUTE); <GS>, {GS}, ^] are known")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
        print(f"supplychain: error: {message}", file=sys.stderr)
        return EXIT_FAULT
    except KeyboardInterrupt:
        print("supplychain: interrupted; nothing was half-written.", file=sys.stderr)
        return 130
    return int(result) if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
