"""Sync's part in rewritten logs (``supplychain.ledger.disputes``): when a pull meets a log
whose author signed a version that contradicts the history held here, the peer's version is
fetched whole (its pages, as for a pull) so that the dispute can name the first entry that
differs, with that entry and its inclusion proof in the author's other signed tree. A peer
that cannot or will not serve it leaves the dispute to the two checkpoints alone (disputed
from 0, and only when they prove the conflict by themselves).
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import TYPE_CHECKING

from supplychain.errors import CheckpointError, PeerMisbehaved, SupplyChainError
from supplychain.ledger.alerts import AlertKind
from supplychain.ledger.checkpoint import SignedCheckpoint
from supplychain.sync.protocol import EntriesRequest, StoreRunner
from supplychain.sync.replica import Replica

if TYPE_CHECKING:
    from supplychain.sync.puller import PeerSource

log = logging.getLogger("supplychain.sync")

#: Lies that may be an author's rewritten history (the evidence names both checkpoints).
DISPUTE_KINDS = frozenset({AlertKind.INCONSISTENT_HISTORY, AlertKind.EQUIVOCATION})
#: The most entries of the other version fetched to find where it parts from ours.
MAX_VERSION_ENTRIES = 200_000


async def keep_sync_dispute(source: PeerSource | None, run: StoreRunner, replica: Replica,
                            lie: PeerMisbehaved, relay: str) -> str | None:
    """Keep the dispute a lie shows, if the author's signatures prove one; return what the
    refusal says next (who rewrote, what was kept, what to do) or None. Never raises.
    ``source``: the peer to fetch its version from (None: the checkpoints alone)."""
    if lie.kind not in DISPUTE_KINDS:
        return None
    try:
        doc = json.loads(lie.evidence)
        gln, theirs = str(doc["log"]), doc["theirs"]
        if not isinstance(theirs, str):
            return None
        size = SignedCheckpoint.parse(theirs).checkpoint.size
    except (ValueError, KeyError, TypeError, CheckpointError):
        return None
    entries: list[bytes] | None = None
    if source is not None and 0 < size <= MAX_VERSION_ENTRIES:
        try:
            entries = await _version(source, gln, size)
        except (SupplyChainError, OSError) as exc:
            log.warning("log %s: %s did not serve its version (%s); dispute from 0", gln,
                        source.url, exc)
    result: str | None = await run(partial(replica.keep_dispute, gln, theirs, entries, relay))
    return result


async def _version(source: PeerSource, gln: str, size: int) -> list[bytes]:
    """The peer's entries ``0..size`` of log ``gln`` (its pages in order)."""
    entries: list[bytes] = []
    while len(entries) < size:
        page = await source.entries(EntriesRequest(gln, len(entries), size, size))
        if page.start != len(entries) or not page.entries:
            break
        entries.extend(page.entries)
    return entries[:size]
