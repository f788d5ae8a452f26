"""The re-scan step at Scan & verify ("Scan it again") and the verdict sounds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from gui import sounds
from gui.sounds import SOUNDS_DIR, Sound
from supplychain.codes.gs1 import PackCode, parse_pack_code
from supplychain.ledger.verdicts import Verdict
from tests.gui.conftest import WAIT_MS
from tests.gui.test_scan import scan_view, type_scan


class RecordingPlayer:
    """Stands in for the speakers: which sounds the app asked for, in order."""

    def __init__(self) -> None:
        self.played: list[Sound] = []

    def play(self, sound: Sound) -> None:
        self.played.append(sound)


@pytest.fixture
def player(monkeypatch: pytest.MonkeyPatch) -> RecordingPlayer:
    recorder = RecordingPlayer()
    monkeypatch.setattr(sounds.board(), "player", recorder)
    return recorder


def _code(window, sample: str) -> PackCode:  # type: ignore[no-untyped-def]
    return parse_pack_code(window.demo.samples[sample])


def _outcome(qtbot, view) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: view.rescan_step.isVisible() and not view.rescan_step.waiting,
                    timeout=WAIT_MS)


def test_caps_lock_scan_is_closed_as_a_scanning_error(qtbot, window, player) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    clean = _code(window, "genuine").to_element_string()
    type_scan(qtbot, window, clean.swapcase())  # Caps Lock on: the serial's letters inverted
    assert view.banner.property("verdict") == "counterfeit"
    step = view.rescan_step
    assert step.isVisible() and step.waiting
    assert step.title.text() == "COUNTERFEIT? Scan it again"
    assert QApplication.focusWidget() is view.input  # the scanner scans again right there
    assert player.played == [Sound.COUNTERFEIT]

    type_scan(qtbot, window, clean)
    _outcome(qtbot, view)
    assert step.state == "closed"
    assert step.title.text() == ("Scanner fault: Caps Lock. Closed as a scanning error: the "
                                 "alert does not go to the regulator.")
    assert step.outcome.text().startswith("Caps Lock was on")
    assert view.banner.property("verdict") == "genuine"  # the pack as it really reads
    assert view.dispense_button.isEnabled()
    assert player.played == [Sound.COUNTERFEIT, Sound.GENUINE]
    assert QApplication.focusWidget() is view.input
    # The step is over: the next scan is a new one.
    type_scan(qtbot, window, window.demo.samples["recalled"])
    assert view.banner.property("verdict") == "suspect" and step.waiting


def test_printed_fields_typed_with_enter(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    code = _code(window, "genuine")
    type_scan(qtbot, window, code.to_element_string().swapcase())
    step = view.rescan_step
    qtbot.keyClick(view.input, Qt.Key.Key_Tab)  # Tab: scanner input -> GTIN -> serial ...
    assert QApplication.focusWidget() is step.gtin
    qtbot.keyClick(step.gtin, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is step.serial
    qtbot.keyClicks(step.serial, code.serial)
    qtbot.keyClick(step.serial, Qt.Key.Key_Tab)
    qtbot.keyClick(step.lot, Qt.Key.Key_Tab)
    qtbot.keyClicks(step.expiry, code.expiry.strftime("%m/%Y") if code.expiry else "")
    before = view.verifications
    qtbot.keyClick(step.expiry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    _outcome(qtbot, view)
    assert step.state == "closed" and "Caps Lock" in step.title.text()
    assert view.banner.property("verdict") == "genuine"


def test_rescan_confirms_and_keeps_the_alert_open(qtbot, window, player) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    reported = window.demo.samples["reported_suspect"]
    type_scan(qtbot, window, reported)
    step = view.rescan_step
    assert step.title.text() == "SUSPECT? Scan it again"
    type_scan(qtbot, window, reported)
    _outcome(qtbot, view)
    assert step.state == "confirmed"
    assert step.title.text() == ("Re-scan confirms: SUSPECT. The alert stays open: set the "
                                 "pack aside and report it.")
    assert step.outcome.text() == "The scan matches the pack: not a scanner fault."
    assert view.banner.property("verdict") == "suspect"
    assert player.played == [Sound.SUSPECT, Sound.SUSPECT]


def test_another_pack_while_waiting_is_a_new_scan(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples["unknown_serial"])
    assert view.rescan_step.waiting
    type_scan(qtbot, window, window.demo.samples["genuine"])
    assert view.banner.property("verdict") == "genuine"
    assert not view.rescan_step.isVisible()


def test_escape_skips_the_step(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples["recalled"])
    assert view.rescan_step.isVisible()
    qtbot.keyClick(view.input, Qt.Key.Key_Escape)
    assert not view.rescan_step.isVisible() and not view.rescan_step.waiting
    type_scan(qtbot, window, window.demo.samples["recalled"])  # a new scan, not a re-scan
    assert view.rescan_step.waiting


def test_a_genuine_scan_asks_for_no_rescan(qtbot, window, player) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples["genuine"])
    type_scan(qtbot, window, "https://example.com/promo")
    assert not view.rescan_step.isVisible()
    assert player.played == [Sound.GENUINE, Sound.UNREADABLE]


# --- sounds -------------------------------------------------------------------------------


@pytest.mark.parametrize(("sample", "sound"), [
    ("genuine", Sound.GENUINE), ("recalled", Sound.SUSPECT),
    ("unknown_serial", Sound.COUNTERFEIT), ("not_a_pack_code", Sound.UNREADABLE),
])
def test_each_verdict_has_its_sound(qtbot, window, player, sample: str, sound: Sound) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    before = view.verifications
    view.samples_button.action_for(sample).trigger()
    qtbot.waitUntil(lambda: view.verifications == before + 1, timeout=WAIT_MS)
    assert player.played == [sound]
    assert (SOUNDS_DIR / f"{sound.value}.wav").stat().st_size > 1000


def test_sounds_can_be_turned_off_and_it_is_remembered(qtbot, window, player,  # type: ignore[no-untyped-def]
                                                       settings: QSettings) -> None:
    action = window.act_sounds
    assert action in window.view_menu.actions()
    assert action.isCheckable() and action.isChecked()
    action.trigger()  # off
    assert settings.value(sounds.SOUNDS_KEY, type=bool) is False
    view = scan_view(window)
    type_scan(qtbot, window, window.demo.samples["unknown_serial"])
    type_scan(qtbot, window, window.demo.samples["genuine"])
    assert player.played == []
    assert not sounds.sounds_action(window).isChecked()  # a new window starts with it off
    action.trigger()  # on again
    type_scan(qtbot, window, window.demo.samples["recalled"])
    assert player.played == [Sound.SUSPECT]
    assert view.banner.property("verdict") == "suspect"


def test_informational_verdict_clicks_like_genuine() -> None:
    assert sounds.sound_for(Verdict.INFORMATION) is Sound.GENUINE
    assert sounds.sound_for(Verdict.SUSPECT) is not sounds.sound_for(Verdict.COUNTERFEIT)



def test_a_fault_that_hid_a_suspect_pack_says_so(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    view = scan_view(window)
    clean = _code(window, "reported_suspect").to_element_string()
    type_scan(qtbot, window, clean.swapcase())
    assert view.banner.property("verdict") == "counterfeit"  # the misread: unknown serial
    type_scan(qtbot, window, clean)
    _outcome(qtbot, view)
    assert view.rescan_step.state == "confirmed"
    assert view.rescan_step.title.text() == (
        "Scanner fault: Caps Lock. Read right, the pack is still SUSPECT: its alert stays "
        "open; set the pack aside and report it.")
    assert view.banner.property("verdict") == "suspect"
