"""What every hostile-input case runs under: a statement guard, a canary table, a time limit, a tally."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import sqlglot
from sqlglot import exp

import djspecs.reference as dj

# Statement kinds that only a deliberate operation (delete, drop, update) may send.
DESTRUCTIVE = (exp.Drop, exp.Delete, exp.Update, exp.Alter, exp.Command, exp.Block, exp.TruncateTable, exp.Merge)


class StatementGuard:
    """An `on_statement` hook: inside `expect(...)`, every statement must be a read (catalog look-ups, the
    query itself) or one of the kinds the operation intends, must render to exactly the statements its tree holds
    (one, or the members of a script), and must not touch a protected schema.
    Violations are recorded, not raised, so the operation's own error handling is not disturbed."""

    def __init__(self, dialect: str, protected: str):
        self.dialect, self.protected = dialect, protected
        self.allowed: tuple[type[exp.Expression], ...] | None = None
        self.violations: list[str] = []
        self.seen = 0

    @contextmanager
    def expect(self, *kinds: type[exp.Expression]) -> Iterator[None]:
        self.allowed = (exp.Select, *kinds)
        try:
            yield
        finally:
            self.allowed = None

    def __call__(self, statement: exp.Expression) -> None:
        if self.allowed is None:
            return
        self.seen += 1
        sql = statement.sql(dialect=self.dialect)
        # a script (a table's DDL on PostgreSQL) is judged statement by statement
        members = statement.expressions if isinstance(statement, exp.Block) else [statement]
        for member in members:
            if not isinstance(member, self.allowed):
                self.violations.append(f"unintended {type(member).__name__}: {sql[:300]}")
            for node in member.walk():
                if isinstance(node, DESTRUCTIVE) and not isinstance(member, self.allowed):
                    self.violations.append(f"{type(node).__name__} inside {type(member).__name__}: {sql[:300]}")
                if isinstance(node, exp.Table | exp.Identifier) and self.protected in node.name:
                    self.violations.append(f"touches the canary schema: {sql[:300]}")
        try:
            statements = sqlglot.parse(sql, read=self.dialect)
        except sqlglot.errors.ParseError as error:
            self.violations.append(f"does not re-parse ({error}): {sql[:300]}")
            return
        if [type(s) for s in statements] != [type(m) for m in members]:
            self.violations.append(f"renders to {len(statements)} statements, not {len(members)}: {sql[:300]}")


class Canary:
    """A table in its own schema whose rows must survive every hostile case unchanged."""

    ROWS = [{"canary_id": i, "word": w} for i, w in enumerate(["alive", "'; DROP TABLE x; --", "\\", "ünï"])]

    def __init__(self, connection: dj.Connection, name: str):
        self.schema = dj.Schema(name, connection=connection)

        @self.schema
        class Canary(dj.Manual):
            definition = """
            canary_id: int32
            ---
            word: varchar(40)
            """

        self.table = Canary
        Canary.insert(self.ROWS)
        self.checks = 0

    def assert_alive(self) -> None:
        self.checks += 1
        assert self.table.to_dicts(order_by="KEY") == self.ROWS, "the canary table changed"


class Hang(Exception):
    """A case ran past its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in the main thread when the block runs longer than `seconds`."""

    def expire(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


TALLY: Counter[str] = Counter()
"""Figures of this run (inputs tried per kind, outcomes), printed at the end of the session."""


def run_case(kind: str, action, *, seconds: float = 30) -> object:
    """Run one hostile case: it must return, or raise a DataJointError; anything else fails the test.

    Returns the result, or the DataJointError raised.
    """
    TALLY[f"{kind}: inputs"] += 1
    try:
        with time_limit(seconds):
            result = action()
    except dj.DataJointError as error:
        TALLY[f"{kind}: refused with a DataJointError"] += 1
        return error
    TALLY[f"{kind}: accepted"] += 1
    return result
