"""bench/bench_light.py runs end to end at a small scale (real `serve` process, real TLS).

The bench asserts as it goes (every entry pulled by the full replica, local verdicts
GENUINE, online verdicts answered by the network); this test runs it small and checks that
the table it prints has every row.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_light_runs_small() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_light.py"), "--packs", "1000",
         "--pharmacies", "2", "--asks", "2", "--locals", "2", "--workers", "0"],
        capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| full replica (pulled everything) | 130 |" in out
    for row in ("| light pharmacy, mean |", "| local, `Node.verify` at a light pharmacy",
                "| online, `verify_anywhere` at a light pharmacy", "| local at the full replica",
                "witness add-checkpoint floor", "witness `add_checkpoint`"):
        assert row in out, out
    assert "online verdicts: suspect 4;" in out, out
