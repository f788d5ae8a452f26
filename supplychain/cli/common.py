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
from supplychain.errors import NoPassphrase
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
    return parse_codes(texts, gs_substitutes(args))


def scanned_from(texts: Sequence[str],
                 args: argparse.Namespace) -> list[PackCode | ContainerCode]:
    """Pack codes and case/pallet codes (SSCC in any scanned form) from the command line."""
    return [parse_sscc(t) if looks_like_sscc(t) else codes_from([t], args)[0] for t in texts]


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
