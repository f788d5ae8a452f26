"""The cycle collector runs on the GUI thread only (a collection in a worker thread that
destroys a Qt object crashes the process)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject

from gui import collector
from gui.app import make_app


class Cyclic(QObject):
    """A Qt object in a reference cycle, as a widget holding a lambda that holds it is."""

    deleted_in: list[str] = []

    def __init__(self) -> None:
        super().__init__()
        self.me = self

    def __del__(self) -> None:
        Cyclic.deleted_in.append(threading.current_thread().name)


def test_the_app_switches_automatic_collection_off(qapp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(collector, "_installed", None)  # as in a process that starts the app
    gc.enable()
    make_app([])
    assert not gc.isenabled()
    assert collector.install() is collector.install()


def test_a_cycle_made_garbage_is_collected_on_the_gui_thread(qapp) -> None:  # type: ignore[no-untyped-def]
    make_app([])
    gc.collect()
    Cyclic.deleted_in.clear()
    thresholds = gc.get_threshold()
    try:
        gc.set_threshold(1, 1, 1)
        Cyclic()  # garbage at once: only the cycle collector can free it

        def allocate_a_lot() -> None:
            _ = [[] for _ in range(10_000)]
        worker = threading.Thread(target=allocate_a_lot, name="worker")
        worker.start()
        worker.join()
        assert Cyclic.deleted_in == []  # the worker's allocations triggered no collection
        probe = collector.MainThreadCollector(interval_ms=60_000)
        probe.check()
    finally:
        gc.set_threshold(*thresholds)
    assert Cyclic.deleted_in == [threading.main_thread().name]
