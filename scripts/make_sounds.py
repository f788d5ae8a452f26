"""Write the verdict sounds to resources/sounds/ (16-bit mono WAV, standard library only).

    python scripts/make_sounds.py

Each sound is told apart by its rhythm and pitch as well as by how it feels, so a person who
hears only one of them still knows which it was:
- genuine.wav: a short soft click (30 ms), "carry on";
- suspect.wav: two falling mid tones (660 Hz then 440 Hz), "look again";
- counterfeit.wav: three low buzzing pulses (square wave, 220 Hz), "stop";
- unreadable.wav: two short quiet blips (880 Hz), "the scan did not read".
The files are committed; run this again only to change them.
"""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Callable
from pathlib import Path

RATE = 22_050
OUT = Path(__file__).resolve().parent.parent / "resources" / "sounds"

Wave = Callable[[float], float]


def sine(freq: float) -> Wave:
    return lambda t: math.sin(2 * math.pi * freq * t)


def square(freq: float) -> Wave:
    return lambda t: 0.6 if math.sin(2 * math.pi * freq * t) >= 0 else -0.6


def tone(shape: Wave, seconds: float, volume: float) -> list[float]:
    """A tone with 5 ms fades at both ends (no clicks of its own)."""
    count = int(RATE * seconds)
    fade = max(1, int(RATE * 0.005))
    return [volume * shape(i / RATE) * min(1.0, i / fade, (count - i) / fade)
            for i in range(count)]


def click() -> list[float]:
    count = int(RATE * 0.03)
    return [0.5 * math.sin(2 * math.pi * 1800 * i / RATE) * math.exp(-i / (RATE * 0.004))
            for i in range(count)]


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


SOUNDS: dict[str, Callable[[], list[float]]] = {
    "genuine": click,
    "suspect": lambda: (tone(sine(660), 0.16, 0.6) + silence(0.05)
                        + tone(sine(440), 0.22, 0.6)),
    "counterfeit": lambda: [s for _ in range(3)
                            for s in tone(square(220), 0.14, 0.5) + silence(0.07)],
    "unreadable": lambda: tone(sine(880), 0.05, 0.3) + silence(0.06) + tone(sine(880), 0.05, 0.3),
}


def write(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", round(max(-1.0, min(1.0, s)) * 32767))
                                 for s in samples))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in SOUNDS.items():
        write(OUT / f"{name}.wav", make())
        print(OUT / f"{name}.wav")


if __name__ == "__main__":
    main()
