"""The raw drivers (psycopg 3, PyMySQL, sqlite3): the floor that any library on top of them pays at least.

Statements are sqlglot trees rendered once, like the reference's; values travel as bound parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlglot import exp

DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


def connect(backend: str, settings: dict[str, Any]) -> Any:
    """A driver connection in autocommit mode, to the server (or SQLite file) the reference uses."""
    if backend == "postgresql":
        import psycopg

        return psycopg.connect(host=settings["database.host"], user=settings["database.user"], dbname="postgres",
                               sslmode="disable", autocommit=True)  # fmt: skip
    if backend == "mysql":
        import pymysql

        return pymysql.connect(host=settings["database.host"], user=settings["database.user"],
                               password=settings.get("database.password", ""), charset="utf8mb4", autocommit=True)  # fmt: skip
    connection = sqlite3.connect(settings["database.name"], isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def render(backend: str, statement: exp.Expression) -> str:
    sql = statement.sql(dialect=DIALECTS[backend])
    return sql.replace("?", "%s") if backend == "mysql" else sql


def table(backend: str, schema: str, name: str) -> exp.Table:
    """The table as each server names it (SQLite: one file, tables named `<schema>.<table>`)."""
    if backend == "sqlite":
        return exp.Table(this=exp.to_identifier(f"{schema}.{name}", quoted=True))
    return exp.Table(this=exp.to_identifier(name, quoted=True), db=exp.to_identifier(schema, quoted=True))


def write(connection: Any, backend: str, target: exp.Table, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Rows into a table in one transaction: COPY on PostgreSQL, executemany elsewhere (PyMySQL batches it)."""
    names = [exp.to_identifier(c, quoted=True) for c in columns]
    if backend == "postgresql":
        copy = exp.Copy(this=exp.Schema(this=target, expressions=names), kind=True, files=[exp.var("STDIN")])
        with connection.cursor() as cursor, cursor.copy(render(backend, copy)) as stream:
            for row in rows:
                stream.write_row(row)
        return
    insert = exp.insert(exp.Values(expressions=[exp.Tuple(expressions=[exp.Placeholder()] * len(columns))]), target,
                        columns=names)  # fmt: skip
    cursor = connection.cursor()
    cursor.execute("BEGIN")
    try:
        cursor.executemany(render(backend, insert), rows)
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")


def execute(connection: Any, backend: str, statement: exp.Expression) -> None:
    connection.cursor().execute(render(backend, statement))


def fetch(connection: Any, sql: str, params: Sequence[Any]) -> tuple[list[str], list[tuple]]:
    cursor = connection.cursor()
    cursor.execute(sql, tuple(params)) if params else cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    return names, cursor.fetchall()
