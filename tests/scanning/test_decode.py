"""The decoding pipeline: real photos, synthetic pack photos, bad files, failing decoders."""

from __future__ import annotations

import struct
import time
import warnings
import zlib
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp

from supplychain.errors import ImageError
from supplychain.scanning import decode as decode_mod
from supplychain.scanning.decode import (
    DecodedCode,
    Symbology,
    decode_frame,
    read_image_file,
)

BARCODES = Path(__file__).resolve().parents[1] / "data" / "barcodes"
IMAGES = sorted(p for p in BARCODES.glob("*/*") if p.suffix.lower() not in {".txt", ".md"})

#: Images that genuinely hold more than one code; the .txt names only one of them.
#: qrcode-2/16 is a "double QR": a small QR printed inside the quiet area of a big one.
EXTRA_CODES = {
    "qrcode-2/16.webp": {"[外側QRコード]\r\n \r\n*ﾀﾞﾌﾞﾙQR*\r\nhttp://d-qr.net/ex/"},
}

URI = "https://id.gs1.org/01/09506000134352/21/ABC123?10=L1&17=270630"


def _expected(image: Path) -> str:
    return image.with_suffix(".txt").read_bytes().decode("utf-8")


def _key(image: Path) -> str:
    return f"{image.parent.name}/{image.name}"


def _zxing_alone(image: np.ndarray) -> list[str]:
    """zxing-cpp with its defaults, as the README's baseline was measured."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return [r.text for r in zxingcpp.read_barcodes(image)]


# --- real images -------------------------------------------------------------------------------


def test_the_real_image_set_is_complete() -> None:
    assert len(IMAGES) == 119


@pytest.mark.parametrize("image", IMAGES, ids=_key)
def test_real_image_never_gives_a_wrong_text(image: Path) -> None:
    expected = _expected(image)
    allowed = {expected} | EXTRA_CODES.get(_key(image), set())
    codes = decode_frame(read_image_file(image))
    wrong = [c.text for c in codes if c.text not in allowed]
    assert not wrong, f"wrong text(s) for {_key(image)}: {wrong!r}, expected {expected!r}"
    h, w = read_image_file(image).shape[:2]
    for code in codes:
        assert len(code.corners) == 4
        for x, y in code.corners:
            assert -0.1 * w <= x <= 1.1 * w and -0.1 * h <= y <= 1.1 * h


def test_real_images_pipeline_reads_more_than_zxing_alone(
    record_property: pytest.RecordProperty,
) -> None:
    pipeline: Counter[str] = Counter()
    zxing: Counter[str] = Counter()
    total: Counter[str] = Counter()
    start = time.perf_counter()
    for image in IMAGES:
        expected = _expected(image)
        frame = read_image_file(image)
        total[image.parent.name] += 1
        zxing[image.parent.name] += expected in _zxing_alone(frame)
        pipeline[image.parent.name] += expected in [c.text for c in decode_frame(frame)]
    elapsed = time.perf_counter() - start
    lines = [f"{s:13} {total[s]:3} images  zxing {zxing[s]:3}  pipeline {pipeline[s]:3}"
             for s in sorted(total)]
    summary = (f"total {sum(total.values())}: zxing alone {sum(zxing.values())}, "
               f"pipeline {sum(pipeline.values())} ({elapsed:.1f} s for both)")
    print("\n" + "\n".join(lines) + "\n" + summary)
    record_property("decode_per_set", lines)
    record_property("decode_total", summary)
    assert sum(pipeline.values()) > sum(zxing.values())
    for s in total:
        assert pipeline[s] >= zxing[s], s


# --- synthetic pack photos ---------------------------------------------------------------------


def _qr(text: str, box: int = 6) -> np.ndarray:
    """A gray QR image with its 4-module quiet zone."""
    q = qrcode.QRCode(border=4, box_size=box, error_correction=qrcode.constants.ERROR_CORRECT_M)
    q.add_data(text)
    q.make(fit=True)
    return np.array(q.make_image().get_image().convert("L"), dtype=np.uint8)


def _scene(width: int = 1280, height: int = 720, seed: int = 0) -> np.ndarray:
    """A gray, unevenly lit, slightly noisy background like a counter top."""
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, 1, width)[None, :]
    ys = np.linspace(0, 1, height)[:, None]
    light = 150 + 60 * xs + 30 * ys
    return (light + rng.normal(0, 4, (height, width))).clip(0, 255).astype(np.uint8)


def _place(scene: np.ndarray, code: np.ndarray, quad: list[tuple[float, float]]) -> None:
    """Warp ``code`` onto ``scene`` (in place) so its corners land on ``quad``."""
    h, w = code.shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, np.array(quad, dtype=np.float32))
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(code, m, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full_like(code, 255), m, size, flags=cv2.INTER_NEAREST)
    scene[mask > 0] = warped[mask > 0]


def _noisy(img: np.ndarray, sigma: float, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, sigma, img.shape)
    return (img.astype(np.float64) + noise).clip(0, 255).astype(np.uint8)


def _inside(point: tuple[float, float], quad: list[tuple[float, float]]) -> bool:
    contour = np.array(quad, dtype=np.float32)
    return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) >= 0


def test_rotated_blurred_noisy_qr_in_a_scene() -> None:
    scene = _scene()
    code = _qr(URI)
    h, w = code.shape
    center = (640.0, 360.0)
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 33, 1.0)
    corners = cv2.transform(np.array([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32), rot)[0]
    quad = [(float(x) - w / 2 + center[0], float(y) - h / 2 + center[1]) for x, y in corners]
    _place(scene, code, quad)
    frame = _noisy(cv2.GaussianBlur(scene, (0, 0), 1.2), 6)
    codes = decode_frame(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    assert [c.text for c in codes] == [URI]
    assert codes[0].symbology is Symbology.QR
    assert _inside(codes[0].center, quad)


def test_perspective_warped_qr() -> None:
    scene = _scene(seed=3)
    quad = [(420.0, 140.0), (860.0, 190.0), (830.0, 600.0), (380.0, 560.0)]
    _place(scene, _qr(URI), quad)
    codes = decode_frame(_noisy(cv2.GaussianBlur(scene, (0, 0), 0.8), 5))
    assert [c.text for c in codes] == [URI]
    assert _inside(codes[0].center, quad)


def test_three_codes_in_one_frame_are_all_read() -> None:
    scene = _scene(seed=5)
    texts = [URI.replace("ABC123", serial) for serial in ("S1", "S22", "S333")]
    quads = [
        [(60.0, 150.0), (400.0, 170.0), (390.0, 510.0), (50.0, 490.0)],
        [(470.0, 200.0), (790.0, 180.0), (810.0, 500.0), (480.0, 520.0)],
        [(900.0, 120.0), (1230.0, 160.0), (1200.0, 480.0), (880.0, 450.0)],
    ]
    for text, quad in zip(texts, quads, strict=True):
        _place(scene, _qr(text, box=5), quad)
    codes = decode_frame(_noisy(cv2.GaussianBlur(scene, (0, 0), 0.8), 5))
    assert sorted(c.text for c in codes) == sorted(texts)
    for code in codes:
        quad = quads[texts.index(code.text)]
        assert _inside(code.center, quad)


def test_gs1_datamatrix_keeps_the_gs_separator() -> None:
    barcode = zxingcpp.create_barcode(
        "(01)09506000134352(21)ABC123(10)L1(17)270630", zxingcpp.BarcodeFormat.DataMatrix,
        gs1=True,
    )
    code = np.array(zxingcpp.write_barcode_to_image(barcode, scale=8), dtype=np.uint8)
    scene = _scene(seed=7)
    h, w = code.shape
    quad = [(300.0, 250.0), (300.0 + w, 270.0), (290.0 + w, 270.0 + h), (290.0, 250.0 + h)]
    _place(scene, code, quad)
    codes = decode_frame(_noisy(scene, 4))
    assert [c.text for c in codes] == ["010950600013435221ABC123\x1d10L1\x1d17270630"]
    assert codes[0].symbology is Symbology.DATA_MATRIX
    assert codes[0].decoder == "zxing"


def test_inverted_code_is_read() -> None:
    frame = 255 - np.pad(_qr(URI), 40, constant_values=255)
    assert [c.text for c in decode_frame(frame)] == [URI]


def test_formats_restrict_what_is_read() -> None:
    frame = np.pad(_qr(URI), 40, constant_values=255)
    assert decode_frame(frame, formats=[Symbology.DATA_MATRIX]) == []
    assert [c.text for c in decode_frame(frame, formats=[Symbology.QR])] == [URI]


def test_corners_are_in_original_coordinates_after_upscaling() -> None:
    small = cv2.resize(_qr(URI, box=3), None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    frame = np.pad(small, 30, constant_values=255)
    direct = decode_mod._zxing(frame, decode_mod.DEFAULT_FORMATS)
    upscaled = decode_mod._pass_upscaled(frame, decode_mod.DEFAULT_FORMATS)
    assert [c.text for c in upscaled] == [URI] == [c.text for c in direct]
    for (x1, y1), (x2, y2) in zip(direct[0].corners, upscaled[0].corners, strict=True):
        assert abs(x1 - x2) < 3 and abs(y1 - y2) < 3


def test_duplicates_are_merged_but_two_copies_apart_are_kept() -> None:
    a = DecodedCode("X", Symbology.QR, ((0, 0), (100, 0), (100, 100), (0, 100)), "zxing")
    b = DecodedCode("X", Symbology.QR, ((3, 2), (102, 1), (101, 99), (2, 101)), "opencv")
    c = DecodedCode("X", Symbology.QR, ((500, 0), (600, 0), (600, 100), (500, 100)), "zxing")
    assert decode_mod._dedupe([a, b, c]) == [a, c]


def test_nothing_to_read_returns_empty_list() -> None:
    assert decode_frame(_scene()) == []
    assert decode_frame(np.zeros((10, 10, 3), np.uint8)) == []


def test_empty_or_odd_frames_raise_image_error() -> None:
    with pytest.raises(ImageError, match="empty"):
        decode_frame(np.zeros((0, 0), np.uint8))
    with pytest.raises(ImageError, match="unsupported frame shape"):
        decode_frame(np.zeros((10, 10, 2), np.uint8))


# --- a decoder that raises must not take the pipeline down ------------------------------------


class _RaisingDetector:
    def detectAndDecodeMulti(self, img: np.ndarray) -> object:  # noqa: N802 (OpenCV's name)
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")


def test_opencv_raising_does_not_stop_zxing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decode_mod.cv2, "QRCodeDetector", _RaisingDetector)
    frame = np.pad(_qr(URI), 40, constant_values=255)
    assert [c.text for c in decode_frame(frame)] == [URI]
    assert decode_frame(_scene()) == []  # every fallback ran, OpenCV raised, no crash


def test_opencv_raising_when_it_is_the_only_hope(monkeypatch: pytest.MonkeyPatch) -> None:
    def nothing(*args: object, **kwargs: object) -> list[DecodedCode]:
        return []

    monkeypatch.setattr(decode_mod, "_zxing", nothing)
    monkeypatch.setattr(decode_mod.cv2, "QRCodeDetector", _RaisingDetector)
    assert decode_frame(np.pad(_qr(URI), 40, constant_values=255)) == []


def test_opencv_alone_reads_and_is_cross_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = np.pad(_qr(URI, box=8), 40, constant_values=255)
    codes = decode_mod._opencv(frame, decode_mod.DEFAULT_FORMATS)
    assert [(c.text, c.decoder) for c in codes] == [(URI, "opencv")]


def test_untrusted_opencv_text_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    class LyingDetector:
        def detectAndDecodeMulti(self, img: np.ndarray) -> object:  # noqa: N802
            quad = np.array([[[10, 10], [60, 10], [60, 60], [10, 60]]], np.float32)
            return True, ("*ÃÞ»Þ²ÝQR*",), quad, None

    monkeypatch.setattr(decode_mod.cv2, "QRCodeDetector", LyingDetector)
    assert decode_mod._opencv(_scene(200, 200), decode_mod.DEFAULT_FORMATS) == []


# --- image files ------------------------------------------------------------------------------


def _png_bytes(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return buf.tobytes()


def test_reads_a_png_file(tmp_path: Path) -> None:
    path = tmp_path / "pack.png"
    path.write_bytes(_png_bytes(np.pad(_qr(URI), 40, constant_values=255)))
    image = read_image_file(path)
    assert image.ndim == 3 and image.shape[2] == 3
    assert [c.text for c in decode_frame(image)] == [URI]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="not found"):
        read_image_file(tmp_path / "nope.png")


def test_directory_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="not a file"):
        read_image_file(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        read_image_file(path)


@pytest.mark.parametrize(
    "content",
    [b"\x00" * 100, b"not an image at all\n" * 50, np.random.default_rng(0).bytes(5000)],
    ids=["zeros", "text", "random"],
)
def test_garbage_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError, match="corrupt"):
        read_image_file(path)


def test_truncated_png(tmp_path: Path) -> None:
    data = _png_bytes(_noisy(_scene(400, 300), 20))
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="corrupt"):
        read_image_file(path)


def test_truncated_jpeg_is_an_error_or_a_full_size_image(tmp_path: Path) -> None:
    ok, buf = cv2.imencode(".jpg", _noisy(_scene(400, 300), 20))
    assert ok
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.tobytes()[: len(buf) // 2])
    try:
        image = read_image_file(path)
    except ImageError as exc:
        assert "corrupt" in str(exc)
    else:  # libjpeg fills the missing part with grey
        assert image.shape == (300, 400, 3)


def _huge_png(path: Path, width: int, height: int) -> None:
    """Write a valid, all-white gray PNG of any size without holding its pixels in memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" + b"\xff" * width
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row * 100) for _ in range(height // 100))
    body += comp.compress(row * (height % 100)) + comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
        + chunk(b"IEND", b"")
    )


def test_huge_image_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    _huge_png(path, 12000, 12000)
    assert path.stat().st_size < 2_000_000  # white compresses: a small file, 144 MP inside
    start = time.perf_counter()
    with pytest.raises(ImageError, match=r"too large \(12000x12000 pixels"):
        read_image_file(path)
    assert time.perf_counter() - start < 2.0


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    with path.open("wb") as f:
        f.truncate(decode_mod.MAX_IMAGE_BYTES + 1)  # sparse: no disk used
    with pytest.raises(ImageError, match="too large .* MB"):
        read_image_file(path)


def test_large_photo_within_limits_is_read(tmp_path: Path) -> None:
    scene = _scene(4000, 3000, seed=9)
    _place(scene, _qr(URI, box=10), [(1500.0, 1000.0), (2100.0, 1000.0), (2100.0, 1600.0),
                                     (1500.0, 1600.0)])
    path = tmp_path / "photo.jpg"
    ok, buf = cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    path.write_bytes(buf.tobytes())
    codes = decode_frame(read_image_file(path))
    assert [c.text for c in codes] == [URI]
    assert 1500 <= codes[0].center[0] <= 2100
