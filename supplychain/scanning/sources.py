"""Frame sources (camera, video file, image file, folder) and once-per-appearance reporting.

Every source is a context manager whose ``frames()`` yields ``Frame`` objects and whose
``release()`` frees the device or file; ``frames()`` releases in ``finally`` too. Cameras
fail fast with ``CameraError``, files with ``ImageError``, each with a plain message.

``StreamDeduplicator`` is pure logic (no I/O): it turns "this code is in this frame" into
"report this code now", once per appearance. ``scan_stream`` ties a source, a decoder and
a deduplicator together.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import cv2
import numpy as np

from supplychain.errors import CameraError, ImageError, SupplyChainError
from supplychain.i18n import _
from supplychain.scanning.decode import DecodedCode, decode_frame, read_image_file

__all__ = [
    "IMAGE_SUFFIXES",
    "CameraSource",
    "FolderSource",
    "Frame",
    "FrameSource",
    "ImageFileSource",
    "StreamDeduplicator",
    "VideoFileSource",
    "scan_stream",
]

log = logging.getLogger(__name__)

#: File name suffixes FolderSource treats as images.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})


@dataclass(frozen=True)
class Frame:
    """One image from a source.

    ``label`` names it for people (file name, or ``"frame 12"``); ``index`` counts frames
    from 0; ``timestamp`` is seconds: the position in a video, time since a camera opened,
    0.0 for still images.
    """

    image: np.ndarray = field(repr=False)
    label: str
    index: int
    timestamp: float


class FrameSource(Protocol):
    """What ``scan_stream`` needs from a source."""

    def frames(self) -> Iterator[Frame]:
        """Yield frames until the source ends (or forever, for a camera)."""
        ...

    def release(self) -> None:
        """Free the device or file; safe to call twice."""
        ...


class _Source:
    """Context-manager plumbing shared by every source."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def release(self) -> None:
        """Nothing to free by default."""


class _CaptureSource(_Source):
    """A source backed by ``cv2.VideoCapture``."""

    def __init__(self) -> None:
        self._cap: cv2.VideoCapture | None = None

    def release(self) -> None:
        """Close the capture device or file."""
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()


class CameraSource(_CaptureSource):
    """Frames from a camera (``index`` as OpenCV numbers them, 0 = the first).

    Opening is bounded by ``open_timeout_ms`` and each read by ``read_timeout_ms`` where the
    backend honours them; after ``max_failed_reads`` failed reads in a row (unplugged, taken
    by another program) ``frames()`` raises ``CameraError`` instead of waiting forever.
    """

    def __init__(
        self,
        index: int = 0,
        *,
        width: int | None = None,
        height: int | None = None,
        open_timeout_ms: int = 3000,
        read_timeout_ms: int = 1000,
        max_failed_reads: int = 10,
        retry_delay_s: float = 0.05,
        backend: int = cv2.CAP_ANY,
    ) -> None:
        super().__init__()
        self.index = index
        self.max_failed_reads = max_failed_reads
        self.retry_delay_s = retry_delay_s
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, open_timeout_ms,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, read_timeout_ms,
        ]
        try:
            cap = cv2.VideoCapture(index, backend, params)
        except cv2.error as exc:
            raise CameraError(_("camera {index} could not be opened: {exc}")
                              .format(index=index, exc=exc)) from exc
        if not cap.isOpened():
            cap.release()
            raise CameraError(
                _("camera {index} could not be opened: it is not connected, is in use by "
                  "another program, or this program may not use it").format(index=index)
            )
        if width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap = cap

    def frames(self) -> Iterator[Frame]:
        """Yield frames until released; raise ``CameraError`` if the camera stops."""
        start = time.monotonic()
        index = 0
        failures = 0
        try:
            while self._cap is not None:
                ok, image = self._cap.read()
                if not ok or image is None:
                    failures += 1
                    if failures >= self.max_failed_reads:
                        raise CameraError(
                            _("camera {index} stopped delivering pictures after "
                              "{failures} failed reads: was it unplugged or taken by "
                              "another program?").format(index=self.index, failures=failures)
                        )
                    time.sleep(self.retry_delay_s)
                    continue
                failures = 0
                yield Frame(image, f"frame {index}", index, time.monotonic() - start)
                index += 1
        finally:
            self.release()


class VideoFileSource(_CaptureSource):
    """Frames of a video file (any container/codec the OpenCV build reads, e.g. MJPG .avi)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        if not self.path.exists():
            raise ImageError(_("video file not found: {path}").format(path=self.path))
        if not self.path.is_file():  # a folder, a device, a named pipe: never opened
            raise ImageError(_("not a file: {path}").format(path=self.path))
        if self.path.stat().st_size == 0:
            raise ImageError(_("video file is empty (0 bytes): {path}").format(path=self.path))
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise ImageError(
                _("cannot open video file {path}: it is corrupt or its format is not "
                  "supported").format(path=self.path)
            )
        self._cap = cap

    def frames(self) -> Iterator[Frame]:
        """Yield every frame in order, then release the file."""
        index = 0
        try:
            while self._cap is not None:
                ok, image = self._cap.read()
                if not ok or image is None:
                    return
                seconds = float(self._cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
                yield Frame(image, f"frame {index}", index, seconds)
                index += 1
        finally:
            self.release()


class ImageFileSource(_Source):
    """One still image file as a one-frame source; errors surface when it is opened."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._image: np.ndarray | None = read_image_file(self.path)

    def frames(self) -> Iterator[Frame]:
        """Yield the image once."""
        try:
            if self._image is not None:
                yield Frame(self._image, self.path.name, 0, 0.0)
        finally:
            self.release()

    def release(self) -> None:
        """Drop the pixels."""
        self._image = None


class FolderSource(_Source):
    """The image files of one folder (not sub-folders), sorted by name.

    A file that cannot be read is logged, recorded in ``skipped`` with its error, and
    skipped: one bad photo does not stop a batch.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, suffixes: Iterable[str] = IMAGE_SUFFIXES
    ) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise ImageError(_("folder not found: {path}").format(path=self.path))
        wanted = {s.lower() for s in suffixes}
        self.files = sorted(
            (p for p in self.path.iterdir() if p.is_file() and p.suffix.lower() in wanted),
            key=lambda p: p.name,
        )
        self.skipped: list[tuple[Path, SupplyChainError]] = []

    def frames(self) -> Iterator[Frame]:
        """Yield each readable image, in name order."""
        index = 0
        for file in self.files:
            try:
                image = read_image_file(file)
            except ImageError as exc:
                log.warning("skipping %s: %s", file.name, exc)
                self.skipped.append((file, exc))
                continue
            yield Frame(image, file.name, index, 0.0)
            index += 1


# --- reporting each code once per appearance ---------------------------------------------------


@dataclass
class _Track:
    streak: int  # consecutive observed frames
    last_frame: int
    last_time: float
    reported: bool


class StreamDeduplicator:
    """Report each distinct code once while it stays in view.

    Feed it the codes of every decoded frame with ``update``. A code is reported once it has
    been read in ``confirm_reads`` consecutive frames, and again only after it was absent for
    ``forget_after`` frames (or, if ``forget_after_seconds`` is given, that many seconds by
    the timestamps passed in). Codes are told apart by text.
    """

    def __init__(
        self,
        *,
        confirm_reads: int = 1,
        forget_after: int = 15,
        forget_after_seconds: float | None = None,
    ) -> None:
        if confirm_reads < 1:
            raise ValueError("confirm_reads must be at least 1")
        if forget_after < 1:
            raise ValueError("forget_after must be at least 1")
        self.confirm_reads = confirm_reads
        self.forget_after = forget_after
        self.forget_after_seconds = forget_after_seconds
        self._frame = -1
        self._tracks: dict[str, _Track] = {}

    def _gone(self, track: _Track, frame: int, now: float) -> bool:
        if self.forget_after_seconds is not None:
            return now - track.last_time >= self.forget_after_seconds
        return frame - track.last_frame - 1 >= self.forget_after

    def update(
        self, codes: Iterable[DecodedCode], timestamp: float | None = None
    ) -> list[DecodedCode]:
        """Record one frame's codes; return those to report now (first read of each text)."""
        self._frame += 1
        frame = self._frame
        now = float(frame) if timestamp is None else timestamp
        new: list[DecodedCode] = []
        seen: set[str] = set()
        for code in codes:
            if code.text in seen:
                continue
            seen.add(code.text)
            track = self._tracks.get(code.text)
            if track is None or self._gone(track, frame, now):
                track = _Track(streak=0, last_frame=frame - 2, last_time=now, reported=False)
                self._tracks[code.text] = track
            track.streak = track.streak + 1 if track.last_frame == frame - 1 else 1
            track.last_frame = frame
            track.last_time = now
            if not track.reported and track.streak >= self.confirm_reads:
                track.reported = True
                new.append(code)
        for text in [t for t, tr in self._tracks.items() if t not in seen]:
            if self._gone(self._tracks[text], frame, now):
                del self._tracks[text]
        return new

    def reset(self) -> None:
        """Forget everything: the next read of any code is reported again."""
        self._frame = -1
        self._tracks.clear()


class Decoder(Protocol):
    """A frame decoder: ``decode_frame`` or anything with its call shape."""

    def __call__(self, frame: np.ndarray, *, try_harder: bool = True) -> list[DecodedCode]:
        """Return the codes in ``frame``."""
        ...


def scan_stream(
    source: FrameSource,
    decoder: Decoder = decode_frame,
    every_nth: int = 1,
    *,
    try_harder_every: int = 1,
    deduplicator: StreamDeduplicator | None = None,
) -> Iterator[tuple[Frame, list[DecodedCode]]]:
    """Decode every ``every_nth`` frame of ``source``; yield ``(frame, new codes)``.

    Only frames with at least one newly reported code are yielded (see
    ``StreamDeduplicator``; a default one is used if none is given). Frames that are not
    decoded do not count towards ``forget_after``. The source is released at the end.

    ``try_harder_every=n`` runs the decoder's slow fallbacks on one decoded frame in n
    only (the others get ``try_harder=False``). The fallbacks cost ~0.2 s on an empty
    1280x720 frame, so a live camera wants n of about 10 (see docs/BENCHMARKS.md).
    """
    if every_nth < 1 or try_harder_every < 1:
        raise ValueError("every_nth and try_harder_every must be at least 1")
    dedup = deduplicator or StreamDeduplicator()
    decoded = 0
    try:
        for frame in source.frames():
            if frame.index % every_nth:
                continue
            harder = decoded % try_harder_every == 0
            decoded += 1
            new = dedup.update(decoder(frame.image, try_harder=harder), frame.timestamp)
            if new:
                yield frame, new
    finally:
        source.release()
