"""Who may read a pack's events from this node (``GET /v1/packs/...``), and how often.

Entitled without more: the regulator; the consortium's designated hubs; members named in the
pack's
chain (actor, custodian or recipient of one of its events); the manufacturer owning the
GTIN's company prefix (it follows its own packs to the end). Anyone else only by presenting
the pack's full code (GTIN, serial, lot and expiry all matching what the ledger holds), and
at most ``RATE`` such questions per second per caller (a token bucket of ``BURST``) against
the enumeration of serials. Under a consortium sharing policy of ``full`` (the policy in the
member directory, ``identity.sharing``) any member may read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.sharing import SharingPolicy
from supplychain.ledger.records import PackRecord

BURST = 20
RATE = 0.5


class Access(StrEnum):
    ENTITLED = "entitled"
    BY_CODE = "by_code"  # holds the pack: presented its full code (rate-limited)
    FORBIDDEN = "forbidden"


def pack_access(caller: MemberInfo, policy: SharingPolicy, parties: Iterable[str],
                owner: str | None, record: PackRecord | None, lot: str | None,
                expiry: str | None) -> Access:
    """May ``caller`` read the pack ``record`` (None: not held here)? Pure."""
    if not policy.need_to_know or caller.role is Role.REGULATOR or policy.is_hub(caller.gln):
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
