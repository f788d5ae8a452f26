"""The report of suspect or falsified packs for the regulator and the trading partners.

Its fields are those the regulators' forms ask for: the FDA's Form 3911 (Drug Notification:
product name, NDC, lot, expiry, serials, quantity, the trading partners that handled it,
what was found, who reports, the date of the determination; 24 hours to notify under DSCSA)
and the EU's falsified-medicine report (product, batch, expiry, pack identifiers, where it
was found, the supply chain). Dosage form and strength are not held in the ledger, so they
are left out rather than guessed; a product's name only when the ledger knows it.

``build_falsification_report(node, packs, found, alert)`` gathers it (pure reads);
``write_falsification_report(report, path)`` writes it as .json (stable keys), .csv (one row
per pack) or .pdf (``falsification_pdf``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from supplychain import clock
from supplychain.codes.gs1 import PackCode
from supplychain.errors import IdentityError, SupplyChainError
from supplychain.files import write_atomically
from supplychain.i18n import _
from supplychain.ids import GLN
from supplychain.ledger.alert_life import REPORT_DEADLINE, Alert
from supplychain.ledger.records import ChainStep
from supplychain.ledger.rules import split_pack_key
from supplychain.ledger.verdicts import reason_words, verdict_word
from supplychain.node.operations import Node, parse_codes

REPORT_FORMAT = "supplychain-falsification-report/1"
"""The JSON document's ``format``: its keys stay as they are within a format version."""
SUFFIXES = (".json", ".csv", ".pdf")


@dataclass(frozen=True)
class Party:
    """A member organisation named in the report."""

    gln: GLN
    name: str
    role: str | None  # manufacturer, distributor, pharmacy, regulator; None: not known here

    def to_dict(self) -> dict[str, Any]:
        return {"gln": self.gln, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class CustodyPeriod:
    """Who held a pack, from when to when (``until`` None: it still does)."""

    holder: Party
    since: str
    until: str | None
    ended_by: str | None  # the event type that ended it (ship then receive, dispense, ...)

    def to_dict(self) -> dict[str, Any]:
        return {"holder": self.holder.to_dict(), "since": self.since, "until": self.until,
                "ended_by": self.ended_by}


@dataclass(frozen=True)
class ChainEvent:
    """One signed event of a pack's custody chain."""

    time: str
    type: str
    by: Party
    status: str
    event_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "type": self.type, "by": self.by.to_dict(),
                "status": self.status, "event_hash": self.event_hash}


@dataclass(frozen=True)
class ReportedPack:
    """One pack reported: its identity, what the ledger says and who held it."""

    pack: str
    gtin: str
    serial: str
    lot: str | None
    expiry: date | None
    in_ledger: bool
    status: str | None
    verdict: str
    verdict_words: str
    reasons: tuple[str, ...]
    findings: tuple[str, ...]  # the reasons in words
    message: str
    custody: tuple[CustodyPeriod, ...]
    events: tuple[ChainEvent, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"pack": self.pack, "gtin": self.gtin, "serial": self.serial, "lot": self.lot,
                "expiry": self.expiry.isoformat() if self.expiry else None,
                "in_ledger": self.in_ledger, "status": self.status, "verdict": self.verdict,
                "reasons": list(self.reasons), "findings": list(self.findings),
                "message": self.message, "custody": [c.to_dict() for c in self.custody],
                "events": [e.to_dict() for e in self.events]}


@dataclass(frozen=True)
class ReportedProduct:
    """One product (GTIN) of the report, with its lots and how many packs."""

    gtin: str
    ndc: str | None  # the US National Drug Code a GTIN of prefix 03 carries
    name: str | None  # None: the ledger holds no product name
    manufacturer: Party | None  # who commissioned its packs, when known here
    lots: tuple[str, ...]
    expiries: tuple[date, ...]
    quantity: int  # packs reported

    def to_dict(self) -> dict[str, Any]:
        return {"gtin": self.gtin, "ndc": self.ndc, "name": self.name,
                "manufacturer": self.manufacturer.to_dict() if self.manufacturer else None,
                "lots": list(self.lots), "expiries": [e.isoformat() for e in self.expiries],
                "quantity": self.quantity}


@dataclass(frozen=True)
class AlertSummary:
    """The alert behind the report (``alert_life.Alert``'s fields a form asks for)."""

    id: str
    cause: str
    state: str
    detail: str
    note: str | None
    raised_at: str
    confirmed_at: str | None
    reported_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "cause": self.cause, "state": self.state,
                "detail": self.detail, "note": self.note, "raised_at": self.raised_at,
                "confirmed_at": self.confirmed_at, "reported_at": self.reported_at}


@dataclass(frozen=True)
class FalsificationReport:
    """Everything the report says; ``to_dict`` is the JSON document."""

    created_at: str
    determined_at: str  # the alert's confirmation, else when the report was made
    deadline: str | None  # notify by (24 h after confirmation, US rules); None: not confirmed
    reporter: Party
    found: str
    products: tuple[ReportedProduct, ...]
    packs: tuple[ReportedPack, ...]
    trading_partners: tuple[Party, ...]  # every member that held or was sent a pack
    notified: tuple[Party, ...]  # those the alert's report step notified
    alert: AlertSummary | None

    @property
    def quantity(self) -> int:
        return len(self.packs)

    def to_dict(self) -> dict[str, Any]:
        return {"format": REPORT_FORMAT, "created_at": self.created_at,
                "determined_at": self.determined_at, "deadline": self.deadline,
                "reporter": self.reporter.to_dict(), "found": self.found,
                "quantity": self.quantity,
                "products": [p.to_dict() for p in self.products],
                "packs": [p.to_dict() for p in self.packs],
                "trading_partners": [p.to_dict() for p in self.trading_partners],
                "notified": [p.to_dict() for p in self.notified],
                "alert": self.alert.to_dict() if self.alert else None}


# --- gathering -----------------------------------------------------------------------------
def build_falsification_report(node: Node, packs: Sequence[str], found: str,
                               alert: Alert | None = None) -> FalsificationReport:
    """The report of ``packs`` (pack keys '<gtin>/<serial>', or codes as scanned: then the
    lot and expiry printed on the pack are kept for packs the ledger does not know) with
    ``found`` (what was found, in the reporter's words) and the ``alert`` behind it."""
    if not packs:
        raise SupplyChainError(_("Name at least one pack for the report."))
    if not found.strip():
        raise SupplyChainError(_("Say what was found (the verdict, the seal, the printing)."))
    now = clock.now_iso()
    reported = [_reported_pack(node, _code_of(node, text)) for text in _unique(packs)]
    partners: dict[str, Party] = {}
    for pack in reported:
        for period in pack.custody:
            partners.setdefault(period.holder.gln, period.holder)
        for event in pack.events:
            partners.setdefault(event.by.gln, event.by)
    partners.pop(node.gln, None)
    confirmed = alert.confirmed_at if alert is not None else None
    determined = confirmed or now
    # The deadline that applies to the report, also once it is met (``Alert.deadline`` is
    # only the clock still running).
    deadline = clock.parse_iso(confirmed) + REPORT_DEADLINE if confirmed else None
    summary = None
    notified: tuple[Party, ...] = ()
    if alert is not None:
        summary = AlertSummary(alert.id, str(alert.cause.value), str(alert.state.value),
                               alert.detail, alert.note, alert.raised_at, alert.confirmed_at,
                               alert.reported_at)
        notified = tuple(_party(node, g) for g in alert.notified)
    return FalsificationReport(
        created_at=now, determined_at=determined,
        deadline=clock.to_iso(deadline) if deadline is not None else None,
        reporter=_party(node, node.gln), found=found.strip(),
        products=_products(node, reported), packs=tuple(reported),
        trading_partners=tuple(sorted(partners.values(), key=lambda p: p.gln)),
        notified=notified, alert=summary)


def _unique(texts: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


def _code_of(node: Node, text: str) -> PackCode:
    """A pack key or a scanned code; a known pack gets its registered lot and expiry."""
    if "/" in text and not text.lower().startswith(("http://", "https://")):
        gtin, serial = split_pack_key(text)
        code = PackCode(gtin, serial)
    else:
        code = parse_codes([text])[0]
    record = node.ledger.pack(code.key)
    if record is None:
        return code
    return PackCode(code.gtin, code.serial, record.lot, record.expiry)


def _reported_pack(node: Node, code: PackCode) -> ReportedPack:
    record = node.ledger.pack(code.key)
    verdict = node.verify(code)
    chain = node.ledger.chain(code.key) if record is not None else []
    reasons = verdict.decision.reasons
    return ReportedPack(
        pack=code.key, gtin=code.gtin, serial=code.serial, lot=code.lot, expiry=code.expiry,
        in_ledger=record is not None,
        status=record.status.value if record is not None else None,
        verdict=verdict.verdict.value, verdict_words=verdict_word(verdict.verdict),
        reasons=tuple(r.value for r in reasons),
        findings=tuple(reason_words(r) for r in reasons), message=verdict.decision.message,
        custody=tuple(_custody(node, chain)),
        events=tuple(ChainEvent(s.time, s.type.value, _party(node, s.log), s.status.value,
                                s.event_hash) for s in chain))


def _custody(node: Node, chain: Sequence[ChainStep]) -> list[CustodyPeriod]:
    """Custody periods from a chain: a holder's period runs from the event that made it
    custodian to the event that made another one custodian (a receive) or ended the pack."""
    periods: list[CustodyPeriod] = []
    holder: GLN | None = None
    since = ""
    for step in chain:
        if step.custodian != holder:
            if holder is not None:
                periods.append(CustodyPeriod(_party(node, holder), since, step.time,
                                             step.type.value))
            holder, since = step.custodian, step.time
        elif step.status.decommissioned:
            periods.append(CustodyPeriod(_party(node, holder), since, step.time,
                                         step.type.value))
            holder = None
    if holder is not None:
        periods.append(CustodyPeriod(_party(node, holder), since, None, None))
    return periods


def _party(node: Node, gln: str) -> Party:
    try:
        info = node.ledger.member(gln).info
    except IdentityError:
        return Party(GLN(gln), node.ledger.member_name(gln), None)
    return Party(GLN(gln), info.name, info.role.value)


def _products(node: Node, packs: Sequence[ReportedPack]) -> tuple[ReportedProduct, ...]:
    out = []
    for gtin in dict.fromkeys(p.gtin for p in packs):
        mine = [p for p in packs if p.gtin == gtin]
        makers = [p.events[0].by for p in mine if p.events and p.events[0].type == "commission"]
        out.append(ReportedProduct(
            gtin=gtin, ndc=ndc_of(gtin), name=None,
            manufacturer=makers[0] if makers else None,
            lots=tuple(sorted({p.lot for p in mine if p.lot})),
            expiries=tuple(sorted({p.expiry for p in mine if p.expiry})),
            quantity=len(mine)))
    return tuple(out)


def ndc_of(gtin: str) -> str | None:
    """The 10-digit NDC inside a US drug GTIN-14 (indicator 0, prefix 03, NDC, check digit);
    None for any other GTIN. The NDC's 4-4-2 / 5-3-2 / 5-4-1 split is not in the GTIN."""
    if len(gtin) == 14 and gtin.startswith("003"):
        return gtin[3:13]
    return None


# --- writing -------------------------------------------------------------------------------
CSV_COLUMNS = ("pack", "gtin", "ndc", "serial", "lot", "expiry", "status", "verdict",
               "findings", "found", "custody", "manufacturer_gln", "reporter_gln",
               "reporter_name", "determined_at", "deadline", "alert_id")
"""The CSV header: one row per pack."""


def write_falsification_report(report: FalsificationReport, path: Path | str) -> Path:
    """Write ``report`` to ``path``: .json, .csv or .pdf by its suffix; return the path."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".json":
        data = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
        write_atomically(target, data.encode("utf-8"))
    elif suffix == ".csv":
        write_atomically(target, csv_text(report).encode("utf-8"))
    elif suffix == ".pdf":
        from supplychain.node.falsification_pdf import write_pdf  # noqa: PLC0415 - reportlab

        write_pdf(report, target)
    else:
        raise SupplyChainError(_("Write the report as {suffixes}, not {name}.").format(
            suffixes=", ".join(SUFFIXES), name=target.name))
    return target


def csv_text(report: FalsificationReport) -> str:
    """The report as CSV: one row per pack (``CSV_COLUMNS``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    makers = {p.gtin: p.manufacturer.gln if p.manufacturer else "" for p in report.products}
    for pack in report.packs:
        writer.writerow([
            pack.pack, pack.gtin, ndc_of(pack.gtin) or "", pack.serial, pack.lot or "",
            pack.expiry.isoformat() if pack.expiry else "", pack.status or "", pack.verdict,
            "; ".join(pack.findings), report.found, custody_line(pack),
            makers.get(pack.gtin, ""), report.reporter.gln, report.reporter.name,
            report.determined_at, report.deadline or "",
            report.alert.id if report.alert else ""])
    return out.getvalue()


def custody_line(pack: ReportedPack) -> str:
    """Who held the pack when, in one line: 'Name (GLN) since -> until; ...'."""
    return "; ".join(f"{c.holder.name} ({c.holder.gln}) {c.since} -> {c.until or _('now')}"
                     for c in pack.custody)
