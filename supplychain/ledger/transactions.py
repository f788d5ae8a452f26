"""``transaction()``: one atomic batch, the same on every store backend.

Nested use joins the outer transaction; any error rolls the whole batch back. Each backend
says only how to begin, roll back and commit (``_begin``, ``_rollback``, ``_commit``: SQLite
in ``store``, PostgreSQL in ``store_pg``), and maps its failures to plain-words errors there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Transactions:
    """The nesting and rollback of ``transaction()``; a store supplies the three hooks."""

    _depth = 0  # how many transaction() blocks are open (0: none)

    @contextmanager
    def transaction(self, *, shared: bool = False) -> Iterator[None]:
        """One atomic batch. Nested use joins the outer transaction. ``shared``: a writer that
        may run beside others (parallel ingest on PostgreSQL; SQLite has one writer)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin(shared)
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
        self._commit()

    @property
    def in_transaction(self) -> bool:
        """Whether a ``transaction()`` block is open (writes now would join it)."""
        return self._depth > 0

    def _begin(self, shared: bool) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError
