"""The live preview: a video file stands in for the camera."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from supplychain.codes.labels import qr_image
from tests.gui.conftest import WAIT_MS


def write_video(path: Path, text: str, frames: int = 30) -> None:
    """An MJPG .avi: blank frames, then the QR held in view, then blank again."""
    qr = np.array(qr_image(text, box_size=6).convert("L"))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (640, 480))
    try:
        for i in range(frames):
            frame = np.full((480, 640, 3), 200, np.uint8)
            if 5 <= i < frames - 5:
                h, w = qr.shape
                y, x = (480 - h) // 2, (640 - w) // 2 + (i % 3)  # a slightly shaky hand
                frame[y:y + h, x:x + w] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
            writer.write(frame)
    finally:
        writer.release()


def test_video_stands_in_for_camera_read_outlined_verified_once(qtbot, window,
                                                                tmp_path: Path) -> None:
    view = window.views["scan"]
    video = tmp_path / "camera.avi"
    write_video(video, window.demo.samples["genuine"])
    outlines: list[object] = []
    view.preview.set_outline = _spy(view.preview.set_outline, outlines)
    view.start_camera(video)
    worker = view.camera
    qtbot.waitUntil(lambda: view.verifications == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view.camera is None, timeout=WAIT_MS)  # the video ended
    assert worker is not None
    assert view.banner.property("verdict") == "genuine"
    assert view.verifications == 1  # read in ~20 frames, verified once
    assert len(outlines) == 1
    corners = outlines[0]
    assert len(corners) == 4 and all(0 <= x <= 640 and 0 <= y <= 480 for x, y in corners)
    assert view.preview.image is not None and not view.preview.image.isNull()


def test_missing_camera_gives_a_plain_message(qtbot, window) -> None:
    view = window.views["scan"]
    view.start_camera(9)
    qtbot.waitUntil(lambda: view.camera is None, timeout=WAIT_MS)
    assert "No camera" in view.preview.message
    assert view.camera_button.text() == "Start camera"


def _spy(fn, calls: list[object]):  # type: ignore[no-untyped-def]
    def wrapper(corners, image):  # type: ignore[no-untyped-def]
        calls.append(corners)
        return fn(corners, image)
    return wrapper
