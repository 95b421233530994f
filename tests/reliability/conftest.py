"""Fixtures of the reliability suite: a fresh connection per backend, unique schemas, a canary, a statement guard.

Counts are bounded by default so the suite fits in CI; `DJSPECS_RELIABILITY=full` (which `nox -s reliability
-- --full` sets) runs the full counts.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import pytest

import djspecs.reference as dj
from tests.reference.conftest import SERVERS
from tests.support import require

FULL = os.environ.get("DJSPECS_RELIABILITY", "").lower() == "full"
SERVER_BACKENDS = ("postgresql", "mysql")
_counter = itertools.count()


def scale(bounded: int, full: int) -> int:
    """A count for this run: `bounded` in CI and by default, `full` under `--full`."""
    return full if FULL else bounded


def settings_for(backend: str, **overrides) -> dict:
    return {"database.backend": backend, **SERVERS[backend], **overrides}


def unique_name(prefix: str) -> str:
    """A name no other test, helper or run uses (pid and a random suffix)."""
    return f"{prefix}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


def open_connection(backend: str, **options) -> dj.Connection:
    connection = dj.Connection(settings_for(backend), **options)
    require_reachable(connection)
    return connection


@pytest.fixture(autouse=True, scope="session")
def _no_prompts():
    dj.config["safemode"] = False


@pytest.fixture(params=["sqlite", *SERVER_BACKENDS])
def backend(request) -> str:
    return request.param


@pytest.fixture(params=SERVER_BACKENDS)
def server_backend(request) -> str:
    return request.param


@pytest.fixture
def fresh_schema(backend) -> Iterator[dj.Schema]:
    """A schema on its own connection, dropped afterwards (on a new connection if the test broke its own)."""
    connection = open_connection(backend)
    schema = dj.Schema(unique_name("djspecs_rel"), connection=connection)
    yield schema
    connection.close()
    schema.connection = open_connection(backend)
    schema.drop()
    schema.connection.close()


def pytest_terminal_summary(terminalreporter):
    from tests.reliability.harness import TALLY

    if TALLY:
        terminalreporter.section("reliability figures")
        for key in sorted(TALLY):
            terminalreporter.write_line(f"{key}: {TALLY[key]}")


class Arena:
    """A guarded connection with a target schema, and a canary on a second connection to the same database."""

    def __init__(self, backend: str, folder):
        from tests.reliability.harness import Canary, StatementGuard

        extra = {"database.name": str(folder / "arena.sqlite")} if backend == "sqlite" else {}
        self.backend = backend
        self.canary_connection = dj.Connection(settings_for(backend, **extra))
        require_reachable(self.canary_connection)
        self.canary = Canary(self.canary_connection, unique_name("djspecs_canary"))
        check_dialect = self.canary_connection.backend.check_dialect
        self.guard = StatementGuard(check_dialect, protected=self.canary.schema.database)
        self.connection = dj.Connection(settings_for(backend, **extra), on_statement=self.guard)
        self.schema = dj.Schema(unique_name("djspecs_hostile"), connection=self.connection)

    def check(self) -> None:
        """After a case: no unintended statement, the canary untouched."""
        assert self.guard.violations == [], "\n".join(self.guard.violations)
        self.canary.assert_alive()

    def close(self) -> None:
        for schema in (self.schema, self.canary.schema):
            schema.connection = self.canary_connection  # the guarded connection may be in any state
            schema.drop()
        self.connection.close()
        self.canary_connection.close()


def require_reachable(connection: dj.Connection) -> None:
    try:
        connection.server_version()
    except dj.DataJointError as error:
        require(False, f"{connection.backend.name} server not reachable: {error}")


@pytest.fixture
def arena(backend, tmp_path) -> Iterator[Arena]:
    arena = Arena(backend, tmp_path)
    yield arena
    arena.close()
