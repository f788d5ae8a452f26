"""``supplychain publish``: a node's logs as C2SP tlog-tiles, served by any static web server.

Layout under the output folder (docs/SYNC.md, "Static tiles")::

    logs.txt                   the published logs: one GLN a line, sorted
    directory.json             the root-signed member directory held (if any)
    <gln>/checkpoint           the author's latest signed checkpoint (C2SP signed note)
    <gln>/tile/<L>/<N>[.p/<W>] hash tiles, from the stored Merkle nodes
    <gln>/tile/entries/<N>[.p/<W>]  entry bundles

Tiles and bundles are immutable: a run writes only files that do not exist yet (the full
tiles completed since the last published checkpoint, and the partial tiles of the new size),
then the checkpoint, then the index, each atomically. An existing file is never rewritten, so
a web server's caches and a reader half-way through a fetch never see a tile change.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from pathlib import Path

from supplychain.errors import CheckpointError, SupplyChainError
from supplychain.files import write_atomically
from supplychain.i18n import _
from supplychain.ledger import tiles
from supplychain.ledger.checkpoint import MAX_NOTE_BYTES, SignedCheckpoint
from supplychain.ledger.logs import Ledger
from supplychain.ledger.membership import held_directory

INDEX_NAME = "logs.txt"
DIRECTORY_NAME = "directory.json"
CHECKPOINT_NAME = "checkpoint"


class PublishError(SupplyChainError):
    """The logs cannot be published into the folder given (unwritable, another history
    already there, an entry too large for the tiles format)."""


@dataclass(frozen=True)
class PublishedLog:
    """One log published: its GLN, the checkpoint's size, the files this run wrote."""

    gln: str
    size: int
    written: int


@dataclass(frozen=True)
class PublishReport:
    out: Path
    logs: tuple[PublishedLog, ...] = field(default_factory=tuple)

    @property
    def written(self) -> int:
        return sum(p.written for p in self.logs)


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``path`` once: an existing file is left as it is (immutable)."""
    if path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(_("Cannot create the folder {path}: {reason}.")
                           .format(path=path.parent, reason=exc.strerror or exc)) from exc
    write_atomically(path, data, error=PublishError)
    return True


def _published_size(ledger: Ledger, gln: str, prefix: Path) -> int:
    """Size of the checkpoint already published under ``prefix`` (0: none), after checking
    that it is this log's and agrees with the entries held."""
    path = prefix / CHECKPOINT_NAME
    if not path.exists():
        return 0
    try:
        text = path.read_bytes()[:MAX_NOTE_BYTES + 1]
        cp = SignedCheckpoint.parse(text).checkpoint
    except (OSError, CheckpointError) as exc:
        raise PublishError(_("{path} is not a signed checkpoint ({reason}); publish into an "
                             "empty folder or remove it.").format(path=path, reason=exc)) from exc
    if (cp.origin != ledger.origin(gln) or cp.size > ledger.log_size(gln)
            or not hmac.compare_digest(cp.root_hash, ledger.root(gln, cp.size))):
        raise PublishError(_("{path} holds another history of log {gln} than this node; "
                             "publish into another folder.").format(path=path, gln=gln))
    return cp.size


def _tile_bytes(ledger: Ledger, gln: str, tile: tiles.Tile) -> bytes:
    """A hash tile from the stored perfect nodes (no hashing)."""
    level = tiles.TILE_HEIGHT * tile.level
    wanted = [(level, tile.start + i) for i in range(tile.width)]
    found = ledger.store.nodes_at(gln, wanted)
    missing = [w for w in wanted if w not in found]
    if missing:
        raise PublishError(_("Log {gln} is missing Merkle node {node}; run `supplychain "
                             "audit`.").format(gln=gln, node=missing[0]))
    return b"".join(found[w] for w in wanted)


def _bundle_bytes(ledger: Ledger, gln: str, tile: tiles.Tile) -> bytes:
    start, end = tile.entries
    entries = ledger.store.entries(gln, start, end)
    for i, entry in enumerate(entries):
        if len(entry) > tiles.MAX_BUNDLE_ENTRY_BYTES:
            raise PublishError(
                _("Entry {index} of log {gln} is {length} bytes; tlog-tiles entry bundles "
                  "hold entries of at most {limit} bytes, so this log cannot be published "
                  "as tiles (use sync or `bundle export`).")
                .format(index=start + i, gln=gln, length=len(entry),
                        limit=tiles.MAX_BUNDLE_ENTRY_BYTES))
    return tiles.encode_bundle(entries)


def publish_log(ledger: Ledger, gln: str, out: Path) -> PublishedLog | None:
    """Publish log ``gln`` up to its latest signed checkpoint (None: no checkpoint held)."""
    latest = ledger.store.latest_checkpoint(gln)
    if latest is None:
        return None
    prefix = out / gln
    since = _published_size(ledger, gln, prefix)
    written = 0
    for tile in tiles.new_tiles(latest.size, since):
        if _write_new(prefix / tile.path, _tile_bytes(ledger, gln, tile)):
            written += 1
        if tile.level == 0 and not (prefix / tile.bundle_path).exists():
            written += _write_new(prefix / tile.bundle_path, _bundle_bytes(ledger, gln, tile))
    note = latest.note.encode()
    checkpoint = prefix / CHECKPOINT_NAME
    if not checkpoint.exists() or checkpoint.read_bytes() != note:
        write_atomically(checkpoint, note, error=PublishError)  # the one mutable file
        written += 1
    return PublishedLog(gln, latest.size, written)


def publish(ledger: Ledger, out: Path) -> PublishReport:
    """Publish every log held that has a signed checkpoint, the index and the directory."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(_("Cannot create the folder {path}: {reason}.")
                           .format(path=out, reason=exc.strerror or exc)) from exc
    done = [p for gln in sorted(ledger.store.log_sizes())
            if (p := publish_log(ledger, gln, out)) is not None]
    directory = held_directory(ledger)
    if directory is not None:
        data = directory.to_bytes()
        path = out / DIRECTORY_NAME
        if not path.exists() or path.read_bytes() != data:
            write_atomically(path, data, error=PublishError)
    index = "".join(f"{p.gln}\n" for p in done).encode()
    if not (out / INDEX_NAME).exists() or (out / INDEX_NAME).read_bytes() != index:
        write_atomically(out / INDEX_NAME, index, error=PublishError)
    return PublishReport(out, tuple(done))

