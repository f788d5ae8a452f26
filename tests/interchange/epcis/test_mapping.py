"""Mapping one EPCIS event onto the ledger, seen from the acting organisation."""

from __future__ import annotations

import json

import pytest

from supplychain.errors import EpcisError
from supplychain.ids import GLN
from supplychain.interchange.epcis.mapping import map_event
from supplychain.ledger.events import EventType
from tests.interchange.epcis.helpers import EPCIS_DATA, events_of


def test_standard_example_events_map_for_their_own_organisation() -> None:
    """Seen from the example's own location, the shipping event maps; only rules remain."""
    doc = json.loads((EPCIS_DATA / "Example_9.6.1-ObjectEvent.jsonld").read_bytes())
    shipping, receiving = events_of(doc)
    with pytest.raises(EpcisError, match="needs a destinationList"):
        map_event(shipping, 0, GLN("0614141073467"))
    plan = map_event(receiving, 1, GLN("0012345111112"))
    assert plan.kind is EventType.RECEIVE
    assert [c.key for c in plan.codes] == ["10614141073464/2018"]
    assert plan.time == "2005-04-04T20:33:31.116-06:00"
    example = json.loads((EPCIS_DATA / "Example_9.6.2-ObjectEvent.jsonld").read_bytes())
    # The receiving party (destination owning_party), at its own site and dock door.
    with pytest.raises(EpcisError, match="quantityList"):
        map_event(events_of(example)[0], 0, GLN("0614141000012"))
    # ... but the dock door is not the organisation, and another member's site never is ours.
    with pytest.raises(EpcisError, match="action by GLN 0614141000012"):
        map_event(events_of(example)[0], 0, GLN("0614141007776"))
    with pytest.raises(EpcisError, match="action by GLN 0614141008889 .its bizLocation"):
        map_event(events_of(example)[0], 0, GLN("0614141000012"),
                  members={"0614141000012", "0614141008889"})
