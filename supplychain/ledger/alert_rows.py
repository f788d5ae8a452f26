"""The derived rows of signed alert lives: each applied step, by its owner's log position.

Written by derivation (``supplychain.ledger.derivation``) as it applies alert events; read by
the node (``supplychain.node.alerts``), which folds them into lives (``alert_life.fold_alerts``).
The statements are ``sql.py``'s; both stores run them through ``query_all`` / ``write_many``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from supplychain.ids import GLN
from supplychain.ledger import sql
from supplychain.ledger.alert_events import AlertBody
from supplychain.ledger.alert_life import (
    AlertCause,
    AlertProgress,
    AlertState,
    AlertStep,
    AlertStepRecord,
    ClosingReason,
)
from supplychain.ledger.store import Store

__all__ = ["alert_progress", "alert_steps", "put_alert_steps"]


def put_alert_steps(store: Store, rows: Iterable[AlertStepRecord]) -> None:
    store.write_many(sql.PUT_ALERT_STEP, (
        (r.owner, r.index, r.alert_id, r.event_hash, r.step.value, r.time, r.note,
         r.cause.value if r.cause else None, r.subject,
         r.closing.value if r.closing else None, " ".join(r.notified), " ".join(r.packs))
        for r in rows))


def alert_steps(store: Store, owner: str | None = None,
                alert_id: str | None = None) -> list[AlertStepRecord]:
    """The applied steps held: every owner's, one owner's, or one alert's (``owner`` and
    ``alert_id``), in (owner, log position) order."""
    if owner is not None and alert_id is not None:
        rows = store.query_all(sql.ALERT_STEPS_OF, (owner, alert_id))
    elif owner is not None:
        rows = store.query_all(sql.ALERT_STEPS_OF_OWNER, (owner,))
    else:
        rows = store.query_all(sql.ALL_ALERT_STEPS)
    return [_record(r) for r in rows]


def alert_progress(steps: Sequence[AlertStepRecord]) -> AlertProgress | None:
    """Where an alert stands after ``steps`` (its applied steps in order; none: not raised)."""
    progress: AlertProgress | None = None
    for step in steps:
        body = AlertBody(step.alert_id, step.step, closing=step.closing)
        progress = AlertProgress(AlertState.NEW) if progress is None else progress.after(body)
    return progress


def _record(row: Sequence[Any]) -> AlertStepRecord:
    return AlertStepRecord(
        GLN(row[0]), str(row[2]), int(row[1]), str(row[3]), AlertStep(row[4]), str(row[5]),
        row[6], AlertCause(row[7]) if row[7] else None, row[8],
        ClosingReason(row[9]) if row[9] else None,
        tuple(GLN(g) for g in str(row[10]).split()), tuple(str(row[11]).split()))
