"""Bulk work at a node: a lot of packs into cases on a pallet, with progress and cancel.

Every step is one signed event in one transaction, so work that is cancelled stops between
events: the cases packed before the cancel stay packed (each whole), the rest and the pallet
are not, and nothing is half-written. Shipping and receiving a pallet are one event each
(``Node.ship``/``Node.receive`` with the pallet's ``ContainerCode``): whole or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from biip.checksums import gs1_standard_check_digit

from supplychain.codes.gs1 import PackCode
from supplychain.codes.sscc import ContainerCode
from supplychain.errors import RuleViolation
from supplychain.i18n import _
from supplychain.ids import GTIN, SSCC, PackKey
from supplychain.ledger.container_rows import container_of
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.rules import PackStatus
from supplychain.node.containers import as_container, pack
from supplychain.node.operations import Node

__all__ = ["PalletPacking", "loose_stock", "pack_lot", "pack_pallet", "split_evenly", "sscc_series"]

Progress = Callable[[int, int], None]
"""``progress(done, total)``: packs packed so far, of all."""


@dataclass(frozen=True)
class PalletPacking:
    """What a ``pack_pallet`` left committed."""

    cases: tuple[SSCC, ...]
    """The cases packed (each one whole event), in order."""
    pallet: SignedEvent | None
    """The pallet's packing event; None when cancelled before it."""
    packs: int
    """How many packs went into the cases packed."""

    @property
    def complete(self) -> bool:
        return self.pallet is not None


def sscc_series(first: str | ContainerCode, count: int) -> list[SSCC]:
    """``count`` SSCCs from ``first`` on, the serial reference counting up (the extension
    digit and the company prefix stay; the check digit is recomputed)."""
    start = as_container(first).sscc
    body = int(start[1:17])
    if body + count - 1 >= 10 ** 16:
        raise RuleViolation(_("No {count} case codes follow {sscc}: start lower.")
                            .format(count=count, sscc=start))
    return [_with_check(start[0] + f"{body + i:016d}") for i in range(count)]


def _with_check(body17: str) -> SSCC:
    return SSCC(body17 + str(gs1_standard_check_digit(body17)))


def split_evenly(codes: Sequence[PackCode], parts: int) -> list[list[PackCode]]:
    """The codes in ``parts`` groups of nearly equal size, in order (none empty)."""
    if not 1 <= parts <= len(codes):
        raise RuleViolation(_("{count} packs cannot fill {parts} cases: choose between 1 and "
                              "{count} cases.").format(count=len(codes), parts=parts))
    size, extra = divmod(len(codes), parts)
    out: list[list[PackCode]] = []
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(list(codes[start:end]))
        start = end
    return out


def loose_stock(node: Node, gtin: str, lot: str) -> list[PackCode]:
    """The packs of a lot that this site holds, active and in no case: what can be packed."""
    out: list[PackCode] = []
    for key in node.packs_of_lot(GTIN(gtin), lot):
        record = node.ledger.pack(key)
        if (record is None or record.status is not PackStatus.ACTIVE
                or record.custodian != node.gln or record.forked
                or container_of(node.store, PackKey(key)) is not None):
            continue
        serial = key.split("/", 1)[1]
        out.append(PackCode(GTIN(record.gtin), serial, record.lot, record.expiry))
    return out


def pack_pallet(node: Node, pallet: str | ContainerCode,
                cases: Sequence[tuple[str | ContainerCode, Sequence[PackCode]]],
                progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None) -> PalletPacking:
    """Pack each case (one packing event each), then the cases onto the pallet (one more).

    ``cancel()`` is asked before each event: when it says stop, the cases already packed stay
    packed and the pallet is not packed. ``progress(done, total)`` counts packs, after each
    event commits."""
    top = as_container(pallet)
    total = sum(len(group) for _case, group in cases)
    done = 0
    packed: list[SSCC] = []
    for case, group in cases:
        if cancel is not None and cancel():
            return PalletPacking(tuple(packed), None, done)
        code = as_container(case)
        pack(node, code, group)
        packed.append(code.sscc)
        done += len(group)
        if progress is not None:
            progress(done, total)
    if cancel is not None and cancel():
        return PalletPacking(tuple(packed), None, done)
    signed = pack(node, top, packed)
    return PalletPacking(tuple(packed), signed, done)


def pack_lot(node: Node, gtin: str, lot: str, pallet: str | ContainerCode,
             first_case: str | ContainerCode, cases: int, progress: Progress | None = None,
             cancel: Callable[[], bool] | None = None) -> PalletPacking:
    """The lot's loose stock at this site (``loose_stock``) in ``cases`` cases of nearly equal
    size, numbered from ``first_case`` on (``sscc_series``), on one pallet (``pack_pallet``)."""
    codes = loose_stock(node, gtin, lot)
    if not codes:
        raise RuleViolation(_("No packs of lot {lot} are loose in this site's stock: nothing to "
                              "pack.").format(lot=lot))
    groups = split_evenly(codes, cases)
    return pack_pallet(node, pallet, list(zip(sscc_series(first_case, cases), groups,
                                              strict=True)), progress, cancel)
