"""A hot standby of the tests' PostgreSQL server, made by the tools in the pgserver wheel.

``pg_basebackup -R`` copies the primary and writes its streaming-replication settings; the
standby then runs as its own ``postgres`` process (as pgserver's own user when the tests run
as root: PostgreSQL refuses to run as root), on a Unix socket only.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from pgserver._commands import POSTGRES_BIN_PATH
from pgserver.utils import ensure_prefix_permissions
from psycopg.conninfo import conninfo_to_dict

from tests.pg import PgServer

#: The system user pgserver runs PostgreSQL as when the tests run as root.
ROOT_USER = "pgserver"


def _caught_up(standby: psycopg.Connection, lsn: str) -> bool:
    row = standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()
    return bool(row and row[0])


class Standby:
    """A streaming replica of ``primary`` in ``directory`` (stopped by ``stop``)."""

    def __init__(self, primary: PgServer, directory: Path, port: int = 5433) -> None:
        self.primary = primary
        self.data = directory
        self.sockets = Path(tempfile.mkdtemp(prefix="pgsb", dir="/tmp"))  # short: socket paths
        self.port = port
        user = ROOT_USER if os.geteuid() == 0 else None
        self.data.mkdir(parents=True)
        if user is not None:
            entry = pwd.getpwnam(user)
            ensure_prefix_permissions(self.data)
            for path in (self.data, self.sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self.data.chmod(0o700)
        host = str(conninfo_to_dict(primary.base)["host"])
        subprocess.run([str(POSTGRES_BIN_PATH / "pg_basebackup"), "-R", "-X", "stream",
                        "-c", "fast", "-D", str(self.data), "-h", host, "-U", "postgres"],
                       check=True, user=user, capture_output=True)
        self.log = (self.data.parent / "standby.log").open("wb")
        self.process = subprocess.Popen(
            [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(self.data), "-k", str(self.sockets),
             "-c", "listen_addresses=", "-c", f"port={port}"],
            user=user, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"postgresql://postgres:@/postgres?host={self.sockets}&port={port}"
        self._wait_accepting()

    def _wait_accepting(self, deadline: float = 30.0) -> None:
        end = time.monotonic() + deadline
        while True:
            try:
                psycopg.connect(self.base).close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > end:
                    raise
                time.sleep(0.05)  # polling the server's socket: it sends no event

    def url_of(self, primary_url: str) -> str:
        """The standby's URL of the same database and schema as ``primary_url``."""
        options = primary_url.split("&options=", 1)
        return self.base + (f"&options={options[1]}" if len(options) == 2 else "")

    def wait_replayed(self, deadline: float = 30.0) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        with psycopg.connect(self.primary.base, autocommit=True) as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        assert row is not None
        with psycopg.connect(self.base, autocommit=True) as standby:
            end = time.monotonic() + deadline
            while not _caught_up(standby, str(row[0])):
                assert time.monotonic() < end, "the standby did not catch up"
                time.sleep(0.05)  # replay position polled: PostgreSQL sends no event

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.sockets, ignore_errors=True)
