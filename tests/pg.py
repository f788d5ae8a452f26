"""A real PostgreSQL server for the tests (the ``pgserver`` wheel), and a fresh schema per use.

One server per test session (started on first use, stopped at the end); every store gets a
schema of its own in one database (``options=-csearch_path=...`` in its URL), which costs
about a millisecond where a database per test costs about 65 ms. pgserver must be installed
(``.[test]``): a missing server fails the tests, it never skips them.
"""

from __future__ import annotations

import itertools
import os
import signal
from pathlib import Path
from urllib.parse import quote

import pgserver
import psutil

_counter = itertools.count()


def fresh_schema_url(url: str) -> str:
    """``url`` (one of ``PgServer.url``'s) naming a new, unique schema instead."""
    base = url.split("&options=")[0]
    return f"{base}&options={quote(f'-csearch_path=t{os.getpid()}_{next(_counter)}')}"


class PgServer:
    """A private PostgreSQL server in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.server = pgserver.get_server(directory, cleanup_mode="stop")
        self.base = self.server.get_uri()

    def url(self, schema: str | None = None, database: str | None = None) -> str:
        """A URL of this server's ``postgres`` database (or ``database``), with ``schema``
        (fresh and unique if not given) first in the search path."""
        schema = schema or f"t{os.getpid()}_{next(_counter)}"
        base = self.base if database is None else self.base.replace("/postgres?",
                                                                  f"/{database}?")
        return f"{base}&options={quote(f'-csearch_path={schema}')}"

    def postmaster_pid(self) -> int:
        return int((self.directory / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """SIGKILL the server and every process of it (a power cut, as far as it can tell)."""
        master = psutil.Process(self.postmaster_pid())
        children = master.children(recursive=True)
        master.send_signal(signal.SIGKILL)
        for child in children:
            try:
                child.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs([master, *children], timeout=30)

    def restart(self) -> None:
        """Start the server again on the same data directory (crash recovery runs)."""
        with self.server._lock:  # pgserver's own start, as get_server runs it
            self.server.ensure_postgres_running()
        self.base = self.server.get_uri()

    def stop(self) -> None:
        self.server.cleanup()
