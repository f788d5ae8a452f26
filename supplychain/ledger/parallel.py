"""Parallel ingest by log (PostgreSQL): worker processes, each appending whole logs.

Logs are independent: each organisation writes only its own, so a full node can append
different logs at the same time, each log's appends in order inside one worker. The derived
state is what joins them (a receive in one log whose ``prev`` is a ship in another; an event
pending on a ``prev`` another worker is writing right now). Each log's work runs in one
SERIALIZABLE transaction (``PgStore.transaction(shared=True)``); PostgreSQL guarantees the
committed transactions have the effect of *some* serial order, and the serial derivation
gives the same state in every order (tests/test_order_independence.py), so the result equals
serial ingest. A transaction PostgreSQL aborts for a conflict (serialization failure,
deadlock) is simply run again; the signatures were checked before it began (``prepare``),
so a retry redoes only the writes and the derivation.

A job's ``prepare`` and ``write`` run in the worker with a fresh ``Ledger`` over the worker's
own connection (kept per process). A job that fails for any other reason is refused alone:
its transaction is rolled back, the other logs land. Outcomes come back as plain data.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from supplychain.errors import SupplyChainError
from supplychain.i18n import _
from supplychain.identity.certificates import load_certificate
from supplychain.ledger.events import SignedEvent
from supplychain.ledger.logs import Ledger
from supplychain.ledger.process_pool import SharedPool
from supplychain.ledger.store import Store

log = logging.getLogger(__name__)

# A conflicting transaction still running may abort a retry again: wait a little longer each
# time (jittered), and give up only after RETRY_SECONDS of conflicts.
RETRY_SECONDS = 600.0
BACKOFF_FIRST, BACKOFF_MAX = 0.02, 2.0


@dataclass(frozen=True)
class Target:
    """Where the workers write: the store's location and what a Ledger needs."""

    location: str
    root_pem: bytes
    consortium: str


@dataclass(frozen=True)
class Outcome:
    """One job's result: ``value`` from its ``write``, or ``error`` (a person's words) and
    ``value`` from its ``refused``."""

    key: str
    value: Any = None
    error: str | None = None
    attempts: int = 1


# A job: (key, prepare(ledger, payload) -> prepared, write(ledger, prepared) -> value,
# refused(ledger, payload, exc) called after a refused write's rollback: what it returns, if
# anything, is the Outcome's ``value`` (plain data, e.g. the refusal's evidence), payload).
Prepare = Callable[["PreverifiedLedger", Any], Any]
Write = Callable[["PreverifiedLedger", Any], Any]
Refused = Callable[["PreverifiedLedger", Any, BaseException], Any]

class PreverifiedLedger(Ledger):
    """A Ledger that skips the signature check of entries checked before the transaction
    began (``preverified``: (log, index) -> the entry's bytes and parsed event), so a retried
    transaction does not verify again. Any other bytes are verified as usual."""

    def __init__(self, store: Store, root_cert: Any, consortium: str) -> None:
        super().__init__(store, root_cert, consortium)
        self.verify_workers = 0  # already a worker: signatures are checked in preverify
        self.preverified: dict[tuple[str, int], tuple[bytes, SignedEvent]] = {}

    def verify_entry(self, gln: str, index: int, data: bytes) -> SignedEvent:
        held = self.preverified.get((gln, index))
        if held is not None and held[0] == data:
            return held[1]
        return super().verify_entry(gln, index, data)

    def preverify(self, gln: str, start: int, entries: Sequence[bytes]) -> None:
        """Check entries ``start..`` of log ``gln`` now; stop at the first bad one (the
        append meets it again and refuses it with its own error)."""
        for i, data in enumerate(entries):
            try:
                self.preverified[(gln, start + i)] = (data,
                                                      self.verify_entry(gln, start + i, data))
            except SupplyChainError:
                break


_stores: dict[str, Store] = {}  # per worker process: one connection per location
_pool = SharedPool()


def retryable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a conflict PostgreSQL asks to run again."""
    from supplychain.ledger.store_pg import RETRYABLE

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, RETRYABLE):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _store(location: str) -> Store:
    from supplychain.ledger.backends import open_store

    store = _stores.get(location)
    if store is None:
        store = _stores[location] = open_store(location)
    return store


def _forget(location: str) -> None:
    store = _stores.pop(location, None)
    if store is not None:
        try:
            store.close()
        except Exception:  # noqa: BLE001 - a broken connection may not close cleanly
            pass


def run_job(target: Target, key: str, prepare: Prepare, write: Write, refused: Refused | None,
            payload: Any) -> Outcome:
    """One log's work in this process (a worker): prepare, then write in a retried
    SERIALIZABLE transaction."""
    try:
        store = _store(target.location)
        ledger = PreverifiedLedger(store, load_certificate(target.root_pem), target.consortium)
        prepared = prepare(ledger, payload)
        deadline = time.monotonic() + RETRY_SECONDS
        attempt = 0
        while True:
            attempt += 1
            try:
                with store.transaction(shared=True):
                    value = write(ledger, prepared)
                return Outcome(key, value, None, attempt)
            except SupplyChainError as exc:
                if retryable(exc) and time.monotonic() < deadline:
                    log.debug("log %s: conflict with another worker, attempt %d", key, attempt)
                    pause = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(attempt, 10))
                    time.sleep(pause * random.uniform(0.5, 1.5))
                    continue  # same ledger: its pre-verified entries are kept
                value = refused(ledger, prepared, exc) if refused is not None else None
                return Outcome(key, value, str(exc), attempt)
    except SupplyChainError as exc:
        _forget(target.location)
        return Outcome(key, None, str(exc))


def pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool of ``workers`` ingest processes (restarted if the size changes)."""
    return _pool.get(workers)


def shutdown() -> None:
    _pool.shutdown()


def ingest_by_log(target: Target, jobs: Sequence[tuple[str, Any]], prepare: Prepare,
                  write: Write, refused: Refused | None, workers: int) -> list[Outcome]:
    """Run every ``(key, payload)`` job in ``workers`` processes; outcomes in job order.

    ``prepare``, ``write`` and ``refused`` must be module-level functions (they are sent to
    the workers by name)."""
    executor = pool(workers)
    futures = [(key, executor.submit(run_job, target, key, prepare, write, refused, payload))
               for key, payload in jobs]
    outcomes = []
    for key, future in futures:
        try:
            outcomes.append(future.result())
        except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
            log.error("ingest worker failed on log %s", key, exc_info=exc)
            outcomes.append(Outcome(key, None, _("the ingest worker process failed ({exc}); "
                                                 "nothing of this log was saved")
                                    .format(exc=type(exc).__name__)))
    if any(o.error is not None and "worker process failed" in o.error for o in outcomes):
        shutdown_broken()
    return outcomes


def shutdown_broken() -> None:
    """Drop a pool whose worker died (a broken pool refuses every later job)."""
    _pool.shutdown(broken=True)


@dataclass(frozen=True)
class Append:
    """A job of ``ingest_appends``: append ``entries`` to log ``gln`` from index ``start``,
    then keep the author's signed ``checkpoint`` of the result (if given)."""

    gln: str
    start: int
    entries: list[bytes]
    checkpoint: str | None = None


def prepare_append(ledger: PreverifiedLedger, job: Append) -> Append:
    """Check the job's signatures before its transaction."""
    ledger.preverify(job.gln, job.start, job.entries)
    return job


def write_append(ledger: PreverifiedLedger, job: Append) -> int:
    ledger.append_entries(job.gln, job.start, job.entries, workers=0)
    if job.checkpoint is not None:
        ledger.accept_checkpoint(job.gln, job.checkpoint)
    return len(job.entries)


def ingest_appends(target: Target, jobs: Sequence[Append], workers: int) -> list[Outcome]:
    """Append whole logs in ``workers`` processes, one SERIALIZABLE transaction per job;
    jobs of one log must not be given twice in one call (each log's appends stay in one
    job, in order). Outcomes in job order; a refused job leaves the others landed."""
    return ingest_by_log(target, [(job.gln, job) for job in jobs], prepare_append,
                         write_append, None, workers)
