"""The project's one clock: UTC time, written as ISO 8601 text to the millisecond.

Every timestamp the core stores or signs (event times, checkpoints received, sync times,
peer attempts, revocations) is made here, so they all read alike:
``2026-11-29T08:15:02.123+00:00``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from supplychain.errors import BadTimestamp
from supplychain.i18n import _

__all__ = ["as_utc", "now", "now_iso", "parse_iso", "to_iso"]


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None = None) -> datetime:
    """``moment`` (default: now) in UTC; a time without a zone offset is refused."""
    if moment is None:
        return now()
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BadTimestamp(_("The time {moment} has no time zone; give it one (e.g. UTC).")
                           .format(moment=moment))
    return moment.astimezone(UTC)


def to_iso(moment: datetime) -> str:
    """``moment`` as the project writes times: UTC, ISO 8601, milliseconds, explicit offset."""
    return as_utc(moment).isoformat(timespec="milliseconds")


def now_iso() -> str:
    """The current time as the project writes times (see ``to_iso``)."""
    return to_iso(now())


def parse_iso(text: str) -> datetime:
    """Read an ISO 8601 time that carries its zone offset (any precision, any offset)."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadTimestamp(_("The time {text!r} is not ISO 8601 (write it like "
                             "2026-11-29T08:15:02.123+00:00).").format(text=text)) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BadTimestamp(_("The time {text!r} has no time zone offset (like +00:00).")
                           .format(text=text))
    return moment
