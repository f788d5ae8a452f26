"""EPCIS event times at the ends of the calendar (year 1, year 9999) are refused with a reason,
never a traceback, whatever the zone offset (moving them to it would overflow)."""

from __future__ import annotations

import pytest

from tests.conftest import MAKER, Network
from tests.interchange.epcis.helpers import commission_event, document, refused


@pytest.mark.parametrize(("time", "offset"), [
    ("0001-01-01T00:00:00.000+05:00", "-05:00"),
    ("0001-01-01T00:00:00.000-05:00", "+05:00"),
    ("0001-01-01T00:00:00.000+00:00", "+00:00"),
    ("1969-12-31T23:59:59.000+00:00", "+00:00"),
    ("9999-12-31T23:59:59.000-05:00", "+05:00"),
    ("9999-12-31T23:59:59.999+00:00", "+00:00"),
    ("3000-01-01T00:00:00.000+00:00", "+00:00"),
])
def test_event_times_far_out_of_range_are_refused(network: Network, time: str,
                                                   offset: str) -> None:
    event = commission_event(["S1"]) | {"eventTime": time, "eventTimeZoneOffset": offset}
    reasons = refused(network[MAKER], document(event))
    assert reasons == [f"eventTime {time!r} is not a plausible time for a supply-chain event "
                       "(the year must be from 1970 to 2999)."]
