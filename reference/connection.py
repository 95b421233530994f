"""A connection: one backend, one DB-API connection, statements as sqlglot trees, explicit transactions."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext, suppress
from typing import Any

from sqlglot import exp

from .backends import backend_for
from .errors import AccessError, DataJointError, DeadlockError, LostConnectionError, ThreadSafetyError
from .settings import THREAD_SAFE, Config
from .settings import config as GLOBAL_CONFIG

log = logging.getLogger("djspecs.reference")
STATEMENT_ATTEMPTS = 6  # a deadlocked statement outside a transaction is tried at most this often


class Batch(list):
    """Rows of parameters for one statement that runs once per row (a bulk insert): `execute` streams them."""


class Connection:
    """Runs statements for one backend. Values always travel as bound parameters."""

    def __init__(
        self,
        settings: Mapping[str, Any] | None = None,
        *,
        on_statement: Callable[[exp.Expression], None] | None = None,
        config: Config | None = None,
    ):
        """`settings`: this connection's database settings (copied); without them, those of `config`.

        `config` is the configuration in force for work done through the connection (safemode, jobs.*): a
        `dj.Instance` passes its own; by default it is the global `dj.config`, or in thread-safe mode, where
        the global is refused, the connection's own settings (CFG-4).
        """
        if settings is not None:
            self.settings = Config(dict(settings))
        else:
            self.settings = config if config is not None else GLOBAL_CONFIG
        self.config = config if config is not None else (self.settings if THREAD_SAFE else GLOBAL_CONFIG)
        self.backend = backend_for(self.settings)
        self.on_statement = on_statement  # sees every statement before it runs (tests re-parse them)
        self.schemas: dict[str, Any] = {}  # the schemas activated on this connection, by name
        self._raw = None
        self.in_transaction = False
        self.statements = 0  # how many statements this connection ran; benchmarks compare it
        # transaction control, built once per connection: each statement object caches its rendered SQL
        self._begin, self._commit, self._rollback = self.backend.begin(), exp.Commit(), exp.Rollback()

    def __repr__(self) -> str:
        return f"Connection({self.backend.name})"

    @property
    def raw(self) -> Any:
        if self._raw is None and self.in_transaction:  # a new connection would run the rest outside it
            raise LostConnectionError(
                "The connection was lost inside a transaction; the server rolled it back, so nothing more runs "
                "until the transaction block ends",
                rule="DML-40",
            )
        if self._raw is None:
            try:
                self._raw = self.backend.connect()
            except Exception as error:
                refused = self.backend.ERRORS.get(self.backend.error_code(error)) is AccessError
                cls = AccessError if refused else DataJointError
                raise cls(f"Cannot connect to the {self.backend.name} server: {error}") from None
        return self._raw

    def server_version(self) -> str:
        return self.backend.server_version(self.raw)

    def render(self, statement: exp.Expression) -> str:
        """SQL for the backend, rendered once per statement object (repeated fetches reuse it)."""
        if "sql" not in statement.meta:
            statement.meta["sql"] = self.backend.render(statement)
        return statement.meta["sql"]

    @staticmethod
    def bound_values(statement: exp.Expression) -> list:
        """The values bound into a statement's placeholders, in statement order (found once per statement)."""
        if "params" not in statement.meta:
            statement.meta["params"] = [
                node.meta["value"] for node in statement.walk(bfs=False) if isinstance(node, exp.Placeholder)
            ]
        return statement.meta["params"]

    def execute(self, statement: exp.Expression, params: Sequence[Any] | None = None, *, context: str = "") -> Any:
        """Run one statement and return the cursor; driver errors become the spec's errors.

        Without `params`, the values are those bound into the tree's placeholders, in statement order.
        A `Batch` of rows runs the statement for every row, in one transaction (see `execute_many`).
        """
        if isinstance(params, Batch):
            if self.in_transaction:
                return self.execute_many(statement, params, context=context)
            with self.transaction:
                return self.execute_many(statement, params, context=context)
        sql = self.render(statement)
        if params is None:
            params = self.bound_values(statement)
        log.debug("%s  %s", sql, params)
        if self.on_statement:
            self.on_statement(statement)

        # a parameter tuple always, even an empty one: the drivers then read `%%` in the SQL as `%`
        def run(cursor: Any) -> Any:
            cursor.execute(sql, tuple(params))
            return cursor

        return self._run(statement, run, context or sql)

    def execute_many(self, statement: exp.Expression, rows: Sequence[Sequence[Any]], *, context: str = "") -> Any:
        """Run the statement once per row of parameters, as the backend streams rows fastest."""
        sql = self.render(statement)
        log.debug("%s  (%d rows)", sql, len(rows))
        if self.on_statement:
            self.on_statement(statement)
        return self._run(
            statement, lambda cursor: self.backend.write_rows(self.raw, statement, sql, rows), context or sql
        )

    def _run(self, statement: exp.Expression, run: Callable[[Any], Any], context: str) -> Any:
        """What `run` returns for a new cursor; outside a transaction, re-run what is safe to re-run.

        A lost connection is dropped, so the next operation connects anew. Outside a transaction, a read (or
        the BEGIN of a transaction) that met a lost connection is re-run once on a new connection; a write is
        not, since the server may have applied it before the connection broke. A statement the server aborted
        to break a deadlock was rolled back whole, so outside a transaction it is re-run, a bounded number of
        times. Inside a transaction both errors surface: the server has rolled the transaction back.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                outcome = run(self.raw.cursor())
            except DataJointError:
                raise
            except Exception as error:
                lost = self.backend.is_disconnect(error)
                if lost:
                    self._forget()
                translated = self.backend.translate(error, context)
                retry = not self.in_transaction and attempt < STATEMENT_ATTEMPTS
                if lost and retry and attempt == 1 and isinstance(statement, exp.Query | exp.Transaction):
                    log.warning("Reconnecting to the %s server after: %s", self.backend.name, translated)
                    continue
                if isinstance(translated, DeadlockError) and retry:
                    log.info("Re-running a statement after a deadlock (attempt %d): %s", attempt + 1, translated)
                    time.sleep(random.uniform(0, 0.02 * 2**attempt))
                    continue
                raise translated from None
            self.statements += 1
            return outcome

    def _forget(self) -> None:
        """Drop a connection the server has closed; closing it may fail, which changes nothing."""
        raw, self._raw = self._raw, None
        with suppress(Exception):
            raw.close()

    def query(
        self, statement: exp.Expression, params: Sequence[Any] | None = None, *, context: str = ""
    ) -> list[tuple]:
        return list(self.execute(statement, params, context=context).fetchall())

    @property
    def transaction(self) -> Transaction:
        """DML-40: `with connection.transaction:` (the spec's spelling); `with connection.transaction:` too."""
        return Transaction(self)

    @contextmanager
    def declaring(self, schema: str) -> Iterator[None]:
        """DEF-20, JOB-1: one declaration at a time in `schema`, across processes.

        Processes that make the first use of the same schema, table or jobs table at once (workers that start
        together) would otherwise race: the losers' CREATE TYPE or CREATE TABLE fails with "already exists".
        Inside the block the caller checks the catalog again and creates only what is still missing. Where DDL
        is transactional the block is also one transaction, so other processes see a table whole or not at all.
        """
        backend = self.backend
        if backend.DDL_IS_TRANSACTIONAL:
            with nullcontext() if self.in_transaction else self.transaction:  # an open one holds the lock to its end
                backend.lock_declarations(self, schema)
                yield
            return
        backend.lock_declarations(self, schema)
        try:
            yield
        finally:
            backend.unlock_declarations(self, schema)

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None


class Transaction:
    """DML-40: commit on normal exit, roll back and re-raise on an exception; no nesting."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def __call__(self) -> Transaction:
        """The older spelling `connection.transaction` names the same block."""
        return self

    def __enter__(self) -> Connection:
        connection = self.connection
        if connection.in_transaction:
            raise DataJointError("Nested transactions are not supported", rule="DML-40")
        connection.execute(connection._begin)
        connection.in_transaction = True
        return connection

    def __exit__(self, kind, error, trace) -> None:
        connection = self.connection
        if kind is not None:
            connection.in_transaction = False
            if connection._raw is not None:
                connection.execute(connection._rollback)
            return
        try:
            connection.execute(connection._commit)
        finally:
            connection.in_transaction = False


_default: Connection | None = None


def conn(*, reset: bool = False) -> Connection:
    """The process-wide connection made from `dj.config`, shared by schemas created without one.

    CFG-4: in thread-safe mode the global configuration refuses to be read, so this raises ThreadSafetyError.
    """
    global _default
    if THREAD_SAFE:
        raise ThreadSafetyError(
            "The global connection is disabled in thread-safe mode (DJ_THREAD_SAFE); use dj.Instance(...).connection, "
            "or pass a connection",
            rule="CFG-4",
        )
    if _default is None or reset:
        _default = Connection()
    return _default
