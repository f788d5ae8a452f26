"""Frames -> codes: read QR and Data Matrix codes from one image, never a wrong text.

The pipeline runs zxing-cpp on the frame as it is first (cheap, and it reads almost
everything). Only when that finds nothing does it try a ladder of fallbacks, ordered by what
measured best on the shared real-image set (see docs/BENCHMARKS.md, "## Decoding"), and
it stops at the first pass that finds codes. OpenCV's QR detector is the last resort; its
texts are cross-checked because it mis-decodes non-UTF-8 payloads (Shift-JIS read as Latin-1).

Texts are zxing-cpp's ``TextMode.Plain``: GS1 element strings keep the FNC1 separator as
ASCII GS (``\\x1d``) with no leading FNC1 and no symbology identifier (``]d2``/``]Q3``),
which is what USB scanners type and what ``supplychain.codes.gs1`` parses. Byte payloads are
transcoded by the code's ECI / character set (UTF-8, Shift-JIS, ISO-8859-1, ...).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

from supplychain.errors import ImageError
from supplychain.files import read_input_file
from supplychain.i18n import N_, _

__all__ = [
    "DEFAULT_FORMATS",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "NO_CODE_FOUND",
    "DecodedCode",
    "Symbology",
    "decode_frame",
    "read_image_file",
]

log = logging.getLogger(__name__)

NO_CODE_FOUND = N_("No code was found in this picture. Take it closer and in focus, with the "
                   "whole code inside the frame, or type the code by hand.")
"""What to tell a person whose picture holds no code (translate with ``_()`` when shown)."""

Corners = tuple[tuple[float, float], ...]


class Symbology(StrEnum):
    """The kind of 2D code; packs carry QR (Digital Link) or GS1 Data Matrix."""

    QR = "qr"
    DATA_MATRIX = "datamatrix"
    OTHER = "other"


DEFAULT_FORMATS: tuple[Symbology, ...] = (Symbology.QR, Symbology.DATA_MATRIX)


@dataclass(frozen=True)
class DecodedCode:
    """One code read from a frame.

    ``text`` is the exact content (see the module docstring for GS1 and byte payloads);
    ``corners`` are four (x, y) points in the pixel coordinates of the frame passed in,
    clockwise from the code's top-left; ``decoder`` is ``"zxing"`` or ``"opencv"``.
    """

    text: str
    symbology: Symbology
    corners: Corners
    decoder: str

    @property
    def center(self) -> tuple[float, float]:
        """The mean of the corners."""
        xs = [p[0] for p in self.corners]
        ys = [p[1] for p in self.corners]
        return (sum(xs) / len(xs), sum(ys) / len(ys))

    @property
    def size(self) -> float:
        """The longer side of the corners' bounding box, in pixels."""
        xs = [p[0] for p in self.corners]
        ys = [p[1] for p in self.corners]
        return max(max(xs) - min(xs), max(ys) - min(ys), 1.0)


# --- image preparation ----------------------------------------------------------------------

#: Frames whose longer side is below this are scaled up in the fallback passes.
SMALL_SIDE = 512
#: Frames whose longer side is above this are scaled down before OpenCV (it is slow on them).
LARGE_SIDE = 1600


def _to_gray(frame: np.ndarray) -> np.ndarray:
    """Return an 8-bit single-channel copy (or view) of a BGR, BGRA or gray frame."""
    if not isinstance(frame, np.ndarray) or frame.size == 0:
        raise ImageError(_("the frame is empty: there is no image to read codes from"))
    img = frame
    if img.dtype != np.uint8:
        values = img.astype(np.float64)
        lo, hi = float(values.min()), float(values.max())
        img = ((values - lo) * (255.0 / ((hi - lo) or 1.0))).astype(np.uint8)
    if img.ndim == 2:
        return np.ascontiguousarray(img)
    if img.ndim == 3 and img.shape[2] == 1:
        return np.ascontiguousarray(img[:, :, 0])
    if img.ndim == 3 and img.shape[2] == 3:
        return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if img.ndim == 3 and img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    raise ImageError(_("unsupported frame shape {shape}: expected gray, BGR or BGRA")
                     .format(shape=frame.shape))


def _resize(gray: np.ndarray, scale: float) -> np.ndarray:
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)


def _upscale_factor(gray: np.ndarray) -> float:
    side = max(gray.shape[:2])
    if side >= SMALL_SIDE:
        return 1.0
    return 3.0 if side * 3 <= 2 * SMALL_SIDE else 2.0


def _sharpen(gray: np.ndarray) -> np.ndarray:
    blurred = cv2.GaussianBlur(gray, (0, 0), 3)
    return cv2.addWeighted(gray, 1.5, blurred, -0.5, 0)


def _adaptive(gray: np.ndarray) -> np.ndarray:
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 5
    )


# --- decoders ---------------------------------------------------------------------------------

_ZX = zxingcpp.BarcodeFormat


def _zxing_formats(formats: Sequence[Symbology]) -> zxingcpp.BarcodeFormats | None:
    if Symbology.OTHER in formats:
        return zxingcpp.BarcodeFormats([_ZX.AllReadable])
    out: list[zxingcpp.BarcodeFormat] = []
    if Symbology.QR in formats:
        out.append(_ZX.QRCode)
    if Symbology.DATA_MATRIX in formats:
        out.append(_ZX.DataMatrix)
    return zxingcpp.BarcodeFormats(out) if out else None


def _symbology(fmt: zxingcpp.BarcodeFormat) -> Symbology:
    if fmt == _ZX.DataMatrix:
        return Symbology.DATA_MATRIX
    if fmt in (_ZX.QRCode, _ZX.QRCodeModel1, _ZX.QRCodeModel2):
        return Symbology.QR
    return Symbology.OTHER


def _zxing(
    gray: np.ndarray,
    formats: Sequence[Symbology],
    *,
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage,
    scale: float = 1.0,
    offset: tuple[float, float] = (0.0, 0.0),
) -> list[DecodedCode]:
    """Read with zxing-cpp; map corners back by ``/ scale + offset``."""
    zx_formats = _zxing_formats(formats)
    if zx_formats is None:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        results = zxingcpp.read_barcodes(
            gray, formats=zx_formats, text_mode=zxingcpp.TextMode.Plain, binarizer=binarizer
        )
    codes = []
    for r in results:
        if not r.valid or not r.text:
            continue
        pos = r.position
        pts = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
        corners = tuple((p.x / scale + offset[0], p.y / scale + offset[1]) for p in pts)
        codes.append(DecodedCode(r.text, _symbology(r.format), corners, "zxing"))
    return codes


def _opencv(gray: np.ndarray, formats: Sequence[Symbology]) -> list[DecodedCode]:
    """Locate (and maybe read) QR codes with OpenCV; cross-check every text.

    For each quadrilateral OpenCV finds, the code is cut out, straightened and read again
    by zxing-cpp, whose text wins. An OpenCV-only text is kept only when it is printable
    ASCII: OpenCV turns Shift-JIS and other non-UTF-8 payloads into wrong Latin-1 texts.
    """
    if Symbology.QR not in formats:
        return []
    scale = 1.0
    side = max(gray.shape[:2])
    if side > LARGE_SIDE:
        scale = LARGE_SIDE / side
    elif side < SMALL_SIDE // 2:
        scale = 2.0
    img = _resize(gray, scale) if scale != 1.0 else gray
    ok, texts, points, _straight = cv2.QRCodeDetector().detectAndDecodeMulti(img)
    if not ok or points is None:
        return []
    codes = []
    for text, quad in zip(texts, points, strict=False):
        quad_orig = [(float(x) / scale, float(y) / scale) for x, y in quad]
        checked = _reread_quad(gray, quad_orig)
        if checked is not None:
            codes.append(checked)
        elif text and text.isascii() and text.isprintable():
            codes.append(DecodedCode(text, Symbology.QR, tuple(quad_orig), "opencv"))
        elif text:
            log.debug("dropping an OpenCV text that cannot be trusted: %r", text[:40])
    return codes


def _reread_quad(gray: np.ndarray, quad: list[tuple[float, float]]) -> DecodedCode | None:
    """Straighten the quadrilateral into a square with a quiet zone and read it with zxing."""
    src = np.array(quad, dtype=np.float32)
    side = 300.0
    margin = 40.0
    dst = np.array(
        [[margin, margin], [margin + side, margin], [margin + side, margin + side],
         [margin, margin + side]],
        dtype=np.float32,
    )
    size = int(side + 2 * margin)
    try:
        matrix = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(
            gray, matrix, (size, size), flags=cv2.INTER_CUBIC, borderValue=255
        )
        found = _zxing(warped, (Symbology.QR,))
    except cv2.error as exc:
        log.debug("re-reading an OpenCV quadrilateral failed: %s", exc)
        return None
    if len(found) != 1:
        return None
    return DecodedCode(found[0].text, Symbology.QR, tuple(quad), "opencv")


# --- the pipeline -----------------------------------------------------------------------------

Pass = Callable[[np.ndarray, Sequence[Symbology]], list[DecodedCode]]


def _pass_raw(gray: np.ndarray, formats: Sequence[Symbology]) -> list[DecodedCode]:
    return _zxing(gray, formats)


def _pass_upscaled(gray: np.ndarray, formats: Sequence[Symbology]) -> list[DecodedCode]:
    scale = _upscale_factor(gray)
    if scale == 1.0:
        return []
    return _zxing(_resize(gray, scale), formats, scale=scale)


def _pass_sharpened(gray: np.ndarray, formats: Sequence[Symbology]) -> list[DecodedCode]:
    return _zxing(_sharpen(gray), formats)


def _pass_equalized(gray: np.ndarray, formats: Sequence[Symbology]) -> list[DecodedCode]:
    return _zxing(cv2.equalizeHist(gray), formats)


def _pass_global_histogram(gray: np.ndarray, formats: Sequence[Symbology]) -> list[DecodedCode]:
    return _zxing(gray, formats, binarizer=zxingcpp.Binarizer.GlobalHistogram)


def _pass_adaptive(gray: np.ndarray, formats: Sequence[Symbology]) -> list[DecodedCode]:
    return _zxing(_adaptive(gray), formats)


#: Fallback passes, in the order that measured best (cheap and productive first).
FALLBACKS: tuple[tuple[str, Pass], ...] = (
    ("sharpened", _pass_sharpened),
    ("equalized", _pass_equalized),
    ("upscaled", _pass_upscaled),
    ("global-histogram", _pass_global_histogram),
    ("adaptive-threshold", _pass_adaptive),
    ("opencv", _opencv),
)


def _dedupe(codes: Iterable[DecodedCode]) -> list[DecodedCode]:
    """Drop repeated reads of one code: same text, centres closer than half the code's size."""
    kept: list[DecodedCode] = []
    for code in codes:
        cx, cy = code.center
        duplicate = False
        for other in kept:
            if other.text != code.text:
                continue
            ox, oy = other.center
            limit = max(code.size, other.size) / 2
            if abs(cx - ox) <= limit and abs(cy - oy) <= limit:
                duplicate = True
                break
        if not duplicate:
            kept.append(code)
    return kept


def _run_pass(name: str, step: Pass, gray: np.ndarray, formats: Sequence[Symbology]) -> list[
    DecodedCode
]:
    """Run one pass; a decoder that raises (OpenCV on odd payloads) counts as finding nothing."""
    try:
        return step(gray, formats)
    except Exception as exc:  # a decoder boundary: one failing pass must not stop the others
        log.debug("decode pass %s failed: %s: %s", name, type(exc).__name__, exc, exc_info=True)
        return []


def decode_frame(
    frame: np.ndarray,
    *,
    formats: Iterable[Symbology] = DEFAULT_FORMATS,
    try_harder: bool = True,
) -> list[DecodedCode]:
    """Read every QR / Data Matrix code in ``frame`` (gray, BGR or BGRA ``uint8`` array).

    zxing-cpp reads the frame first; with ``try_harder`` the fallbacks in ``FALLBACKS`` run,
    in order, only while nothing has been found. Returns the codes found by the first pass
    that found any (several codes in one frame are all returned), or ``[]``.
    Raises ``ImageError`` for an empty or unsupported array.
    """
    wanted = tuple(formats)
    gray = _to_gray(frame)
    codes = _run_pass("raw", _pass_raw, gray, wanted)
    if not codes and try_harder:
        for name, step in FALLBACKS:
            codes = _run_pass(name, step, gray, wanted)
            if codes:
                log.debug("decode pass %s found %d code(s)", name, len(codes))
                break
    return _dedupe(codes)


# --- image files ----------------------------------------------------------------------------

#: Refuse image files larger than this many bytes.
MAX_IMAGE_BYTES = 50 * 1024 * 1024
#: Refuse images with more pixels than this (checked from the header, before decoding).
MAX_IMAGE_PIXELS = 40_000_000


def _header_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the image header, without decoding pixels (None if unknown)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                return (int(im.size[0]), int(im.size[1]))
    except Image.DecompressionBombError:
        return (MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS)  # far beyond the limit either way
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def read_image_file(path: str | os.PathLike[str]) -> np.ndarray:
    """Load an image file as a BGR ``uint8`` array, ready for ``decode_frame``.

    Raises ``ImageError`` with a plain message when the file is missing, empty, larger than
    ``MAX_IMAGE_BYTES``, more than ``MAX_IMAGE_PIXELS`` pixels (read from the header before
    any pixel is decoded), or not an image OpenCV can decode (corrupt, truncated, unsupported).
    """
    p = Path(path)
    if not p.exists():
        raise ImageError(_("image file not found: {file}").format(file=p))
    if not p.is_file():  # a folder, a device, a named pipe: refused without opening it
        raise ImageError(_("not a file: {file}").format(file=p))
    size = p.stat().st_size
    if size == 0:
        raise ImageError(_("image file is empty (0 bytes): {file}").format(file=p))
    if size > MAX_IMAGE_BYTES:
        raise ImageError(
            _("image file is too large ({size:.0f} MB; the limit is "
              "{limit:.0f} MB): {file}. Take a smaller photo or crop it.")
            .format(size=size / 1e6, limit=MAX_IMAGE_BYTES / 1e6, file=p)
        )
    data = read_input_file(p, MAX_IMAGE_BYTES, what="image file", error=ImageError)
    dims = _header_size(data)
    if dims is not None and dims[0] * dims[1] > MAX_IMAGE_PIXELS:
        raise ImageError(
            _("image is too large ({width}x{height} pixels, {megapixels:.0f} "
              "megapixels; the limit is {limit:.0f}): {file}. Scale it down first.")
            .format(width=dims[0], height=dims[1], megapixels=dims[0] * dims[1] / 1e6,
                    limit=MAX_IMAGE_PIXELS / 1e6, file=p)
        )
    buf = np.frombuffer(data, dtype=np.uint8)
    try:
        image = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    except cv2.error as exc:
        raise ImageError(_("cannot decode image file {file}: it is corrupt or unsupported")
                         .format(file=p)) from exc
    if image is None or image.size == 0:
        raise ImageError(
            _("cannot decode image file {file}: it is corrupt, truncated or not a supported "
              "image format (PNG, JPEG, WebP, BMP, TIFF)").format(file=p)
        )
    if image.shape[0] * image.shape[1] > MAX_IMAGE_PIXELS:
        raise ImageError(
            _("image is too large ({width}x{height} pixels; the limit is "
              "{limit:.0f} megapixels): {file}. Scale it down first.")
            .format(width=image.shape[1], height=image.shape[0],
                    limit=MAX_IMAGE_PIXELS / 1e6, file=p)
        )
    return image
