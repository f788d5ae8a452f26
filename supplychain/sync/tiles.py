"""Sync from static tiles: a ``PeerSource`` that reads C2SP tlog-tiles over HTTP(S).

A folder written by ``supplychain publish`` and served by any static web server is pulled
exactly like a peer (``supplychain.sync.puller.pull_from``): each checkpoint is verified
against its author's key, consistency with what we hold and each batch's proof are computed
here from hash tiles and checked by the same ``Replica`` code, entries go through
``Ledger.append_entries``. A static server has no identity: ``peer_gln`` is None, so an
author's contradicting checkpoints are stored as evidence against the author (a relay), and
a tampered tile or bundle is stored as evidence against the URL.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import aiohttp

from supplychain.errors import (
    DirectoryError,
    ProtocolError,
)
from supplychain.i18n import _
from supplychain.identity.directory import MemberDirectory
from supplychain.interchange.publish import CHECKPOINT_NAME, DIRECTORY_NAME, INDEX_NAME
from supplychain.ledger import merkle, tiles
from supplychain.ledger.checkpoint import MAX_NOTE_BYTES
from supplychain.sync.protocol import (
    DEFAULT_TIMEOUT,
    MAX_BATCH_ENTRIES,
    MAX_LOGS,
    MAX_RESPONSE_BYTES,
    CheckpointsDoc,
    DirectoryDoc,
    EntriesDoc,
    EntriesRequest,
    LogHead,
    ProofDoc,
    check_gln,
)
from supplychain.sync.puller import PullReport, pull_from
from supplychain.sync.replica import Replica
from supplychain.sync.transport import client_failure, read_capped

TILE_CACHE = 256
"""Hash tiles kept in memory per pull (at most 2 MiB)."""
MAX_INDEX_BYTES = MAX_LOGS * 14
"""``logs.txt``: at most MAX_LOGS lines of a GLN and a newline."""
PARALLEL = 8
"""Requests one pull has open at once."""


def parse_index(data: bytes) -> tuple[str, ...]:
    """The GLNs of a ``logs.txt`` index: one 13-digit GLN a line, no repeats."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ProtocolError(_("{name} is not ASCII text.").format(name=INDEX_NAME)) from None
    glns = [check_gln(line) for line in text.split("\n") if line]
    if len(set(glns)) != len(glns):
        raise ProtocolError(_("{name} lists a log twice.").format(name=INDEX_NAME))
    return tuple(glns)


def tiles_context(home: Path, passphrase: bytes) -> ssl.SSLContext:
    """HTTPS to a web server: its certificate checked against the system's CAs and the
    consortium root (host name checked: a web server is named by its URL), and this node's
    member certificate presented to servers that check client certificates."""
    ctx = ssl.create_default_context()
    ctx.load_verify_locations(cafile=str(home / "root.pem"))
    ctx.load_cert_chain(str(home / "member.pem"), str(home / "member.key"), password=passphrase)
    return ctx


class TilesPeer:
    """A PeerSource over a tiles URL (``logs.txt``, ``<gln>/checkpoint``, ``<gln>/tile/...``)."""

    def __init__(self, url: str, session: aiohttp.ClientSession, consortium: str) -> None:
        self.url = url.rstrip("/")
        self.session = session
        self.consortium = consortium
        self.peer_gln: str | None = None
        self._tiles: OrderedDict[tuple[str, tiles.Tile], bytes] = OrderedDict()
        self._gate = asyncio.Semaphore(PARALLEL)

    async def _get(self, path: str, limit: int, *, missing_ok: bool = False) -> bytes | None:
        url = f"{self.url}/{path}"
        try:
            async with self._gate, self.session.get(url) as resp:
                if resp.status == 404 and missing_ok:
                    return None
                body = await read_capped(resp, path, limit)
                if resp.status != 200:
                    raise ProtocolError(_("{path}: HTTP {status}: {value!r}")
                                        .format(path=path, status=resp.status,
                                                value=body[:200]))
                return body
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise client_failure(exc, self.url, path) from None

    async def _must(self, path: str, limit: int) -> bytes:
        body = await self._get(path, limit)
        assert body is not None
        return body

    # --- PeerSource ------------------------------------------------------------------------
    async def directory(self) -> DirectoryDoc:
        body = await self._get(DIRECTORY_NAME, MAX_RESPONSE_BYTES, missing_ok=True)
        if body is None:
            return DirectoryDoc(None)
        try:
            return DirectoryDoc(MemberDirectory.parse(body).to_dict())
        except DirectoryError as exc:
            raise ProtocolError(_("{name} is not a member directory: {exc}")
                                .format(name=DIRECTORY_NAME, exc=exc)) from None

    async def checkpoints(self) -> CheckpointsDoc:
        glns = parse_index(await self._must(INDEX_NAME, MAX_INDEX_BYTES))

        async def head(gln: str) -> LogHead:
            body = await self._must(f"{gln}/{CHECKPOINT_NAME}", MAX_NOTE_BYTES)
            try:
                return LogHead(gln, body.decode("utf-8"))
            except UnicodeDecodeError:
                raise ProtocolError(_("The checkpoint of log {gln} is not UTF-8 text.")
                                    .format(gln=gln)) from None

        heads = await asyncio.gather(*(head(g) for g in glns))
        # A static server is no member: no GLN of its own, members and revocations come
        # only from the root-signed directory.json (see directory()).
        return CheckpointsDoc(self.consortium, "", (), (), tuple(heads))

    async def _tile(self, gln: str, tile: tiles.Tile) -> bytes:
        key = (gln, tile)
        data = self._tiles.get(key)
        if data is None:
            data = tiles.check_tile(tile, await self._must(f"{gln}/{tile.path}",
                                                           tiles.FULL_TILE_BYTES))
            self._tiles[key] = data
            while len(self._tiles) > TILE_CACHE:
                self._tiles.popitem(last=False)
        else:
            self._tiles.move_to_end(key)
        return data

    async def _nodes(self, gln: str, size: int, needed: Iterable[tiles.Tile]) -> tiles.TileNodes:
        wanted = sorted(needed)
        got = await asyncio.gather(*(self._tile(gln, t) for t in wanted))
        return tiles.TileNodes(size, dict(zip(wanted, got, strict=True)))

    async def _consistency(self, gln: str, old: int, new: int) -> list[bytes]:
        if old in (0, new):
            return []
        nodes = await self._nodes(gln, new, tiles.consistency_tiles(old, new))
        return merkle.consistency_proof_from(nodes, old, new)

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc:
        return ProofDoc(gln, "consistency", old, new,
                        tuple(await self._consistency(gln, old, new)))

    async def entries(self, request: EntriesRequest) -> EntriesDoc:
        start, end, size = request.start, request.end, request.size
        if not 0 <= start < end <= size:
            raise ValueError(f"bad entries request {request}")
        aligned = end - end % tiles.TILE_WIDTH  # end batches on bundle edges: no re-fetch
        if aligned > start:
            end = aligned
        first, last = start // tiles.TILE_WIDTH, (end - 1) // tiles.TILE_WIDTH
        bundles = [tiles.tile_at(0, n, size) for n in range(first, last + 1)]

        async def bundle(tile: tiles.Tile) -> list[bytes]:
            body = await self._must(f"{request.gln}/{tile.bundle_path}",
                                    max(MAX_RESPONSE_BYTES, tiles.MAX_BUNDLE_BYTES))
            return tiles.decode_bundle(tile, body)

        got, proof = await asyncio.gather(asyncio.gather(*(bundle(t) for t in bundles)),
                                          self._consistency(request.gln, end, size))
        entries = [e for chunk in got for e in chunk]
        offset = first * tiles.TILE_WIDTH
        return EntriesDoc(request.gln, start, end, size,
                          tuple(entries[start - offset:end - offset]), tuple(proof), None)


async def pull_tiles(url: str, replica: Replica, *, ssl_context: ssl.SSLContext | None = None,
                     timeout: float = DEFAULT_TIMEOUT,
                     batch: int = MAX_BATCH_ENTRIES) -> PullReport:
    """One pull from a tiles URL into ``replica`` (verified like a peer's; never raises for
    the server's faults: see ``pull_from``)."""
    connector = aiohttp.TCPConnector(ssl=ssl_context if ssl_context is not None else True,
                                     limit_per_host=PARALLEL)
    async with aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 5.0),
                                          sock_read=timeout)) as session:
        source = TilesPeer(url, session, replica.ledger.consortium)
        return await pull_from(source, replica, batch=batch)


def check_tiles_url(url: str) -> str:
    """A tiles URL: http:// or https:// with a host; ProtocolError otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ProtocolError(_("{url} is not a tiles URL (http://HOST[:PORT]/PATH or "
                              "https://HOST[:PORT]/PATH).").format(url=url))
    return url.rstrip("/")
