"""A GTIN has one owner, whatever certificates exist: the custody rules called directly with
an overlapping manufacturer certificate (split from test_rules.py, whose helpers it uses)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from supplychain.errors import RuleViolation
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.prefixes import PrefixOwners
from supplychain.ids import GLN, GTIN, PackKey
from supplychain.ledger.events import Event, EventType, Item
from supplychain.ledger.rules import PackStatus, apply_item, check_recall
from tests.conftest import GTIN as OUR_GTIN
from tests.conftest import MAKER, REGULATOR
from tests.ledger.test_rules import ACTORS, EXPIRY, NOW, PACK, event

ROGUE = MemberInfo("Rogue Pharma", GLN("5012345000077"), Role.MANUFACTURER, ("5012345",))
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def owners_with_rogue(rogue_since: datetime) -> PrefixOwners:
    """Acme (prefix 501234, certified at T0) and a rogue certified with 5012345 inside it."""
    return PrefixOwners.of([(ACTORS[Role.MANUFACTURER], T0), (ROGUE, rogue_since)])


def test_a_later_overlapping_certificate_may_not_commission_or_recall() -> None:
    owners = owners_with_rogue(T0 + timedelta(days=1))
    item = Item(PACK, None, "L1", EXPIRY)  # OUR_GTIN lies under 501234 and 5012345
    with pytest.raises(RuleViolation, match=(
            f"GTIN {OUR_GTIN} lies in the company prefixes of Rogue Pharma and of {MAKER} "
            f"\\(it belongs to {MAKER}, certified first\\), so Rogue Pharma may not "
            "commission it")):
        apply_item(event(EventType.COMMISSION, ROGUE, item), item, ROGUE, None, owners)
    recall = Event(EventType.RECALL, ROGUE.gln, "key-1", NOW, gtin=GTIN(OUR_GTIN), lot="L1")
    with pytest.raises(RuleViolation, match="so Rogue Pharma may not recall it"):
        check_recall(recall, ROGUE, owners)
    # The manufacturer certified first keeps its GTINs; the regulator recalls any.
    maker = ACTORS[Role.MANUFACTURER]
    assert apply_item(event(EventType.COMMISSION, maker, item), item, maker, None,
                      owners).custodian == maker.gln
    check_recall(replace(recall, author=maker.gln), maker, owners)
    check_recall(replace(recall, author=REGULATOR), ACTORS[Role.REGULATOR], owners)


def test_an_overlap_certified_at_the_same_time_gives_the_gtin_to_neither() -> None:
    owners = owners_with_rogue(T0)
    item = Item(PACK, None, "L1", EXPIRY)
    for actor in (ACTORS[Role.MANUFACTURER], ROGUE):
        with pytest.raises(RuleViolation, match="neither was certified first"):
            apply_item(event(EventType.COMMISSION, actor, item), item, actor, None, owners)
    # A GTIN under the outer prefix only stays the outer prefix's.
    outside = Item(PackKey("05012340000018/SN1"), None, "L1", EXPIRY)
    maker = ACTORS[Role.MANUFACTURER]
    assert apply_item(event(EventType.COMMISSION, maker, outside), outside, maker, None,
                      owners).status is PackStatus.ACTIVE
