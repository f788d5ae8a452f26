"""Peak memory of bundle export and import, against the bundle's size.

Usage: .venv/bin/python bench/bench_bundle.py [--entries N]

A manufacturer's log gets N one-pack commission entries (signed in a tight loop and written
straight into its store, as in bench_sync.py). Then, each in a fresh process so that the peak
belongs to it alone: `export_bundle` to a file, and `import_bundle` of that file into an empty
node. The peak is the process's maximum resident set size (``resource.getrusage``, which
counts SQLite's and OpenSSL's memory too) minus its size just before the call; the ratio is
that over the bundle file's size. Many small entries are the worst case for per-object
overhead, so the ratio is an upper bound for bundles of the same size.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_sync import DIST, MAKER, MEMBERS, PASSPHRASE, generate  # noqa: E402
from bench.machine import describe  # noqa: E402
from supplychain.interchange.bundle import export_bundle, import_bundle  # noqa: E402
from supplychain.node.operations import Node  # noqa: E402
from supplychain.node.setup import build_network  # noqa: E402


def _rss_bytes() -> int:
    status = Path("/proc/self/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def measure(action: str, home: Path, path: Path) -> None:
    """Run one export or import in this (fresh) process and print its peak as JSON."""
    node = Node(home, lambda: PASSPHRASE)
    before = _rss_bytes()
    t0 = time.perf_counter()
    if action == "export":
        written = export_bundle(node.ledger, path)
        entries = sum(written.values())
    else:
        entries = import_bundle(node.ledger, path).total_new
    seconds = time.perf_counter() - t0
    node.close()
    files = [path] if path.exists() else sorted(path.parent.glob(path.name + "*"))
    size = sum(f.stat().st_size for f in files)
    print(json.dumps({"action": action, "entries": entries, "bytes": size, "seconds": seconds,
                      "peak_above_start": _peak_bytes() - before}))


def _run(action: str, home: Path, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--measure", action, str(home), str(path)],
                         check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--measure", nargs=3, metavar=("ACTION", "HOME", "PATH"))
    args = parser.parse_args()
    if args.measure:
        action, home, path = args.measure
        measure(action, Path(home), Path(path))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    try:
        _, homes = build_network(tmp / "net", "Bench", MEMBERS, PASSPHRASE)
        with Node(homes[MAKER], lambda: PASSPHRASE) as source:
            seconds = generate(source, args.entries)
        print(f"generated {args.entries} signed entries in {seconds:.1f} s")
        target = tmp / "target"
        shutil.copytree(homes[DIST], target)
        bundle = tmp / "bundle.json"
        print(f"machine: {describe()}")
        for action, home in (("export", homes[MAKER]), ("import", target)):
            r = _run(action, home, bundle)
            print(f"{action}: {r['entries']:,} entries, bundle {r['bytes'] / 1e6:,.1f} MB, "
                  f"{r['seconds']:.1f} s, peak {r['peak_above_start'] / 1e6:,.1f} MB above the "
                  f"start = {r['peak_above_start'] / r['bytes']:.2f}x the bundle")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
