"""QR images and printable label sheets: they decode back to the URI, and fail cleanly."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PIL import Image, ImageDraw

from supplychain import files
from supplychain.codes import labels
from supplychain.codes.gs1 import PackCode
from supplychain.codes.labels import (
    LABELS_PER_PAGE,
    qr_image,
    qr_matrix,
    write_label_sheet,
    write_qr_png,
    write_qr_svg,
)
from supplychain.codes.signed_codes import sign_code
from supplychain.errors import LabelError
from supplychain.identity.keys import generate_member_key
from supplychain.ids import GTIN

GTIN_A = GTIN("05012345000015")
CODE = PackCode(GTIN_A, "SN12345", "LOT7", date(2027, 6, 30))
URI = CODE.to_digital_link()  # 67 characters
URI_80 = PackCode(GTIN_A, "ABCDEFGHIJ12345", "LOT1234567", date(2027, 6, 30)).to_digital_link()
SVG = "{http://www.w3.org/2000/svg}"


def _codes(n: int) -> list[PackCode]:
    return [PackCode(GTIN_A, f"SN{i:05d}", "LOT7", date(2027, 6, 30)) for i in range(n)]


def _decode(image: Image.Image) -> list[str]:
    results = zxingcpp.read_barcodes(np.array(image.convert("L")), formats=zxingcpp.QRCode)
    return [r.text for r in results]


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


# --- QR images ------------------------------------------------------------------------


def test_png_decodes_to_the_uri(tmp_path: Path) -> None:
    path = tmp_path / "code.png"
    write_qr_png(URI, path)
    with Image.open(path) as image:
        assert _decode(image) == [URI]
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        result = zxingcpp.read_barcodes(np.array(image.convert("L")))[0]
    assert result.ec_level == "M"


def test_eighty_character_uri_is_version_5_at_15_7_mm() -> None:
    assert 78 <= len(URI_80) <= 82
    matrix = qr_matrix(URI_80)
    modules = len(matrix) - 2 * labels.QUIET_ZONE
    assert modules == 37  # version 5 = 17 + 4 * 5
    assert modules * labels.MODULE_MM == pytest.approx(15.66, abs=0.01)
    assert labels.MIN_MODULE_MM <= labels.MODULE_MM <= 0.990


@pytest.mark.parametrize(("box_size", "border"), [(1, 4), (5, 4), (8, 6)])
def test_image_size_follows_box_and_border(box_size: int, border: int) -> None:
    image = qr_image(URI, box_size=box_size, border=border)
    side = (len(qr_matrix(URI)) - 8 + 2 * border) * box_size
    assert image.size == (side, side)
    if box_size >= 2:
        assert _decode(image) == [URI]


def test_scuffed_label_still_reads() -> None:
    """A scratch across the data area (a scuffed carton) is within level M's margin."""
    box = 5
    image = qr_image(URI_80, box_size=box).convert("L")
    draw = ImageDraw.Draw(image)
    q = labels.QUIET_ZONE
    for row in (14, 22):  # two one-module scratches, clear of the finder patterns
        top = (q + row) * box
        draw.rectangle([(q + 9) * box, top, (q + 28) * box - 1, top + box - 1], fill=255)
    assert _decode(image) == [URI_80]


@pytest.mark.parametrize("bad", [{"border": 3}, {"box_size": 0}, {"error_correction": "X"}])
def test_bad_image_options_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        qr_image(URI, **bad)  # type: ignore[arg-type]


def test_empty_and_overlong_uris_are_label_errors() -> None:
    with pytest.raises(LabelError, match="empty"):
        qr_image("")
    with pytest.raises(LabelError, match="too long"):
        qr_image("https://id.gs1.org/" + "x" * 4000)


def test_svg_is_xml_with_path_and_physical_size(tmp_path: Path) -> None:
    path = tmp_path / "code.svg"
    write_qr_svg(URI, path)
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    n = len(qr_matrix(URI))
    assert root.get("viewBox") == f"0 0 {n} {n}"
    assert root.get("width") == f"{n * labels.MODULE_MM:.3f}mm" == root.get("height")
    assert root.find(f"{SVG}rect") is not None  # the white quiet zone
    path_el = root.find(f"{SVG}path")
    assert path_el is not None and path_el.get("d")


# --- label sheets -------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (24, 1), (25, 2), (49, 3)])
def test_sheet_page_count(tmp_path: Path, count: int, pages: int) -> None:
    assert LABELS_PER_PAGE == 24
    path = tmp_path / "labels.pdf"
    assert write_label_sheet(_codes(count), path, compress=False) == pages
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert _pdf_pages(data) == pages
    assert re.search(rb"/Count\s+" + str(pages).encode() + rb"\b", data)


def test_sheet_has_the_label_lines(tmp_path: Path) -> None:
    codes = [CODE, PackCode(GTIN_A, "NOLOT1")]
    path = tmp_path / "labels.pdf"
    write_label_sheet(codes, path, title="Acme lot LOT7", compress=False)
    data = path.read_bytes()
    for code in codes:
        for line in code.label_lines():
            assert f"({line}) Tj".encode() in data, line
    assert CODE.label_lines() == ["GTIN 05012345000015", "SN SN12345", "LOT LOT7", "EXP 2027-06-30"]
    assert b"(LOT ) Tj" not in data and b"EXP" in data
    assert b"Acme lot LOT7" in data and b"Page 1 of 1" in data


def test_progress_reports_every_label(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    write_label_sheet(_codes(5), tmp_path / "l.pdf", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 5) for i in range(1, 6)]


def test_cancel_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "labels.pdf"
    calls = iter(range(100))
    assert write_label_sheet(_codes(30), path, cancel=lambda: next(calls) >= 3) == 0
    assert list(tmp_path.iterdir()) == []


def test_no_codes_is_a_label_error(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match="no pack codes"):
        write_label_sheet([], tmp_path / "labels.pdf")


def test_link_too_long_for_a_label(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match="too long to print on a label"):
        write_label_sheet(
            [CODE], tmp_path / "l.pdf", uri_for=lambda c: c.to_digital_link() + "&x=" + "a" * 400
        )
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_a_label_error(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match=r"Cannot write .*labels\.pdf: No such file"):
        write_label_sheet([CODE], tmp_path / "missing" / "labels.pdf")
    with pytest.raises(LabelError, match="Cannot write"):
        write_qr_png(URI, tmp_path / "missing" / "code.png")


def test_a_file_where_the_folder_should_be_is_a_label_error(tmp_path: Path) -> None:
    """Fails the same way for every user, root included (a read-only folder would not)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder")
    with pytest.raises(LabelError, match="Cannot write .*labels\\.pdf: Not a directory"):
        write_label_sheet([CODE], blocker / "labels.pdf")
    assert blocker.read_text() == "a file, not a folder"


@pytest.mark.parametrize(
    "writer",
    [
        lambda p: write_label_sheet(_codes(3), p),
        lambda p: write_qr_png(URI, p),
        lambda p: write_qr_svg(URI, p),
    ],
)
def test_full_disk_leaves_old_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: Callable[[Path], object]
) -> None:
    path = tmp_path / "out"
    path.write_bytes(b"previous labels")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(LabelError, match="No space left on device.*disk is not full"):
        writer(path)
    assert path.read_bytes() == b"previous labels"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_error_from_uri_for_leaves_no_temp_file(tmp_path: Path) -> None:
    def boom(code: PackCode) -> str:
        raise RuntimeError("no key")

    with pytest.raises(RuntimeError):
        write_label_sheet([CODE], tmp_path / "l.pdf", uri_for=boom)
    assert list(tmp_path.iterdir()) == []


# --- the printed QR decodes ---------------------------------------------------------------


def _render_pdf(path: Path, dpi: int) -> list[Image.Image]:
    """Rasterise every page: poppler's pdftoppm if installed, else pypdfium2, else skip."""
    if shutil.which("pdftoppm"):
        prefix = path.with_suffix("")
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", path, prefix], check=True)
        return [Image.open(p) for p in sorted(path.parent.glob(f"{prefix.name}-*.png"))]
    import pypdfium2 as pdfium  # a test dependency: the PDF rasteriser when pdftoppm is absent

    document = pdfium.PdfDocument(str(path))
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def test_printed_labels_decode_at_300_dpi(tmp_path: Path) -> None:
    key = generate_member_key()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = hashlib.sha256(raw).hexdigest()[:16]
    codes = _codes(26)
    codes[1] = PackCode(GTIN_A, "A" * 20, "B" * 20, date(2027, 6, 30))
    uris = {c.to_digital_link() for c in codes[:-1]}
    signed = sign_code(codes[-1], key, key_id)  # the longest kind of link: still fits

    def uri_for(code: PackCode) -> str:
        return signed if code == codes[-1] else code.to_digital_link()

    path = tmp_path / "labels.pdf"
    assert write_label_sheet(codes, path, uri_for=uri_for) == 2
    pages = _render_pdf(path, 300)
    assert len(pages) == 2
    first = zxingcpp.read_barcodes(np.array(pages[0].convert("L")), formats=zxingcpp.QRCode)
    second = _decode(pages[1])
    assert {r.text for r in first} | set(second) == uris | {signed}
    assert len(first) == 24 and len(second) == 2
    # Physical size: each module is 5 dots at 300 dpi (0.4233 mm), quiet zone excluded.
    for result in first:
        modules = len(qr_matrix(result.text)) - 2 * labels.QUIET_ZONE
        width = result.position.top_right.x - result.position.top_left.x
        assert width == pytest.approx(modules * 5, abs=3)
