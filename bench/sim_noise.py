"""The noise of real work and the injected falsifications of the simulated network.

Every rate is stated here once, printed by the bench and described in docs/BENCHMARKS.md
("False-alert rate"). Scanner faults are made as a keyboard-wedge scanner makes them, on the
GS1 element string a pack's DataMatrix holds (``codes.scanner_faults.ScannerFault``: the four
faults the re-scan step recognises).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from enum import StrEnum

from supplychain.codes.gs1 import GS, PackCode
from supplychain.codes.scanner_faults import ScannerFault


class Fake(StrEnum):
    """The injected falsifications, each counted."""

    CLONE = "clone"              # a copy of a code another pharmacy holds, scanned here
    MADE_UP_SERIAL = "made_up_serial"   # a real product and lot, a serial never issued
    DIVERTED = "diverted"        # a pack shipped to pharmacy A turns up at pharmacy B
    RECALLED_LOT = "recalled_lot"       # a pack of a lot recalled after it was shipped
    EXPIRED_LOT = "expired_lot"  # a pack of a lot past its expiry
    REUSED_CODE = "reused_code"  # the code of a pack dispensed at A, scanned later at B


@dataclass(frozen=True)
class Rates:
    """Probabilities of each kind of noise (per scan, dispense, shipment or sync) and the
    number of each injected fake."""

    scanner_fault: float = 0.02        # per counter scan: the first read is faulty
    double_scan: float = 0.01          # per dispense: the same pack scanned again at once
    undo_dispense: float = 0.002       # per dispense: dispensed by mistake, undone at once
    missed_sync: float = 0.05          # per scheduled pharmacy sync: its wholesaler unreachable
    ship_event_late: float = 0.03      # per shipment: goods arrive before the ship event
    late_receipt: float = 0.05         # per shipment: sold before goods-in is recorded
    return_day: float = 0.10           # per pharmacy and day: a few unsold packs returned
    fakes_each: int = 10               # clones, made-up serials, diverted, reused codes
    recalled_packs: int = 60           # the lot recalled on day 2 (packs of it still out)
    expired_packs: int = 20            # a lot already expired when shipped

    def rows(self) -> list[tuple[str, float | int]]:
        return list(asdict(self).items())


def faulty_text(code: PackCode, fault: ScannerFault, rng: random.Random) -> str:
    """What a scanner with ``fault`` types for the DataMatrix of ``code``."""
    clean = code.to_element_string()
    if fault is ScannerFault.DROPPED_GS:
        return clean.replace(GS, "")
    if fault is ScannerFault.CAPS_LOCK:
        return clean.swapcase()
    if fault is ScannerFault.KEYBOARD_LAYOUT:  # a QWERTZ keyboard layout on a QWERTY scanner
        return clean.translate(str.maketrans("YZyz", "ZYzy"))
    cut = rng.randint(max(1, len(clean) - 8), len(clean) - 1)  # the read stopped short
    return clean[:cut]


def made_up_serial(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))
