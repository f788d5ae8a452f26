"""Bundle import on a full node over PostgreSQL: the bundle's logs ingested in parallel.

``bundle.import_bundle`` takes this path when the store allows several writers
(``Store.parallel_ingest``), the store has ``ingest_workers`` and the bundle is big enough to
pay for it. The directory, members and revocations are kept first (one transaction); then each
log goes to a worker process (``supplychain.ledger.parallel``) that checks its signatures
before its transaction and imports it with exactly the serial path's checks
(``bundle._import_log``) in a transaction of its own. So one log is all or nothing, not the
whole bundle: a log refused (a forged entry, a rewritten history) leaves the others imported.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization

from supplychain.errors import BundleError
from supplychain.i18n import _
from supplychain.ledger import parallel
from supplychain.ledger.logs import Ledger

#: Below this many entries in the bundle, the serial import (one transaction) is used.
PARALLEL_MIN_ENTRIES = 2_000


@dataclass(frozen=True)
class _Job:
    log: dict[str, Any]
    source: str


def wanted(ledger: Ledger, logs: list[Any]) -> bool:
    """Whether this bundle's logs are imported in parallel."""
    if not ledger.store.parallel_ingest or _workers(ledger) < 2:
        return False
    sizes = [len(log["entries"]) for log in logs
             if isinstance(log, dict) and isinstance(log.get("entries"), list)]
    return len(sizes) >= 2 and sum(sizes) >= PARALLEL_MIN_ENTRIES


def _workers(ledger: Ledger) -> int:
    return int(getattr(ledger.store, "ingest_workers", 0))  # PgStore's; SQLite has none


def import_logs(ledger: Ledger, logs: list[Any], source: str) -> dict[str, int]:
    """Import every log in parallel; return new entries per log. Raise BundleError naming
    the refused logs (after the others were imported)."""
    for log in logs:
        if not isinstance(log, dict) or set(log) != {"gln", "checkpoint", "entries"} \
                or not isinstance(log["gln"], str):
            raise BundleError(_("A log in the bundle is malformed."))
    target = parallel.Target(
        str(getattr(ledger.store, "url")),  # noqa: B009 - only PgStore allows parallel ingest
        ledger.root_cert.public_bytes(serialization.Encoding.PEM), ledger.consortium)
    outcomes = parallel.ingest_by_log(target, [(log["gln"], _Job(log, source)) for log in logs],
                                      _prepare, _write, _refused, _workers(ledger))
    refused = [o for o in outcomes if o.error is not None]
    added = {o.key: int(o.value) for o in outcomes if o.error is None and o.value}
    if refused:
        raise BundleError(
            _("{count} log(s) of the bundle were not imported; the other logs were "
              "imported. {details}").format(
                count=len(refused), details=" ".join(f"{o.key}: {o.error}" for o in refused)))
    return added


def _prepare(ledger: parallel.PreverifiedLedger, job: _Job) -> _Job:
    """Check the signatures of the entries this node does not hold, before the transaction.
    A bad entry is left unchecked here: the import itself meets it and refuses the log with
    the serial path's own error."""
    gln, raw = job.log["gln"], job.log["entries"]
    if not isinstance(raw, list):
        return job
    held = ledger.store.log_size(gln)
    try:
        entries = [base64.b64decode(text, validate=True) for text in raw[held:]]
    except (binascii.Error, TypeError, ValueError):
        return job  # the import says which entry is not base64
    ledger.preverify(gln, held, entries)
    return job


def _write(ledger: parallel.PreverifiedLedger, job: _Job) -> int:
    from supplychain.interchange.bundle import _import_log

    log = dict(job.log, entries=list(job.log["entries"]))  # _import_log drops what it read
    return _import_log(ledger, log, job.source)[1]


def _refused(ledger: parallel.PreverifiedLedger, job: _Job, exc: BaseException) -> None:
    from supplychain.interchange.bundle import _Rewritten, keep_rewritten

    if isinstance(exc, _Rewritten):  # the log's import is undone; the author's lie is kept
        keep_rewritten(ledger, exc, job.source)
