"""The service layer: one Node behind plain-data methods the views call in workers.

An adapter, not a second core: every method calls a ``supplychain`` function (the rules live
there, shared with the command line) and returns its frozen dataclasses, or display rows
built from them. No crypto, no SQL and no Qt here. A ``LedgerService`` is used from one
thread at a time (the TaskManager's node thread), because the node's SQLite store is not
thread-safe; ``sync_now`` alone opens a connection of its own.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gui.alert_services import AlertServices
from gui.display import SyncOutcome, sync_outcome
from supplychain.codes.gs1 import PackCode, validate_gln
from supplychain.codes.labels import LabelSymbol, datamatrix_image, qr_image, write_label_sheet
from supplychain.codes.scanner_faults import PrintedFields
from supplychain.codes.scanner_text import parse_scanned
from supplychain.codes.sscc import ContainerCode, looks_like_sscc
from supplychain.demo.network import DEMO_PASSPHRASE, Demo, open_demo
from supplychain.errors import CodeError, ImageError, RuleViolation
from supplychain.i18n import _
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.interchange.bundle import ImportResult, export_bundle, import_bundle
from supplychain.interchange.report_pdf import write_pack_report
from supplychain.ledger.events import EventType, is_container_key
from supplychain.ledger.records import AlertRecord, MemberSummary, PackRecord
from supplychain.ledger.verdicts import Verdict
from supplychain.node import (
    bulk,
    containers,
    counter,
    exits,
    inspection,
    network,
    quarantine,
    receiving,
    returns,
    shipments,
)
from supplychain.node.actions import PackAction, pack_actions
from supplychain.node.containers import as_container
from supplychain.node.counter import RescanOutcome
from supplychain.node.network import NetworkStatus
from supplychain.node.operations import HistoryStep, Node, VerdictReport
from supplychain.node.setup import create_consortium_with_regulator
from supplychain.node.shipments import Candidate
from supplychain.scanning import NO_CODE_FOUND, decode_frame, read_image_file
from supplychain.sync.light import verify_anywhere
from supplychain.sync.protocol import DEFAULT_TIMEOUT
from supplychain.sync.service import SyncProgress, sync_once

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NodeInfo:
    """Who this node is, read once when it opens (the GUI never queries the store itself)."""

    home: Path
    name: str
    gln: str
    role: Role
    consortium: str
    members: tuple[MemberSummary, ...]

    def others(self) -> list[MemberSummary]:
        return [m for m in self.members if m.gln != self.gln]


@dataclass(frozen=True)
class ScanResult:
    """One scan, ready to show: a verdict report, or why the code cannot be read."""

    text: str
    code: PackCode | None = None
    report: VerdictReport | None = None
    unreadable: str | None = None
    actions: frozenset[PackAction] = field(default_factory=frozenset)
    recipient: str | None = None
    container: containers.ContainerReport | None = None
    """A scanned case label: the case's one verdict (``report`` is then None)."""
    container_steps: tuple[HistoryStep, ...] = ()
    """A scanned case label: the case's life (packed, moved, unpacked), oldest first."""

    @property
    def verdict(self) -> Verdict | None:
        if self.container is not None:
            return self.container.verdict
        return self.report.verdict if self.report else None


@dataclass(frozen=True)
class RescanResult:
    """The re-scan step's answer: what it found and did, and the pack's scan to show."""

    outcome: RescanOutcome | None
    """None: the text was another pack (or no pack code), so it is a new scan."""
    scan: ScanResult


@dataclass(frozen=True)
class Inspection:
    report: VerdictReport
    checks: tuple[inspection.EventCheck, ...]
    alerts: tuple[AlertRecord, ...]


@dataclass(frozen=True)
class LabelPreview:
    lines: tuple[str, ...]
    png: bytes


class LedgerService(AlertServices):
    """One opened node, for one GUI session (its alert methods: ``gui.alert_services``)."""

    def __init__(self, home: Path, passphrase: bytes) -> None:
        self._passphrase = passphrase
        self.node = Node(home, lambda: passphrase)
        try:
            self.node.unlock()  # a wrong passphrase is said at open, not at the first signature
        except BaseException:
            self.node.close()
            raise
        self.info = self._read_info()

    def close(self) -> None:
        self.node.close()

    def _read_info(self) -> NodeInfo:
        node = self.node
        return NodeInfo(node.home, node.name, node.gln, node.me.info.role, node.consortium,
                        network.members(node))

    def refresh_info(self) -> NodeInfo:
        self.info = self._read_info()
        return self.info

    # --- scan & verify ---------------------------------------------------------------
    def scan_text(self, text: str) -> ScanResult:
        """Verify what a scanner typed or a camera read; a code error is a result, not a raise.
        A case label (SSCC) gets the case's verdict."""
        try:
            if looks_like_sscc(text):
                steps = tuple(s.step for s in containers.container_history(self.node, text))
                return ScanResult(text, container=containers.verify_container(self.node, text),
                                  container_steps=steps)
            code = parse_scanned(text)
        except CodeError as exc:
            return ScanResult(text, unreadable=str(exc))
        return self._result(text, code)

    def scan_image(self, path: Path) -> list[ScanResult]:
        """Decode every code in an image file and verify each one."""
        image = read_image_file(path)
        codes = decode_frame(image)
        if not codes:
            return [ScanResult(str(path), unreadable=_(NO_CODE_FOUND))]
        return [self.scan_text(c.text) for c in codes]

    def rescan(self, first_text: str, text: str | None, gtin: str = "", serial: str = "",
               lot: str = "", expiry: str = "") -> RescanResult:
        """The re-scan step (``counter.check_rescan``) for `text` scanned again and/or the
        fields printed on the pack as typed; a scan of another pack is a new scan."""
        printed = PrintedFields.from_text(gtin, serial, lot, expiry)
        if text is not None and printed.is_empty() and not counter.is_rescan(first_text, text):
            return RescanResult(None, self.scan_text(text))
        outcome = counter.check_rescan(self.node, first_text, text,
                                       None if printed.is_empty() else printed)
        shown = text or first_text
        if outcome.report is None:
            return RescanResult(outcome, ScanResult(shown,
                                                    unreadable=outcome.diagnosis.explanation))
        return RescanResult(outcome, self._result(shown, outcome.report.code))

    def _result(self, text: str, code: PackCode) -> ScanResult:
        # A light node asks its full nodes (source "network"), or decides "offline".
        report = verify_anywhere(self.node, code, (), lambda: self._passphrase)
        record = self.node.ledger.pack(code.key)
        actions = pack_actions(report, record, self.node.gln, self.info.role)
        return ScanResult(text, code, report, None, actions,
                          record.recipient if record else None)

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

    def quarantine(self, code: PackCode) -> tuple[bool, ScanResult]:
        """Quarantine the pack here: (True: a signed QUARANTINE; False: a suspect report, the
        pack not being ours in the ledger), and the pack's new verdict."""
        signed = quarantine.quarantine_or_report(self.node, code)
        return (signed.event.type is EventType.QUARANTINE,
                self._result(code.to_digital_link(), code))

    def release(self, code: PackCode, reason: str) -> ScanResult:
        self.node.release([code], reason)
        return self._result(code.to_digital_link(), code)

    # --- exits and returns (supplychain.node.exits, supplychain.node.returns) ---------------
    def report_stolen(self, code: PackCode, reason: str | None) -> ScanResult:
        exits.report_stolen(self.node, [code], reason)
        return self._result(code.to_digital_link(), code)

    def export_pack(self, code: PackCode, reason: str | None) -> ScanResult:
        exits.export_packs(self.node, [code], reason)
        return self._result(code.to_digital_link(), code)

    def hand_over_sample(self, code: PackCode, reason: str | None) -> ScanResult:
        exits.hand_over_sample(self.node, [code], reason)
        return self._result(code.to_digital_link(), code)

    def return_to_supplier(self, code: PackCode) -> tuple[str, ScanResult]:
        """Return the pack to the wholesaler it came from; (that wholesaler's name, result)."""
        signed = returns.return_to_supplier(self.node, [code])
        assert signed.event.to is not None
        return (self.node.ledger.member_name(signed.event.to),
                self._result(code.to_digital_link(), code))

    def receive_return(self, code: PackCode) -> tuple[returns.ReturnsReceipt, ScanResult]:
        """The saleable-returns check of a pack scanned on its way back to us; received when
        it passes."""
        receipt = returns.receive_return(self.node, code)
        return receipt, self._result(code.to_digital_link(), code)

    def incoming_returns(self) -> list[PackRecord]:
        return returns.incoming_returns(self.node)

    def check_return(self, pharmacy: str, text: str) -> returns.ReturnCheck:
        """The saleable-returns check of a pack scanned at goods-in (a code error raises)."""
        return returns.check_returns(self.node, pharmacy, [parse_scanned(text)])[0]

    def receive_returns(self, pharmacy: str, codes: Sequence[PackCode],
                        quarantine: bool) -> returns.ReturnsReceipt:
        return returns.receive_returns(self.node, pharmacy, codes, quarantine=quarantine)

    # --- shipments -------------------------------------------------------------------
    def outgoing_candidate(self, text: str, already: Iterable[str]) -> Candidate:
        return shipments.outgoing_candidate(self.node, text, already)

    def ship(self, to: str, codes: Sequence[PackCode | ContainerCode]) -> str:
        return self.node.ship(to, codes).hash

    def return_packs(self, to: str, codes: Sequence[PackCode | ContainerCode]) -> str:
        """A pharmacy's return of packs to the wholesaler it received them from (one signed
        ``return`` event, which the wholesaler checks before resale). Cases are not returned
        whole: they are unpacked first."""
        packs = [c for c in codes if isinstance(c, PackCode)]
        if len(packs) != len(codes):
            raise RuleViolation(_("A pharmacy returns packs, not cases: unpack the case "
                                  "(Cases tab) and scan its packs."))
        return returns.return_packs(self.node, to, packs).hash

    def incoming(self) -> list[inspection.Shipment]:
        return shipments.incoming(self.node)

    def incoming_candidate(self, text: str, expected: Iterable[str],
                           already: Iterable[str]) -> Candidate:
        return shipments.incoming_candidate(self.node, text, expected, already)

    def receive_packs(self, codes: Sequence[PackCode]) -> str:
        return self.node.receive(codes).hash

    # --- receiving with exceptions; cases ----------------------------------------------
    def incoming_case(self, text: str, expected: Sequence[str]) -> receiving.CaseScan:
        return receiving.scan_case(self.node, text, expected)

    def outgoing_case(self, text: str, already: Sequence[str]) -> receiving.CaseScan:
        return receiving.outgoing_case(self.node, text, already)

    def cases_of(self, keys: Sequence[str]) -> dict[str, str]:
        return receiving.cases_of(self.node, keys)

    def receive_delivery(self, scanned: Sequence[PackCode | ContainerCode | str],
                         damaged: Sequence[PackCode], shipments: Sequence[str] | None,
                         reason: str | None) -> receiving.Receipt:
        """Receive what is right of what was scanned; record shortage, damage, overage."""
        check = receiving.reconcile(self.node, scanned, damaged, shipments=shipments)
        return receiving.receive_reconciled(self.node, check, reason)

    def case_contents(self, sscc: str) -> list[str]:
        return containers.contents(self.node, sscc)

    def pack_case(self, sscc: str, codes: Sequence[str]) -> str:
        return containers.pack(self.node, sscc, codes).hash

    def unpack_case(self, sscc: str) -> str:
        return containers.unpack(self.node, sscc).hash

    # --- cases and pallets (bulk) ----------------------------------------------------
    def pack_lot(self, gtin: str, lot: str, pallet: str, first_case: str, cases: int,
                 progress: Progress | None = None,
                 cancel: Callable[[], bool] | None = None) -> bulk.PalletPacking:
        """A lot's loose stock into cases on a pallet; cancel stops between whole events."""
        return bulk.pack_lot(self.node, gtin, lot, pallet, first_case, cases, progress, cancel)

    def ship_pallet(self, to: str, sscc: str) -> int:
        """Ship a case or pallet and everything inside it (one event); the packs it moved."""
        event = self.node.ship(to, [as_container(sscc)]).event
        return sum(1 for item in event.items if not is_container_key(item.pack))

    # --- commission & labels ---------------------------------------------------------
    def commission(self, gtin: str, lot: str, expiry: date, count: int,
                   progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> list[PackCode]:
        """Commission a lot; when cancelled, the packs already signed are returned."""
        return self.node.commission(gtin, lot, expiry, count, progress, cancel)

    def recall(self, gtin: str, lot: str, reason: str) -> str:
        return self.node.recall(gtin, lot, reason).hash

    def lots(self) -> list[inspection.LotSummary]:
        return shipments.own_lots(self.node)

    def prefixes(self) -> tuple[str, ...]:
        return self.node.me.info.prefixes

    # --- inspector -------------------------------------------------------------------
    def find(self, query: str) -> list[PackRecord]:
        return inspection.find_packs(self.node.ledger, query)

    def inspect(self, pack_key: str) -> Inspection:
        ledger = self.node.ledger
        report = self.node.verify(inspection.code_of_pack(ledger, pack_key))
        checks = tuple(inspection.check_chain(ledger, pack_key))
        return Inspection(report, checks,
                          tuple(inspection.alerts_naming(ledger, pack_key, checks)))

    def alerts(self) -> list[AlertRecord]:
        return inspection.all_alerts(self.node.ledger)

    def evidence(self, evidence: str) -> list[inspection.EvidenceEvent]:
        return inspection.evidence_events(self.node.ledger, evidence)

    def write_report(self, pack_key: str, path: Path, progress: Progress | None = None,
                     cancel: Callable[[], bool] | None = None) -> Path:
        code = inspection.code_of_pack(self.node.ledger, pack_key)
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
        return network.network_status(self.node)

    def add_peer(self, text: str) -> tuple[str, bool]:
        """Add a peer by URL (https://host:port); returns (normalised URL, newly added)."""
        return network.add_peer(self.node, text)

    def remove_peer(self, url: str) -> None:
        network.remove_peer(self.node, url)

    def unblock_peer(self, url: str) -> None:
        network.unblock_peer(self.node, url)

    def sync_now(self, progress: Callable[[SyncProgress], None] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> SyncOutcome:
        """One sync round (``SyncService.round``, what `supplychain sync --once` runs).

        Unlike every other method this one never touches ``self.node``: the round opens the
        node's home a second time (``supplychain.sync.service.sync_once``: its own SQLite
        connection, as `supplychain sync` run beside the app would) so it runs on a general
        worker while the node thread keeps answering scans; SQLite WAL and short
        transactions let both write. ``progress`` gets a ``SyncProgress`` when a peer
        finishes and after each batch kept; ``cancelled`` is polled between network steps.
        """
        result = sync_once(self.info.home, self._passphrase, timeout=timeout,
                           progress=progress, cancel=cancelled)
        return sync_outcome(result, timeout)


# --- work that needs no open node ---------------------------------------------------------
def label_previews(codes: Sequence[PackCode], limit: int = 8,
                   symbol: LabelSymbol = LabelSymbol.DATA_MATRIX) -> list[LabelPreview]:
    """The first labels as PNG bytes (the GUI turns them into pixmaps on its thread).

    A GS1 DataMatrix with the EU lines (PC / SN / Batch / EXP), or a QR Digital Link with
    the GTIN / SN / LOT / EXP lines, as the printed sheet has them."""
    out = []
    for code in codes[:limit]:
        buffer = io.BytesIO()
        if symbol is LabelSymbol.DATA_MATRIX:
            image = datamatrix_image(code.to_element_string(), box_size=5)
            lines = code.eu_label_lines()
        else:
            image = qr_image(code.to_digital_link(), box_size=4)
            lines = code.label_lines()
        image.save(buffer, format="PNG")
        out.append(LabelPreview(tuple(lines), buffer.getvalue()))
    return out


def save_label_sheet(codes: Sequence[PackCode], path: Path, title: str,
                     progress: Progress | None = None,
                     cancel: Callable[[], bool] | None = None,
                     symbol: LabelSymbol = LabelSymbol.DATA_MATRIX) -> int:
    """Write the label sheet PDF; returns pages written (0 when cancelled)."""
    return write_label_sheet(codes, path, symbol=symbol, title=title, progress=progress,
                             cancel=cancel)


def open_or_create_demo(directory: Path, progress: Progress | None = None) -> Demo:
    """Open the demo (created on first use); its nodes sync with each other first."""
    return open_demo(directory, progress)


def demo_passphrase() -> bytes:
    return DEMO_PASSPHRASE


def create_consortium(consortium_dir: Path, name: str, regulator_name: str, regulator_gln: str,
                      home: Path, passphrase: bytes) -> Path:
    """Create a consortium root and enrol the regulator's own node (as `consortium enroll`)."""
    regulator = MemberInfo(regulator_name, validate_gln(regulator_gln), Role.REGULATOR)
    return create_consortium_with_regulator(consortium_dir, name, regulator, home, passphrase)


def check_image(path: Path) -> None:
    """Raise ImageError early for a file that is not a readable picture."""
    read_image_file(path)


__all__ = ["ImageError", "LabelSymbol", "LedgerService", "NodeInfo", "RescanResult",
           "ScanResult"]
