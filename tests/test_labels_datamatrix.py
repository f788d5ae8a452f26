"""GS1 DataMatrix pack labels and A6 case labels: every printed symbol reads back, through the
project's own decoder (supplychain.scanning) and through zxing-cpp directly, as the same pack
or case, in GS1 mode (symbology identifier ]d2 / ]C1, FNC1 as GS between fields)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from supplychain.codes import gs1_symbols
from supplychain.codes.case_labels import write_case_labels
from supplychain.codes.gs1 import GS, PackCode, gtin_check_digit, parse_pack_code
from supplychain.codes.gs1_symbols import datamatrix_matrix, gs1_128_modules
from supplychain.codes.labels import (
    LabelSymbol,
    datamatrix_image,
    write_datamatrix_png,
    write_label_sheet,
)
from supplychain.codes.signed_codes import (
    code_signature,
    signed_element_string,
    split_signature,
    verify_code_signature,
)
from supplychain.codes.sscc import ContainerCode, make_sscc, parse_sscc
from supplychain.errors import LabelError
from supplychain.identity.certificates import (
    Member,
    MemberInfo,
    Role,
    create_root,
    issue_member_certificate,
    verify_member_certificate,
)
from supplychain.identity.keys import generate_member_key
from supplychain.ids import GLN, GTIN
from supplychain.scanning import Symbology, decode_frame, read_image_file

GTIN_A = GTIN("05012345000015")
CODE = PackCode(GTIN_A, "SN12345", "LOT7", date(2027, 6, 30))
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Signer:
    key: Ed25519PrivateKey
    member: Member


@pytest.fixture(scope="module")
def maker() -> Signer:
    root_key, root_cert = create_root("Test Consortium")
    key = generate_member_key()
    info = MemberInfo("Acme Pharma", GLN("5012345000022"), Role.MANUFACTURER, ("501234",))
    cert = issue_member_certificate(root_key, root_cert, key.public_key(), info)
    return Signer(key, verify_member_certificate(cert, root_cert))


def _zxing(image: np.ndarray, fmt: zxingcpp.BarcodeFormat) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image, formats=fmt, text_mode=zxingcpp.TextMode.Plain))


def _gray(image: Image.Image) -> np.ndarray:
    return np.array(image.convert("L"))


def _render_pdf(path: Path, dpi: int = 300) -> list[np.ndarray]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [_gray(page.render(scale=dpi / 72).to_pil()) for page in document]
    finally:
        document.close()


def _pdf_text_lines(path: Path) -> list[str]:
    """The strings the (uncompressed) PDF draws, in order, with PDF's escapes undone."""
    found = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", path.read_bytes())
    return [re.sub(rb"\\(.)", rb"\1", m).decode("latin-1") for m in found]


def _read_pack_both_ways(png: Path) -> PackCode:
    """Decode one GS1 DataMatrix PNG with our decoder and with zxing-cpp; they must agree."""
    (ours,) = decode_frame(read_image_file(png))
    assert ours.symbology is Symbology.DATA_MATRIX
    with Image.open(png) as image:
        (theirs,) = _zxing(_gray(image), zxingcpp.BarcodeFormat.DataMatrix)
    assert theirs.symbology_identifier == "]d2"  # FNC1 first: GS1 DataMatrix
    assert theirs.content_type == zxingcpp.ContentType.GS1
    assert ours.text == theirs.text
    return parse_pack_code(split_signature(ours.text)[0])


# --- one symbol -----------------------------------------------------------------------------


def test_png_is_gs1_datamatrix_with_gs_separators(tmp_path: Path) -> None:
    path = tmp_path / "pack.png"
    write_datamatrix_png(CODE.to_element_string(), path)
    assert _read_pack_both_ways(path) == CODE
    (ours,) = decode_frame(read_image_file(path))
    assert ours.text == "01050123450000151727063010LOT7" + GS + "21SN12345"
    with Image.open(path) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        modules = len(datamatrix_matrix(CODE.to_element_string()))
        assert image.size == (modules * 4, modules * 4)  # 4 dots a module at 300 dpi


def test_matrix_is_square_ecc200_with_its_quiet_zone() -> None:
    matrix = datamatrix_matrix(CODE.to_element_string())
    inner = len(matrix) - 2 * gs1_symbols.DM_QUIET_ZONE
    assert all(len(row) == len(matrix) for row in matrix)
    assert inner in (10, 12, 14, 16, 18, 20, 22, 24, 26)  # ISO/IEC 16022 square sizes
    q = gs1_symbols.DM_QUIET_ZONE
    assert not any(matrix[r][c] for r in range(len(matrix)) for c in range(len(matrix))
                   if min(r, c) < q or max(r, c) >= len(matrix) - q)
    # The solid "L" finder: the left column and the bottom row are all dark.
    assert all(matrix[r][q] for r in range(q, q + inner))
    assert all(matrix[q + inner - 1][c] for c in range(q, q + inner))
    assert gs1_symbols.DM_MIN_MODULE_MM <= gs1_symbols.DM_MODULE_MM == pytest.approx(0.3387,
                                                                                    abs=1e-4)


def test_signed_datamatrix_reads_back_and_verifies(tmp_path: Path, maker: Signer) -> None:
    text = signed_element_string(CODE, code_signature(CODE, maker.key, maker.member.key_id))
    path = tmp_path / "signed.png"
    write_datamatrix_png(text, path)
    assert _read_pack_both_ways(path) == CODE
    (ours,) = decode_frame(read_image_file(path))
    assert ours.text == text
    rest, sig = split_signature(ours.text)
    assert sig is not None
    verify_code_signature(parse_pack_code(rest), sig, maker.member)
    inner = len(datamatrix_matrix(text)) - 2 * gs1_symbols.DM_QUIET_ZONE
    assert inner == 44  # 14.9 mm at 0.3387 mm a module, as docs/LABELS.md says


@pytest.mark.parametrize("bad", ["", "not a GS1 string", "0105012345", "01ABC"])
def test_non_gs1_data_is_a_label_error(bad: str) -> None:
    with pytest.raises(LabelError):
        datamatrix_image(bad)


def test_quiet_zone_below_one_module_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 module"):
        datamatrix_matrix(CODE.to_element_string(), quiet_zone=0)


@st.composite
def packs(draw: st.DrawFn) -> PackCode:
    body = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    text = st.text(alphabet=CSET82, min_size=1, max_size=20)
    return PackCode(
        GTIN(body + gtin_check_digit(body)),
        draw(text),
        draw(st.none() | text),
        draw(st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))),
    )


@pytest.fixture(scope="module")
def png_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the property test's PNGs (hypothesis runs many examples per test)."""
    return tmp_path_factory.mktemp("dm-property")


@settings(max_examples=30)
@given(code=packs())
def test_property_png_round_trip(png_dir: Path, code: PackCode) -> None:
    path = png_dir / "pack.png"
    write_datamatrix_png(code.to_element_string(), path)
    assert _read_pack_both_ways(path) == code


# --- the A4 sheet ---------------------------------------------------------------------------


def test_datamatrix_sheet_reads_back_with_eu_lines(tmp_path: Path, maker: Signer) -> None:
    codes = [PackCode(GTIN_A, f"SN{i:05d}", "LOT7", date(2027, 6, 30)) for i in range(25)]
    codes[1] = PackCode(GTIN_A, "A" * 20, "B" * 20, date(2027, 6, 30))
    codes[2] = PackCode(GTIN_A, "NOLOT")
    signed = signed_element_string(codes[-1],
                                   code_signature(codes[-1], maker.key, maker.member.key_id))

    def data_for(code: PackCode) -> str:
        return signed if code == codes[-1] else code.to_element_string()

    path = tmp_path / "labels.pdf"
    assert write_label_sheet(codes, path, symbol=LabelSymbol.DATA_MATRIX, uri_for=data_for,
                             compress=False) == 2
    lines = _pdf_text_lines(path)
    for code in codes:
        for line in code.eu_label_lines():
            assert line in lines, line
    assert CODE.eu_label_lines() == ["PC: 05012345000015", "SN: SN12345", "Batch: LOT7",
                                     "EXP: 2027-06-30"]
    assert "Batch: " not in lines and not any(line.startswith("GTIN ") for line in lines)

    pages = _render_pdf(path)
    ours = [c.text for page in pages for c in decode_frame(page)]
    theirs = [r for page in pages for r in _zxing(page, zxingcpp.BarcodeFormat.DataMatrix)]
    assert {r.symbology_identifier for r in theirs} == {"]d2"}
    assert sorted(ours) == sorted(r.text for r in theirs) == sorted(map(data_for, codes))
    assert sorted((parse_pack_code(split_signature(t)[0]) for t in ours), key=str) == sorted(
        codes, key=str)
    # Printed at 4 dots (0.3387 mm) a module at 300 dpi, quiet zone excluded.
    for result in theirs[:24]:
        modules = len(datamatrix_matrix(result.text)) - 2 * gs1_symbols.DM_QUIET_ZONE
        width = result.position.top_right.x - result.position.top_left.x
        assert width == pytest.approx(modules * 4, abs=3)


def test_default_sheet_stays_qr(tmp_path: Path) -> None:
    path = tmp_path / "labels.pdf"
    write_label_sheet([CODE], path)
    (page,) = _render_pdf(path)
    assert [r.text for r in _zxing(page, zxingcpp.BarcodeFormat.QRCode)] == [
        CODE.to_digital_link()]


# --- case labels ----------------------------------------------------------------------------

SSCCS = [ContainerCode(make_sscc("501234", n, extension=n % 10)) for n in (1, 22, 987654321)]


def test_gs1_128_is_fnc1_first_with_quiet_zones() -> None:
    modules = gs1_128_modules(SSCCS[0].to_element_string())
    q = gs1_symbols.GS1_128_QUIET_ZONE
    assert not any(modules[:q]) and not any(modules[-q:])
    assert len(modules) - 2 * q == 156  # start C, FNC1, 10 digit pairs, check, stop
    assert (len(modules) * gs1_symbols.GS1_128_MODULE_MM) == pytest.approx(89.4, abs=0.1)


def test_case_labels_read_back_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "cases.pdf"
    assert write_case_labels(SSCCS, path, title="Acme Pharma",
                             lines_for=lambda c: ["Contents: 24 packs"], compress=False) == 3
    data = path.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 3
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", data)
    assert box is not None
    assert (float(box[1]) / 72 * 25.4, float(box[2]) / 72 * 25.4) == pytest.approx(
        (105, 148), abs=0.5)  # A6
    lines = _pdf_text_lines(path)
    for container in SSCCS:
        assert container.to_human_readable() in lines
        assert f"(00) {container.sscc}" in lines
    assert "Acme Pharma" in lines and "Contents: 24 packs" in lines

    for page, container in zip(_render_pdf(path), SSCCS, strict=True):
        ours = decode_frame(page, formats=(Symbology.QR, Symbology.OTHER))
        assert sorted(c.text for c in ours) == sorted(
            [container.to_digital_link(), container.to_element_string()])
        assert {parse_sscc(c.text) for c in ours} == {container}
        (bars,) = _zxing(page, zxingcpp.BarcodeFormat.Code128)
        assert bars.symbology_identifier == "]C1"  # GS1-128: FNC1 first
        assert bars.content_type == zxingcpp.ContentType.GS1
        assert parse_sscc(bars.symbology_identifier + bars.text) == container
        (qr,) = _zxing(page, zxingcpp.BarcodeFormat.QRCode)
        assert parse_sscc(qr.text) == container
        # 6 dots (0.508 mm) a module at 300 dpi: 156 modules between the quiet zones.
        width = bars.position.top_right.x - bars.position.top_left.x
        assert width == pytest.approx(156 * 6, abs=8)


def test_no_sscc_is_a_label_error(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match="no case or pallet codes"):
        write_case_labels([], tmp_path / "cases.pdf")
    assert list(tmp_path.iterdir()) == []
