"""Scanning: frames from cameras, videos and image files -> the codes printed on packs.

No GUI here: the desktop app runs these in a worker thread and shows the results.
"""

from supplychain.scanning.decode import (
    DEFAULT_FORMATS,
    NO_CODE_FOUND,
    DecodedCode,
    Symbology,
    decode_frame,
    read_image_file,
)
from supplychain.scanning.sources import (
    CameraSource,
    FolderSource,
    Frame,
    FrameSource,
    ImageFileSource,
    StreamDeduplicator,
    VideoFileSource,
    scan_stream,
)

__all__ = [
    "DEFAULT_FORMATS",
    "NO_CODE_FOUND",
    "CameraSource",
    "DecodedCode",
    "FolderSource",
    "Frame",
    "FrameSource",
    "ImageFileSource",
    "StreamDeduplicator",
    "Symbology",
    "VideoFileSource",
    "decode_frame",
    "read_image_file",
    "scan_stream",
]
