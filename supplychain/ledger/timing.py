"""Event times against backdating: what every node checks, and what only the signer can.

Every node checks, for every entry of every log, from the logs alone (so pack state stays a
function of the logs, whatever order they arrive in):

- the times of one log never go back (``log_order_problem``, applied by derivation: an entry
  dated before the entry ahead of it is rejected, and kept as evidence);
- an event is not dated before the events it extends (``rules.apply_item``, via ``prev``).

Only the signer can hold an event against a clock, its own (``check_signing_time``, in
``Node.append``): no event is dated more than ``SIGNING_TOLERANCE`` ahead of it, an event of
a time-bounded rule (an undo of a dispense) is dated when it is signed, and an event made
here (not imported history) is dated now. Witness cosignature timestamps (issue 11) will give
other nodes a clock to check against; until then a member running altered software can still
date an event anywhere between its log's last entry and its own clock.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache

from supplychain.clock import parse_iso, to_iso
from supplychain.errors import EventTimeError, LedgerError
from supplychain.i18n import _
from supplychain.ledger.events import Event, EventType

SIGNING_TOLERANCE = timedelta(minutes=10)
"""How far an event's time may be from the signer's clock: clocks of organisations differ a
little, and an import takes a while."""

TIME_BOUND_TYPES = frozenset({EventType.UNDO_DISPENSE})
"""Events whose time a rule measures (the undo window): dated when signed, never imported
from history."""


def entry_time(data: bytes) -> str:
    """The event time written in a stored log entry (verified when it was stored)."""
    try:
        time = json.loads(data)["event"]["time"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LedgerError(_("A stored log entry cannot be read; run `supplychain audit` to find "
                            "the damage.")) from exc
    if not isinstance(time, str):
        raise LedgerError(_("A stored log entry has no time; run `supplychain audit` to find "
                            "the damage."))
    return time


@lru_cache(maxsize=1024)
def _moment(text: str) -> datetime:
    """``parse_iso`` remembered: ingest compares each entry's time with the one before it,
    so every time is read twice in a row."""
    return parse_iso(text)


def log_order_problem(gln: str, index: int, time: str, previous: str | None) -> str | None:
    """Why entry ``index`` of log ``gln``, dated ``time``, breaks the log's time order after
    an entry dated ``previous`` (None: it does not)."""
    if previous is None or previous == time or _moment(time) >= _moment(previous):
        return None
    return _("Entry {index} of log {gln} is dated {time}, before the entry ahead of it "
             "({previous}): the times of a log never go back, so an event cannot be "
             "backdated behind its author's earlier events.").format(
                 index=index, gln=gln, time=time, previous=previous)


def check_signing_time(event: Event, now: datetime, *, historical: bool = False) -> None:
    """Refuse to sign ``event`` at ``now`` when its time is too far from ``now``.

    Never more than ``SIGNING_TOLERANCE`` ahead; never more than that behind either, unless
    ``historical`` (an EPCIS import of past events, which the log's time order still bounds)
    and the event is not one a time-bounded rule measures.
    """
    moment = event.datetime
    minutes = int(SIGNING_TOLERANCE.total_seconds() // 60)
    if moment - now > SIGNING_TOLERANCE:
        raise EventTimeError(
            _("The {type} event is dated {time}, more than {minutes} minutes "
              "after this computer's clock ({clock}): an event cannot be dated in the "
              "future. Check the time given, or this computer's clock.")
            .format(type=event.type.value, time=event.time, minutes=minutes, clock=to_iso(now)))
    if now - moment <= SIGNING_TOLERANCE:
        return
    if event.type in TIME_BOUND_TYPES:
        raise EventTimeError(
            _("The {type} event is dated {time}, more than {minutes} minutes "
              "before this computer's clock ({clock}): an undo of a dispense is dated "
              "when it is signed, since the undo window is measured by it. Undo the dispense "
              "now (within the window), or report the pack instead.")
            .format(type=event.type.value, time=event.time, minutes=minutes, clock=to_iso(now)))
    if not historical:
        raise EventTimeError(
            _("The {type} event is dated {time}, more than {minutes} minutes "
              "before this computer's clock ({clock}): an event is dated when it is "
              "signed. Import past events as an EPCIS document instead.")
            .format(type=event.type.value, time=event.time, minutes=minutes, clock=to_iso(now)))


def signing_time(now: datetime, floor: str | None) -> str:
    """The time to write on an event signed at ``now``.

    ``floor`` is the latest time the event must not precede (its log's last entry, the
    events it extends). When this clock is a little behind it (another organisation's clock
    runs ahead, this one was set back), the event takes ``floor``; more than
    ``SIGNING_TOLERANCE`` behind it, signing is refused.
    """
    stamp = to_iso(now)
    if floor is None or parse_iso(stamp) >= parse_iso(floor):
        return stamp
    if parse_iso(floor) - now > SIGNING_TOLERANCE:
        raise EventTimeError(
            _("This event must not be dated before {floor} (the last event of its log, or an "
              "event it extends), but this computer's clock says {stamp}: one of the two clocks "
              "is wrong by more than "
              "{minutes} minutes. Check this computer's "
              "clock; if it is right, the other organisation's is ahead: report it.")
            .format(floor=floor, stamp=stamp, minutes=int(SIGNING_TOLERANCE.total_seconds() // 60)))
    return floor
