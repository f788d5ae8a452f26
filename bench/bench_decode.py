"""Benchmark the decoding pipeline against plain OpenCV and plain zxing-cpp, in one run.

Usage: .venv/bin/python bench/bench_decode.py [--seconds S]

1. Read counts per set on the real images in tests/data/barcodes: a read counts
   when the expected text (NAME.txt) is among the texts returned; wrong texts are counted too.
2. Frames per second on synthetic 1280x720 frames, with one code and with none.
Absolute numbers drift between machines; compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import qrcode  # noqa: E402
import zxingcpp  # noqa: E402
from machine import describe  # noqa: E402

from supplychain.scanning.decode import decode_frame, read_image_file  # noqa: E402

BARCODES = ROOT / "tests" / "data" / "barcodes"
URI = "https://id.gs1.org/01/09506000134352/21/ABC123?10=L1&17=270630"
#: Genuine second codes in the set (see tests/scanning/test_decode.py): not "wrong".
EXTRA_CODES = {"qrcode-2/16.webp": {"[外側QRコード]\r\n \r\n*ﾀﾞﾌﾞﾙQR*\r\nhttp://d-qr.net/ex/"}}

Reader = Callable[[np.ndarray], list[str]]


def opencv_plain(image: np.ndarray, detector: cv2.QRCodeDetector | None = None) -> list[str]:
    """``cv2.QRCodeDetector().detectAndDecodeMulti``; an exception counts as nothing read."""
    try:
        ok, texts, _, _ = (detector or cv2.QRCodeDetector()).detectAndDecodeMulti(image)
    except Exception:  # UnicodeDecodeError on some binary payloads
        return []
    return [t for t in texts if t] if ok else []


def zxing_alone(image: np.ndarray) -> list[str]:
    """``zxingcpp.read_barcodes`` with its defaults (all formats, HRI text)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return [r.text for r in zxingcpp.read_barcodes(image)]


def pipeline(image: np.ndarray) -> list[str]:
    """``decode_frame`` with its defaults."""
    return [c.text for c in decode_frame(image)]


def pipeline_fast(image: np.ndarray) -> list[str]:
    """``decode_frame(try_harder=False)``: zxing on the frame only."""
    return [c.text for c in decode_frame(image, try_harder=False)]


def _alternating(n: int) -> Reader:
    """What ``scan_stream(try_harder_every=n)`` does: the fallbacks on 1 frame in n."""
    count = 0

    def read(image: np.ndarray) -> list[str]:
        nonlocal count
        count += 1
        return [c.text for c in decode_frame(image, try_harder=count % n == 1)]

    return read


def machine() -> list[str]:
    """Lines describing this machine and the library versions."""
    zx_version = getattr(zxingcpp, "__version__", None)
    if zx_version is None:
        from importlib.metadata import version

        zx_version = version("zxing-cpp")
    return [
        describe(),
        f"opencv-python-headless {cv2.__version__}, zxing-cpp {zx_version}, "
        f"numpy {np.__version__}",
    ]


def real_images() -> None:
    """Print per-set read counts of the three readers on the real images."""
    images = sorted(p for p in BARCODES.glob("*/*") if p.suffix not in {".txt", ".md"})
    readers: dict[str, Reader] = {
        "cv2.QRCodeDetector": opencv_plain,
        "zxing-cpp alone": zxing_alone,
        "pipeline": pipeline,
    }
    reads = {name: Counter[str]() for name in readers}
    wrong = Counter[str]()
    seconds = Counter[str]()
    total = Counter[str]()
    for path in images:
        expected = path.with_suffix(".txt").read_bytes().decode("utf-8")
        allowed = {expected} | EXTRA_CODES.get(f"{path.parent.name}/{path.name}", set())
        image = read_image_file(path)
        total[path.parent.name] += 1
        for name, reader in readers.items():
            start = time.perf_counter()
            texts = reader(image)
            seconds[name] += time.perf_counter() - start
            reads[name][path.parent.name] += expected in texts
            wrong[name] += sum(t not in allowed for t in texts)
    names = list(readers)
    print(f"### Real images ({len(images)} from {BARCODES.name}/), exact text read\n")
    print("| set | images | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for s in sorted(total):
        print(f"| {s} | {total[s]} | " + " | ".join(str(reads[n][s]) for n in names) + " |")
    print(f"| **total** | {sum(total.values())} | "
          + " | ".join(f"**{sum(reads[n].values())}**" for n in names) + " |")
    print("| wrong texts | | " + " | ".join(str(wrong[n]) for n in names) + " |")
    print("| time for the set | | " + " | ".join(f"{seconds[n]:.2f} s" for n in names) + " |")
    print()


def _scene(seed: int, with_code: bool) -> np.ndarray:
    """A 1280x720 BGR frame: lit gradient, sensor noise, maybe one tilted QR code."""
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, 1, 1280)[None, :]
    ys = np.linspace(0, 1, 720)[:, None]
    gray = (140 + 70 * xs + 30 * ys + rng.normal(0, 3, (720, 1280))).clip(0, 255)
    gray = gray.astype(np.uint8)
    if with_code:
        q = qrcode.QRCode(border=4, box_size=5)
        q.add_data(URI.replace("ABC123", f"S{seed:05d}"))
        q.make(fit=True)
        code = np.array(q.make_image().get_image().convert("L"), dtype=np.uint8)
        h, w = code.shape
        ox, oy = 300 + 40 * (seed % 10), 150 + 20 * (seed % 7)
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        dst = np.array([[ox, oy], [ox + w, oy + 15], [ox + w - 10, oy + h + 20],
                        [ox - 15, oy + h]], np.float32)
        m = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(code, m, (1280, 720))
        mask = cv2.warpPerspective(np.full_like(code, 255), m, (1280, 720))
        gray[mask > 0] = warped[mask > 0]
        gray = cv2.GaussianBlur(gray, (0, 0), 0.8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def _fps(reader: Reader, frames: list[np.ndarray], seconds: float) -> tuple[float, int]:
    """Mean frames per second of ``reader`` over ``frames`` (cycled for ``seconds``)."""
    times: list[float] = []
    read = 0
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline or i < len(frames):
        frame = frames[i % len(frames)]
        start = time.perf_counter()
        texts = reader(frame)
        times.append(time.perf_counter() - start)
        if i < len(frames):
            read += bool(texts)
        i += 1
    return len(times) / sum(times), read


def synthetic_fps(seconds: float) -> None:
    """Print frames per second with one code and with none, pipeline vs plain OpenCV."""
    detector = cv2.QRCodeDetector()
    readers: dict[str, Reader] = {
        "cv2.QRCodeDetector (reused)": lambda f: opencv_plain(f, detector),
        "pipeline (try_harder=True)": pipeline,
        "pipeline (try_harder=False)": pipeline_fast,
        "pipeline, try_harder 1 frame in 10": _alternating(10),
    }
    print("### Synthetic 1280x720 frames, mean frames per second (OpenCV single thread)\n")
    print("| decoder | one code: fps | read | no code: fps | vs cv2 (code / none) |")
    print("|---|---:|---:|---:|---:|")
    sets = {
        "code": [_scene(seed, True) for seed in range(10)],
        "none": [_scene(seed, False) for seed in range(10)],
    }
    base: dict[str, float] = {}
    for name, reader in readers.items():
        fps_code, read = _fps(reader, sets["code"], seconds)
        fps_none, _ = _fps(reader, sets["none"], seconds)
        if not base:
            base = {"code": fps_code, "none": fps_none}
        print(f"| {name} | {fps_code:.1f} | {read}/10 | {fps_none:.1f} | "
              f"{fps_code / base['code']:.2f}x / {fps_none / base['none']:.2f}x |")
    print()


def main() -> None:
    """Run both benchmarks and print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per FPS measurement")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print("Machine: " + "; ".join(machine()) + "\n")
    real_images()
    synthetic_fps(args.seconds)


if __name__ == "__main__":
    main()
