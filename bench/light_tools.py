"""Tools for bench_light.py: a byte-counting TCP relay, a `serve` process, file and CPU
figures, percentiles."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def file_bytes(home: Path) -> int:
    """The node's SQLite file with its write-ahead log (call with the node closed)."""
    return sum(p.stat().st_size for p in home.glob("ledger.sqlite*") if p.is_file())


class Relay:
    """Forwards loopback TCP connections to ``port`` and counts bytes each way (TLS records
    included): ``down`` is what clients received, ``up`` what they sent."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.up = 0
        self.down = 0
        self.port = 0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait()

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    down: bool) -> None:
        try:
            while data := await reader.read(1 << 16):
                if down:
                    self.down += len(data)
                else:
                    self.up += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        r2, w2 = await asyncio.open_connection("127.0.0.1", self.target)
        await asyncio.gather(self._pipe(reader, w2, False), self._pipe(r2, writer, True))

    def counts(self) -> tuple[int, int]:
        return self.up, self.down

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(home: Path, passphrase: bytes) -> tuple[subprocess.Popen[bytes], int]:
    """``supplychain serve`` for ``home`` as its own process on a free loopback port."""
    port = free_port()
    env = {**os.environ, "SUPPLYCHAIN_PASSPHRASE": passphrase.decode(),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "supplychain.cli.main", "--home", str(home), "serve",
         "--listen", f"127.0.0.1:{port}", "--interval", "3600"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "listening on ..."
    if not line:
        raise SystemExit("the full node's serve process did not start")
    return proc, port


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def held_entry_bytes(home: Path) -> int:
    """Bytes of the entries a node holds: whole logs and proven entries (node closed)."""
    conn = sqlite3.connect(home / "ledger.sqlite")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        return sum(int(conn.execute(f"SELECT coalesce(sum(length(data)), 0) FROM {t}")
                       .fetchone()[0]) for t in ("entries", "proven_entries") if t in tables)
    finally:
        conn.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
