"""The store's ``disputes`` rows (``Store.put_dispute``, ``Store.disputes``): a mixin of
``Store`` (and so of ``PgStore``), kept apart so the store module stays one job long."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from supplychain.ids import GLN
from supplychain.ledger import sql
from supplychain.ledger.records import DisputeRecord


class DisputeRows:
    """Reads and writes of ``disputes``; the store supplies ``_run`` and ``_all``."""

    def _run(self, statement: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def _all(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def put_dispute(self, author: str, digest: str, channel: str, relay: str, from_index: int,
                    statement_ours: str, statement_theirs: str, entry_index: int | None,
                    entry_theirs: str | None, proof_theirs: str | None, now: str) -> None:
        """Keep a dispute; seen again (same statements, channel and relay): its count and
        last_seen go up, and its from_index down to the smaller of the two."""
        self._run(sql.PUT_DISPUTE, (author, digest, channel, relay, from_index, statement_ours,
                                    statement_theirs, entry_index, entry_theirs, proof_theirs,
                                    now, now))

    def disputes(self, author: str | None = None) -> list[DisputeRecord]:
        """Every dispute held (of one author's log), by author and first seen."""
        rows = (self._all(sql.ALL_DISPUTES) if author is None
                else self._all(sql.DISPUTES_OF, (author,)))
        return [DisputeRecord(GLN(r[0]), r[1], r[2], r[3], int(r[4]), r[5], r[6],
                              None if r[7] is None else int(r[7]), r[8], r[9], r[10], r[11],
                              int(r[12]))
                for r in rows]

    def disputed_from(self) -> dict[str, int]:
        """Per author with a dispute: the smallest index from which its log is disputed."""
        return {r[0]: int(r[1]) for r in self._all(sql.DISPUTED_FROM)}
