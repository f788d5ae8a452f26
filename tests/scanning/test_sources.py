"""Frame sources and once-per-appearance reporting (videos stand in for a camera)."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode

from supplychain.errors import CameraError, ImageError
from supplychain.scanning.decode import DecodedCode, Symbology, decode_frame
from supplychain.scanning.sources import (
    CameraSource,
    FolderSource,
    Frame,
    ImageFileSource,
    StreamDeduplicator,
    VideoFileSource,
    scan_stream,
)

URI = "https://id.gs1.org/01/09506000134352/21/ABC123?10=L1&17=270630"
SIZE = (640, 480)


def _qr_frame(text: str | None, seed: int = 0) -> np.ndarray:
    """A 640x480 BGR frame: grey noisy background, with a QR code in the middle if text."""
    rng = np.random.default_rng(seed)
    frame = (170 + rng.normal(0, 4, (SIZE[1], SIZE[0]))).clip(0, 255).astype(np.uint8)
    if text is not None:
        q = qrcode.QRCode(border=4, box_size=5)
        q.add_data(text)
        q.make(fit=True)
        code = np.array(q.make_image().get_image().convert("L"), dtype=np.uint8)
        h, w = code.shape
        y, x = (SIZE[1] - h) // 2, (SIZE[0] - w) // 2
        frame[y : y + h, x : x + w] = code
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def _write_video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, SIZE)
    assert writer.isOpened()
    try:
        for f in frames:
            writer.write(f)
    finally:
        writer.release()


def _code(text: str) -> DecodedCode:
    return DecodedCode(text, Symbology.QR, ((0, 0), (1, 0), (1, 1), (0, 1)), "zxing")


# --- StreamDeduplicator (pure) -----------------------------------------------------------------


def _feed(dedup: StreamDeduplicator, frames: list[list[str]]) -> list[tuple[int, str]]:
    out = []
    for i, texts in enumerate(frames):
        out += [(i, c.text) for c in dedup.update([_code(t) for t in texts])]
    return out


def test_reported_once_while_in_view() -> None:
    assert _feed(StreamDeduplicator(), [["A"]] * 30) == [(0, "A")]


def test_reported_again_after_being_away_long_enough() -> None:
    frames = [["A"]] * 5 + [[]] * 3 + [["A"]] * 5 + [[]] * 4 + [["A"]]
    assert _feed(StreamDeduplicator(forget_after=4), frames) == [(0, "A"), (17, "A")]


def test_short_dropouts_do_not_cause_repeats() -> None:
    frames = [["A"], [], ["A"], [], [], ["A"], ["A"], [], ["A"]]
    assert _feed(StreamDeduplicator(forget_after=3), frames) == [(0, "A")]


def test_confirmation_needs_consecutive_reads() -> None:
    frames = [["A"], [], ["A"], ["B"], ["A", "B"], ["A", "B"]]
    assert _feed(StreamDeduplicator(confirm_reads=2), frames) == [(4, "B"), (5, "A")]


def test_a_single_misread_is_never_reported_with_confirmation() -> None:
    frames = [["A"], ["A"], ["A?"], ["A"], ["A"]]
    assert _feed(StreamDeduplicator(confirm_reads=2), frames) == [(1, "A")]


def test_several_codes_in_view() -> None:
    frames = [["A", "B"], ["B", "A"], ["A", "B", "C"], ["A", "A"]]
    assert _feed(StreamDeduplicator(), frames) == [(0, "A"), (0, "B"), (2, "C")]


def test_forgetting_by_seconds() -> None:
    dedup = StreamDeduplicator(forget_after_seconds=1.0)
    assert [c.text for c in dedup.update([_code("A")], 0.0)] == ["A"]
    assert dedup.update([_code("A")], 0.5) == []
    assert dedup.update([], 0.9) == []
    assert dedup.update([_code("A")], 1.2) == []  # absent only 0.7 s
    assert dedup.update([], 2.0) == []
    assert [c.text for c in dedup.update([_code("A")], 2.3)] == ["A"]  # absent 1.1 s


def test_reset_and_validation() -> None:
    dedup = StreamDeduplicator()
    assert len(dedup.update([_code("A")])) == 1
    dedup.reset()
    assert len(dedup.update([_code("A")])) == 1
    with pytest.raises(ValueError):
        StreamDeduplicator(confirm_reads=0)
    with pytest.raises(ValueError):
        StreamDeduplicator(forget_after=0)


# --- video files ----------------------------------------------------------------------------


def test_video_reports_a_code_once_per_appearance(tmp_path: Path) -> None:
    path = tmp_path / "counter.avi"
    code, blank = _qr_frame(URI), _qr_frame(None)
    _write_video(path, [code] * 20 + [blank] * 20 + [code] * 20)
    with VideoFileSource(path) as source:
        reports = list(scan_stream(source))
    assert [[c.text for c in codes] for _, codes in reports] == [[URI], [URI]]
    assert [frame.index for frame, _ in reports] == [0, 40]
    assert reports[1][0].timestamp == pytest.approx(4.0, abs=0.2)


def test_every_nth_frame(tmp_path: Path) -> None:
    path = tmp_path / "counter.avi"
    _write_video(path, [_qr_frame(None)] * 5 + [_qr_frame(URI)] * 10)
    calls: list[bool] = []

    def decoder(image: np.ndarray, *, try_harder: bool = True) -> list[DecodedCode]:
        calls.append(try_harder)
        return decode_frame(image, try_harder=try_harder)

    reports = list(
        scan_stream(VideoFileSource(path), decoder, every_nth=3, try_harder_every=2)
    )
    assert calls == [True, False, True, False, True]  # frames 0, 3, 6, 9, 12
    assert [f.index for f, _ in reports] == [6]
    with pytest.raises(ValueError):
        next(scan_stream(VideoFileSource(path), decoder, try_harder_every=0))


def test_video_without_codes_yields_frames_and_reports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.avi"
    _write_video(path, [_qr_frame(None, seed=i) for i in range(12)])
    with VideoFileSource(path) as source:
        frames = list(source.frames())
    assert len(frames) == 12
    assert all(isinstance(f, Frame) and f.image.shape == (480, 640, 3) for f in frames)
    assert [f.label for f in frames[:2]] == ["frame 0", "frame 1"]
    assert list(scan_stream(VideoFileSource(path))) == []


def test_missing_and_corrupt_video_files(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="not found"):
        VideoFileSource(tmp_path / "nope.avi")
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        VideoFileSource(empty)
    junk = tmp_path / "junk.avi"
    junk.write_bytes(np.random.default_rng(0).bytes(10_000))
    with pytest.raises(ImageError, match="cannot open video"):
        VideoFileSource(junk)


def test_release_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "v.avi"
    _write_video(path, [_qr_frame(None)] * 3)
    source = VideoFileSource(path)
    frames = source.frames()
    next(frames)
    source.release()
    source.release()
    assert list(frames) == []


# --- cameras ----------------------------------------------------------------------------------


def test_missing_camera_fails_fast() -> None:
    start = time.monotonic()
    with pytest.raises(CameraError, match="camera 99 could not be opened"):
        CameraSource(99)
    assert time.monotonic() - start < 5.0


class _DeadCapture:
    """A capture that opened but never delivers a frame (an unplugged camera)."""

    def __init__(self) -> None:
        self.reads = 0
        self.released = False

    def read(self) -> tuple[bool, None]:
        self.reads += 1
        return False, None

    def release(self) -> None:
        self.released = True


def test_camera_that_stops_delivering_raises_after_bounded_retries() -> None:
    source = CameraSource.__new__(CameraSource)
    dead = _DeadCapture()
    source._cap = dead
    source.index = 0
    source.max_failed_reads = 5
    source.retry_delay_s = 0.0
    with pytest.raises(CameraError, match="stopped delivering"):
        list(source.frames())
    assert dead.reads == 5 and dead.released


# --- still images -----------------------------------------------------------------------------


def test_image_file_source(tmp_path: Path) -> None:
    path = tmp_path / "pack.png"
    cv2.imwrite(str(path), _qr_frame(URI))
    with ImageFileSource(path) as source:
        frames = list(source.frames())
    assert [(f.label, f.index) for f in frames] == [("pack.png", 0)]
    reports = list(scan_stream(ImageFileSource(path)))
    assert [[c.text for c in codes] for _, codes in reports] == [[URI]]


def test_folder_source_sorted_and_skips_bad_files(tmp_path: Path) -> None:
    for name, text in [("b.png", "B"), ("a.png", "A"), ("c.jpg", "C")]:
        cv2.imwrite(str(tmp_path / name), _qr_frame(text))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    (tmp_path / "notes.txt").write_text("ignored")
    source = FolderSource(tmp_path)
    labels = [f.label for f in source.frames()]
    assert labels == ["a.png", "b.png", "c.jpg"]
    assert [p.name for p, _ in source.skipped] == ["broken.png"]
    texts = [c.text for _, codes in scan_stream(FolderSource(tmp_path)) for c in codes]
    assert texts == ["A", "B", "C"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="folder not found"):
        FolderSource(tmp_path / "nope")
