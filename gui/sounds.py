"""Verdict sounds: a distinct sound for SUSPECT and for COUNTERFEIT, a short click for GENUINE.

A person at a busy counter hears the verdict before looking up. The sounds are WAV files in
``resources/sounds/`` (made by ``scripts/make_sounds.py``), played with QtMultimedia's
``QSoundEffect`` when PySide6's multimedia module is installed (the PySide6-Addons wheel),
else as system beeps (one, two or three). The "Sounds for verdicts" setting (View menu,
stored in QSettings under ``SOUNDS_KEY``) turns them off. Without a screen (offscreen tests,
servers) nothing is played; tests put a recording player on `board()`.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, QSettings, QTimer, QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from supplychain.ledger.verdicts import Verdict

log = logging.getLogger(__name__)

SOUNDS_KEY = "ui/verdict_sounds"
SOUNDS_DIR = Path(__file__).resolve().parent.parent / "resources" / "sounds"


class Sound(StrEnum):
    """One sound per kind of scan result (the file ``<value>.wav``)."""

    GENUINE = "genuine"
    SUSPECT = "suspect"
    COUNTERFEIT = "counterfeit"
    UNREADABLE = "unreadable"


# An informational answer (a pack scanned twice at the counter that dispensed it) clicks
# like a genuine one: no alarm.
_VERDICT_SOUNDS = {Verdict.GENUINE: Sound.GENUINE, Verdict.INFORMATION: Sound.GENUINE,
                   Verdict.SUSPECT: Sound.SUSPECT, Verdict.COUNTERFEIT: Sound.COUNTERFEIT}
_BEEPS = {Sound.GENUINE: 1, Sound.SUSPECT: 2, Sound.COUNTERFEIT: 3, Sound.UNREADABLE: 2}


def sound_for(verdict: Verdict) -> Sound | None:
    """The sound of a verdict (None for a verdict without one)."""
    return _VERDICT_SOUNDS.get(verdict)


class Player(Protocol):
    def play(self, sound: Sound) -> None: ...


class SystemPlayer:
    """Plays the WAV files through QSoundEffect, or beeps when QtMultimedia is missing."""

    def __init__(self) -> None:
        self._effects: dict[Sound, QObject] = {}
        self._multimedia: bool | None = None

    def play(self, sound: Sound) -> None:
        if QApplication.platformName() in ("offscreen", "minimal"):
            return
        effect = self._effect(sound)
        if effect is not None:
            effect.play()  # type: ignore[attr-defined]
            return
        for i in range(_BEEPS[sound]):
            QTimer.singleShot(i * 180, QApplication.beep)

    def _effect(self, sound: Sound) -> QObject | None:
        if sound in self._effects:
            return self._effects[sound]
        if self._multimedia is False:
            return None
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:
            log.info("QtMultimedia is not installed: verdict sounds are system beeps")
            self._multimedia = False
            return None
        self._multimedia = True
        effect = QSoundEffect()
        effect.setSource(QUrl.fromLocalFile(str(SOUNDS_DIR / f"{sound.value}.wav")))
        self._effects[sound] = effect
        return effect


class SoundBoard:
    """The app's one place that decides whether a sound is played."""

    def __init__(self, player: Player, settings: QSettings | None = None) -> None:
        self.player = player
        self.settings = settings

    @property
    def enabled(self) -> bool:
        if self.settings is None:
            return True
        return bool(self.settings.value(SOUNDS_KEY, True, type=bool))

    def set_enabled(self, on: bool) -> None:
        if self.settings is not None:
            self.settings.setValue(SOUNDS_KEY, on)

    def play(self, sound: Sound | None) -> None:
        if sound is not None and self.enabled:
            self.player.play(sound)

    def play_verdict(self, verdict: Verdict) -> None:
        self.play(sound_for(verdict))


_board = SoundBoard(SystemPlayer())


def board() -> SoundBoard:
    return _board


def install(settings: QSettings) -> None:
    """Read the "Sounds for verdicts" setting from (and store it in) `settings`."""
    _board.settings = settings


def sounds_action(parent: QObject) -> QAction:
    """The View menu's "Sounds for verdicts" check box, stored as soon as it changes."""
    action = QAction(QCoreApplication.translate("Sounds", "Sounds for verdicts"), parent)
    action.setCheckable(True)
    action.setChecked(_board.enabled)
    action.setToolTip(QCoreApplication.translate(
        "Sounds", "A click for GENUINE, two falling tones for SUSPECT, three low buzzes for "
                  "COUNTERFEIT"))
    action.toggled.connect(_board.set_enabled)
    return action
