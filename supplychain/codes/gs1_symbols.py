"""GS1 DataMatrix and GS1-128 symbols from a GS1 element string, via zxing-cpp's writer.

A pack's unique identifier (EU Delegated Regulation 2016/161, Art. 5; US DSCSA) is printed as
a **GS1 DataMatrix**: Data Matrix ECC 200 (ISO/IEC 16022) whose first codeword is FNC1, with
an FNC1 (read back as ASCII GS) after every variable-length field that is not the last. A
case's SSCC is printed as **GS1-128** (Code 128 with FNC1 first). Both are made by
zxing-cpp's writer (libzint inside) in GS1 mode; the symbol is then checked to carry the
GS1 symbology identifier (``]d2`` for GS1 DataMatrix, ``]C1`` for GS1-128), so a writer that
quietly ignored the GS1 option could never print a plain Data Matrix that scans as text.

Data Matrix symbols are always square (ISO/IEC 16022 sizes: no rectangular DMRE, which
ISO/IEC 21471 added later and which older pharmacy scanners do not read). Pure logic: the
matrix comes back as rows of booleans, quiet zone included; drawing is the caller's.

Print choices (docs/LABELS.md argues them): a Data Matrix module of **0.3387 mm** (4 dots at
300 dpi) with a **2-module** quiet zone; a GS1-128 module of **0.508 mm** (6 dots at
300 dpi) with the **10-module** quiet zones Code 128 requires.
"""

from __future__ import annotations

import numpy as np
import zxingcpp
from biip import ParseError
from biip.gs1_messages import GS1Message

from supplychain.errors import LabelError
from supplychain.i18n import _

__all__ = [
    "DM_DOTS_PER_MODULE",
    "DM_MIN_MODULE_MM",
    "DM_MODULE_MM",
    "DM_QUIET_ZONE",
    "GS1_128_DOTS_PER_MODULE",
    "GS1_128_MODULE_MM",
    "GS1_128_QUIET_ZONE",
    "datamatrix_matrix",
    "gs1_128_modules",
]

DM_DOTS_PER_MODULE = 4
"""Printer dots (PNG pixels at 300 dpi) per Data Matrix module."""

DM_MODULE_MM = 25.4 * DM_DOTS_PER_MODULE / 300
"""Data Matrix X-dimension: 0.3387 mm."""

DM_MIN_MODULE_MM = 0.254
"""Smallest X-dimension GS1 allows for a GS1 DataMatrix on a healthcare pack."""

DM_QUIET_ZONE = 2
"""Light modules around a Data Matrix on every side (ISO/IEC 16022 asks for 1)."""

GS1_128_DOTS_PER_MODULE = 6
"""Printer dots per GS1-128 module at 300 dpi (4 dots at 203 dpi give 0.500 mm)."""

GS1_128_MODULE_MM = 25.4 * GS1_128_DOTS_PER_MODULE / 300
"""GS1-128 X-dimension on a logistic label: 0.508 mm (GS1 asks for 0.495 mm at least)."""

GS1_128_QUIET_ZONE = 10
"""Light modules left and right of a GS1-128 symbol (Code 128 minimum)."""


def _bracketed(element_string: str) -> str:
    """'01...<GS>21...' as libzint's GS1 input '[01]...[21]...' (brackets are not in cset 82)."""
    try:
        message = GS1Message.parse(element_string)
    except (ParseError, ValueError) as exc:
        raise LabelError(
            _("The code {shown} is not a GS1 element string, so it cannot be printed as a GS1 "
              "symbol: {problem}").format(shown=repr(element_string[:60]), problem=exc)
        ) from exc
    return "".join(f"[{es.ai.ai}]{es.value}" for es in message.element_strings)


def _create(element_string: str, fmt: zxingcpp.BarcodeFormat, name: str, identifier: str,
            **options: bool) -> zxingcpp.Barcode:
    if not element_string:
        raise LabelError(_("There is nothing to put in the code: the element string is empty."))
    try:
        barcode = zxingcpp.create_barcode(_bracketed(element_string), fmt, gs1=True, **options)
    except ValueError as exc:  # libzint: too long, bad AI data
        raise LabelError(
            _("The code cannot be printed as a {symbol}: {problem}").format(
                symbol=name, problem=exc)
        ) from exc
    if barcode.symbology_identifier != identifier:  # pragma: no cover - a writer regression
        raise LabelError(
            _("The barcode writer made a {found} symbol, not a GS1 one ({expected}); refusing "
              "to print it.").format(found=barcode.symbology_identifier, expected=identifier))
    return barcode


def _rows(barcode: zxingcpp.Barcode) -> list[list[bool]]:
    image = zxingcpp.write_barcode_to_image(barcode, scale=1, add_quiet_zones=False)
    pixels = np.asarray(image)
    return [[bool(v < 128) for v in row] for row in pixels.tolist()]


def datamatrix_matrix(element_string: str, *, quiet_zone: int = DM_QUIET_ZONE) -> list[list[bool]]:
    """The square GS1 DataMatrix of `element_string` as rows of dark (True) modules.

    `element_string` is a GS1 element string with ASCII GS after variable-length fields
    (`PackCode.to_element_string()`); the quiet zone (`quiet_zone` light modules on every
    side) is included. Raises LabelError when the data is not GS1 or too long.
    """
    if quiet_zone < 1:
        raise ValueError(f"the quiet zone must be at least 1 module, got {quiet_zone}")
    barcode = _create(element_string, zxingcpp.BarcodeFormat.DataMatrix, "GS1 DataMatrix",
                      "]d2", force_square=True)
    rows = _rows(barcode)
    if len(rows) != len(rows[0]):  # pragma: no cover - force_square ignored by the writer
        raise LabelError(_("The barcode writer made a rectangular Data Matrix; refusing to "
                           "print it."))
    return _pad(rows, quiet_zone)


def gs1_128_modules(element_string: str, *, quiet_zone: int = GS1_128_QUIET_ZONE) -> list[bool]:
    """The GS1-128 symbol of `element_string` as one row of modules (True = bar).

    The `quiet_zone` light modules left and right are included.
    """
    if quiet_zone < GS1_128_QUIET_ZONE:
        raise ValueError(f"the quiet zone must be at least {GS1_128_QUIET_ZONE} modules, "
                         f"got {quiet_zone}")
    barcode = _create(element_string, zxingcpp.BarcodeFormat.Code128, "GS1-128", "]C1")
    row = _rows(barcode)[0]
    light = [False] * quiet_zone
    return light + row + light


def _pad(rows: list[list[bool]], quiet_zone: int) -> list[list[bool]]:
    width = len(rows[0]) + 2 * quiet_zone
    blank = [False] * width
    side = [False] * quiet_zone
    return ([list(blank) for _ in range(quiet_zone)]
            + [side + row + side for row in rows]
            + [list(blank) for _ in range(quiet_zone)])
