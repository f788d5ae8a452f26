"""The derived rows of cases and pallets: each container's head state and what is inside it.

Written by derivation (``supplychain.ledger.derivation``) with the other derived rows of a
batch; read by the node. The statements are ``sql.py``'s; both stores run them through their
public ``query_all`` / ``write_many``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supplychain.ids import GLN, SSCC, EventHash
from supplychain.ledger import sql
from supplychain.ledger.events import is_container_key
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.store import Store

__all__ = ["ContainerRecord", "container_of", "container_row", "container_tree", "contents_of",
           "put_containers", "set_memberships"]


@dataclass(frozen=True)
class ContainerRecord:
    """The derived state of one case or pallet (its head event)."""

    sscc: SSCC
    status: PackStatus
    custodian: GLN
    recipient: GLN | None
    container: SSCC | None  # the pallet it is on, if any
    contents: int  # packs and cases directly inside
    head: EventHash
    forked: bool


def put_containers(store: Store, rows: Iterable[ContainerRecord]) -> None:
    store.write_many(sql.PUT_CONTAINER, ((r.sscc, r.status.value, r.custodian, r.recipient,
                                          r.container, r.contents, r.head, int(r.forked))
                                         for r in rows))


def set_memberships(store: Store, rows: Iterable[tuple[str, str | None]]) -> None:
    """Record, for each ``(item, container)``, the container the item is in now (None: none)."""
    rows = list(rows)
    store.write_many(sql.CLEAR_MEMBERSHIP, ((item,) for item, _ in rows))
    store.write_many(sql.PUT_MEMBERSHIP, ((container, item) for item, container in rows
                                          if container is not None))


def container_row(store: Store, sscc: str) -> ContainerRecord | None:
    row = store.query_one(sql.GET_CONTAINER, (sscc,))
    if row is None:
        return None
    return ContainerRecord(SSCC(row[0]), PackStatus(row[1]), GLN(row[2]),
                           GLN(row[3]) if row[3] else None, SSCC(row[4]) if row[4] else None,
                           int(row[5]), EventHash(row[6]), bool(row[7]))


def contents_of(store: Store, sscc: str) -> list[str]:
    """The keys (packs, cases) directly inside the container now, sorted."""
    return [str(r[0]) for r in store.query_all(sql.CONTENTS_OF, (sscc,))]


def container_of(store: Store, key: str) -> SSCC | None:
    """The case or pallet a pack or case is directly in now (None: none)."""
    row = store.query_one(sql.CONTAINER_OF, (key,))
    return None if row is None else SSCC(row[0])


def container_tree(store: Store, sscc: str) -> list[str]:
    """The container and everything inside it, recursively: each case before its contents."""
    keys = [sscc]
    for key in contents_of(store, sscc):
        if is_container_key(key):
            keys.extend(container_tree(store, key))
        else:
            keys.append(key)
    return keys
