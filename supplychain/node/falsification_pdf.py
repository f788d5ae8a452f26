"""The falsification report as an A4 PDF (reportlab), laid out like the custody report of
``interchange.report_pdf`` (which sits a layer above ``node`` and so is not imported here)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape as _escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from supplychain.errors import SupplyChainError
from supplychain.files import write_atomically
from supplychain.i18n import _
from supplychain.node.falsification_report import FalsificationReport, Party


def write_pdf(report: FalsificationReport, target: Path) -> None:
    """Write ``report`` as a PDF to ``target`` (atomically)."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = body.clone("small", fontSize=8, leading=10)
    grid = TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)])
    header = TableStyle([*grid.getCommands(), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)])

    def cell(text: str) -> Paragraph:
        return Paragraph(_escape(text), small)

    story: list[object] = [
        Paragraph(_("Report of suspect or falsified medicines"), styles["Title"]),
        Table([[_("Reporter"), cell(_party(report.reporter))],
               [_("Date of determination"), report.determined_at],
               [_("Notify by"), report.deadline or _("no deadline running")],
               [_("Report made"), report.created_at],
               [_("Alert"), cell(f"{report.alert.id} ({report.alert.cause}, "
                                 f"{report.alert.state})" if report.alert else "-")],
               [_("What was found"), cell(report.found)],
               [_("Quantity"), str(report.quantity)]],
              colWidths=[40 * mm, 140 * mm], style=grid),
        Spacer(1, 4 * mm), Paragraph(_("Products"), styles["Heading2"])]
    rows: list[list[object]] = [[_("GTIN"), _("NDC"), _("Name"), _("Manufacturer"), _("Lots"),
                                 _("Expiry"), _("Packs")]]
    for p in report.products:
        rows.append([p.gtin, p.ndc or "-", cell(p.name or _("not held in the ledger")),
                     cell(_party(p.manufacturer) if p.manufacturer else _("unknown")),
                     cell(", ".join(p.lots) or "-"),
                     cell(", ".join(e.isoformat() for e in p.expiries) or "-"),
                     str(p.quantity)])
    story.append(Table(rows, repeatRows=1, style=header,
                       colWidths=[27 * mm, 20 * mm, 25 * mm, 40 * mm, 25 * mm, 25 * mm, 15 * mm]))
    story += [Spacer(1, 4 * mm), Paragraph(_("Packs and who held them"), styles["Heading2"])]
    for pack in report.packs:
        story.append(Paragraph("<b>" + _escape(_("{gtin} serial {serial}, lot {lot}, expiry "
                                                 "{expiry}: {verdict}").format(
            gtin=pack.gtin, serial=pack.serial, lot=pack.lot or "-",
            expiry=pack.expiry.isoformat() if pack.expiry else "-",
            verdict=pack.verdict_words)) + "</b>", small))
        story.append(cell(pack.message))
        held = [[_("Holder"), _("From"), _("Until"), _("Ended by")]]
        held += [[cell(_party(c.holder)), c.since, c.until or _("still holds it"),
                  c.ended_by or "-"] for c in pack.custody]
        if not pack.custody:
            held.append([cell(_("No custody in the ledger: this pack was never registered.")),
                         "", "", ""])
        story += [Table(held, repeatRows=1, style=header,
                        colWidths=[70 * mm, 42 * mm, 42 * mm, 22 * mm]), Spacer(1, 3 * mm)]
    story.append(Paragraph(_("Trading partners that handled the packs"), styles["Heading2"]))
    story += [cell(_party(p)) for p in report.trading_partners] or [cell(_("none"))]
    story.append(Paragraph(_("Notified"), styles["Heading2"]))
    story += [cell(_party(p)) for p in report.notified] or [cell(_("nobody yet"))]

    def build(out: BinaryIO) -> None:
        SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                          title=_("Report of suspect or falsified medicines")).build(story)

    write_atomically(target, build, error=SupplyChainError)


def _party(party: Party) -> str:
    role = f", {party.role}" if party.role else ""
    return f"{party.name} (GLN {party.gln}{role})"
