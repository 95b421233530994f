"""Fixtures for tests that need a database other processes and connections can reach.

PostgreSQL and MariaDB are servers already; for SQLite the test gets a database file instead of the
in-memory default. Statements still go through the session's SQL check.
"""

import itertools
import os

import pytest

import djspecs.reference as dj

_counter = itertools.count()


@pytest.fixture
def shared_connection(connection, tmp_path):
    if connection.backend.name != "sqlite":
        yield connection
        return
    settings = {"database.backend": "sqlite", "database.name": str(tmp_path / "shared.db")}
    file_connection = dj.Connection(settings, on_statement=connection.on_statement)
    yield file_connection
    file_connection.close()


@pytest.fixture
def shared_schema(shared_connection):
    schema = dj.Schema(f"djspecs_test_{os.getpid()}_shared{next(_counter)}", connection=shared_connection)
    yield schema
    schema.drop()


def other_connection(connection: dj.Connection) -> dj.Connection:
    """A second connection to the same database, as another worker would open."""
    return dj.Connection(dict(connection.settings))
