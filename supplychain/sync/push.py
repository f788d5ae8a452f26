"""Push: an author sends new entries of its own log to its full nodes (nodes behind NAT).

``POST /v1/logs/{gln}/push`` with ``{"format": "supplychain.sync.push.v1", "gln", "start",
"entries": [B64], "checkpoint": NOTE}``: entries ``[start, N)`` and the author's signed
checkpoint of size ``N``. The receiver verifies them exactly like a pulled batch
(``Replica.apply_batch``: the same ``append_entries``, the root recomputed over what it holds
plus the entries and compared with the signed root, in one transaction a failure rolls back);
a lie is stored as evidence and nothing is kept. Only the author may push its log (403 else,
``sync.access``); ``start`` must be what the receiver holds (409 ``{"held": n}`` else, and the
pusher resends from there).

The pushing side never needs to be reachable: ``Pusher`` sends after the node's own log
grows, in batches, and retries a peer that did not answer with exponential back-off
(``backoff_delay``; the state lives in memory only).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from aiohttp import web

from supplychain.errors import (
    NotEntitled,
    PeerMisbehaved,
    PeerRefused,
    PeerUnavailable,
    ProtocolError,
    SupplyChainError,
)
from supplychain.i18n import _
from supplychain.identity.certificates import Member
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.sync.protocol import (
    MAX_ENTRY_BYTES,
    PATH_PUSH,
    EntriesDoc,
    StoreRunner,
    _b64,
    _b64e,
    _int,
    _list,
    _str,
    check_gln,
    dump_document,
    load_document,
)
from supplychain.sync.replica import Replica

log = logging.getLogger("supplychain.sync")

FORMAT_PUSH = "supplychain.sync.push.v1"
FORMAT_PUSH_RESULT = "supplychain.sync.push-result.v1"
MAX_PUSH_BYTES = 6 * 1024 * 1024
"""A server reads no push body larger than this (one 4 MiB entry fits, base64-encoded)."""
MAX_PUSH_ENTRIES = 1000
"""At most this many entries in one push."""
PUSH_BATCH_BYTES = 3 * 1024 * 1024
"""A pusher stops adding entries to a push once their raw size reaches this (>= 1 entry)."""
BACKOFF_BASE = 2.0
"""Seconds before the first retry of a full node that did not answer; doubled each time."""
BACKOFF_CAP = 600.0
"""The longest wait between two tries of one full node."""

NewEntriesHook = Callable[[str, int], None]


@dataclass(frozen=True)
class PushDoc:
    """One push: entries ``[start, start + len(entries))`` of log ``gln`` and the author's
    signed checkpoint of the size they reach."""

    gln: str
    start: int
    entries: tuple[bytes, ...]
    checkpoint: str

    @property
    def end(self) -> int:
        return self.start + len(self.entries)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_PUSH, "gln": self.gln, "start": self.start,
                "entries": [_b64e(e) for e in self.entries], "checkpoint": self.checkpoint}

    @classmethod
    def parse(cls, body: bytes) -> PushDoc:
        doc = load_document(body, FORMAT_PUSH, max_bytes=MAX_PUSH_BYTES, what="Push")
        if set(doc) != {"format", "gln", "start", "entries", "checkpoint"}:
            raise ProtocolError(_("A push must hold exactly 'format', 'gln', 'start', "
                                  "'entries' and 'checkpoint'."))
        start = _int(doc, "start")
        raw = _list(doc, "entries", MAX_PUSH_ENTRIES)
        if not raw:
            raise ProtocolError(_("A push holds at least one entry."))
        entries = tuple(_b64(e, f"entry {start + i}", MAX_ENTRY_BYTES)
                        for i, e in enumerate(raw))
        note = _str(doc, "checkpoint")
        if len(note) > 4096:
            raise ProtocolError(_("The push's checkpoint is not a signed note."))
        return cls(check_gln(doc.get("gln")), start, entries, note)


# --- the receiving side ----------------------------------------------------------------------
@dataclass(frozen=True)
class PushOutcome:
    """The answer to a push: HTTP status, the receiver's size of the log, entries kept."""

    status: int
    held: int
    added: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"format": FORMAT_PUSH_RESULT, "held": self.held,
                               "added": self.added}
        if self.error is not None:
            doc["error"] = self.error
        return doc


def receive_push(replica: Replica, pusher: str, doc: PushDoc) -> PushOutcome:
    """Verify and keep a push from member ``pusher`` (its author, checked by the caller).

    Runs on the store's thread. 409 when ``start`` is not the size held; 422 with evidence
    stored when the push is a lie (forged entry, root mismatch, bad checkpoint, a history
    that contradicts the one held): nothing of it is kept.
    """
    gln, peer = doc.gln, f"push:{pusher}"
    held = replica.store.log_size(gln)
    if doc.start != held:
        return PushOutcome(409, held, error=_("This node holds {held} entries of log {gln}; "
                                              "push from there.").format(held=held, gln=gln))
    try:
        signed = replica.verify_checkpoint(gln, doc.checkpoint, peer)
        if signed.checkpoint.size != doc.end:
            raise ProtocolError(_("The push's checkpoint is of size {size}, its entries end at "
                                  "{end}.").format(size=signed.checkpoint.size, end=doc.end))
        pull = replica.plan(gln, signed, peer, len(doc.entries))
        if pull is None:  # held already (cannot happen with start == held and >= 1 entry)
            return PushOutcome(200, held)
        # The root recomputed over the entries held plus the pushed ones must equal the
        # signed root: that proves both (no separate consistency proof is needed).
        pull.consistent = True
        page = EntriesDoc(gln, doc.start, doc.end, doc.end, doc.entries, ())
        added = replica.apply_batch(pull, signed, page, peer)
    except PeerMisbehaved as lie:
        log.error("refused a push of log %s from %s: %s", gln, pusher, lie)
        replica.record(lie.kind, lie.subject, peer, str(lie), lie.evidence)
        return PushOutcome(422, replica.store.log_size(gln), error=str(lie))
    replica.mark_synced(gln, peer)
    log.info("kept %d pushed entries of log %s (now %d)", added, gln, doc.end)
    return PushOutcome(200, replica.store.log_size(gln), added)


def push_handler(replica: Replica, run: StoreRunner,
                 on_new: NewEntriesHook | None = None,
                 ) -> Callable[[web.Request, Member], Awaitable[web.Response]]:
    """The aiohttp handler of ``POST /v1/logs/{gln}/push`` (after the access check). The body
    is read under ``MAX_PUSH_BYTES`` (the app's 64 KiB cap is for the other requests)."""

    async def handle(request: web.Request, member: Member) -> web.Response:
        def answer(status: int, doc: dict[str, Any]) -> web.Response:
            return web.Response(body=dump_document(doc), status=status,
                                content_type="application/json")

        too_large = answer(413, {"error": _("A push is at most {limit} bytes; send fewer "
                                            "entries at once.").format(limit=MAX_PUSH_BYTES)})
        if request.content_length is not None and request.content_length > MAX_PUSH_BYTES:
            return too_large
        chunks: list[bytes] = []
        total = 0
        while chunk := await request.content.read(1 << 16):
            total += len(chunk)
            if total > MAX_PUSH_BYTES:
                return too_large
            chunks.append(chunk)
        doc = PushDoc.parse(b"".join(chunks))
        if doc.gln != request.match_info["gln"]:
            raise ProtocolError(_("The push is for log {gln}, the path for another.")
                                .format(gln=doc.gln))
        outcome: PushOutcome = await run(lambda: receive_push(replica, member.info.gln, doc))
        if outcome.added and on_new is not None:
            on_new(doc.gln, outcome.added)
        return answer(outcome.status, outcome.to_json())

    return handle


# --- the pushing side ------------------------------------------------------------------------
def backoff_delay(failures: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait before the next try after ``failures`` failed ones in a row."""
    if failures <= 0:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - 1, 62)))


@dataclass
class _PeerPush:
    failures: int = 0
    next_at: float = 0.0
    held: int | None = None  # the peer's size of our log, as last answered


@dataclass
class PushSchedule:
    """When to try each full node next (in memory: a restart simply asks again)."""

    clock: Callable[[], float] = time.monotonic
    peers: dict[str, _PeerPush] = field(default_factory=dict)

    def _of(self, url: str) -> _PeerPush:
        return self.peers.setdefault(url, _PeerPush())

    def due(self, url: str) -> bool:
        return self.clock() >= self._of(url).next_at

    def held(self, url: str) -> int | None:
        return self._of(url).held

    def failed(self, url: str) -> float:
        """Count a failed try; return the seconds until the next one."""
        state = self._of(url)
        state.failures += 1
        delay = backoff_delay(state.failures)
        state.next_at = self.clock() + delay
        return delay

    def succeeded(self, url: str, held: int) -> None:
        state = self._of(url)
        state.failures, state.next_at, state.held = 0, 0.0, held


def next_push(replica: Replica, gln: str, start: int) -> PushDoc | None:
    """The next push of our log ``gln`` from ``start``: up to ``MAX_PUSH_ENTRIES`` entries
    and ``PUSH_BATCH_BYTES``, ending at a size of which we hold a signed checkpoint."""
    store = replica.store
    size = store.log_size(gln)
    if start >= size:
        return None
    entries: list[bytes] = []
    total = 0
    for data in store.entries(gln, start, min(size, start + MAX_PUSH_ENTRIES)):
        if entries and total + len(data) > PUSH_BATCH_BYTES:
            break
        entries.append(data)
        total += len(data)
    for end in range(start + len(entries), start, -1):
        cp = store.checkpoint_at(gln, end)
        if cp is not None:
            return PushDoc(gln, start, tuple(entries[:end - start]), cp.note)
    latest = store.latest_checkpoint(gln)  # no checkpoint inside the batch: up to the next
    if latest is None or latest.size <= start:
        return None
    later = next(s for s in range(start + len(entries) + 1, latest.size + 1)
                 if store.checkpoint_at(gln, s) is not None)
    cp = store.checkpoint_at(gln, later)
    assert cp is not None
    return PushDoc(gln, start, tuple(store.entries(gln, start, later)), cp.note)


@dataclass(frozen=True)
class PushReport:
    """What pushing our log to one full node did."""

    url: str
    pushed: int = 0
    held: int | None = None
    error: str | None = None
    retry_in: float | None = None  # seconds, after a failure


class PushPeer(Protocol):
    """What a push needs from a peer connection (``transport.HttpPeer`` has it)."""

    url: str

    async def checkpoints(self) -> Any: ...

    async def post(self, path: str, doc: dict[str, Any],
                   accept: tuple[int, ...] = (200, 202)) -> tuple[int, bytes]: ...


async def push_log(peer: PushPeer, replica: Replica, run: StoreRunner,
                   held: int | None) -> tuple[int, int]:
    """Push our own log to ``peer`` from ``held`` (its size, if known; asked otherwise) until
    it holds all of it. Returns (entries it kept, its size now); raises the peer's faults."""
    gln = replica.gln
    if held is None:
        doc = await peer.checkpoints()
        head = next((h for h in doc.logs if h.gln == gln), None)
        held = SignedCheckpoint.parse(head.checkpoint).checkpoint.size if head else 0
    pushed, tries = 0, 0
    while True:
        push = await run(partial(next_push, replica, gln, held))
        if push is None:
            return pushed, held
        status, body = await peer.post(PATH_PUSH.format(gln=gln), push.to_json(),
                                       accept=(200, 409, 422))
        answer = load_document(body, FORMAT_PUSH_RESULT, what="Push answer")
        new_held = _int(answer, "held")
        if status == 422:
            raise ProtocolError(_("{url} refused our log: {error}")
                                .format(url=peer.url, error=str(answer.get("error"))[:300]))
        pushed += _int(answer, "added")
        tries = tries + 1 if status == 409 else 0
        if tries > 2 or (status == 200 and new_held <= held):
            raise ProtocolError(_("{url} holds {held} entries of our log and does not take "
                                  "more.").format(url=peer.url, held=new_held))
        held = new_held


class Pusher:
    """Pushes our own log to every full node, each retried with back-off while offline."""

    def __init__(self, replica: Replica, run: StoreRunner,
                 schedule: PushSchedule | None = None) -> None:
        self.replica = replica
        self.run = run
        self.schedule = schedule or PushSchedule()

    async def push(self, peer: PushPeer, size: int) -> PushReport | None:
        """Push to ``peer`` if it may lack entries of our log of ``size`` and is due."""
        url, schedule = peer.url, self.schedule
        if schedule.held(url) == size or not schedule.due(url):
            return None
        try:
            pushed, held = await push_log(peer, self.replica, self.run, schedule.held(url))
        except (PeerUnavailable, PeerRefused, ProtocolError, NotEntitled) as exc:
            delay = schedule.failed(url)
            log.warning("push to %s failed (next try in %gs): %s", url, delay, exc)
            return PushReport(url, error=str(exc), retry_in=delay)
        except SupplyChainError as exc:
            delay = schedule.failed(url)
            log.error("push to %s failed (next try in %gs): %s", url, delay, exc)
            return PushReport(url, error=str(exc), retry_in=delay)
        schedule.succeeded(url, held)
        if pushed:
            log.info("pushed %d entries of our log to %s (it holds %d)", pushed, url, held)
        return PushReport(url, pushed, held)
