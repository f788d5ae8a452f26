"""Pack labels: QR (PNG, SVG) and GS1 DataMatrix (PNG) symbols, and printable A4 label sheets (PDF).

A label holds either the pack's GS1 element string in a GS1 DataMatrix (what the EU's
Delegated Regulation 2016/161 and the US DSCSA expect on a medicine pack; the symbol comes
from `supplychain.codes.gs1_symbols`, the EU lines PC / SN / Batch / EXP beside it) or its
GS1 Digital Link URI in a QR Code (`PackCode.to_digital_link()`, with the GTIN / SN / LOT /
EXP lines). Either may carry the manufacturer's signature (`supplychain.codes.signed_codes`).
The QR choices follow; the Data Matrix ones are in `gs1_symbols` and docs/LABELS.md.

Print choices (see docs/LABELS.md for the sources and arithmetic):

* **Error correction M** (~15 % of codewords recoverable). It is the GS1 Digital Link
  encoders' default and the level GS1 uses in its QR sizing examples. L leaves too little
  margin for a carton scuffed in transit; H (which the EU tobacco traceability rules demand
  for QR) would push an ~80-character Digital Link from version 5 to version 7 or 8, 1.5 to
  1.75 times the area, and the carton's code would no longer fit a ~15 mm patch at a legal module
  size. Callers with harsh conditions may pass ``error_correction="Q"`` or ``"H"``.
* **Quiet zone of 4 modules** on every side, as ISO/IEC 18004 and the GS1 General
  Specifications require; it is part of every image and of every label cell drawn here.
* **Module (X-dimension) 0.4233 mm** = 5 printer dots at 300 dpi. GS1 allows 0.396 mm to
  0.990 mm for QR codes scanned at retail; 0.396 mm would be 4.68 dots, and a module that
  is not a whole number of dots prints unevenly. An ~80-character URI at level M is QR
  version 5 (37 x 37 modules): 15.7 mm wide, 19.0 mm with the quiet zone.

No Qt here: PNGs come from `qrcode` + Pillow, SVGs from `qrcode`'s SVG path factory, PDFs
from ReportLab (the QR is drawn as vector rectangles, so it stays sharp at any printer
resolution). Every file is written to a temporary file in the target folder and renamed
into place, so a full disk or a cancelled job never leaves a half-written file behind.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Literal

import qrcode
import qrcode.constants
from PIL import Image as PILImage
from PIL.Image import Image
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathFillImage
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from supplychain.codes.gs1 import PackCode
from supplychain.codes.gs1_symbols import (
    DM_DOTS_PER_MODULE,
    DM_MIN_MODULE_MM,
    DM_MODULE_MM,
    DM_QUIET_ZONE,
    datamatrix_matrix,
)
from supplychain.errors import LabelError
from supplychain.files import write_atomically
from supplychain.i18n import _

_PAGE_W, _PAGE_H = float(A4[0]), float(A4[1])

__all__ = [
    "DPI",
    "ERROR_CORRECTION",
    "LABELS_PER_PAGE",
    "MIN_MODULE_MM",
    "MODULE_MM",
    "QUIET_ZONE",
    "EccLevel",
    "LabelSymbol",
    "datamatrix_image",
    "draw_matrix",
    "matrix_image",
    "qr_image",
    "qr_matrix",
    "write_datamatrix_png",
    "write_label_sheet",
    "write_qr_png",
    "write_qr_svg",
]

EccLevel = Literal["L", "M", "Q", "H"]


class LabelSymbol(StrEnum):
    """The 2D code on a pack label."""

    DATA_MATRIX = "datamatrix"
    """GS1 DataMatrix holding the GS1 element string (EU FMD, US DSCSA)."""
    QR = "qr"
    """QR Code holding the GS1 Digital Link URI."""


ERROR_CORRECTION: EccLevel = "M"
"""QR error-correction level used unless a caller asks for another."""

QUIET_ZONE = 4
"""Light modules around the symbol on every side (ISO/IEC 18004 minimum)."""

DPI = 300
"""Resolution the PNG is tagged with and the module size is a whole number of dots of."""

DOTS_PER_MODULE = 5
"""Printer dots (pixels in the PNG) per QR module."""

MODULE_MM = 25.4 * DOTS_PER_MODULE / DPI
"""Physical module size: 0.4233 mm."""

MIN_MODULE_MM = 0.396
"""Smallest X-dimension GS1 allows for a QR code; a label sheet never prints below it."""

_ECC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


# --- one QR symbol ------------------------------------------------------------------


def _qr(uri: str, *, error_correction: EccLevel, border: int, box_size: int = 1) -> qrcode.QRCode:
    if not uri:
        raise LabelError(_("There is nothing to put in the QR code: the link is empty."))
    if error_correction not in _ECC:
        raise ValueError(f"error_correction must be one of L, M, Q, H, got {error_correction!r}")
    if border < QUIET_ZONE:
        raise ValueError(f"the quiet zone must be at least {QUIET_ZONE} modules, got {border}")
    qr = qrcode.QRCode(error_correction=_ECC[error_correction], box_size=box_size, border=border)
    qr.add_data(uri)
    try:
        qr.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError) as exc:  # qrcode 8: ValueError
        raise LabelError(_("The link is too long for a QR code ({length} characters).")
                         .format(length=len(uri))) from exc
    return qr


def qr_matrix(
    uri: str, *, error_correction: EccLevel = ERROR_CORRECTION, border: int = QUIET_ZONE
) -> list[list[bool]]:
    """The QR symbol for `uri` as rows of dark (True) / light modules, quiet zone included."""
    qr = _qr(uri, error_correction=error_correction, border=border)
    return [[bool(module) for module in row] for row in qr.get_matrix()]


def qr_image(
    uri: str,
    *,
    box_size: int = DOTS_PER_MODULE,
    border: int = QUIET_ZONE,
    error_correction: EccLevel = ERROR_CORRECTION,
) -> Image:
    """The QR symbol for `uri` as a 1-bit PIL image, `box_size` pixels per module.

    The default (5 px per module, to be printed at 300 dpi) gives the 0.4233 mm module
    this module's docstring explains.
    """
    if box_size < 1:
        raise ValueError(f"box_size must be at least 1 pixel, got {box_size}")
    qr = _qr(uri, error_correction=error_correction, border=border, box_size=box_size)
    image = qr.make_image(image_factory=PilImage)
    pil = image.get_image()
    assert isinstance(pil, Image)
    return pil


def write_qr_png(
    uri: str,
    path: Path | str,
    *,
    box_size: int = DOTS_PER_MODULE,
    border: int = QUIET_ZONE,
    error_correction: EccLevel = ERROR_CORRECTION,
) -> None:
    """Write the QR symbol for `uri` as a PNG tagged 300 dpi (prints at 0.4233 mm/module)."""
    image = qr_image(uri, box_size=box_size, border=border, error_correction=error_correction)
    _write_atomically(Path(path), lambda out: image.save(out, format="PNG", dpi=(DPI, DPI)))


def write_qr_svg(
    uri: str,
    path: Path | str,
    *,
    module_mm: float = MODULE_MM,
    border: int = QUIET_ZONE,
    error_correction: EccLevel = ERROR_CORRECTION,
) -> None:
    """Write the QR symbol for `uri` as one SVG path on a white square, `module_mm` per module.

    The view box counts modules (1 unit = 1 module); width and height are in millimetres,
    so artwork software places it at its physical size.
    """
    if not MIN_MODULE_MM <= module_mm <= 10:
        raise ValueError(f"module_mm must be between {MIN_MODULE_MM} and 10, got {module_mm}")
    qr = _qr(uri, error_correction=error_correction, border=border, box_size=10)  # 10 = 1 unit
    image = qr.make_image(image_factory=SvgPathFillImage)
    root = image.get_image()
    side = f"{len(qr.get_matrix()) * module_mm:.3f}mm"
    root.set("width", side)
    root.set("height", side)
    _write_atomically(Path(path), image.save)


# --- one GS1 DataMatrix ---------------------------------------------------------------


def matrix_image(matrix: Sequence[Sequence[bool]], box_size: int) -> Image:
    """Rows of dark (True) modules as a 1-bit PIL image, `box_size` pixels per module."""
    if box_size < 1:
        raise ValueError(f"box_size must be at least 1 pixel, got {box_size}")
    height, width = len(matrix), len(matrix[0])
    small = PILImage.new("1", (width, height), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    return small.resize((width * box_size, height * box_size), PILImage.Resampling.NEAREST)


def datamatrix_image(
    element_string: str, *, box_size: int = DM_DOTS_PER_MODULE, quiet_zone: int = DM_QUIET_ZONE
) -> Image:
    """The GS1 DataMatrix of `element_string` as a 1-bit image (default 0.3387 mm at 300 dpi)."""
    return matrix_image(datamatrix_matrix(element_string, quiet_zone=quiet_zone), box_size)


def write_datamatrix_png(
    element_string: str,
    path: Path | str,
    *,
    box_size: int = DM_DOTS_PER_MODULE,
    quiet_zone: int = DM_QUIET_ZONE,
) -> None:
    """Write the GS1 DataMatrix of `element_string` as a PNG tagged 300 dpi."""
    image = datamatrix_image(element_string, box_size=box_size, quiet_zone=quiet_zone)
    _write_atomically(Path(path), lambda out: image.save(out, format="PNG", dpi=(DPI, DPI)))


# --- label sheets ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """A4 sheet of 3 x 8 labels of 63.5 x 33.9 mm (the common 24-up office label stock)."""

    columns: int = 3
    rows: int = 8
    label_w: float = 63.5 * mm
    label_h: float = 33.9 * mm
    gap_x: float = 2.5 * mm
    padding: float = 1.5 * mm
    text_gap: float = 0.5 * mm

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left(self) -> float:
        return (_PAGE_W - self.columns * self.label_w - (self.columns - 1) * self.gap_x) / 2

    @property
    def top(self) -> float:
        return (_PAGE_H - self.rows * self.label_h) / 2

    def origin(self, slot: int) -> tuple[float, float]:
        """Bottom-left corner of label `slot` (0 = top left, row by row), in points."""
        row, col = divmod(slot, self.columns)
        x = self.left + col * (self.label_w + self.gap_x)
        y = _PAGE_H - self.top - (row + 1) * self.label_h
        return x, y


_LAYOUT = _Layout()
LABELS_PER_PAGE = _LAYOUT.per_page
"""Labels on one A4 sheet (3 columns x 8 rows)."""

_FONT = "Helvetica"
_FONT_SIZE = 8.0
_MIN_FONT_SIZE = 4.5


def write_label_sheet(
    codes: Sequence[PackCode],
    path: Path | str,
    *,
    symbol: LabelSymbol = LabelSymbol.QR,
    uri_for: Callable[[PackCode], str] | None = None,
    lines_for: Callable[[PackCode], list[str]] | None = None,
    title: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    error_correction: EccLevel = ERROR_CORRECTION,
    compress: bool = True,
) -> int:
    """Write a printable A4 PDF of pack labels (2D code + text lines), 24 per page.

    `symbol` is the code printed: a QR Code (the default, for compatibility; its data
    defaults to the plain Digital Link, its lines to GTIN / SN / LOT / EXP) or a GS1
    DataMatrix (data: the element string; lines: the EU's PC / SN / Batch / EXP).
    `uri_for` overrides what each code holds (a signed Digital Link from
    `signed_codes.sign_code`, or `signed_codes.signed_element_string` for a Data Matrix);
    `lines_for` the text beside it. `progress(done, total)` is
    called after each label; `cancel()` is polled before each label, and when it returns
    True nothing is written and 0 is returned. Otherwise returns the number of pages.
    Raises LabelError when there is nothing to print, a link cannot fit on a label, or the
    file cannot be written (folder missing or read-only, disk full).
    """
    if not codes:
        raise LabelError(_("There are no pack codes to print labels for."))
    total = len(codes)
    pages = math.ceil(total / _LAYOUT.per_page)
    target = Path(path)
    symbol = LabelSymbol(symbol)
    data_for = uri_for or _default_data(symbol)
    text_for = lines_for or (
        PackCode.eu_label_lines if symbol is LabelSymbol.DATA_MATRIX else PackCode.label_lines)

    def draw(out: BinaryIO) -> None:
        canvas = Canvas(out, pagesize=A4, pageCompression=1 if compress else 0)
        canvas.setCreator("supplychain")
        canvas.setTitle(title or _("Pack labels"))
        for index, code in enumerate(codes):
            if cancel is not None and cancel():
                raise _Cancelled
            page, slot = divmod(index, _LAYOUT.per_page)
            if slot == 0:
                if page:
                    canvas.showPage()
                _draw_header(canvas, title, page + 1, pages)
            _draw_label(canvas, code, data_for(code), text_for(code), _LAYOUT.origin(slot),
                        symbol, error_correction)
            if progress is not None:
                progress(index + 1, total)
        canvas.showPage()
        canvas.save()

    try:
        _write_atomically(target, draw)
    except _Cancelled:
        return 0
    return pages


class _Cancelled(Exception):
    """Internal: the caller's cancel flag was raised while drawing."""


def _default_data(symbol: LabelSymbol) -> Callable[[PackCode], str]:
    if symbol is LabelSymbol.DATA_MATRIX:
        return PackCode.to_element_string
    return lambda code: code.to_digital_link()


def _draw_header(canvas: Canvas, title: str | None, page: int, pages: int) -> None:
    text = _("Page {page} of {pages}").format(page=page, pages=pages)
    if title:
        text = f"{title} \u2014 {text}"
    canvas.setFont(_FONT, 7)
    canvas.setFillGray(0.3)
    canvas.drawCentredString(_PAGE_W / 2, _PAGE_H - _LAYOUT.top / 2, text)
    canvas.setFillGray(0)


def _draw_label(
    canvas: Canvas, code: PackCode, uri: str, lines: list[str], origin: tuple[float, float],
    symbol: LabelSymbol, ecc: EccLevel
) -> None:
    """One label: the 2D code (quiet zone included) at the left, the text lines at the right."""
    x0, y0 = origin
    lay = _LAYOUT
    if symbol is LabelSymbol.DATA_MATRIX:
        matrix, best, least = datamatrix_matrix(uri), DM_MODULE_MM, DM_MIN_MODULE_MM
    else:
        matrix, best, least = qr_matrix(uri, error_correction=ecc), MODULE_MM, MIN_MODULE_MM
    room = lay.label_h - 2 * lay.padding
    module = min(best * mm, room / len(matrix))
    if module < least * mm - 1e-9:
        if symbol is LabelSymbol.DATA_MATRIX:
            raise LabelError(
                _("The code of pack {key} is too long to print on a label ({length} "
                  "characters): its Data Matrix would need modules smaller than "
                  "{min_module_mm} mm.").format(key=code.key, length=len(uri),
                                                 min_module_mm=least))
        raise LabelError(
            _("The link for pack {key} is too long to print on a label "
              "({length} characters): its QR code would need modules smaller than "
              "{min_module_mm} mm. Use a shorter resolver domain.")
            .format(key=code.key, length=len(uri), min_module_mm=MIN_MODULE_MM)
        )
    side = module * len(matrix)
    qr_x = x0 + lay.padding
    qr_y = y0 + (lay.label_h - side) / 2
    draw_matrix(canvas, matrix, qr_x, qr_y, module)
    text_x = qr_x + side + lay.text_gap
    _draw_lines(canvas, lines, text_x, y0, x0 + lay.label_w - lay.padding - text_x)


def draw_matrix(
    canvas: Canvas, matrix: list[list[bool]], x: float, y: float, module: float
) -> None:
    """Draw a square module matrix on a ReportLab canvas, bottom-left corner at (x, y).

    Dark modules become one filled path of horizontal runs (row 0 at the top)."""
    path = canvas.beginPath()
    n = len(matrix)
    for r, row in enumerate(matrix):
        top = y + (n - r) * module
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            path.rect(x + start * module, top - module, (c - start) * module, module)
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_lines(canvas: Canvas, lines: list[str], x: float, y0: float, width: float) -> None:
    """The human-readable lines, vertically centred, shrunk to fit `width` if they must."""
    widest = max(stringWidth(line, _FONT, _FONT_SIZE) for line in lines)
    size = _FONT_SIZE if widest <= width else max(_MIN_FONT_SIZE, _FONT_SIZE * width / widest)
    leading = size * 1.3
    block = leading * (len(lines) - 1) + size
    baseline = y0 + (_LAYOUT.label_h + block) / 2 - size
    canvas.setFont(_FONT, size)
    for i, line in enumerate(lines):
        canvas.drawString(x, baseline - i * leading, line)


# --- files --------------------------------------------------------------------------


def _write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write via a temporary file, fsync, rename (supplychain.files); LabelError on OSError."""
    write_atomically(path, write, error=LabelError)
