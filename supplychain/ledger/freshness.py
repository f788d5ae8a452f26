"""How fresh a node's copy of each log is: the "last synced" part of a verdict.

A log counts as synced when a pull confirmed it against a peer (new entries or not); the
node's own log is always current. A copy is stale when a relevant log was never synced or
not within ``stale_after``. Offline nodes keep giving verdicts; this says how old they are.
It also says which witnesses vouched for each log's checkpoint (``witnessing``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from supplychain import clock
from supplychain.codes.gs1 import gtin_in_prefix
from supplychain.i18n import _, ngettext
from supplychain.ids import GTIN
from supplychain.ledger.store import Store
from supplychain.ledger.witnessing import LogWitnessing, log_witnesses

STALE_AFTER = timedelta(hours=1)
STALE_AFTER_META = "sync.stale_after_seconds"


@dataclass(frozen=True)
class SyncInfo:
    """Per relevant log: when it was last synced (ISO time, or None: never); stale or not."""

    last_synced: dict[str, str | None]
    stale: bool
    stale_after_seconds: int
    witnesses: tuple[LogWitnessing, ...] = ()  # per relevant log (own log included)

    def to_dict(self) -> dict[str, Any]:
        return {"last_synced": dict(self.last_synced), "stale": self.stale,
                "stale_after_seconds": self.stale_after_seconds,
                "witnesses": self.witnesses_list()}

    def witnesses_list(self) -> list[dict[str, object]]:
        """For the verdict JSON: per log the checkpoint relied on and who vouched for it."""
        return [w.to_dict() for w in self.witnesses]


def sync_info(store: Store, logs: Iterable[str], own: str,
              now: datetime | None = None) -> SyncInfo:
    """Freshness of ``logs`` (the own log ``own`` is skipped: it is always current), and
    the witnesses of every one of them."""
    logs = set(logs)
    when = now or clock.now()
    configured = store.get_meta(STALE_AFTER_META)
    limit = timedelta(seconds=int(configured)) if configured else STALE_AFTER
    synced = store.synced()
    last: dict[str, str | None] = {}
    stale = False
    for gln in sorted(set(logs) - {own}):
        row = synced.get(gln)
        last[gln] = row.last_synced if row else None
        if row is None or when - clock.parse_iso(row.last_synced) > limit:
            stale = True
    return SyncInfo(last, stale, int(limit.total_seconds()), log_witnesses(store, logs))


def relevant_logs(store: Store, chain_logs: Iterable[str], custodian: str | None,
                  gtin: str) -> set[str]:
    """The logs a verdict depends on: those in the pack's chain and its custodian's. For an
    unknown pack, the logs of the manufacturers whose company prefixes cover its GTIN (its
    commissioning could be in one not synced yet); none when no member could have issued it."""
    logs = set(chain_logs)
    if custodian:
        logs.add(custodian)
    if logs:
        return logs
    return {m.gln for m in store.manufacturer_prefixes()
            if any(gtin_in_prefix(GTIN(gtin), p) for p in m.prefixes)}


def ago(iso: str, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '3 days ago' for an ISO time (current language)."""
    then = clock.parse_iso(iso)
    seconds = max(0, int(((now or clock.now()) - then).total_seconds()))
    if seconds < 60:
        return _("just now")
    if seconds < 90 * 60:
        return _("{count} min ago").format(count=max(1, round(seconds / 60)))
    if seconds < 48 * 3600:
        return _("{count} h ago").format(count=round(seconds / 3600))
    days = round(seconds / 86400)
    return ngettext("{count} day ago", "{count} days ago", days).format(count=days)


def freshness_line(info: SyncInfo | None, now: datetime | None = None) -> tuple[str, bool]:
    """The line under a verdict about how fresh the ledger copy is: (text, stale)."""
    if info is None:
        return "", False
    if not info.last_synced:
        return _("Ledger copy: this verdict rests on this node's own log only (always "
                 "current)."), False
    times = list(info.last_synced.values())
    if any(t is None for t in times):
        never = sum(1 for t in times if t is None)
        if len(times) == 1:
            text = _("Stale copy: the log behind this verdict was never synced with a peer "
                     "(bundles only) — sync before trusting a GENUINE.")
        else:
            text = _("Stale copy: {never} of the {total} logs behind this verdict were never "
                     "synced with a peer (bundles only) — sync before trusting a "
                     "GENUINE.").format(never=never, total=len(times))
        return text, True
    oldest = min(t for t in times if t is not None)
    if info.stale:
        return _("Stale copy: last synced {ago} — sync before trusting a "
                 "GENUINE.").format(ago=ago(oldest, now)), True
    return _("Ledger copy last synced {ago}.").format(ago=ago(oldest, now)), False
