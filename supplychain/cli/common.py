"""What every command module shares: output, the node home, the passphrase, registration."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import platformdirs

from supplychain.codes.gs1 import PackCode
from supplychain.codes.scanner_text import DEFAULT_GS_SUBSTITUTES
from supplychain.codes.sscc import ContainerCode, looks_like_sscc, parse_sscc
from supplychain.errors import NoPassphrase, SupplyChainError
from supplychain.i18n import _
from supplychain.identity.keys import resolve_passphrase
from supplychain.ledger.events import Event, is_container_key
from supplychain.node.operations import Node, parse_codes

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it

Handler = Callable[[argparse.Namespace], Any]


class Output:
    """Prints either human text or one JSON document."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, sort_keys=True, default=str))
        else:
            print(text)


def default_home() -> Path:
    env = os.environ.get("SUPPLYCHAIN_HOME")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("supplychain", appauthor=False)) / "node"


def passphrase(args: argparse.Namespace) -> bytes:
    """--passphrase-file, else $SUPPLYCHAIN_PASSPHRASE, else ask (only at a terminal)."""
    try:
        return resolve_passphrase(args.passphrase_file)
    except NoPassphrase:
        if not sys.stdin.isatty():
            raise
        typed = getpass.getpass(_("Key passphrase: ")).encode()
        if not typed:
            raise
        return typed


def open_node(args: argparse.Namespace) -> Node:
    """The node named by --home, with the passphrase from --passphrase-file or the env."""
    return Node(args.home, lambda: passphrase(args))



def add_command(parent: Any, name: str, handler: Handler,
                help_text: str) -> argparse.ArgumentParser:
    """Add a sub-command that accepts --json and runs ``handler(args)``.

    The handler prints through ``args.out.emit(data, text)`` and raises a SupplyChainError
    (one line, plain words) on bad input.
    """
    p: argparse.ArgumentParser = parent.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(handler=handler)
    return p


def gs_substitutes(args: argparse.Namespace) -> tuple[str, ...]:
    """What the site's USB scanner types for the GS separator, besides the defaults."""
    extra = list(getattr(args, "gs_substitute", None) or [])
    env = os.environ.get("SUPPLYCHAIN_GS_SUBSTITUTE")
    if env:
        extra.append(env)
    return (*extra, *DEFAULT_GS_SUBSTITUTES)


def codes_from(texts: Sequence[str], args: argparse.Namespace) -> list[PackCode]:
    return parse_codes(code_texts(texts, args), gs_substitutes(args))


def add_codes(p: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """The CODE arguments of a command, and ``--file`` (one code a line; ``-``: stdin) for
    bulk work: 10,000 codes do not fit a command line. At least one code is needed unless
    ``optional``."""
    p.add_argument("codes", nargs="*", metavar="CODE")
    p.add_argument("--file", default=None, metavar="PATH",
                   help=_("read codes from this file, one a line (- reads standard input)"))
    p.set_defaults(codes_optional=optional)


def code_texts(texts: Sequence[str], args: argparse.Namespace) -> list[str]:
    """The codes given as arguments and those in ``--file`` (blank lines skipped)."""
    out = list(texts)
    source = getattr(args, "file", None)
    if source is not None:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(
                encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SupplyChainError(_("Cannot read codes from {path}: {exc}").format(
                path=source, exc=exc)) from None
        out.extend(line.strip() for line in text.splitlines() if line.strip())
    if not out and not getattr(args, "codes_optional", True):
        raise SupplyChainError(_("No codes given: name them as arguments or in --file."))
    return out


def scanned_from(texts: Sequence[str],
                 args: argparse.Namespace) -> list[PackCode | ContainerCode]:
    """Pack codes and case/pallet codes (SSCC in any scanned form) from the command line
    and ``--file``."""
    substitutes = gs_substitutes(args)
    return [parse_sscc(t) if looks_like_sscc(t) else parse_codes([t], substitutes)[0]
            for t in code_texts(texts, args)]


def pack_count(event: Event) -> int:
    """How many packs an event names (not counting the cases and pallets it moves)."""
    return sum(1 for item in event.items if not is_container_key(item.pack))


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text} is not a YYYY-MM-DD date").format(
            text=repr(text))) from None


@contextlib.contextmanager
def first_interrupt_sets(flag: threading.Event) -> Iterator[None]:
    """While inside: the first Ctrl-C sets ``flag`` (work stops at the next safe point); a
    second one raises KeyboardInterrupt as usual. Only the main thread can catch signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def first(signum: int, frame: object) -> None:
        flag.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print("supplychain: " + _("stopping after the event being signed (Ctrl-C again to "
                                  "stop at once)..."), file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
