"""What machine a benchmark ran on: cores, CPU model, Python (for the figures in docs/)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def describe() -> str:
    """e.g. 'nproc 2, CPU AMD EPYC; Python 3.11.7 (Linux x86_64)'."""
    return (f"nproc {os.cpu_count()}, CPU {cpu_model()}; Python {platform.python_version()} "
            f"({platform.system()} {platform.machine()})")
