"""EPCIS and rewritten logs: an EPCIS import signs this node's own new events, but an event
exported by this project carries the ledger event it came from and its claimed place in its
author's log. One signed by its author for a place held here with another event comes from
another version of that log: refused, without a dispute (the place is unsigned and EPCIS
carries no checkpoint; see supplychain/interchange/epcis/claims.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MAKER, Network
from tests.interchange.epcis.helpers import events_of, export, refused
from tests.rewritten_helpers import rewritten_maker

pytestmark = pytest.mark.both_backends


def test_an_event_from_another_version_of_a_held_log_is_refused(network: Network,
                                                                tmp_path: Path) -> None:
    case = rewritten_maker(network, tmp_path)
    maker = network[MAKER]
    doc = export(case.fork)  # the copy's entries 0 (as held) and 1 (another event)
    assert [e["sc:index"] for e in events_of(doc)] == [0, 1]
    reasons = refused(maker, doc)
    assert "another version" not in str(reasons[0])  # entry 0 is the one held here
    assert reasons[1] is not None
    assert f"Acme Pharma ({MAKER}) signed as entry 1 of its log" in reasons[1]
    assert "no dispute is recorded" in reasons[1]
    assert maker.store.disputes() == []
    assert [e for e in maker.store.evidence() if e.kind == "rewritten_log"] == []
    case.fork.close()


def test_an_event_whose_signature_is_not_its_authors_claims_nothing(network: Network,
                                                                   tmp_path: Path) -> None:
    case = rewritten_maker(network, tmp_path)
    doc = export(case.fork)
    event = events_of(doc)[1]
    event["sc:signature"] = event["sc:signature"][::-1]  # no longer the maker's signature
    reasons = refused(network[MAKER], doc)
    assert "another version" not in str(reasons[1])
    case.fork.close()
