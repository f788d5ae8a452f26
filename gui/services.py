"""The service layer: one Node behind plain-data methods the views call in workers.

No crypto, no SQL and no Qt here: every method calls ``supplychain`` functions and returns
frozen dataclasses or core values. A ``LedgerService`` is used from one thread at a time (the
TaskManager's node thread), because the node's SQLite store is not thread-safe.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from supplychain import inspect
from supplychain.bundle import ImportResult, export_bundle, import_bundle
from supplychain.consortium import Consortium
from supplychain.demo import DEMO_PASSPHRASE, Demo, create_demo, demo_exists
from supplychain.errors import CodeError, ImageError, RuleViolation, SupplyChainError
from supplychain.gs1 import PackCode, validate_gln
from supplychain.identity import MemberInfo, Role, generate_member_key, load_private_key
from supplychain.labels import qr_image, write_label_sheet
from supplychain.ledger import PackRecord
from supplychain.node import Node, VerdictReport
from supplychain.report_pdf import write_pack_report
from supplychain.rules import PackStatus
from supplychain.scanning import decode_frame, read_image_file
from supplychain.verdicts import Verdict
from supplychain.wedge import parse_scanned

Progress = Callable[[int, int], None]

# Actions a scan may offer, by name.
RECEIVE = "receive"
DISPENSE = "dispense"
REPORT = "report"
QUARANTINE = "quarantine"


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
    alerts: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class LabelPreview:
    lines: tuple[str, ...]
    png: bytes


class LedgerService:
    """One opened node, for one GUI session."""

    def __init__(self, home: Path, passphrase: bytes) -> None:
        # Check the passphrase now, so a wrong one is said at open, not at the first signature.
        load_private_key(home / "member.key", passphrase)
        self.node = Node(home, lambda: passphrase)
        self.info = self._read_info()

    def close(self) -> None:
        self.node.close()

    def _read_info(self) -> NodeInfo:
        node = self.node
        members = tuple(MemberRow(g, n, r) for g, n, r in node.store.member_names())
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
        return ScanResult(text, code, report, None, frozenset(actions),
                          record.recipient if record else None)

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
                   progress: Progress | None = None) -> list[PackCode]:
        return self.node.commission(gtin, lot, expiry, count, progress)

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
                       if a[1] == pack_key or a[1] in hashes)
        return Inspection(report, checks, alerts)

    def alerts(self) -> list[tuple[str, str, str, str]]:
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


def quarantine_reason(site: str) -> str:
    return f"quarantined at {site}"


def _code_of(node: Node, pack_key: str) -> PackCode:
    record = node.ledger.pack(pack_key)
    if record is None:
        raise RuleViolation(f"{pack_key} is not known to this node.")
    return PackCode(record.gtin, record.serial, record.lot, record.expiry)  # type: ignore[arg-type]


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
    if demo_exists(directory):
        return Demo.load(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return create_demo(directory, progress)


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
