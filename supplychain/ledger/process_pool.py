"""A process pool shared by one module: its verify or ingest workers.

Started on first use with the "forkserver" start method (or "spawn" where there is no
forkserver): never a plain fork of a process that may run threads or Qt. Restarted when a
different size is asked for, stopped at exit (or earlier with ``shutdown``).
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class SharedPool:
    """One lazily started ``ProcessPoolExecutor``; ``warm`` (a picklable callable without
    arguments), if given, runs once in each worker as the pool starts, so that its imports
    are paid then, not by the first job."""

    def __init__(self, warm: Callable[[], Any] | None = None) -> None:
        self._warm = warm
        self._pool: ProcessPoolExecutor | None = None
        self._workers = 0
        self._lock = threading.Lock()
        atexit.register(self.shutdown)

    def get(self, workers: int) -> ProcessPoolExecutor:
        """The pool with ``workers`` processes (restarted if a different size is asked)."""
        with self._lock:
            if self._pool is not None and self._workers != workers:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
                self._workers = workers
                if self._warm is not None:
                    for f in [self._pool.submit(self._warm) for _ in range(workers)]:
                        f.result()
            return self._pool

    def shutdown(self, *, broken: bool = False) -> None:
        """Stop the pool; ``broken`` (a worker died, so it refuses every later job): do not
        wait for it, drop what is queued."""
        with self._lock:
            if self._pool is not None:
                if broken:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                else:
                    self._pool.shutdown(wait=True)
                self._pool = None
