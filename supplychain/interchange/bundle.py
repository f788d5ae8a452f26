"""Bundles: log entries moved between nodes as a file (offline sync).

A bundle is one JSON document::

    {"format": "supplychain.bundle.v1", "consortium": NAME, "root": ROOT_PEM,
     "members": [PEM, ...], "revocations": [{...}, ...], "directory": {...} | null,
     "logs": [{"gln": GLN, "entries": [BASE64, ...], "checkpoint": SIGNED_NOTE}, ...]}

Every log is sent whole from index 0, with the author's signed checkpoint of that size.
Import checks everything before anything is kept: the root is ours, every certificate and
revocation is root-signed, the checkpoint is the author's, only the entries it covers are
taken (any after it are ignored: a relay cannot add to a log), entries we already hold are
byte-identical (a rewritten history is refused and its evidence kept: a dispute with both
signed versions and a ``rewritten_log`` alert, see ``supplychain.ledger.disputes``; held
entries no signed checkpoint covers give way to the author's log), every new entry verifies,
no entry repeats
one of its log, and the recomputed root equals the signed checkpoint. The
root-signed member directory travels along: a newer version than the one held is kept, an
older one ignored, a foreign or altered one refuses the bundle. Import
runs in one transaction, so a bad bundle leaves the store unchanged; importing twice is a no-op.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cryptography.hazmat.primitives import serialization

from supplychain.clock import now_iso
from supplychain.errors import BundleError, InconsistentLog, SupplyChainError
from supplychain.files import read_input_file, write_atomically
from supplychain.i18n import _
from supplychain.identity.directory import MemberDirectory
from supplychain.identity.revocations import Revocation
from supplychain.interchange import bundle_parallel
from supplychain.jsonlimits import load_json
from supplychain.ledger.alerts import AlertKind
from supplychain.ledger.disputes import (
    Conflict,
    DisputeChannel,
    conflict_from_checkpoint,
    conflict_from_entries,
    keep_dispute,
    refusal,
)
from supplychain.ledger.logs import Ledger
from supplychain.ledger.membership import held_directory, offer_directory
from supplychain.ledger.records import CheckpointRecord

if TYPE_CHECKING:
    from supplychain.ledger.store import Store
    from supplychain.node.operations import Node

FORMAT = "supplychain.bundle.v1"
#: The largest bundle file imported. Import holds the parsed document (about 3x the file, in
#: Python objects) plus the entries being appended: see docs/BENCHMARKS.md. Larger exports
#: are split into parts (``export_bundle_parts``).
MAX_BUNDLE_BYTES = 256 * 1024**2
MAX_BUNDLE_DEPTH = 6
"""A bundle nests at most this deep (bundle, directory, revocations, revocation: 4)."""


@dataclass(frozen=True)
class ImportResult:
    """What an import added: new entries per log, new members, new revocations."""

    new_entries: dict[str, int]
    new_members: int
    new_revocations: int
    directory_version: int | None = None  # the member directory version now held, if changed

    @property
    def total_new(self) -> int:
        return sum(self.new_entries.values())


@dataclass(frozen=True)
class BundlePart:
    """One file written by ``export_bundle_parts``: which logs (GLN -> entries) it holds."""

    path: Path
    logs: dict[str, int]
    size: int  # bytes


def export_bundle(ledger: Ledger, path: Path) -> dict[str, int]:
    """Write every log this node holds (with its latest checkpoint) to ``path``."""
    return export_bundle_parts(ledger, path)[0].logs


def export_bundle_parts(ledger: Ledger, path: Path,
                        max_bytes: int | None = None) -> list[BundlePart]:
    """Write every log this node holds to ``path``, or, with ``max_bytes``, to as many files
    as keep each at most that size: ``path``, then ``NAME-2.json``, ``NAME-3.json``... beside
    it. Each part is a whole bundle (certificates, revocations and directory included) of
    whole logs, importable on its own and in any order; a single log larger than
    ``max_bytes`` gets a part of its own (a log travels whole, from index 0).

    Written as a stream, ``EXPORT_CHUNK`` entries at a time: memory does not grow with the
    size of the logs.
    """
    store = ledger.store
    logs: list[tuple[str, int, str, int]] = []  # gln, checkpoint size, note, encoded bytes
    for gln in store.log_sizes():
        latest = store.latest_checkpoint(gln)
        if latest is None:
            continue
        encoded = sum(_encoded_size(e) for chunk in _chunks(store, gln, latest.size)
                      for e in chunk)
        logs.append((gln, latest.size, latest.note, encoded))
    head = _head(ledger)
    groups: list[list[tuple[str, int, str, int]]] = [[]]
    used = len(head)
    for log in logs:
        cost = log[3] + len(log[2]) + 100
        if max_bytes is not None and groups[-1] and used + cost > max_bytes:
            groups.append([])
            used = len(head)
        groups[-1].append(log)
        used += cost
    parts: list[BundlePart] = []
    for number, group in enumerate(groups, start=1):
        target = path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")

        def write(handle: BinaryIO, group: list[tuple[str, int, str, int]] = group) -> None:
            handle.write(head)
            for i, (gln, size, note, _count) in enumerate(group):
                handle.write(b", " if i else b"")
                handle.write(f'{{"gln": {json.dumps(gln)}, "checkpoint": {json.dumps(note)}, '
                             '"entries": ['.encode())
                first = True
                for chunk in _chunks(store, gln, size):
                    for entry in chunk:
                        handle.write(b'"' if first else b', "')
                        handle.write(base64.b64encode(entry))
                        handle.write(b'"')
                        first = False
                handle.write(b"]}")
            handle.write(b"]}")

        _atomic_write(target, write)
        parts.append(BundlePart(target, {gln: size for gln, size, _, _ in group},
                                target.stat().st_size))
    return parts


#: Entries read from the store at a time when exporting, and appended at a time when importing.
EXPORT_CHUNK = 2_000
IMPORT_CHUNK = 2_000


def _chunks(store: Store, gln: str, size: int) -> Iterator[list[bytes]]:
    for start in range(0, size, EXPORT_CHUNK):
        yield store.entries(gln, start, min(size, start + EXPORT_CHUNK))


def _encoded_size(entry: bytes) -> int:
    return 4 * ((len(entry) + 2) // 3) + 4  # base64, quotes and ", "


def _head(ledger: Ledger) -> bytes:
    """The bundle up to the opening of its "logs" list, as ``json.dumps`` lays it out."""
    store = ledger.store
    directory = held_directory(ledger)
    document = {
        "format": FORMAT,
        "consortium": ledger.consortium,
        "root": ledger.root_cert.public_bytes(serialization.Encoding.PEM).decode(),
        "members": [pem.decode() for pem in store.all_member_certs()],
        "revocations": [json.loads(r) for r in store.all_revocations()],
        "directory": directory.to_dict() if directory is not None else None,
        "logs": [],
    }
    text = json.dumps(document)
    assert text.endswith('"logs": []}')
    return text[:-2].encode()


def import_bundle(ledger: Ledger, path: Path) -> ImportResult:
    """Verify and import a bundle file; raise BundleError and keep nothing if any part is bad."""
    document = _read(path)
    store = ledger.store
    source = f"bundle:{path}"
    ours = ledger.root_cert.public_bytes(serialization.Encoding.PEM).decode()
    if document.get("root") != ours:
        raise BundleError(_("This bundle belongs to another consortium (its root certificate "
                            "differs from this node's); nothing was imported."))
    try:
        with store.transaction():
            directory_version = None
            new_members = new_revocations = 0  # the directory's count too, as sync reports
            if document.get("directory") is not None:
                update = offer_directory(ledger, MemberDirectory.from_dict(document["directory"]))
                if update is not None and update.changed:
                    directory_version = update.version
                    new_members, new_revocations = update.new_members, update.new_revocations
            known = set(store.all_member_certs())
            for pem in _list(document, "members"):
                if not isinstance(pem, str):
                    raise BundleError(_("A member certificate in the bundle is not text."))
                if pem.encode() not in known:
                    ledger.add_member_certificate(pem.encode())
                    new_members += 1
            for item in _list(document, "revocations"):
                if ledger.add_revocation(Revocation.from_dict(item)):
                    new_revocations += 1
            new_entries: dict[str, int] = {}
            logs = _list(document, "logs")
            parallel = bundle_parallel.wanted(ledger, logs)
            for log in [] if parallel else logs:
                gln, added = _import_log(ledger, log, source)
                if added:
                    new_entries[gln] = added
        if parallel:  # each log in its own transaction (PostgreSQL full node)
            new_entries = bundle_parallel.import_logs(ledger, logs, source)
    except _Rewritten as exc:  # the import is undone; the author's signatures are kept
        keep_rewritten(ledger, exc, source)
        raise
    except BundleError:
        raise
    except SupplyChainError as exc:
        raise BundleError(_("The bundle was refused and nothing was imported: {exc}")
                          .format(exc=exc)) from exc
    return ImportResult(new_entries, new_members, new_revocations, directory_version)


def exchange(source: Node, target: Node) -> ImportResult:
    """Copy everything ``source`` holds to ``target`` through a bundle file (demo, tests)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.json"
        export_bundle(source.ledger, path)
        return import_bundle(target.ledger, path)


def _import_log(ledger: Ledger, log: Any, source: str) -> tuple[str, int]:
    if not isinstance(log, dict) or set(log) != {"gln", "checkpoint", "entries"}:
        raise BundleError(_("A log in the bundle is malformed."))
    gln, note, raw = log["gln"], log["checkpoint"], log["entries"]
    if not isinstance(gln, str) or not isinstance(note, str) or not isinstance(raw, list):
        raise BundleError(_("A log in the bundle is malformed."))
    signed = ledger.verify_checkpoint_note(gln, note)
    size = signed.checkpoint.size
    if len(raw) < size:
        raise BundleError(_("Log {gln} in the bundle: its signed checkpoint covers {size} "
                            "entries, but only {raw_count} were sent. Nothing was imported.")
                          .format(gln=gln, size=size, raw_count=len(raw)))
    # Only what the author's signed checkpoint covers is kept: anything after it (a relay's
    # additions, even copies of the author's own signed entries) is ignored. IMPORT_CHUNK
    # entries at a time are decoded, compared or appended, and their text dropped, so that a
    # log's entries are never all held twice (all in one transaction still).
    store = ledger.store
    held = store.log_size(gln)
    added = 0
    for start in range(0, size, IMPORT_CHUNK):
        entries = _decoded(gln, raw, start, min(size, start + IMPORT_CHUNK))
        if start < held:
            mine = store.entries(gln, start, min(held, start + len(entries)))
            differs = next((start + i for i, (a, b) in enumerate(zip(mine, entries,
                                                                     strict=False)) if a != b),
                           None)
            if differs is not None:
                if differs < ledger.covered_size(gln):
                    version = _their_version(ledger, gln, raw, start, entries, size)
                    conflict = (None if version is None
                                else conflict_from_entries(ledger, gln, signed, version))
                    if conflict is None:  # not the author's signed log: the file was altered
                        raise BundleError(_(
                            "Log {gln} in the bundle differs from the verified entries held "
                            "here at entry {index}, and its entries do not lead to its "
                            "author's signed checkpoint: the bundle was altered on its way. "
                            "Nothing was imported.").format(gln=gln, index=differs))
                    raise _Rewritten(ledger, gln, differs, signed.to_text(),
                                     store.latest_checkpoint(gln), conflict)
                # Held entries no signed checkpoint covers lose to the author's signed log.
                dropped = ledger.drop_uncovered(gln, differs)
                _record(ledger, AlertKind.DROPPED_ENTRIES, gln, source,
                        f"Log {gln}: {len(dropped)} entries held from index {differs} on were "
                        "covered by no signed checkpoint and differ from the author's signed "
                        "log; they were dropped.",
                        {"log": gln, "from": differs, "checkpoint": signed.to_text(),
                         "dropped": [base64.b64encode(d).decode() for d in dropped]})
                held = differs
        new = entries[max(0, held - start):]
        if new:
            ledger.append_entries(gln, start + len(entries) - len(new), new)
            added += len(new)
    if size > 0:
        try:
            ledger.accept_checkpoint(gln, note)
        except InconsistentLog:
            conflict = conflict_from_checkpoint(ledger, gln, signed)
            if conflict is None:
                raise
            raise _Rewritten(ledger, gln, 0, signed.to_text(), store.latest_checkpoint(gln),
                             conflict) from None
    return gln, added


def _their_version(ledger: Ledger, gln: str, raw: list[Any], start: int, chunk: list[bytes],
                   size: int) -> list[bytes] | None:
    """The bundle's log ``0..size`` whole, when a chunk starting at ``start`` differs from the
    held entries: the chunks before it equal the held ones (their text was released)."""
    try:
        rest = [base64.b64decode(raw[i], validate=True)
                for i in range(start + len(chunk), size)]
    except (binascii.Error, TypeError, ValueError):
        return None
    return [*ledger.store.entries(gln, 0, start), *chunk, *rest]


def _decoded(gln: str, raw: list[Any], start: int, end: int) -> list[bytes]:
    """Entries ``start..end`` of a log's base64 list, decoded; their text is released."""
    try:
        entries = [base64.b64decode(raw[i], validate=True) for i in range(start, end)]
    except (binascii.Error, TypeError, ValueError):
        raise BundleError(_("Log {gln} in the bundle has an entry that is not base64.")
                          .format(gln=gln)) from None
    raw[start:end] = [None] * (end - start)
    return entries


class _Rewritten(BundleError):
    """A log in the bundle contradicts a signed checkpoint held here: the author's lie."""

    def __init__(self, ledger: Ledger, gln: str, index: int, theirs: str,
                 ours: CheckpointRecord | None, conflict: Conflict) -> None:
        super().__init__(_("Log {gln} in the bundle differs from the signed history held "
                           "here (from entry {index} on). {refusal}").format(
            gln=gln, index=conflict.from_index, refusal=refusal(ledger, gln, conflict.from_index)))
        self.gln = gln
        self.conflict = conflict
        self.evidence = {"log": gln, "index": index, "theirs": theirs,
                         "ours": ours.note if ours is not None else None}


def keep_rewritten(ledger: Ledger, exc: _Rewritten, source: str) -> None:
    """After the refused import's rollback: keep the author's two signed versions (a dispute
    and its alert) and the sync evidence row, each committed on its own."""
    _record(ledger, AlertKind.INCONSISTENT_HISTORY, exc.gln, source, str(exc), exc.evidence)
    keep_dispute(ledger, exc.conflict, DisputeChannel.BUNDLE, Path(source.removeprefix(
        "bundle:")).name)


def _record(ledger: Ledger, kind: AlertKind, gln: str, source: str, detail: str,
            evidence: dict[str, Any]) -> None:
    text = json.dumps(evidence, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with ledger.store.transaction():
        ledger.store.put_evidence(kind, gln, source, detail, digest, text, now_iso())


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise BundleError(_("The bundle's '{key}' is not a list.").format(key=key))
    return value


def _read(path: Path) -> dict[str, Any]:
    advice = _("export it in parts with `supplychain bundle export --max-mb {mib} FILE` and "
               "import each part.").format(mib=MAX_BUNDLE_BYTES // 2**20)
    data = read_input_file(path, MAX_BUNDLE_BYTES, what="bundle", error=BundleError,
                           too_large_advice=advice)
    document = load_json(data, max_bytes=MAX_BUNDLE_BYTES, max_depth=MAX_BUNDLE_DEPTH,
                         what=f"Bundle {path}", error=BundleError)
    del data
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleError(_("{path} is not a {format} bundle.").format(path=path, format=FORMAT))
    return document


def _atomic_write(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data, error=BundleError)
