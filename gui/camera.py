"""The camera worker: frames from a camera (or a video file standing in for one) -> codes.

A QThread that owns the capture device: it emits COPIED ``QImage`` previews (at most ~20 a
second), decodes with ``scan_stream(..., try_harder_every=10)`` and a ``StreamDeduplicator``
that counts a code only after two identical reads in a row and then reports it once while it
stays in view. It never touches a widget; ``stop()`` is cooperative and the source is always
released (``scan_stream`` releases it in ``finally``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from supplychain.errors import CameraError, ImageError, SupplyChainError
from supplychain.scanning import (
    CameraSource,
    Frame,
    FrameSource,
    StreamDeduplicator,
    VideoFileSource,
    scan_stream,
)

PREVIEW_INTERVAL_S = 0.05
PREVIEW_MAX_WIDTH = 960


def to_qimage(image: np.ndarray) -> QImage:
    """A deep-copied RGB QImage of a BGR/gray frame (never wraps the NumPy buffer)."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[1] > PREVIEW_MAX_WIDTH:
        scale = PREVIEW_MAX_WIDTH / image.shape[1]
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class _Tee:
    """A frame source that passes frames on and emits throttled previews on the way."""

    def __init__(self, source: FrameSource, worker: CameraWorker) -> None:
        self.source = source
        self.worker = worker
        self.last: Frame | None = None

    def frames(self) -> Iterator[Frame]:
        last_preview = 0.0
        for frame in self.source.frames():
            if self.worker.stopping():
                return
            self.last = frame
            now = time.monotonic()
            if now - last_preview >= PREVIEW_INTERVAL_S:
                last_preview = now
                self.worker.frame_ready.emit(to_qimage(frame.image))
            yield frame

    def release(self) -> None:
        self.source.release()


class CameraWorker(QThread):
    """Reads ``source`` (a camera index, or a video file path) until stopped or it ends."""

    frame_ready = Signal(QImage)
    code_read = Signal(str, object, QImage)  # text, corners (frame pixels), the frame
    failed = Signal(str)

    def __init__(self, source: int | Path, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.source_spec = source
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def stopping(self) -> bool:
        return self._stop.is_set()

    def _scale(self, frame: Frame) -> float:
        width = frame.image.shape[1]
        return PREVIEW_MAX_WIDTH / width if width > PREVIEW_MAX_WIDTH else 1.0

    def run(self) -> None:
        try:
            if isinstance(self.source_spec, Path):
                source: FrameSource = VideoFileSource(self.source_spec)
            else:
                source = CameraSource(int(self.source_spec), open_timeout_ms=3000,
                                      read_timeout_ms=1000, max_failed_reads=10)
        except CameraError as exc:
            self.failed.emit(self.tr("No camera: {problem}. Use the scanner, or open a "
                                     "picture.").format(problem=exc))
            return
        except (ImageError, SupplyChainError) as exc:
            self.failed.emit(str(exc))
            return
        tee = _Tee(source, self)
        dedup = StreamDeduplicator(confirm_reads=2, forget_after_seconds=2.0)
        try:
            for frame, codes in scan_stream(tee, try_harder_every=10, deduplicator=dedup):
                if self.stopping():
                    break
                scale = self._scale(frame)
                preview = to_qimage(frame.image)
                for code in codes:
                    corners = tuple((x * scale, y * scale) for x, y in code.corners)
                    self.code_read.emit(code.text, corners, preview)
        except CameraError as exc:
            self.failed.emit(self.tr("The camera stopped: {problem}").format(problem=exc))
        except SupplyChainError as exc:
            self.failed.emit(str(exc))
        finally:
            tee.release()
