"""The PostgreSQL store: ``Store``'s interface over one psycopg 3 connection.

Statements are ``sql.py``'s, translated by ``sql_pg``. The connection runs in autocommit
mode; ``transaction()`` opens ``BEGIN ISOLATION LEVEL SERIALIZABLE`` and, before its first
query, locks an empty table (``writer_lock``) in EXCLUSIVE mode: one ordinary writer at a
time, as SQLite's ``BEGIN IMMEDIATE`` gives, so two commands on one node never interleave.
Parallel ingest (``supplychain.ledger.parallel``) takes that lock in SHARE mode instead:
workers appending to different logs run side by side, and SERIALIZABLE isolation makes their
result equal some serial order of them (a conflict aborts one, which is retried).

Other processes' commits are noticed with LISTEN/NOTIFY (``data_version``): a transaction
that wrote sends one notification on commit; no shared row is updated by every writer.

Every psycopg failure becomes a ``LedgerError`` in plain words; a URL's password is never
shown (``describe_location``).

``read_only``: the store of an answer node over a hot standby (streaming replication). Open
runs no DDL and writes no meta; every session is ``default_transaction_read_only``;
transactions are ``REPEATABLE READ READ ONLY`` without the writer lock (a standby refuses
SERIALIZABLE and LOCK); any write is refused with ``read_only_error`` before it reaches the
server, and the server's own refusal (ReadOnlySqlTransaction) is mapped to the same words.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql
from psycopg.conninfo import conninfo_to_dict

from supplychain.errors import LedgerError
from supplychain.i18n import _
from supplychain.ledger import sql, sql_pg
from supplychain.ledger.store import Store

ITER_ROWS = 2_000


class _QuietAbortedPipeline(logging.Filter):
    """psycopg logs a warning when it discards a pipeline that a failed ``executemany`` left
    aborted; the failure itself is raised (a conflict is retried, anything else is reported
    in plain words), so the extra line would only puzzle the person at the terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not ("error ignored" in text and "pipeline aborted" in text)


logging.getLogger("psycopg").addFilter(_QuietAbortedPipeline())
_cursors = itertools.count()
#: Errors after which a transaction may simply be run again.
RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


def describe_location(url: str) -> str:
    """``host[:port]/database`` of a PostgreSQL URL: what a message may show (no password)."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return _("(an unreadable PostgreSQL address)")
    host = str(params.get("host") or "localhost")
    port = params.get("port")
    where = f"{host}:{port}" if port else host
    return f"{where}/{params.get('dbname') or params.get('user') or ''}"


def unreachable(url: str, exc: BaseException | None = None) -> LedgerError:
    detail = _first_line(exc)
    return LedgerError(_("Cannot reach the ledger database at {where}: start it or check "
                         "--store ({detail}).").format(where=describe_location(url),
                                                       detail=detail))


def _first_line(exc: BaseException | None) -> str:
    text = str(exc or "").strip().splitlines()
    return text[0] if text else type(exc).__name__


def read_only_error(url: str) -> LedgerError:
    """A write on a read-only replica (``store_read_only``, or the server refused it)."""
    return LedgerError(_("This node reads a read-only replica of the ledger ({where}); writes "
                         "go to the primary: run commands that write on the ingest node. An "
                         "answer node on a replica sets \"store_read_only\": true in node.json "
                         "and runs `serve --replica`.").format(where=describe_location(url)))


def pg_error(url: str, exc: psycopg.Error) -> LedgerError:
    """A plain-words LedgerError for a psycopg failure (the transaction is rolled back)."""
    if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
        return read_only_error(url)
    if isinstance(exc, pg_errors.DiskFull) or "could not extend file" in str(exc):
        return LedgerError(_("The disk is full: nothing was saved. Free some disk space and try "
                             "again."))
    if isinstance(exc, RETRYABLE):
        return LedgerError(_("The ledger database was busy with another writer; nothing was "
                             "saved. Try again."))
    if isinstance(exc, psycopg.OperationalError):
        return unreachable(url, exc)
    return LedgerError(_("The ledger database refused a statement ({exc}); nothing was "
                         "saved.").format(exc=_first_line(exc)))


class PgStore(Store):
    """A node's ledger in a PostgreSQL database (or schema). One thread owns it."""

    parallel_ingest = prefetches = True
    _memo: dict[tuple[str, tuple[Any, ...]], list[Any]] | None = None  # see prefetched()
    _writes = 0

    def __init__(self, url: str, *, create: bool = False, ingest_workers: int = 0,
                 read_only: bool = False) -> None:
        if read_only and create:
            raise LedgerError(_("A read-only replica of the ledger cannot be created; enrol "
                                "on the primary, then point this node at its replica."))
        self.path = None
        self.url = url
        self.read_only = read_only
        self.ingest_workers = ingest_workers  # > 0: bundle import ingests logs in parallel
        self._wrote = False
        self._listener: psycopg.Connection[Any] | None = None
        self._schema = ""
        self._version = 0
        self.pg = self._connect(create)
        try:
            if read_only:
                self._check_tables()
            else:
                self._prepare(create)
        except psycopg.Error as exc:
            self.pg.close()
            raise pg_error(url, exc) from exc

    # --- connecting -----------------------------------------------------------------
    def _connect(self, create: bool) -> psycopg.Connection[Any]:
        if self.read_only:
            try:
                pg = psycopg.connect(self.url, autocommit=True)
                pg.execute("SET default_transaction_read_only = on")
                return pg
            except psycopg.OperationalError as exc:
                raise unreachable(self.url, exc) from exc
            except psycopg.ProgrammingError as exc:
                raise LedgerError(_("The store address is not a PostgreSQL URL this program "
                                    "can read ({exc}).").format(exc=_first_line(exc))) from exc
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            if create and "does not exist" in str(exc) and "database" in str(exc):
                self._create_database()
                try:
                    return psycopg.connect(self.url, autocommit=True)
                except psycopg.Error as again:
                    raise unreachable(self.url, again) from again
            raise unreachable(self.url, exc) from exc
        except psycopg.ProgrammingError as exc:
            raise LedgerError(_("The --store address is not a PostgreSQL URL this program can "
                                "read ({exc}).").format(exc=_first_line(exc))) from exc

    def _create_database(self) -> None:
        params = conninfo_to_dict(self.url)
        name = str(params.get("dbname") or "")
        params["dbname"] = "postgres"
        try:
            with psycopg.connect(**params, autocommit=True) as admin:  # type: ignore[arg-type]
                admin.execute(pg_sql.SQL("CREATE DATABASE {}").format(pg_sql.Identifier(name)))
        except pg_errors.DuplicateDatabase:
            pass
        except psycopg.Error as exc:
            raise LedgerError(_("Could not create the ledger database at {where} ({exc}); "
                                "create it yourself or check --store.")
                              .format(where=describe_location(self.url),
                                      exc=_first_line(exc))) from exc

    def _prepare(self, create: bool) -> None:
        """Create the schema named first in search_path if missing, then the tables."""
        if self.pg.execute(sql_pg.CURRENT_SCHEMA).fetchone()[0] is None:  # type: ignore[index]
            if not create:
                raise LedgerError(_("No ledger at {where}: its schema does not exist.")
                                  .format(where=describe_location(self.url)))
            path = str(self.pg.execute(sql_pg.SHOW_SEARCH_PATH).fetchone()[0])  # type: ignore[index]
            first = path.split(",")[0].strip().strip('"')
            self.pg.execute(pg_sql.SQL("CREATE SCHEMA IF NOT EXISTS {}")
                              .format(pg_sql.Identifier(first)))
        elif not create and self.pg.execute(
                "SELECT to_regclass('meta')").fetchone()[0] is None:  # type: ignore[index]
            raise LedgerError(_("No ledger at {where}: the database holds no ledger tables "
                                "(enrol with --store to create one).")
                              .format(where=describe_location(self.url)))
        self.pg.execute(sql_pg.SCHEMA_LOCK)
        try:
            for statement in sql_pg.all_schema():
                self.pg.execute(statement)
        finally:
            self.pg.execute(sql_pg.SCHEMA_UNLOCK)
        stored = int(self.get_meta("schema_version") or sql.SCHEMA_VERSION)
        # An older schema brought up to date:
        for statement in sql.upgrade_statements(stored, self.table_columns):
            self.pg.execute(sql_pg.translate(statement))
        self.set_meta("schema_version", str(max(stored, sql.SCHEMA_VERSION)))

    def _check_tables(self) -> None:
        """A read-only open: the ledger's tables must be there, at this program's schema
        version (a replica cannot create or upgrade them; the primary does)."""
        where = describe_location(self.url)
        if self.pg.execute(sql_pg.CURRENT_SCHEMA).fetchone()[0] is None:  # type: ignore[index]
            raise LedgerError(_("No ledger at {where}: its schema does not exist (has the "
                                "replica caught up with the primary's enrolment?).")
                              .format(where=where))
        for table in sql.all_tables():
            if self.pg.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:  # type: ignore[index]
                raise LedgerError(_("No ledger at {where}: table {table} is missing; a "
                                    "read-only replica cannot create it. Open the primary once "
                                    "with this version of the program, then let the replica "
                                    "catch up.").format(where=where, table=table))
        stored = int(self.get_meta("schema_version") or 0)
        if stored < sql.SCHEMA_VERSION:
            raise LedgerError(_("The ledger at {where} has schema version {stored}; this "
                                "program needs {needed}. Open the primary once with this "
                                "version to upgrade it, then let the replica catch up.")
                              .format(where=where, stored=stored, needed=sql.SCHEMA_VERSION))

    def close(self) -> None:
        self.pg.close()
        if self._listener is not None:
            self._listener.close()


    # --- transactions -----------------------------------------------------------------
    # ``Store.transaction`` (SERIALIZABLE here) nests and rolls back; these say how.
    def _begin(self, shared: bool) -> None:
        """``shared``: take the writer lock in SHARE mode (parallel ingest of different logs);
        otherwise EXCLUSIVE (one writer, as on SQLite)."""
        self._reconnect_if_lost()
        try:
            if self.read_only:  # a standby refuses SERIALIZABLE and LOCK; nobody writes here
                self.pg.execute(sql_pg.BEGIN_READ_ONLY)
            else:
                self.pg.execute(sql_pg.BEGIN)
                self.pg.execute(sql_pg.LOCK_SHARED_WRITER if shared else sql_pg.LOCK_ONE_WRITER)
        except psycopg.Error as exc:
            self._rollback()
            raise pg_error(self.url, exc) from exc
        self._wrote = False

    def _commit(self) -> None:
        try:
            if self._wrote:
                self.pg.execute("SELECT pg_notify(%s, current_schema())",
                                  (sql_pg.NOTIFY_CHANNEL,))
            self.pg.execute(sql.COMMIT)
        except psycopg.Error as exc:
            self._rollback()
            raise pg_error(self.url, exc) from exc

    def _rollback(self) -> None:
        try:
            if self._in_transaction():
                self.pg.execute(sql.ROLLBACK)
        except psycopg.Error:
            pass  # a lost connection has no transaction left to undo

    def _in_transaction(self) -> bool:
        return bool(self.pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._exec(sql.SAVEPOINT)
        try:
            yield
        except BaseException:
            if self._in_transaction():
                try:
                    self.pg.execute(sql_pg.translate(sql.ROLLBACK_TO_SAVEPOINT))
                    self.pg.execute(sql_pg.translate(sql.RELEASE_SAVEPOINT))
                except psycopg.Error:
                    pass  # the transaction is lost; the outer one rolls back
            raise
        self._exec(sql.RELEASE_SAVEPOINT)

    # --- running statements -------------------------------------------------------------
    def _reconnect_if_lost(self) -> None:
        """Between transactions, a connection the server dropped (a restart) is opened
        again; inside one, the loss is the transaction's failure (nothing was saved)."""
        if not self._depth and (self.pg.closed or self.pg.broken):
            self.pg = self._connect(False)

    def _exec(self, statement: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        self._reconnect_if_lost()
        try:
            return self.pg.execute(sql_pg.translate(statement),
                                     tuple(params) if params else None)
        except psycopg.Error as exc:
            raise pg_error(self.url, exc) from exc

    def _one(self, statement: str, params: Sequence[Any] = ()) -> Any:
        if self._memo is not None and (statement, tuple(params)) in self._memo:
            rows = self._memo[(statement, tuple(params))]
            return rows[0] if rows else None
        return self._exec(statement, params).fetchone()

    def _all(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        if self._memo is not None and (statement, tuple(params)) in self._memo:
            return list(self._memo[(statement, tuple(params))])
        return self._exec(statement, params).fetchall()

    @contextmanager
    def prefetched(self, reads: Sequence[tuple[str, Sequence[Any]]]) -> Iterator[None]:
        """Inside: ``reads`` (statement, parameters), sent in one pipeline (one round trip),
        answer ``_one``/``_all`` of the same statement and parameters; nested blocks add to
        the outer one's. Any write inside forgets them all (``_writing``)."""
        outer = self._memo
        memo = dict(outer or {})
        todo = [(stmt, tuple(params)) for stmt, params in reads
                if (stmt, tuple(params)) not in memo]
        if todo and psycopg.Pipeline.is_supported():
            self._reconnect_if_lost()
            try:
                with self.pg.pipeline():
                    cursors = [self.pg.execute(sql_pg.translate(stmt), params or None)
                               for stmt, params in todo]
                memo.update((key, cur.fetchall()) for key, cur in zip(todo, cursors,
                                                                       strict=True))
            except psycopg.Error as exc:
                raise pg_error(self.url, exc) from exc
        self._memo, writes = memo, self._writes
        try:
            yield
        finally:  # after a write inside, the outer block's rows may be stale too
            self._memo = outer if self._writes == writes or outer is None else {}

    def _writing(self) -> None:
        if self.read_only:
            raise read_only_error(self.url)
        self._wrote = True
        self._writes += 1
        if self._memo is not None:
            self._memo = {}  # what was read before a write may be stale now

    def _run(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._writing()
        self._exec(statement, params)

    def _changed(self, statement: str, params: Sequence[Any] = ()) -> int:
        self._writing()
        return int(self._exec(statement, params).rowcount)

    def _many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        self._writing()
        try:
            with self.pg.cursor() as cur:
                cur.executemany(sql_pg.translate(statement),
                                [tuple(r) for r in rows])
        except psycopg.Error as exc:
            raise pg_error(self.url, exc) from exc

    def _iter(self, statement: str) -> Iterator[Any]:
        """Rows read through a server-side cursor, ITER_ROWS at a time (a full node's
        entries do not fit in memory). Outside a transaction the cursor is WITH HOLD."""
        self._reconnect_if_lost()
        try:
            with self.pg.cursor(name=f"scan{next(_cursors)}", withhold=not self._depth) as cur:
                cur.itersize = ITER_ROWS
                cur.execute(sql_pg.translate(statement))
                yield from cur
        except psycopg.Error as exc:
            raise pg_error(self.url, exc) from exc

    @contextmanager
    def settled(self) -> Iterator[None]:
        """Reads that see no writer in flight: waits for running ingest transactions (their
        ``events.rowid`` positions were drawn before they commit, not in commit order)."""
        with self.transaction():
            yield

    # --- what SQLite answers with PRAGMAs ---------------------------------------------
    def derived_snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in sql.DERIVED_TABLES:
            columns = self.table_columns(table)
            query = pg_sql.SQL("SELECT {} FROM {}").format(
                pg_sql.SQL(", ").join(pg_sql.Identifier(c) for c in columns),
                pg_sql.Identifier(table))
            try:
                rows = self.pg.execute(query).fetchall()
            except psycopg.Error as exc:
                raise pg_error(self.url, exc) from exc
            out[table] = sorted(tuple(r) for r in rows)
        return out

    def copy_to_memory(self) -> Store:
        raise LedgerError(_("A PostgreSQL ledger is not copied into memory; use scratch()."))

    @contextmanager
    def scratch(self) -> Iterator[Store]:
        """This store inside a transaction that is always rolled back: changes vanish."""
        with self.transaction():
            try:
                self._exec(sql.SAVEPOINT)
                yield self
            finally:
                if self._in_transaction():
                    self._exec(sql.ROLLBACK_TO_SAVEPOINT)
                    self._exec(sql.RELEASE_SAVEPOINT)
                self._wrote = False

    def integrity_check(self) -> str:
        """PostgreSQL checks its own pages (checksums, WAL); the audit's own checks follow."""
        self._one("SELECT 1")
        return sql_pg.INTEGRITY_OK

    def data_version(self) -> int:
        """Grows whenever another connection commits a write to this ledger (LISTEN/NOTIFY).
        Read-only (a standby refuses LISTEN; notifications are not replicated): the WAL
        position replayed, which grows with every write the primary ships."""
        if self.read_only:
            row = self._one(sql_pg.WAL_POSITION)
            return int(row[0]) if row and row[0] is not None else 0
        try:
            if self._listener is None:
                self._listener = psycopg.connect(self.url, autocommit=True)
                self._listener.execute(pg_sql.SQL("LISTEN {}").format(
                    pg_sql.Identifier(sql_pg.NOTIFY_CHANNEL)))
                self._schema = str(self.pg.execute(sql_pg.CURRENT_SCHEMA).fetchone()[0])  # type: ignore[index]
            mine = self.pg.info.backend_pid
            for note in self._listener.notifies(timeout=0):
                if note.pid != mine and note.payload == self._schema:
                    self._version += 1
        except psycopg.Error as exc:
            raise pg_error(self.url, exc) from exc
        return self._version
