"""The one background-task helper: run work off the GUI thread, call back on it.

``TaskManager.run(fn, on_success=..., on_failure=..., on_progress=...)`` runs ``fn(task)`` in
a worker and delivers every callback on the GUI thread through a queued signal (anki's
``taskman``/``operations`` pattern). ``fn`` gets a ``Task``: ``task.progress(done, total,
*extra)`` reports progress, ``task.cancelled`` is the cooperative cancel flag (the core polls
it as a plain callable). Workers never touch widgets.

Two pools: ``node=True`` tasks run one at a time on a single "node" thread, which owns the
node's SQLite connection (the store is not thread-safe); other tasks (label PDFs, decoding an
image) run on a small general pool.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from gui import errors

log = logging.getLogger(__name__)

Callback = Callable[..., None]


class Task:
    """Handed to the work function: progress reporting and the cancel flag."""

    def __init__(self, label: str, relay: _Relay, on_progress: Callback | None) -> None:
        self.label = label
        self._relay = relay
        self._on_progress = on_progress
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int, *extra: object) -> None:
        """Report progress; ``extra`` values (e.g. a detail object) are passed on as is."""
        callback = self._on_progress
        if callback is not None:
            self._relay.call.emit(lambda: callback(done, total, *extra))


class _Relay(QObject):
    """Lives on the GUI thread; a closure emitted from a worker runs there (queued)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except RuntimeError as exc:
            # The widget a late callback wanted was closed meanwhile (C++ object deleted).
            if "already deleted" in str(exc):
                log.debug("late callback dropped: %s", exc)
                return
            errors.show_error(exc)
        except Exception as exc:  # noqa: BLE001 - a callback bug must not kill the event loop
            errors.show_error(exc)


class TaskManager(QObject):
    """Runs work off the GUI thread; see the module docstring."""

    busy_changed = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self._relay = _Relay()
        self._node_pool = ThreadPoolExecutor(1, thread_name_prefix="node")
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="work")
        self._pending = 0
        self._tasks: set[Task] = set()

    @property
    def pending(self) -> int:
        return self._pending

    def run(self, fn: Callable[[Task], Any], *, on_success: Callback | None = None,
            on_failure: Callable[[BaseException], None] | None = None,
            on_progress: Callback | None = None, on_done: Callable[[], None] | None = None,
            node: bool = True, label: str = "") -> Task:
        """Run ``fn(task)`` in a worker; callbacks run on the GUI thread afterwards.

        ``on_failure`` defaults to ``errors.show_error`` (the one error-to-banner function);
        ``on_done`` runs after success or failure.
        """
        task = Task(label, self._relay, on_progress)
        self._tasks.add(task)
        self._set_pending(self._pending + 1)

        def finish() -> None:
            self._tasks.discard(task)
            self._set_pending(self._pending - 1)
            if on_done is not None:
                on_done()

        def work() -> None:
            try:
                result = fn(task)
            except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
                failure = on_failure or errors.show_error

                def fail(exc: BaseException = exc) -> None:
                    try:
                        failure(exc)
                    finally:
                        finish()
                self._relay.call.emit(fail)
                return

            def succeed() -> None:
                try:
                    if on_success is not None:
                        on_success(result)
                finally:
                    finish()
            self._relay.call.emit(succeed)

        (self._node_pool if node else self._pool).submit(work)
        return task

    def _set_pending(self, value: int) -> None:
        self._pending = value
        self.busy_changed.emit(value)

    def shutdown(self) -> None:
        """Cancel what can be cancelled and wait for the workers (at window close)."""
        for task in list(self._tasks):
            task.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._node_pool.shutdown(wait=True, cancel_futures=False)
