"""A PDF report of one pack's custody chain, for inspectors (reportlab; no Qt).

``write_pack_report(node, code, path)`` re-verifies the chain (``inspect.check_chain``), adds
the verdict at this node and the alerts naming the pack, and writes an A4 PDF atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape as _escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from supplychain import clock
from supplychain.codes.gs1 import PackCode
from supplychain.errors import LabelError
from supplychain.files import write_atomically
from supplychain.i18n import _
from supplychain.ledger.verdicts import status_words, verdict_word
from supplychain.node.inspection import alerts_naming, check_chain
from supplychain.node.operations import Node


class ReportCancelled(Exception):
    """The caller's cancel flag was raised; nothing was written."""


def write_pack_report(node: Node, code: PackCode, path: Path | str, *,
                      progress: Callable[[int, int], None] | None = None,
                      cancel: Callable[[], bool] | None = None) -> Path:
    """Write the custody-chain report of ``code`` to ``path``; return the path."""
    target = Path(path)
    steps = 4

    def tick(n: int) -> None:
        if cancel is not None and cancel():
            raise ReportCancelled
        if progress is not None:
            progress(n, steps)

    tick(0)
    report = node.verify(code)
    tick(1)
    checks = check_chain(node.ledger, code.key)
    tick(2)
    alerts = alerts_naming(node.ledger, code.key, checks)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list[object] = [
        Paragraph(_("Custody report: {gtin} / {serial}").format(gtin=code.gtin,
                                                                 serial=code.serial),
                  styles["Title"]),
        Paragraph(_("Made by {name} ({gln}) on {time}").format(
            name=node.name, gln=node.gln, time=clock.now().strftime("%Y-%m-%d %H:%M UTC")),
            small),
        Spacer(1, 4 * mm),
        Paragraph("<b>" + _("Verdict at this node: {verdict}").format(
            verdict=verdict_word(report.verdict)) + "</b>", styles["Heading2"]),
        Paragraph(_escape(report.decision.message), styles["BodyText"]),
        Spacer(1, 3 * mm),
        Table([["GTIN", code.gtin], [_("Serial"), code.serial],
               [_("Lot"), code.lot or "-"],
               [_("Expiry"), code.expiry.isoformat() if code.expiry else "-"],
               [_("Status"), status_words(report.status) if report.status else _("unknown")],
               [_("Custodian"),
                f"{report.custodian_name or '-'} ({report.custodian or '-'})"]],
              colWidths=[30 * mm, 130 * mm],
              style=TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9),
                                ("TEXTCOLOR", (0, 0), (0, -1), colors.grey)])),
        Spacer(1, 4 * mm),
        Paragraph(_("Custody chain (every signature and inclusion proof re-checked)"),
                  styles["Heading3"]),
    ]
    rows = [["#", _("Time (UTC)"), _("Event"), _("By"), _("Status"), _("Signature"),
             _("Proof")]]
    for i, c in enumerate(checks, 1):
        rows.append([str(i), c.step.time[:19].replace("T", " "), c.step.type.value,
                     Paragraph(_escape(c.author_name), small), c.step.status.value,
                     _("checked") if c.signature_ok else _("FAILED"),
                     _("checked (size {size})").format(size=c.checkpoint_size) if c.proof_ok
                     else _("FAILED")])
    table = Table(rows, repeatRows=1,
                  colWidths=[8 * mm, 32 * mm, 22 * mm, 40 * mm, 20 * mm, 18 * mm, 30 * mm])
    style = [("FONTSIZE", (0, 0), (-1, -1), 8), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
             ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    for i, c in enumerate(checks, 1):
        if not c.ok:
            style.append(("TEXTCOLOR", (5, i), (6, i), colors.red))
    table.setStyle(TableStyle(style))
    story.append(table)
    problems = [c for c in checks if c.problem]
    for c in problems:
        story.append(Paragraph(_("Event {hash}…: {problem}").format(
            hash=c.step.event_hash[:16], problem=_escape(c.problem or "")), small))
    story += [Spacer(1, 4 * mm), Paragraph(_("Alerts"), styles["Heading3"])]
    if alerts:
        for alert in alerts:
            story.append(Paragraph(f"<b>{_escape(alert.kind)}</b> — {_escape(alert.subject)}: "
                                   f"{_escape(alert.detail)}", small))
            story.append(Paragraph(_("Evidence: {evidence}").format(
                evidence=_escape(alert.evidence)), small))
    else:
        story.append(Paragraph(_("No alert names this pack."), small))
    story += [Spacer(1, 3 * mm), Paragraph(_("Event hashes"), styles["Heading3"])]
    for i, c in enumerate(checks, 1):
        story.append(Paragraph(_("{number}. {hash} (log {log}, entry {index})").format(
            number=i, hash=c.step.event_hash, log=c.step.log, index=c.step.index), small))
    tick(3)

    def build(out: BinaryIO) -> None:
        SimpleDocTemplate(out, pagesize=A4, title=_("Custody report {pack}").format(pack=code.key),
                          leftMargin=15 * mm, rightMargin=15 * mm).build(story)

    write_atomically(target, build, error=LabelError)
    tick(4)
    return target
