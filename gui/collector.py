"""Python's cycle collector, run on the GUI thread only.

Python collects reference cycles in whichever thread happens to allocate when a threshold is
crossed. If that is a worker thread and the cycle holds a Qt object (a widget and the lambda
connected to its signal, say), the C++ object is destroyed off the GUI thread and the process
dies with a segmentation fault. The well-known cure: switch automatic collection off and let a
timer on the GUI thread run the collector when the same thresholds are crossed.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Disables automatic collection; collects on the GUI thread when thresholds are crossed."""

    def __init__(self, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__()
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the youngest generation whose count is over its threshold (as gc would)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return


_installed: MainThreadCollector | None = None


def install() -> MainThreadCollector:
    """Install the collector once per process (needs a QApplication)."""
    global _installed
    if _installed is None:
        _installed = MainThreadCollector()
    return _installed
