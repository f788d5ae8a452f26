"""The sync protocol's pure parts: paths, limits, documents, and the pull state machine.

No sockets, no SQLite: functions here take data and return data (or raise ProtocolError /
a Merkle error). ``supplychain.sync.transport`` adapts them to aiohttp; ``supplychain.sync.replica``
to the store. See docs/SYNC.md for the wire format.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hmac
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from supplychain import ids
from supplychain.errors import CodeError, Equivocation, InconsistentLog, ProtocolError
from supplychain.i18n import _
from supplychain.jsonlimits import load_json
from supplychain.ledger import events, merkle

T = TypeVar("T")
StoreRunner = Callable[[Callable[[], Any]], Awaitable[Any]]
"""Runs a store call where the store lives: the node's worker thread in ``serve`` and the
app, in place (``run_in_place``) in tests and one-shot commands."""


async def run_in_place(fn: Callable[[], T]) -> T:
    """The ``StoreRunner`` that calls the store right here."""
    return fn()


API = "/v1"
PATH_HEALTH = f"{API}/health"
PATH_CHECKPOINTS = f"{API}/checkpoints"
PATH_ENTRIES = API + "/logs/{gln}/entries"
PATH_CONSISTENCY = API + "/logs/{gln}/consistency"
PATH_INCLUSION = API + "/logs/{gln}/inclusion"
PATH_NOTIFY = f"{API}/notify"
PATH_DIRECTORY = f"{API}/directory"
PATH_PUSH = API + "/logs/{gln}/push"

FORMAT_CHECKPOINTS = "supplychain.sync.checkpoints.v1"
FORMAT_ENTRIES = "supplychain.sync.entries.v1"
FORMAT_PROOF = "supplychain.sync.proof.v1"
FORMAT_NOTIFY = "supplychain.sync.notify.v1"
FORMAT_HEALTH = "supplychain.sync.health.v1"
FORMAT_DIRECTORY = "supplychain.sync.directory.v1"

MAX_BATCH_ENTRIES = 1000
"""At most this many entries in one entries response."""
BATCH_BYTES = 4 * 1024 * 1024
"""A server stops adding entries to a batch once their raw size reaches this (>= 1 entry)."""
MAX_ENTRY_BYTES = events.MAX_ENTRY_BYTES
"""No log entry is larger (an event has at most 12,000 items, about 1.5-2.5 MB)."""
DEFAULT_TIMEOUT = 30.0
"""Seconds a client waits for one request to a peer (``--timeout``)."""
DEFAULT_INTERVAL = 30.0
"""Seconds between two pull rounds of a serving node (``--interval``)."""
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""A client reads no response body larger than this (checkpoints of a large consortium fit)."""
MAX_REQUEST_BYTES = 64 * 1024
"""A server reads no request body larger than this (only /v1/notify has one)."""
MAX_DOCUMENT_DEPTH = 8
"""No sync document nests arrays and objects deeper (the deepest, a directory, needs 4)."""
MAX_PROOF_HASHES = 128
MAX_LOGS = 100_000

_INT = re.compile(r"0|[1-9][0-9]{0,17}")


# --- small strict readers --------------------------------------------------------------------
def check_gln(value: object) -> str:
    """A GLN a peer sent (``ids.check_gln``), else ProtocolError."""
    try:
        return ids.check_gln(value)
    except CodeError as exc:
        raise ProtocolError(_("{value!r} is not a 13-digit GLN: {exc}")
                            .format(value=value, exc=exc)) from None


def query_int(params: Mapping[str, str], name: str, *, required: bool = True) -> int | None:
    """A non-negative decimal query parameter (no sign, no leading zeros)."""
    text = params.get(name)
    if text is None:
        if required:
            raise ProtocolError(_("Query parameter '{name}' is missing.").format(name=name))
        return None
    if not _INT.fullmatch(text):
        raise ProtocolError(_("Query parameter '{name}' must be a non-negative integer, "
                              "got {value!r}.").format(name=name, value=text[:20]))
    return int(text)


def _int(doc: Mapping[str, Any], key: str) -> int:
    value = doc.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProtocolError(_("Field '{key}' must be a non-negative integer, got {value!r}.")
                            .format(key=key, value=value))
    return value


def _str(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise ProtocolError(_("Field '{key}' must be text.").format(key=key))
    return value


def _list(doc: Mapping[str, Any], key: str, limit: int) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list):
        raise ProtocolError(_("Field '{key}' must be a list.").format(key=key))
    if len(value) > limit:
        raise ProtocolError(_("Field '{key}' has {value_count} items; at most {limit} allowed.")
                            .format(key=key, value_count=len(value), limit=limit))
    return value


def _b64(text: object, what: str, limit: int) -> bytes:
    if not isinstance(text, str) or len(text) > (limit * 4) // 3 + 4:
        raise ProtocolError(_("{what} is not base64 text of at most {limit} bytes.")
                            .format(what=what, limit=limit))
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError(_("{what} is not valid base64.").format(what=what)) from None
    return raw


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _hashes(doc: Mapping[str, Any], key: str) -> list[bytes]:
    out = []
    for i, text in enumerate(_list(doc, key, MAX_PROOF_HASHES)):
        raw = _b64(text, f"proof hash {i}", merkle.HASH_SIZE)
        if len(raw) != merkle.HASH_SIZE:
            raise ProtocolError(_("Proof hash {i} is {raw_count} bytes, not {hash_size}.")
                                .format(i=i, raw_count=len(raw), hash_size=merkle.HASH_SIZE))
        out.append(raw)
    return out


def load_document(body: bytes, fmt: str, *, max_bytes: int = MAX_RESPONSE_BYTES,
                  what: str = "Response") -> dict[str, Any]:
    """Parse a JSON body of format ``fmt`` under the sync limits (``max_bytes``,
    ``MAX_DOCUMENT_DEPTH``, number lengths); ProtocolError on anything else."""
    doc = load_json(body, max_bytes=max_bytes, max_depth=MAX_DOCUMENT_DEPTH,
                    what=f"{what} ({fmt})", error=ProtocolError)
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise ProtocolError(_("{what} is not a {fmt} document.").format(what=what, fmt=fmt))
    return doc


def dump_document(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


# --- documents --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogHead:
    """One log a peer holds: its GLN and the latest signed checkpoint (signed-note text)."""

    gln: str
    checkpoint: str


@dataclass(frozen=True)
class CheckpointsDoc:
    """``GET /v1/checkpoints``: the directory and the latest checkpoint of every log held."""

    consortium: str
    gln: str
    members: tuple[bytes, ...]
    revocations: tuple[dict[str, Any], ...]
    logs: tuple[LogHead, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_CHECKPOINTS, "consortium": self.consortium, "gln": self.gln,
                "members": [m.decode() for m in self.members],
                "revocations": list(self.revocations),
                "logs": [{"gln": h.gln, "checkpoint": h.checkpoint} for h in self.logs]}

    @classmethod
    def parse(cls, body: bytes) -> CheckpointsDoc:
        doc = load_document(body, FORMAT_CHECKPOINTS)
        members = []
        for pem in _list(doc, "members", MAX_LOGS):
            if not isinstance(pem, str) or len(pem) > 16_384:
                raise ProtocolError(_("A member certificate is not PEM text."))
            members.append(pem.encode())
        revocations = _list(doc, "revocations", MAX_LOGS)
        if not all(isinstance(r, dict) for r in revocations):
            raise ProtocolError(_("A revocation is not a JSON object."))
        logs = []
        seen: set[str] = set()
        for item in _list(doc, "logs", MAX_LOGS):
            if not isinstance(item, dict) or set(item) != {"gln", "checkpoint"}:
                raise ProtocolError(_("A log head must hold exactly 'gln' and 'checkpoint'."))
            gln = check_gln(item["gln"])
            if gln in seen:
                raise ProtocolError(_("Log {gln} is listed twice.").format(gln=gln))
            seen.add(gln)
            note = _str(item, "checkpoint")
            if len(note) > 4096:
                raise ProtocolError(_("The checkpoint of log {gln} is too long.").format(gln=gln))
            logs.append(LogHead(gln, note))
        return cls(_str(doc, "consortium"), check_gln(doc.get("gln")), tuple(members),
                   tuple(revocations), tuple(logs))


@dataclass(frozen=True)
class EntriesDoc:
    """``GET /v1/logs/{gln}/entries?start=&end=&size=``.

    Entries ``[start, end)`` of the log, a consistency proof from ``end`` to ``size`` (so the
    batch alone is provably a prefix of the signed tree of ``size``), and the server's signed
    checkpoint at ``end`` when it holds one.
    """

    gln: str
    start: int
    end: int
    size: int
    entries: tuple[bytes, ...]
    proof: tuple[bytes, ...]
    checkpoint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_ENTRIES, "gln": self.gln, "start": self.start,
                "end": self.end, "size": self.size,
                "entries": [_b64e(e) for e in self.entries],
                "proof": [_b64e(p) for p in self.proof], "checkpoint": self.checkpoint}

    @classmethod
    def parse(cls, body: bytes, request: EntriesRequest) -> EntriesDoc:
        """Parse and check the response against what was asked: same log, start and size,
        at least one entry, no more than asked."""
        doc = load_document(body, FORMAT_ENTRIES)
        gln, start, end, size = check_gln(doc.get("gln")), _int(doc, "start"), \
            _int(doc, "end"), _int(doc, "size")
        if (gln, start, size) != (request.gln, request.start, request.size):
            raise ProtocolError(_("Asked for log {gln} from {start} towards "
                                  "{size}; got log {gln2} from {start2} towards {size2}.")
                                .format(gln=request.gln, start=request.start, size=request.size,
                                        gln2=gln, start2=start, size2=size))
        if not start < end <= request.end:
            raise ProtocolError(_("Entries response ends at {end}; expected between "
                                  "{value} and {end2}.")
                                .format(end=end, value=start + 1, end2=request.end))
        raw = _list(doc, "entries", MAX_BATCH_ENTRIES)
        if len(raw) != end - start:
            raise ProtocolError(_("Entries response claims [{start}, {end}) but holds "
                                  "{raw_count} entries.")
                                .format(start=start, end=end, raw_count=len(raw)))
        entries = tuple(_b64(e, f"entry {start + i}", MAX_ENTRY_BYTES)
                        for i, e in enumerate(raw))
        note = doc.get("checkpoint")
        if note is not None and (not isinstance(note, str) or len(note) > 4096):
            raise ProtocolError(_("The batch checkpoint is not a signed note."))
        return cls(gln, start, end, size, entries, tuple(_hashes(doc, "proof")), note)


@dataclass(frozen=True)
class ProofDoc:
    """``GET /v1/logs/{gln}/consistency?old=&new=`` or ``inclusion?index=&size=``."""

    gln: str
    kind: str  # "consistency" or "inclusion"
    a: int  # old size, or leaf index
    b: int  # new size, or tree size
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        first, second = ("old", "new") if self.kind == "consistency" else ("index", "size")
        return {"format": FORMAT_PROOF, "gln": self.gln, "kind": self.kind, first: self.a,
                second: self.b, "proof": [_b64e(p) for p in self.proof]}

    @classmethod
    def parse(cls, body: bytes, gln: str, kind: str, a: int, b: int) -> ProofDoc:
        doc = load_document(body, FORMAT_PROOF)
        first, second = ("old", "new") if kind == "consistency" else ("index", "size")
        got = (doc.get("gln"), doc.get("kind"), doc.get(first), doc.get(second))
        if got != (gln, kind, a, b):
            raise ProtocolError(_("Asked for the {kind} proof {a}->{b} of log {gln}; the "
                                  "response is for something else.")
                                .format(kind=kind, a=a, b=b, gln=gln))
        return cls(gln, kind, a, b, tuple(_hashes(doc, "proof")))


@dataclass(frozen=True)
class DirectoryDoc:
    """``GET /v1/directory``: the newest root-signed member directory the server holds.

    ``directory`` is the directory's JSON object (checked by the receiver against its own
    consortium root), or None when the server holds none yet.
    """

    directory: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_DIRECTORY, "directory": self.directory}

    @classmethod
    def parse(cls, body: bytes) -> DirectoryDoc:
        doc = load_document(body, FORMAT_DIRECTORY)
        if set(doc) != {"format", "directory"}:
            raise ProtocolError(_("A directory document must hold exactly 'format' and "
                                  "'directory'."))
        directory = doc["directory"]
        if directory is not None and not isinstance(directory, dict):
            raise ProtocolError(_("A directory document's 'directory' must be an object or null."))
        return cls(directory)


@dataclass(frozen=True)
class Notice:
    """``POST /v1/notify``: "I have new entries" - the sizes of the logs the sender holds."""

    logs: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_NOTIFY, "logs": dict(self.logs)}

    @classmethod
    def parse(cls, body: bytes) -> Notice:
        doc = load_document(body, FORMAT_NOTIFY, max_bytes=MAX_REQUEST_BYTES, what="Notice")
        logs = doc.get("logs")
        if not isinstance(logs, dict) or len(logs) > 2000:
            raise ProtocolError(_("A notice's 'logs' must map at most 2000 GLNs to sizes."))
        out = {}
        for gln, size in logs.items():
            check_gln(gln)
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                raise ProtocolError(_("Size of log {gln} in a notice is not an integer.")
                                    .format(gln=gln))
            out[gln] = size
        return cls(out)


@dataclass(frozen=True)
class EntriesRequest:
    gln: str
    start: int
    end: int
    size: int

    def query(self) -> dict[str, str]:
        return {"start": str(self.start), "end": str(self.end), "size": str(self.size)}


def parse_entries_query(params: Mapping[str, str], held: int) -> tuple[int, int, int]:
    """Server side: validate ``start``, ``end``, ``size`` against the ``held`` log size."""
    start = query_int(params, "start")
    end = query_int(params, "end")
    size = query_int(params, "size", required=False)
    assert start is not None and end is not None
    size = end if size is None else size
    if not start < end <= size:
        raise ProtocolError(_("Need start < end <= size, got {start}, {end}, {size}.")
                            .format(start=start, end=end, size=size))
    if size > held:
        raise ProtocolError(_("This node holds {held} entries of the log, not {size}.")
                            .format(held=held, size=size))
    return start, min(end, start + MAX_BATCH_ENTRIES), size


def parse_proof_query(params: Mapping[str, str], first: str, second: str,
                      held: int) -> tuple[int, int]:
    a = query_int(params, first)
    b = query_int(params, second)
    assert a is not None and b is not None
    if first == "old" and not 0 < a <= b:
        raise ProtocolError(_("Need 0 < old <= new, got {a} and {b}.").format(a=a, b=b))
    if first == "index" and not 0 <= a < b:
        raise ProtocolError(_("Need 0 <= index < size, got {a} and {b}.").format(a=a, b=b))
    if b > held:
        raise ProtocolError(_("This node holds {held} entries of the log, not {b}.")
                            .format(held=held, b=b))
    return a, b


# --- the pull state machine ---------------------------------------------------------------------
class Step(enum.Enum):
    CONSISTENCY = "consistency"
    ENTRIES = "entries"
    DONE = "done"


@dataclass
class LogPull:
    """What to fetch next to bring one log from ``held`` entries up to a signed ``size``.

    The caller has verified the checkpoint's signature (the remote ``size`` and ``root``).
    Sequence: a consistency proof held -> size (skipped when nothing is held), then batches
    of entries, each carrying a proof that it is a prefix of the signed tree. The adapter
    computes roots from its own store and hands them in; this class checks the proofs.
    """

    gln: str
    held: int
    size: int
    root: bytes
    batch: int = MAX_BATCH_ENTRIES
    consistent: bool = False

    def __post_init__(self) -> None:
        if self.size <= self.held:
            raise ValueError("nothing to pull")
        self.consistent = self.held == 0

    def next(self) -> Step:
        if not self.consistent:
            return Step.CONSISTENCY
        return Step.ENTRIES if self.held < self.size else Step.DONE

    def consistency_request(self) -> tuple[int, int]:
        return self.held, self.size

    def check_consistency(self, held_root: bytes, proof: tuple[bytes, ...] | list[bytes]) -> None:
        """Raise InvalidProof / InconsistentLog unless our tree extends to the signed one."""
        merkle.verify_consistency(self.held, self.size, held_root, self.root, proof)
        self.consistent = True

    def entries_request(self) -> EntriesRequest:
        return EntriesRequest(self.gln, self.held, min(self.size, self.held + self.batch),
                              self.size)

    def check_batch(self, end: int, root_at_end: bytes,
                    proof: tuple[bytes, ...] | list[bytes]) -> None:
        """After appending a batch up to ``end`` (inside the still-open transaction), check
        that our new tree is a prefix of the signed one; raise so the batch is rolled back."""
        merkle.verify_consistency(end, self.size, root_at_end, self.root, proof)
        self.held = max(self.held, end)


def plan_pull(gln: str, held: int, size: int, root: bytes, *, signed_root: bytes | None,
              held_root: bytes | None, batch: int = MAX_BATCH_ENTRIES) -> LogPull | None:
    """Compare a peer's verified checkpoint (``size``, ``root``) of log ``gln`` with ours.

    ``held`` is the number of entries held here, ``signed_root`` the root of a signed
    checkpoint of the same size held here (None if none), ``held_root`` the root of our first
    ``size`` entries (needed when ``size <= held``). Returns None when we already hold that tree,
    a LogPull when the peer has more; raises Equivocation when the two signed roots of one size
    differ, and InconsistentLog when the checkpoint disagrees with the entries held here.
    """
    if signed_root is not None and not hmac.compare_digest(signed_root, root):
        raise Equivocation(_("log {gln} has two signed checkpoints of size {size}: roots "
                             "{value}… and {value2}…")
                           .format(gln=gln, size=size, value=signed_root.hex()[:16],
                                   value2=root.hex()[:16]))
    if size <= held:
        if held_root is None:
            raise ValueError("the root of the entries held is needed when size <= held")
        if not hmac.compare_digest(held_root, root):
            raise InconsistentLog(_("log {gln} at size {size}: the checkpoint's root "
                                    "{value}… is not {value2}…, the "
                                    "root of the entries held")
                                  .format(gln=gln, size=size, value=root.hex()[:16],
                                          value2=held_root.hex()[:16]))
        return None
    return LogPull(gln, held, size, root, batch)
