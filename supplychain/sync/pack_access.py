"""Who may read a pack's events from this node (``GET /v1/packs/...``), and how often.

Entitled without more: the regulator; hubs (interface pending from the access branch: a
role or a directory designation; until then no member is a hub); members named in the pack's
chain (actor, custodian or recipient of one of its events); the manufacturer owning the
GTIN's company prefix (it follows its own packs to the end). Anyone else only by presenting
the pack's full code (GTIN, serial, lot and expiry all matching what the ledger holds), and
at most ``RATE`` such questions per second per caller (a token bucket of ``BURST``) against
the enumeration of serials. Under a consortium sharing policy of ``full`` any member may read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from supplychain.identity.certificates import MemberInfo, Role
from supplychain.ledger.records import PackRecord
from supplychain.ledger.store import Store

POLICY_KEY = "consortium.sharing"
BURST = 20
RATE = 0.5


class SharingPolicy(StrEnum):
    NEED_TO_KNOW = "need_to_know"
    FULL = "full"


def sharing_policy(store: Store) -> SharingPolicy:
    """The consortium's sharing policy as this node knows it.

    Interface for the access branch: the policy belongs in the root-signed directory. Until
    it is there, a node reads the meta key ``consortium.sharing`` and, without it, treats
    every member as entitled (``full``: the behaviour before need-to-know serving).
    """
    value = store.get_meta(POLICY_KEY)
    try:
        return SharingPolicy(value) if value else SharingPolicy.FULL
    except ValueError:
        return SharingPolicy.NEED_TO_KNOW  # an unreadable setting never opens more


class Access(StrEnum):
    ENTITLED = "entitled"
    BY_CODE = "by_code"  # holds the pack: presented its full code (rate-limited)
    FORBIDDEN = "forbidden"


def pack_access(caller: MemberInfo, policy: SharingPolicy, parties: Iterable[str],
                owner: str | None, record: PackRecord | None, lot: str | None,
                expiry: str | None, hubs: frozenset[str] = frozenset()) -> Access:
    """May ``caller`` read the pack ``record`` (None: not held here)? Pure."""
    if policy is SharingPolicy.FULL or caller.role is Role.REGULATOR or caller.gln in hubs:
        return Access.ENTITLED
    if caller.gln in set(parties) or (owner is not None and caller.gln == owner):
        return Access.ENTITLED
    if lot is None or expiry is None:
        return Access.FORBIDDEN
    if record is None:
        return Access.BY_CODE  # nothing to show but "unknown": rate-limited all the same
    if record.lot == lot and record.expiry.isoformat() == expiry:
        return Access.BY_CODE
    return Access.FORBIDDEN


@dataclass
class TokenBucket:
    """Per-caller token buckets: ``take(caller)`` returns 0.0 when a token was taken, else
    the seconds until one is available (the 429's Retry-After)."""

    burst: float = BURST
    rate: float = RATE
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, caller: str) -> float:
        now = self.clock()
        tokens, last = self._buckets.get(caller, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[caller] = (tokens - 1.0, now)
            return 0.0
        self._buckets[caller] = (tokens, now)
        return (1.0 - tokens) / self.rate
