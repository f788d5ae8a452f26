"""Writing files so that a crash, a full disk or a bad folder never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from supplychain.errors import SupplyChainError


def write_atomically(path: Path, content: bytes | Callable[[BinaryIO], object], *,
                     error: type[SupplyChainError] = SupplyChainError,
                     mode: int | None = None) -> None:
    """Write ``content`` (bytes, or a function writing to a binary file) to ``path``.

    The data goes to a temporary file in the same folder, is flushed to disk, and then
    renamed over ``path``, so readers see the old file or the whole new one. An OSError
    (missing or read-only folder, full disk) becomes ``error`` with a plain message; the
    temporary file is removed on any failure. ``mode`` sets the permissions (e.g. 0o600).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _error(error, path, exc) from exc
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                content(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _error(error, path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _error(error: type[SupplyChainError], path: Path, exc: OSError) -> SupplyChainError:
    reason = exc.strerror or str(exc)
    return error(f"Cannot write {path}: {reason}. Check that the folder exists, that you may "
                 "write to it, and that the disk is not full.")
