"""supplychain.clock: one precision for every timestamp, and strict parsing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from supplychain import clock
from supplychain.errors import BadTimestamp

ISO_MS_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00")


def test_now_iso_is_utc_to_the_millisecond() -> None:
    assert ISO_MS_UTC.fullmatch(clock.now_iso())


def test_to_iso_converts_to_utc_and_keeps_milliseconds() -> None:
    moment = datetime(2026, 3, 1, 13, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert clock.to_iso(moment) == "2026-03-01T12:00:00.123+00:00"


def test_round_trip() -> None:
    text = clock.now_iso()
    assert clock.to_iso(clock.parse_iso(text)) == text


def test_parse_iso_keeps_the_offset() -> None:
    moment = clock.parse_iso("2026-03-01T13:00:00+01:00")
    assert moment == datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("yesterday", "not ISO 8601"), ("2026-03-01T12:00:00", "no time zone"),
     ("2026-03-01T12:00:00+00:00\n", "not ISO 8601")],
)
def test_parse_iso_refuses(text: str, phrase: str) -> None:
    with pytest.raises(BadTimestamp, match=phrase):
        clock.parse_iso(text)


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(BadTimestamp, match="no time zone"):
        clock.to_iso(datetime(2026, 3, 1, 12))
