"""Case and pallet labels: one A6 PDF page per SSCC, with a GS1-128, a QR and the HRI line.

A case label carries the container's SSCC (`supplychain.codes.sscc.ContainerCode`) three ways:

* a **GS1-128** barcode of ``(00)<sscc>`` at the bottom, with the human-readable line
  ``(00) <sscc>`` under it: the barcode the GS1 Logistic Label standard requires, read by the
  linear and laser scanners at warehouse dock doors (2D codes may be added to it, not
  replace it);
* a **QR Code** holding the SSCC's GS1 Digital Link (``https://id.gs1.org/00/<sscc>``), which
  this ledger's phone and camera scanning reads;
* the SSCC in large text beside the QR, with any lines the caller adds (contents, lot).

Page: **A6 portrait, 105 x 148 mm**, the common size of a logistic label (4 x 6 in,
101.6 x 152.4 mm, stock takes it unscaled as both are within 4 mm of each other). GS1-128
module 0.508 mm with 10-module quiet zones: ``(00)`` + 18 digits is 156 modules, 89.4 mm with
its quiet zones, on a 105 mm page; bars 32 mm high. QR module 0.762 mm (9 dots at 300 dpi,
1.8 times a pack's QR) so it reads at arm's length. See docs/LABELS.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from supplychain.codes.gs1_symbols import GS1_128_MODULE_MM, gs1_128_modules
from supplychain.codes.labels import QUIET_ZONE, draw_matrix, qr_matrix
from supplychain.codes.sscc import ContainerCode
from supplychain.errors import LabelError
from supplychain.files import write_atomically
from supplychain.i18n import _

__all__ = [
    "CASE_BAR_HEIGHT_MM",
    "CASE_PAGE_MM",
    "CASE_QR_MODULE_MM",
    "write_case_labels",
]

CASE_PAGE_MM = (105.0, 148.0)
"""A6 portrait, width x height."""

CASE_QR_MODULE_MM = 25.4 * 9 / 300
"""QR module on a case label: 0.762 mm (9 dots at 300 dpi)."""

CASE_BAR_HEIGHT_MM = 32.0
"""Height of the GS1-128 bars."""

_W, _H = float(A6[0]), float(A6[1])
_MARGIN = 6 * mm
_FONT = "Helvetica"
_BOLD = "Helvetica-Bold"


def write_case_labels(
    containers: Sequence[ContainerCode],
    path: Path | str,
    *,
    title: str | None = None,
    domain: str = "https://id.gs1.org",
    lines_for: Callable[[ContainerCode], list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    compress: bool = True,
) -> int:
    """Write an A6 PDF with one case label per SSCC; returns the number of pages.

    `title` is printed at the top of every label (e.g. the sender's name); `lines_for`
    adds lines under the SSCC beside the QR (e.g. the contents). `progress(done, total)` is
    called after each label. Raises LabelError when there is nothing to print or the file
    cannot be written; nothing is left behind then.
    """
    if not containers:
        raise LabelError(_("There are no case or pallet codes (SSCC) to print labels for."))
    total = len(containers)

    def draw(out: BinaryIO) -> None:
        canvas = Canvas(out, pagesize=A6, pageCompression=1 if compress else 0)
        canvas.setCreator("supplychain")
        canvas.setTitle(title or _("Case labels"))
        for index, container in enumerate(containers):
            if index:
                canvas.showPage()
            extra = lines_for(container) if lines_for is not None else []
            _draw_case_label(canvas, container, title, domain, extra)
            if progress is not None:
                progress(index + 1, total)
        canvas.showPage()
        canvas.save()

    write_atomically(Path(path), draw, error=LabelError)
    return total


def _draw_case_label(canvas: Canvas, container: ContainerCode, title: str | None,
                     domain: str, extra: list[str]) -> None:
    top = _H - _MARGIN
    if title:
        canvas.setFont(_BOLD, 11)
        canvas.drawString(_MARGIN, top - 11, _fit(title, _BOLD, 11, _W - 2 * _MARGIN))
        top -= 11 + 3 * mm
    # QR (quiet zone included) at the left, the SSCC and the caller's lines at its right.
    matrix = qr_matrix(container.to_digital_link(domain))
    module = CASE_QR_MODULE_MM * mm
    side = module * len(matrix)
    draw_matrix(canvas, matrix, _MARGIN - QUIET_ZONE * module, top - side, module)
    text_x = _MARGIN - QUIET_ZONE * module + side + 2 * mm
    width = _W - _MARGIN - text_x
    canvas.setFont(_FONT, 9)
    canvas.drawString(text_x, top - 12, "SSCC")
    canvas.setFont(_BOLD, 12)
    canvas.drawString(text_x, top - 27, _fit(container.sscc, _BOLD, 12, width))
    canvas.setFont(_FONT, 9)
    for i, line in enumerate(extra):
        canvas.drawString(text_x, top - 42 - i * 12, _fit(line, _FONT, 9, width))
    # GS1-128 at the bottom, its human-readable line under it.
    modules = gs1_128_modules(container.to_element_string())
    bar = GS1_128_MODULE_MM * mm
    x0 = (_W - bar * len(modules)) / 2
    hri_y = _MARGIN
    bars_y = hri_y + 12 + 1.5 * mm
    _draw_bars(canvas, modules, x0, bars_y, bar, CASE_BAR_HEIGHT_MM * mm)
    canvas.setFont(_FONT, 11)
    canvas.drawCentredString(_W / 2, hri_y, container.to_human_readable())


def _draw_bars(canvas: Canvas, modules: list[bool], x: float, y: float, module: float,
               height: float) -> None:
    """The dark runs of one row of modules as filled rectangles."""
    path = canvas.beginPath()
    i = 0
    while i < len(modules):
        if not modules[i]:
            i += 1
            continue
        start = i
        while i < len(modules) and modules[i]:
            i += 1
        path.rect(x + start * module, y, (i - start) * module, height)
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, cut with an ellipsis where it would run past `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text + "\u2026"
