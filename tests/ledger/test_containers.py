"""The container rules as pure functions (supplychain.ledger.containers): the refusals only
altered software can reach, and who owns an SSCC."""

from __future__ import annotations

from datetime import date

import pytest

from supplychain.codes.sscc import make_sscc
from supplychain.errors import RuleViolation
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.ids import GLN, GTIN, SSCC, EventHash, PackKey
from supplychain.ledger.containers import ContainerState, apply_event, sscc_owner_prefixes
from supplychain.ledger.events import Event, EventType, Item
from supplychain.ledger.rules import PackState, PackStatus

DIST = MemberInfo("North Wholesale", GLN("5012345000039"), Role.DISTRIBUTOR)
OTHER = MemberInfo("South Wholesale", GLN("5012345000046"), Role.DISTRIBUTOR)
MAKER = MemberInfo("Acme", GLN("5012345000022"), Role.MANUFACTURER, ("501234",))
CASE = SSCC(make_sscc("5012345", 1))
PACK = PackKey("05012345000015/SN1")
PREV = EventHash("a" * 64)
THEN = "2026-02-01T09:00:00+00:00"
NOW = "2026-02-02T09:00:00+00:00"


def held(by: GLN, **changes: object) -> tuple[ContainerState, PackState]:
    case = ContainerState(CASE, PackStatus.ACTIVE, by, contents=1, since=THEN)
    pack = PackState(GTIN("05012345000015"), "SN1", "L1", date(2030, 1, 31), PackStatus.ACTIVE,
                     by, since=THEN, container=CASE)
    if changes:
        case = ContainerState(**{**case.__dict__, **changes})  # type: ignore[arg-type]
        pack = PackState(**{**pack.__dict__, **{k: v for k, v in changes.items()
                                                 if k in ("status", "custodian",
                                                          "recipient")}})  # type: ignore[arg-type]
    return case, pack


def event(kind: EventType, actor: MemberInfo, *keys: str, **fields: object) -> Event:
    return Event(kind, actor.gln, "key-1", NOW, tuple(Item(PackKey(k), PREV) for k in keys),
                 **fields)  # type: ignore[arg-type]


def test_a_whole_case_ships_and_is_received() -> None:
    case, pack = held(DIST.gln)
    shipped = apply_event(event(EventType.SHIP, DIST, CASE, PACK, to=OTHER.gln), DIST,
                          [case, pack])
    assert shipped[0] == ContainerState(CASE, PackStatus.IN_TRANSIT, DIST.gln, OTHER.gln,
                                        None, 1, THEN)
    assert isinstance(shipped[1], PackState) and shipped[1].container == CASE
    received = apply_event(event(EventType.RECEIVE, OTHER, CASE, PACK), OTHER, shipped)
    assert [s.custodian for s in received] == [OTHER.gln, OTHER.gln]
    assert [s.status for s in received] == [PackStatus.ACTIVE, PackStatus.ACTIVE]


@pytest.mark.parametrize(("kind", "actor", "state", "keys", "phrase"), [
    (EventType.RECEIVE, OTHER, {}, (CASE, PACK), "was not shipped to South Wholesale"),
    (EventType.RECEIVE, OTHER, {"status": PackStatus.IN_TRANSIT, "recipient": OTHER.gln},
     (CASE,), "holds 1 packs or cases, but this receive names 0"),
    (EventType.SHIP, OTHER, {}, (CASE, PACK), "in the custody of 5012345000039, not South"),
    (EventType.DESTROY, DIST, {"status": PackStatus.DESTROYED}, (CASE, PACK),
     "was destroyed; it stays destroyed"),
    (EventType.DESTROY, DIST, {}, (PACK,), f"take it out of case {CASE} first"),
    (EventType.UNPACK, OTHER, {}, (CASE, PACK), "only its custodian can unpack it"),
])
def test_refusals(kind: EventType, actor: MemberInfo, state: dict[str, object],
                  keys: tuple[str, ...], phrase: str) -> None:
    case, pack = held(DIST.gln, **state)
    befores = [case if k == CASE else pack for k in keys]
    fields: dict[str, object] = {"parent": CASE} if kind.is_aggregation else {}
    with pytest.raises(RuleViolation, match=phrase):
        apply_event(event(kind, actor, *keys, **fields), actor, befores)


def test_sscc_owners() -> None:
    assert sscc_owner_prefixes(MAKER) == ("501234", "5012345")
    assert sscc_owner_prefixes(DIST) == ("5012345",)
    unknown_range = MemberInfo("Far Away", GLN("7612345000008"), Role.DISTRIBUTOR)
    assert sscc_owner_prefixes(unknown_range) == ("7612345",)  # the common 7-digit length


def test_a_new_case_starts_its_chain_at_packing() -> None:
    pack = PackState(GTIN("05012345000015"), "SN1", "L1", date(2030, 1, 31),
                     PackStatus.ACTIVE, DIST.gln, since=THEN)
    items = (Item(PackKey(CASE)), Item(PACK, PREV))
    packed = apply_event(Event(EventType.PACK, DIST.gln, "key-1", NOW, items, parent=CASE),
                         DIST, [None, pack])
    assert packed[0] == ContainerState(CASE, PackStatus.ACTIVE, DIST.gln, None, None, 1)
    assert packed[1] == PackState(pack.gtin, "SN1", "L1", pack.expiry, PackStatus.ACTIVE,
                                  DIST.gln, since=THEN, container=CASE)


def test_a_version_2_file_gains_the_container_columns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from supplychain.ledger import sql
    from supplychain.ledger.store import Store

    path = tmp_path / "v2.sqlite"
    store = Store(path, create=True)
    for column in ("contents", "container"):  # the shape of a version-2 file
        store.conn.execute(f"ALTER TABLE event_items DROP COLUMN {column}")
    store.set_meta("schema_version", "2")
    store.close()
    store = Store(path)
    assert store.table_columns("event_items")[-2:] == ["container", "contents"]
    assert store.get_meta("schema_version") == str(sql.SCHEMA_VERSION)
    assert sql.SCHEMA_VERSION >= 3  # the version that added them, or a later one
    store.close()


def test_a_case_received_in_part_is_opened_on_receipt() -> None:
    """The one exception to whole cases: a receipt with a shortage names the case and what
    arrived of it; what arrived comes out of it, the rest stays in it, still in transit."""
    case, first = held(DIST.gln)
    second = PackState(first.gtin, "SN2", "L1", first.expiry, PackStatus.ACTIVE, DIST.gln,
                       since=THEN, container=CASE)
    case = ContainerState(CASE, PackStatus.ACTIVE, DIST.gln, contents=2, since=THEN)
    shipped = apply_event(event(EventType.SHIP, DIST, CASE, PACK, "05012345000015/SN2",
                                to=OTHER.gln), DIST, [case, first, second])
    received = apply_event(event(EventType.RECEIVE, OTHER, CASE, PACK), OTHER, shipped[:2])
    assert received[0] == ContainerState(CASE, PackStatus.ACTIVE, OTHER.gln, None, None, 1, THEN)
    assert isinstance(received[1], PackState) and received[1].container is None
    assert received[1].custodian == OTHER.gln and received[1].status is PackStatus.ACTIVE
    with pytest.raises(RuleViolation, match="holds 2 packs or cases, but this ship names 1"):
        apply_event(event(EventType.SHIP, DIST, CASE, PACK, to=OTHER.gln), DIST, [case, first])
