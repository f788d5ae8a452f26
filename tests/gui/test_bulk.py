"""Bulk work in the app stays responsive: commissioning 10,000 packs and packing a lot into
cases on a pallet show progress, run off the GUI thread (a timer on it keeps ticking) and
stop cleanly between whole events; the pallet ships in one event."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from gui import dialogs
from supplychain.codes.sscc import make_sscc
from supplychain.identity.certificates import Role
from tests.gui.conftest import WAIT_MS, play_as


class Ticks:
    """Counts a 10 ms timer on the GUI thread: it only fires while the event loop runs."""

    def __init__(self) -> None:
        self.count = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.count += 1


def _commission(qtbot, view, lot: str, count: int, stop_after_first: bool) -> None:  # type: ignore[no-untyped-def]
    view.gtin.setCurrentText("05012345000015")
    view.lot.setText(lot)
    view.count.setValue(count)
    if stop_after_first:
        view.commission_progress.valueChanged.connect(
            lambda value: value and view.commission_cancel.click())
    qtbot.mouseClick(view.commission_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.commission_task is None, timeout=WAIT_MS * 6)


def test_commissioning_10000_packs_shows_progress_and_stops_between_events(
        qtbot, window) -> None:  # type: ignore[no-untyped-def]
    play_as(qtbot, window, Role.MANUFACTURER)
    view = window.views["commission"]
    qtbot.waitUntil(lambda: view.lots.rowCount() == 3, timeout=WAIT_MS)
    ticks = Ticks()
    seen: list[int] = []
    view.commission_progress.valueChanged.connect(seen.append)
    _commission(qtbot, view, "BULK10K", 10_000, stop_after_first=True)
    assert view.commission_progress.maximum() == 10_000 and seen and seen[-1] >= 1000
    assert 1000 <= len(view.codes) < 10_000 and len(view.codes) % 1000 == 0  # whole events
    assert ticks.count > 0  # the window kept handling events while the worker signed
    qtbot.waitUntil(lambda: any(s.lot == "BULK10K" for s in view.lots.rows), timeout=WAIT_MS)
    row = next(s for s in view.lots.rows if s.lot == "BULK10K")
    assert row.count == len(view.codes)  # what the store holds: exactly the events committed


def test_packing_a_pallet_shows_progress_stops_cleanly_and_ships(
        qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    play_as(qtbot, window, Role.MANUFACTURER)
    commission = window.views["commission"]
    qtbot.waitUntil(lambda: commission.lots.rowCount() == 3, timeout=WAIT_MS)
    _commission(qtbot, commission, "PAL1", 3000, stop_after_first=False)
    assert len(commission.codes) == 3000

    view = window.views["packing"]
    view.refresh()
    qtbot.waitUntil(lambda: view.lot.findData("05012345000015 PAL1") >= 0,
                    timeout=WAIT_MS)
    view.lot.setCurrentIndex(view.lot.findData("05012345000015 PAL1"))
    view.pallet.setText(make_sscc("501234", 7000, 1))
    view.first_case.setText(make_sscc("501234", 7001))
    view.cases.setValue(30)
    ticks = Ticks()
    view.progress.valueChanged.connect(lambda value: value and view.stop_button.click())
    qtbot.mouseClick(view.pack_button, Qt.MouseButton.LeftButton)
    assert not view.progress.isHidden() and not view.stop_button.isHidden()
    qtbot.waitUntil(lambda: view.task is None, timeout=WAIT_MS * 4)
    stopped = view.result
    assert stopped is not None and not stopped.complete
    assert 1 <= len(stopped.cases) < 30 and stopped.packs == 100 * len(stopped.cases)
    assert "Stopped" in window.banner.text.text() and ticks.count > 0
    assert view.pack_button.isEnabled() and view.stop_button.isHidden()

    # Again, for the rest of the lot (new case codes): now it runs to the pallet.
    view.progress.valueChanged.disconnect()
    view.first_case.setText(make_sscc("501234", 7100))
    view.cases.setValue(30 - len(stopped.cases))
    qtbot.mouseClick(view.pack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.task is None, timeout=WAIT_MS * 4)
    done = view.result
    assert done is not None and done.complete and done.packs == 3000 - stopped.packs
    assert view.progress.maximum() == done.packs

    monkeypatch.setattr(dialogs, "confirm", lambda *_: True)
    qtbot.mouseClick(view.ship_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Shipment signed" in window.banner.text.text(), timeout=WAIT_MS * 4)
    assert f"{done.packs} packs" in window.banner.text.text()
