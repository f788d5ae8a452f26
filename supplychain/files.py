"""Files at the edge: writing so that a crash, a full disk or a bad folder never leaves half
a file, and reading an outside file (bundle, EPCIS document, member directory, image) that
may be a folder, a device, a named pipe or far too large without hanging or filling memory."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from supplychain.errors import InputFileError, SupplyChainError
from supplychain.i18n import _


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
    return error(_("Cannot write {path}: {reason}. Check that the folder exists, that you may "
                   "write to it, and that the disk is not full.").format(path=path, reason=reason))


_CHUNK = 1 << 20


def read_input_file(path: Path | str, max_bytes: int, *, what: str = "file",
                    error: type[SupplyChainError] = InputFileError,
                    too_large_advice: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    ``too_large_advice`` (already translated) replaces the generic advice given with a file
    over ``max_bytes`` (for example, how to split a bundle).

    Refused with ``error`` and a plain message, before anything is read: a missing or
    unreadable path, a folder, anything that is not a regular file (``/dev/zero``, a named
    pipe, a socket), a file larger than ``max_bytes``. The file is opened without blocking
    (a named pipe swapped in after the check cannot hang the caller), its type is checked
    again on the open descriptor, and reading stops past ``max_bytes`` if it grew meanwhile.
    """
    path = Path(path)
    try:
        _check_regular(os.stat(path).st_mode, path, what, error)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise error(_("Cannot read {what} {path}: {problem}.")
                    .format(what=what, path=path, problem=exc.strerror or exc)) from exc
    try:
        info = os.fstat(fd)
        _check_regular(info.st_mode, path, what, error)
        if info.st_size > max_bytes and too_large_advice is not None:
            raise error(_("The {what} {path} is {size:,} bytes; at most {max_bytes:,} "
                          "are read: {advice}")
                        .format(what=what, path=path, size=info.st_size, max_bytes=max_bytes,
                                advice=too_large_advice))
        if info.st_size > max_bytes:
            raise error(_("The {what} {path} is {size:,} bytes; at most {max_bytes:,} "
                          "are read. Split it or check that it is the right file.")
                        .format(what=what, path=path, size=info.st_size, max_bytes=max_bytes))
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(_CHUNK, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise error(_("The {what} {path} grew past {max_bytes:,} bytes while being "
                              "read; try again once it is complete.")
                            .format(what=what, path=path, max_bytes=max_bytes))
        return b"".join(chunks)
    except OSError as exc:
        raise error(_("Cannot read {what} {path}: {problem}.")
                    .format(what=what, path=path, problem=exc.strerror or exc)) from exc
    finally:
        os.close(fd)


def _check_regular(mode: int, path: Path, what: str, error: type[SupplyChainError]) -> None:
    if stat.S_ISDIR(mode):
        raise error(_("{path} is a folder, not a {what}; give the path of the file itself.")
                    .format(path=path, what=what))
    if not stat.S_ISREG(mode):
        kind = ("a named pipe" if stat.S_ISFIFO(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise error(_("{path} is {kind}, not a {what} saved on disk; refused without reading "
                      "it.").format(path=path, kind=kind, what=what))
