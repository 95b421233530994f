"""dj.cli: the interactive console, driven through its standard input (API-1, CFG-4)."""

import os
import subprocess
import sys

import djspecs.reference as dj
from tests.reference.pipeline import declare

RUN_CLI = "import sys, djspecs.reference as dj; dj.cli(sys.argv[1:])"


def console(arguments: list[str], lines: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN_CLI, *arguments], input=lines, capture_output=True, text=True,
                          env={**os.environ, **environment}, timeout=120)  # fmt: skip


def server_arguments(connection, folder) -> tuple[list[str], str]:
    """Console arguments reaching the fixture's server, and the schema to open there (SQLite: a file)."""
    settings, backend = connection.settings, connection.backend.name
    if backend == "sqlite":
        path = str(folder / "lab.db")
        declare(dj.Schema("lab", connection=dj.Connection({"database.backend": "sqlite", "database.name": path})))
        return ["--backend", "sqlite", "--database", path], "lab"
    host = f"{settings['database.host']}:{settings['database.port'] or connection.backend.DEFAULT_PORT}"
    arguments = ["--backend", backend, "--host", host, "-u", settings["database.user"]]
    if settings["database.password"]:
        arguments += ["-p", settings["database.password"]]
    return arguments, ""


def test_the_console_opens_schemas_as_modules(schema, connection, tmp_path):
    arguments, name = server_arguments(connection, tmp_path)
    if not name:
        Subject, _, _ = declare(schema)
        Subject.insert1({"subject_id": 5, "name": "Eve"})
        name = schema.database
    lines = "print('tables:', lab.schema.list_tables())\nprint('backend:', dj.conn().backend.name)\n"
    result = console([*arguments, "-s", f"{name}:lab"], lines)
    assert result.returncode == 0, result.stderr
    assert "tables: ['subject', 'session', 'note', 'session__trial']" in result.stdout
    assert f"backend: {connection.backend.name}" in result.stdout
    assert f"lab -> schema {name}" in result.stderr  # the banner


def test_in_thread_safe_mode_the_console_works_through_an_instance(schema, connection, tmp_path):
    arguments, name = server_arguments(connection, tmp_path)
    if not name:
        declare(schema)
        name = schema.database
    lines = "print('instance:', inst.connection is lab.schema.connection, len(lab.Subject()))\ndj.conn()\n"
    result = console([*arguments, "-s", f"{name}:lab"], lines, DJ_THREAD_SAFE="true")
    assert result.returncode == 0, result.stderr
    assert "instance: True 0" in result.stdout and "ThreadSafetyError" in result.stderr


def test_malformed_schema_arguments_are_refused():
    result = console(["-s", "lab"], "")
    assert result.returncode == 2 and "schema_name:alias" in result.stderr
