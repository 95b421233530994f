"""Fixtures: a connection per backend and a fresh schema per test.

PostgreSQL and MariaDB are read from the usual `DJ_*` variables with this machine's defaults; a server that
does not answer skips its tests locally and fails them under CI.
"""

import itertools
import os

import pytest
import sqlglot

import djspecs.reference as dj
from tests.support import require

SERVERS = {
    "sqlite": {},
    "postgresql": {"database.host": os.environ.get("DJ_PG_HOST", "127.0.0.1"), "database.user": os.environ.get("DJ_PG_USER", "postgres")},
    "mysql": {"database.host": os.environ.get("DJ_HOST", "127.0.0.1"), "database.user": os.environ.get("DJ_USER", "root"),
              "database.password": os.environ.get("DJ_PASS", "")},
}  # fmt: skip
_counter = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def _no_prompts():
    dj.config["safemode"] = False


class SQLCheck:
    """Re-parses every statement a connection runs with sqlglot for its dialect; a difference fails the test."""

    def __init__(self, dialect: str):
        self.dialect, self.checked, self.failures = dialect, 0, []

    def __call__(self, statement) -> None:
        sql = statement.sql(dialect=self.dialect)
        try:
            again = sqlglot.parse_one(sql, read=self.dialect).sql(dialect=self.dialect)
        except sqlglot.errors.ParseError as error:
            self.failures.append(f"{sql}\n  does not parse: {error}")
            return
        self.checked += 1
        if again != sql:
            self.failures.append(f"{sql}\n  round trip gives\n{again}")


@pytest.fixture(scope="session", params=list(SERVERS))
def connection(request):
    settings = {"database.backend": request.param, **SERVERS[request.param]}
    backend = dj.Connection(settings).backend
    connection = dj.Connection(settings, on_statement=SQLCheck(backend.check_dialect))
    try:
        connection.server_version()
    except dj.DataJointError as error:
        require(False, f"{request.param} server not reachable: {error}")
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def sql_check(request):
    """Every statement the test ran passed the sqlglot round trip for its dialect."""
    if "connection" not in request.fixturenames:
        yield None
        return
    check = request.getfixturevalue("connection").on_statement
    check.failures.clear()
    check.checked = 0
    yield check
    assert check.failures == [], "\n".join(check.failures)
    assert check.checked > 0, "the SQL check saw no statement"


@pytest.fixture
def schema(connection):
    name = f"djspecs_test_{os.getpid()}_{next(_counter)}"
    schema = dj.Schema(name, connection=connection)
    yield schema
    schema.drop()
