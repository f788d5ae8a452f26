"""The service layer: one Node behind plain-data methods the views call in workers.

No crypto, no SQL and no Qt here: every method calls ``supplychain`` functions and returns
frozen dataclasses or core values. A ``LedgerService`` is used from one thread at a time (the
TaskManager's node thread), because the node's SQLite store is not thread-safe.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives import serialization

from supplychain import clock
from supplychain.cli.sync import _url as peer_url
from supplychain.clock import now_iso
from supplychain.codes.gs1 import PackCode, validate_gln
from supplychain.codes.labels import qr_image, write_label_sheet
from supplychain.codes.scanner_text import parse_scanned
from supplychain.demo.network import DEMO_PASSPHRASE, Demo, open_demo
from supplychain.errors import CodeError, ImageError, RuleViolation, SupplyChainError
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.consortium import Consortium
from supplychain.identity.keys import generate_member_key, load_private_key
from supplychain.interchange.bundle import ImportResult, export_bundle, import_bundle
from supplychain.interchange.report_pdf import write_pack_report
from supplychain.ledger.events import EventType
from supplychain.ledger.freshness import sync_info
from supplychain.ledger.records import AlertRecord, PackRecord, PeerRecord
from supplychain.ledger.rules import UNDO_DISPENSE_WINDOW, PackStatus
from supplychain.ledger.verdicts import Verdict
from supplychain.node import inspection as inspect
from supplychain.node.operations import Node, VerdictReport
from supplychain.scanning import decode_frame, read_image_file
from supplychain.sync.puller import PullReport
from supplychain.sync.service import DEFAULT_TIMEOUT, SyncService

Progress = Callable[[int, int], None]
T = TypeVar("T")

# Actions a scan may offer, by name.
RECEIVE = "receive"
DISPENSE = "dispense"
REPORT = "report"
QUARANTINE = "quarantine"
UNDO_DISPENSE = "undo_dispense"


@dataclass(frozen=True)
class MemberRow:
    gln: str
    name: str
    role: str


@dataclass(frozen=True)
class NodeInfo:
    """Who this node is, read once when it opens (the GUI never queries the store itself)."""

    home: Path
    name: str
    gln: str
    role: Role
    consortium: str
    members: tuple[MemberRow, ...]

    def others(self) -> list[MemberRow]:
        return [m for m in self.members if m.gln != self.gln]


@dataclass(frozen=True)
class ScanResult:
    """One scan, ready to show: a verdict report, or why the code cannot be read."""

    text: str
    code: PackCode | None = None
    report: VerdictReport | None = None
    unreadable: str | None = None
    actions: frozenset[str] = field(default_factory=frozenset)
    recipient: str | None = None

    @property
    def verdict(self) -> Verdict | None:
        return self.report.verdict if self.report else None


@dataclass(frozen=True)
class Candidate:
    """A pack scanned into a shipment (outgoing or incoming): accepted, or refused with why."""

    text: str
    code: PackCode | None
    accepted: bool
    reason: str = ""


@dataclass(frozen=True)
class Inspection:
    report: VerdictReport
    checks: tuple[inspect.EventCheck, ...]
    alerts: tuple[AlertRecord, ...]


@dataclass(frozen=True)
class LabelPreview:
    lines: tuple[str, ...]
    png: bytes


@dataclass(frozen=True)
class PeerRow:
    """A peer as the Network view shows it (times are ISO text or None: never)."""

    url: str
    gln: str | None
    name: str | None
    state: str  # active / failing / blocked
    reason: str | None  # plain words (the stored reason starts with an evidence kind)
    added: str
    last_attempt: str | None
    last_success: str | None
    failures: int

    @property
    def label(self) -> str:
        return self.name or self.url


@dataclass(frozen=True)
class LogRow:
    """One log this node holds (or knows of): size, latest checkpoint, freshness."""

    gln: str
    name: str
    entries: int
    checkpoint_size: int | None
    root_prefix: str | None
    last_synced: str | None
    synced_from: str | None  # peer URL
    synced_from_name: str | None
    own: bool
    stale: bool


@dataclass(frozen=True)
class EvidenceRow:
    """Sync evidence or a refused connection (the `evidence` table, read-only)."""

    kind: str
    words: str
    subject: str
    peer: str
    detail: str
    first_seen: str
    last_seen: str
    count: int


@dataclass(frozen=True)
class NetworkStatus:
    peers: tuple[PeerRow, ...]
    logs: tuple[LogRow, ...]
    evidence: tuple[EvidenceRow, ...]
    stale_after_seconds: int


@dataclass(frozen=True)
class SyncProgress:
    """Sent while a round runs: peers finished, and entries kept so far."""

    peers_done: int
    peers_total: int
    new_entries: int

    def text(self) -> str:
        return (f"{self.peers_done} of {self.peers_total} peers done · "
                f"{self.new_entries} new entries so far")


@dataclass(frozen=True)
class PeerResult:
    """What one peer gave in a round, in plain words."""

    url: str
    label: str
    ok: bool
    new_entries: int
    text: str
    blocked: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class SyncOutcome:
    results: tuple[PeerResult, ...]
    skipped_blocked: tuple[str, ...] = ()
    cancelled: bool = False

    @property
    def total_new(self) -> int:
        return sum(r.new_entries for r in self.results)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)


# Evidence kinds (supplychain.sync.replica) in plain words: what the peer did.
EVIDENCE_WORDS = {
    "forged_entry": "served a forged entry",
    "root_mismatch": "served entries that do not lead to the author's signed root",
    "inconsistent_history": "served a checkpoint that contradicts the history already verified",
    "equivocation": "served two signed checkpoints of one size with different roots",
    "bad_checkpoint": "served a checkpoint not signed by the log's author",
    "forged_revocation": "served a revocation not signed by the consortium root",
    "refused_peer": "presented the certificate of a revoked or unknown member",
    "bad_response": "sent an answer that is not a valid sync document",
    "unreachable": "could not be reached",
    "refused_connection": "a connection to this node was refused",
}


class LedgerService:
    """One opened node, for one GUI session."""

    def __init__(self, home: Path, passphrase: bytes) -> None:
        # Check the passphrase now, so a wrong one is said at open, not at the first signature.
        load_private_key(home / "member.key", passphrase)
        self._passphrase = passphrase
        self.node = Node(home, lambda: passphrase)
        self.info = self._read_info()

    def close(self) -> None:
        self.node.close()

    def _read_info(self) -> NodeInfo:
        node = self.node
        members = tuple(MemberRow(m.gln, m.name, m.role) for m in node.store.member_names())
        return NodeInfo(node.home, node.name, node.gln, node.me.info.role, node.consortium,
                        members)

    def refresh_info(self) -> NodeInfo:
        self.info = self._read_info()
        return self.info

    # --- scan & verify ---------------------------------------------------------------
    def scan_text(self, text: str) -> ScanResult:
        """Verify what a scanner typed or a camera read; a code error is a result, not a raise."""
        try:
            code = parse_scanned(text)
        except CodeError as exc:
            return ScanResult(text, unreadable=str(exc))
        return self._result(text, code)

    def scan_image(self, path: Path) -> list[ScanResult]:
        """Decode every code in an image file and verify each one."""
        image = read_image_file(path)
        codes = decode_frame(image)
        if not codes:
            return [ScanResult(str(path), unreadable=(
                "No code was found in this picture. Take it closer and in focus, with the "
                "whole code inside the frame, or type the code by hand."))]
        return [self.scan_text(c.text) for c in codes]

    def _result(self, text: str, code: PackCode) -> ScanResult:
        node = self.node
        report = node.verify(code)
        record = node.ledger.pack(code.key)
        actions = {REPORT, QUARANTINE}
        role = self.info.role
        if record is not None and not record.forked:
            if record.status is PackStatus.IN_TRANSIT and record.recipient == node.gln:
                actions.add(RECEIVE)
            if (role is Role.PHARMACY and record.status is PackStatus.ACTIVE
                    and record.custodian == node.gln and report.verdict is Verdict.GENUINE):
                actions.add(DISPENSE)
            if self._may_undo_dispense(report):
                actions.add(UNDO_DISPENSE)
        return ScanResult(text, code, report, None, frozenset(actions),
                          record.recipient if record else None)

    def _may_undo_dispense(self, report: VerdictReport) -> bool:
        """Our own dispense, the pack's last event, still within the undo window."""
        if self.info.role is not Role.PHARMACY or not report.history:
            return False
        last = report.history[-1]
        return (last.type is EventType.DISPENSE and last.actor == self.node.gln
                and clock.now() - clock.parse_iso(last.time)
                <= UNDO_DISPENSE_WINDOW)

    def undo_dispense(self, code: PackCode) -> ScanResult:
        self.node.undo_dispense([code], "dispensed by mistake")
        return self._result(code.to_digital_link(), code)

    def receive(self, codes: Sequence[PackCode]) -> ScanResult:
        self.node.receive(codes)
        return self._result(codes[0].to_digital_link(), codes[0])

    def dispense(self, code: PackCode) -> ScanResult:
        self.node.dispense([code])
        return self._result(code.to_digital_link(), code)

    def report_suspect(self, code: PackCode, reason: str) -> ScanResult:
        self.node.report([code], reason)
        return self._result(code.to_digital_link(), code)

    def quarantine(self, code: PackCode) -> ScanResult:
        """A quarantine is a suspect report whose reason says where the pack is held."""
        self.node.report([code], quarantine_reason(self.info.name))
        return self._result(code.to_digital_link(), code)

    # --- shipments -------------------------------------------------------------------
    def outgoing_candidate(self, text: str, already: Iterable[str]) -> Candidate:
        """May the pack scanned as ``text`` join an outgoing shipment? Say why not."""
        try:
            code = parse_scanned(text)
        except CodeError as exc:
            return Candidate(text, None, False, f"Cannot read this code: {exc}")
        if code.key in set(already):
            return Candidate(text, code, False, "Already in this shipment (scanned twice).")
        record = self.node.ledger.pack(code.key)
        if record is None:
            return Candidate(text, code, False, "Unknown pack: no manufacturer commissioned "
                                                "this serial number.")
        if record.forked:
            return Candidate(text, code, False, "Forked custody chain (a cloned code or a "
                                                "double hand-over): quarantine it.")
        if record.status.decommissioned:
            return Candidate(text, code, False, f"Decommissioned ({record.status.value}): it "
                                                "must not travel again.")
        if record.custodian != self.node.gln or record.status is not PackStatus.ACTIVE:
            where = self.node.ledger.member_name(record.custodian)
            state = "in transit" if record.status is PackStatus.IN_TRANSIT else "held"
            return Candidate(text, code, False, f"Not in our custody: {state} by {where}.")
        if self.node.store.recalls(record.gtin, record.lot):
            return Candidate(text, code, False, f"Lot {record.lot} is recalled: do not ship.")
        return Candidate(text, code, True)

    def ship(self, to: str, codes: Sequence[PackCode]) -> str:
        return self.node.ship(to, codes).hash

    def incoming(self) -> list[inspect.Shipment]:
        return inspect.incoming_shipments(self.node.ledger, self.node.gln)

    def incoming_candidate(self, text: str, expected: Iterable[str],
                           already: Iterable[str]) -> Candidate:
        try:
            code = parse_scanned(text)
        except CodeError as exc:
            return Candidate(text, None, False, f"Cannot read this code: {exc}")
        if code.key in set(already):
            return Candidate(text, code, False, "Already scanned.")
        if code.key in set(expected):
            return Candidate(text, code, True)
        record = self.node.ledger.pack(code.key)
        if record is None:
            why = "Unexpected: this pack is unknown to the network (never commissioned)."
        elif record.status is PackStatus.IN_TRANSIT and record.recipient == self.node.gln:
            why = "Unexpected in this shipment, but shipped to us in another one."
        elif record.custodian == self.node.gln and record.status is PackStatus.ACTIVE:
            why = "Unexpected: this pack was already received here."
        else:
            why = (f"Unexpected: the ledger shows it {record.status.value} with "
                   f"{self.node.ledger.member_name(record.custodian)}, not shipped to us.")
        return Candidate(text, code, False, why)

    def receive_packs(self, codes: Sequence[PackCode]) -> str:
        return self.node.receive(codes).hash

    # --- commission & labels ---------------------------------------------------------
    def commission(self, gtin: str, lot: str, expiry: date, count: int,
                   progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> list[PackCode]:
        """Commission a lot; when cancelled, the packs already signed are returned."""
        return self.node.commission(gtin, lot, expiry, count, progress, cancel)

    def recall(self, gtin: str, lot: str, reason: str) -> str:
        return self.node.recall(gtin, lot, reason).hash

    def lots(self) -> list[inspect.LotSummary]:
        return inspect.lots_of(self.node.ledger, self.node.gln)

    def prefixes(self) -> tuple[str, ...]:
        return self.node.me.info.prefixes

    # --- inspector -------------------------------------------------------------------
    def find(self, query: str) -> list[PackRecord]:
        return inspect.find_packs(self.node.ledger, query)

    def inspect(self, pack_key: str) -> Inspection:
        report = self.node.verify(_code_of(self.node, pack_key))
        checks = tuple(inspect.check_chain(self.node.ledger, pack_key))
        hashes = {c.step.event_hash for c in checks}
        alerts = tuple(a for a in self.node.store.alerts()
                       if a.subject == pack_key or a.subject in hashes)
        return Inspection(report, checks, alerts)

    def alerts(self) -> list[AlertRecord]:
        return self.node.store.alerts()

    def evidence(self, evidence: str) -> list[inspect.EvidenceEvent]:
        return inspect.evidence_events(self.node.ledger, evidence)

    def write_report(self, pack_key: str, path: Path, progress: Progress | None = None,
                     cancel: Callable[[], bool] | None = None) -> Path:
        code = _code_of(self.node, pack_key)
        return write_pack_report(self.node, code, path, progress=progress, cancel=cancel)

    # --- bundles -----------------------------------------------------------------------
    def export_bundle(self, path: Path) -> dict[str, int]:
        return export_bundle(self.node.ledger, path)

    def import_bundle(self, path: Path) -> ImportResult:
        result = import_bundle(self.node.ledger, path)
        self.refresh_info()
        return result

    # --- network: peers, logs, sync ------------------------------------------------------
    def network_status(self) -> NetworkStatus:
        """Peers, every log with its size, checkpoint and freshness, and the sync evidence."""
        return network_status(self.node)

    def add_peer(self, text: str) -> tuple[str, bool]:
        """Add a peer by URL (https://host:port); returns (normalised URL, newly added)."""
        url = peer_url(text)
        with self.node.store.transaction():
            return url, self.node.store.add_peer(url, now_iso())

    def remove_peer(self, url: str) -> None:
        with self.node.store.transaction():
            if not self.node.store.remove_peer(url):
                raise SupplyChainError(f"{url} is not a peer of this node.")

    def unblock_peer(self, url: str) -> None:
        with self.node.store.transaction():
            if not self.node.store.unblock_peer(url):
                raise SupplyChainError(f"{url} is not a peer of this node.")

    def sync_now(self, progress: Callable[[SyncProgress], None] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> SyncOutcome:
        """One sync round (``SyncService.sync_round``, what `supplychain sync --once` runs).

        Unlike every other method this one never touches ``self.node``: it opens the node's
        home a second time (its own SQLite connection, owned by the round's store thread, as
        `supplychain sync` run beside the app would) so it runs on a general worker while
        the node thread keeps answering scans; SQLite WAL and short transactions let both
        write. ``progress`` gets a ``SyncProgress`` when a peer finishes and after each batch
        kept; ``cancelled`` is polled between network steps (a batch being verified is never
        cut: it is one transaction on the store thread).
        """
        return asyncio.run(_sync_round(self.info.home, self._passphrase, progress, cancelled,
                                       timeout))


def quarantine_reason(site: str) -> str:
    return f"quarantined at {site}"


def _code_of(node: Node, pack_key: str) -> PackCode:
    record = node.ledger.pack(pack_key)
    if record is None:
        raise RuleViolation(f"{pack_key} is not known to this node.")
    return PackCode(record.gtin, record.serial, record.lot, record.expiry)  # type: ignore[arg-type]


# --- network ------------------------------------------------------------------------------
def reason_words(reason: str | None) -> str | None:
    """A stored peer reason ("kind: detail") in plain words ("served a forged entry: ...")."""
    if not reason:
        return reason
    kind, sep, detail = reason.partition(": ")
    if sep and kind in EVIDENCE_WORDS:
        return f"{EVIDENCE_WORDS[kind]} ({detail})"
    return reason


def network_status(node: Node, now: datetime | None = None) -> NetworkStatus:
    """Plain data for the Network view: peers, logs (size, checkpoint, freshness), evidence."""
    store = node.store
    when = now or clock.now()
    names: dict[str, str] = {m.gln: m.name for m in store.member_names()}
    raw_peers = store.peers()
    peer_names = {p.url: names.get(p.gln) if p.gln else None for p in raw_peers}
    peers = tuple(PeerRow(p.url, p.gln, names.get(p.gln) if p.gln else None, p.state,
                          reason_words(p.reason), p.added, p.last_attempt, p.last_success,
                          p.failures)
                  for p in raw_peers)
    sizes = store.log_sizes()
    synced = store.synced()
    logs = []
    order = sorted(set(sizes) | set(names),
                   key=lambda g: (g != node.gln, str(names.get(g, g)).lower(), g))
    for gln in order:
        head = store.latest_checkpoint(gln)
        row = synced.get(gln)
        own = gln == node.gln
        stale = False if own else sync_info(store, [gln], node.gln, when).stale
        logs.append(LogRow(gln, names.get(gln, f"unknown organisation {gln}"),
                           sizes.get(gln, 0), head.size if head else None,
                           head.root.hex()[:16] if head else None,
                           row.last_synced if row else None, row.peer if row else None,
                           peer_names.get(row.peer) if row else None,
                           own, stale))
    evidence = tuple(EvidenceRow(e.kind, EVIDENCE_WORDS.get(e.kind, e.kind.replace("_", " ")),
                                 e.subject, e.peer, e.detail, e.first_seen, e.last_seen, e.count)
                     for e in store.evidence())
    threshold = sync_info(store, [], node.gln, when).stale_after_seconds
    return NetworkStatus(peers, tuple(logs), evidence, threshold)


class _CountingSync(SyncService):
    """A SyncService that reports each kept batch (for the progress bar)."""

    def __init__(self, node: Node, passphrase: bytes, timeout: float,
                 on_batch: Callable[[int], None]) -> None:
        super().__init__(node, passphrase, timeout=timeout)
        self._on_batch = on_batch

    async def run(self, fn: Callable[[], T]) -> T:
        result = await super().run(fn)
        if getattr(fn, "func", None) == self.replica.apply_batch and isinstance(result, int) \
                and result:
            self._on_batch(result)
        return result


async def _sync_round(home: Path, passphrase: bytes,
                      progress: Callable[[SyncProgress], None] | None,
                      cancelled: Callable[[], bool] | None, timeout: float) -> SyncOutcome:
    node = Node(home, lambda: passphrase)
    try:
        return await _round(node, passphrase, progress, cancelled, timeout)
    finally:
        node.close()


async def _round(node: Node, passphrase: bytes, progress: Callable[[SyncProgress], None] | None,
                 cancelled: Callable[[], bool] | None, timeout: float) -> SyncOutcome:
    counts = {"done": 0, "new": 0, "total": 0}

    def emit() -> None:
        if progress is not None:
            progress(SyncProgress(counts["done"], counts["total"], counts["new"]))

    def on_batch(added: int) -> None:
        counts["new"] += added
        emit()

    sync = _CountingSync(node, passphrase, timeout, on_batch)
    try:
        peers = await sync.run(node.store.peers)
        urls = [p.url for p in peers if p.state != "blocked"]
        skipped = tuple(p.url for p in peers if p.state == "blocked")
        if not urls:
            return SyncOutcome((), skipped)
        counts["total"] = len(urls)

        async def one(url: str) -> PullReport:
            try:
                return (await sync.sync_round([url]))[0]
            finally:
                counts["done"] += 1
                emit()

        was_cancelled = False
        emit()
        tasks = [asyncio.ensure_future(one(u)) for u in urls]
        gathered = asyncio.gather(*tasks, return_exceptions=True)
        while not gathered.done():
            if cancelled is not None and cancelled():
                was_cancelled = True
                for task in tasks:
                    task.cancel()
                break
            await asyncio.wait([gathered], timeout=0.1)
        results = await gathered
        states = {p.url: p for p in await sync.run(node.store.peers)}
        names: dict[str, str] = {m.gln: m.name for m in await sync.run(node.store.member_names)}
    finally:
        sync.close()
    out = [_peer_result(url, r, states.get(url), names, timeout)
           for url, r in zip(urls, results, strict=True)]
    return SyncOutcome(tuple(out), skipped, was_cancelled)


def _unreachable_words(error: str) -> str:
    """aiohttp's connection error, shortened to what an operator can act on."""
    detail = error.split(" is unreachable: ", 1)[1]
    lowered = detail.lower()
    if "connect call failed" in lowered or "connection refused" in lowered:
        return "connection refused: nothing answers at that address and port"
    if "name or service not known" in lowered or "nodename nor servname" in lowered \
            or "getaddrinfo" in lowered:
        return "unknown host name"
    if "no route to host" in lowered or "network is unreachable" in lowered:
        return "no network route to that address"
    return detail if len(detail) <= 90 else detail[:89] + "…"


def _peer_result(url: str, report: object, state: PeerRecord | None, names: dict[str, str],
                 timeout: float) -> PeerResult:
    gln = (report.peer_gln if isinstance(report, PullReport) else None) or (
        state.gln if state else None)
    label = names.get(gln, url) if gln else url
    if isinstance(report, asyncio.CancelledError):
        return PeerResult(url, label, False, 0, f"{label}: cancelled before it finished; "
                          "batches already verified are kept.", cancelled=True)
    if isinstance(report, BaseException):
        return PeerResult(url, label, False, 0, f"{label}: the round stopped with an error: "
                          f"{report}")
    assert isinstance(report, PullReport)
    new = report.total_new
    if report.blocked:
        reason = reason_words(state.reason if state else None) or report.error or "it misbehaved"
        return PeerResult(url, label, False, new, f"{label}: blocked: {reason}. The evidence "
                          "is kept; unblock it only after looking at it.", blocked=True)
    if report.error:
        error = report.error
        if "in time" in error:
            text = f"{label} did not answer within {timeout:g} s; it will be tried again."
        elif " is unreachable: " in error:
            text = (f"{label} could not be reached ({_unreachable_words(error)}); it will be "
                    "tried again.")
        else:
            text = f"{label} sent a bad answer ({error}); it will be tried again."
        return PeerResult(url, label, False, new, text)
    if new:
        per_log = ", ".join(f"{names.get(g, g)}: {n}"
                            for g, n in sorted(report.new_entries.items()))
        text = f"{label}: {new} new entr{'y' if new == 1 else 'ies'} ({per_log})."
    else:
        text = f"{label}: up to date, {report.logs_checked} log(s) checked."
    return PeerResult(url, label, True, new, text)


# --- work that needs no open node ---------------------------------------------------------
def label_previews(codes: Sequence[PackCode], limit: int = 8) -> list[LabelPreview]:
    """The first labels as PNG bytes (the GUI turns them into pixmaps on its thread)."""
    out = []
    for code in codes[:limit]:
        buffer = io.BytesIO()
        qr_image(code.to_digital_link(), box_size=4).save(buffer, format="PNG")
        out.append(LabelPreview(tuple(code.label_lines()), buffer.getvalue()))
    return out


def save_label_sheet(codes: Sequence[PackCode], path: Path, title: str,
                     progress: Progress | None = None,
                     cancel: Callable[[], bool] | None = None) -> int:
    """Write the label sheet PDF; returns pages written (0 when cancelled)."""
    return write_label_sheet(codes, path, title=title, progress=progress, cancel=cancel)


def open_or_create_demo(directory: Path, progress: Progress | None = None) -> Demo:
    """Open the demo (created on first use); its nodes sync with each other first."""
    return open_demo(directory, progress)


def demo_passphrase() -> bytes:
    return DEMO_PASSPHRASE


def create_consortium(consortium_dir: Path, name: str, regulator_name: str, regulator_gln: str,
                      home: Path, passphrase: bytes) -> Path:
    """Create a consortium root and enrol the regulator's own node (as `consortium enroll`)."""
    if (home / "node.json").exists():
        raise SupplyChainError(f"{home} is already a node home; choose another folder.")
    info = MemberInfo(regulator_name, validate_gln(regulator_gln), Role.REGULATOR)
    consortium = Consortium.create(consortium_dir, name, passphrase)
    key = generate_member_key()
    cert = consortium.issue(info, key.public_key(), passphrase)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    node = Node.initialise(home, consortium.name, consortium.root_pem, pem, key, passphrase,
                           consortium.member_pems())
    node.close()
    return home


def check_image(path: Path) -> None:
    """Raise ImageError early for a file that is not a readable picture."""
    read_image_file(path)


__all__ = ["ImageError", "LedgerService", "NodeInfo", "ScanResult"]
