"""The README's walkthrough runs as written: every block marked ``<!-- walkthrough -->``.

The blocks run in order in one bash process, in an empty temporary folder whose ``HOME`` is
that folder too, with ``supplychain`` resolving to this checkout's command line (a wrapper
script on ``PATH``). Each block must complete (``set -e``: any failing command stops the
run) and print what the README promises.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARK = "<!-- walkthrough -->"
BLOCK = re.compile(re.escape(MARK) + r"\s*\n```[a-z]*\n(.*?)\n```", re.DOTALL)
BEGIN, END = "@@walkthrough-begin", "@@walkthrough-end"

#: What each block must print, in README order.
EXPECTED: list[tuple[str, ...]] = [
    ("Sample sheet (1 page(s)", "GENUINE: Genuine"),  # the demo
    ("Created consortium", "Enrolled High Street Pharmacy", "5012345000039  distributor"),
    ("directory version 5 imported: 3 new member(s)",  # the agency, enrolled first
     "already holds member directory version 5", "Member directory version 5"),
    ("https://id.gs1.org/01/05012345000015/21/", "Shipped to 5012345000039: 3 pack",
     "Exported"),
    ("Received 3 pack", "GENUINE", "SUSPECT", "Destroyed 1 pack"),
    ("commission", "Audit passed", "Derived tables rebuilt"),
    ("Added peer https://127.0.0.1:", ": ok, ", "active", "GENUINE"),
]


def walkthrough_blocks() -> list[str]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_readme_marks_its_walkthrough_blocks() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(walkthrough_blocks()) == text.count(MARK) == len(EXPECTED)


def _script(blocks: list[str]) -> str:
    parts = ["set -euo pipefail"]
    for i, block in enumerate(blocks):
        parts += [f"echo '{BEGIN} {i}'", block, f"echo '{END} {i}'"]
    return "\n".join(parts) + "\n"


def _wrapper(folder: Path) -> None:
    """A ``supplychain`` command that runs this checkout's CLI with the test's Python."""
    folder.mkdir()
    script = folder / "supplychain"
    script.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}${{PYTHONPATH:+:$PYTHONPATH}}" '
                      f'exec "{sys.executable}" -m supplychain.cli.main "$@"\n')
    script.chmod(0o755)


def _outputs(log: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for match in re.finditer(rf"^{BEGIN} (\d+)\n(.*?)^{END} \1$", log, re.DOTALL | re.M):
        found[int(match.group(1))] = match.group(2)
    return found


@pytest.mark.slow
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None, "the walkthrough is a bash script; install bash"
    _wrapper(tmp_path / "bin")
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SUPPLYCHAIN_", "XDG_"))}
    env.update(PATH=f"{tmp_path / 'bin'}{os.pathsep}{env.get('PATH', '')}", HOME=str(work),
               PYTHONDONTWRITEBYTECODE="1")
    blocks = walkthrough_blocks()
    process = subprocess.Popen([bash, "-c", _script(blocks)], cwd=work, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=600)
    finally:  # a server a failed block left running must not outlive the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    outputs = _outputs(result.stdout)
    for i, (block, expected) in enumerate(zip(blocks, EXPECTED, strict=True)):
        assert i in outputs, (f"walkthrough block {i + 1} failed (exit {result.returncode}):\n"
                              f"{block}\n--- stdout ---\n{result.stdout[-3000:]}\n"
                              f"--- stderr ---\n{result.stderr[-3000:]}")
        for text in expected:
            assert text in outputs[i], f"block {i + 1} did not print {text!r}:\n{outputs[i]}"
    assert result.returncode == 0, result.stderr
    assert (work / "samples.pdf").exists() and (work / "labels.pdf").exists()
