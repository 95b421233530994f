"""Fixtures: a connection per backend and a fresh schema per test.

PostgreSQL and MariaDB are read from the usual `DJ_*` variables with this machine's defaults; a server that
does not answer skips its tests locally and fails them under CI.
"""

import itertools
import os

import pytest

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


@pytest.fixture(scope="session", params=list(SERVERS))
def connection(request):
    settings = {"database.backend": request.param, **SERVERS[request.param]}
    connection = dj.Connection(settings)
    try:
        connection.server_version()
    except dj.DataJointError as error:
        require(False, f"{request.param} server not reachable: {error}")
    yield connection
    connection.close()


@pytest.fixture
def schema(connection):
    name = f"djspecs_test_{os.getpid()}_{next(_counter)}"
    schema = dj.Schema(name, connection=connection)
    yield schema
    schema.drop()
