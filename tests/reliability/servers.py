"""Server-side actions the fault tests need: a connection's server id, killing it, and throwaway users.

These are test fixtures, not part of the reference, so the dialect differences live here. Statements are
sqlglot trees or the drivers' own safe composition (psycopg.sql, PyMySQL escaping); never concatenation.
"""

from __future__ import annotations

from sqlglot import exp

import djspecs.reference as dj


def server_id(connection: dj.Connection) -> int:
    """The server-side id of the connection (PostgreSQL backend pid, MySQL thread id)."""
    function = "pg_backend_pid" if connection.backend.name == "postgresql" else "connection_id"
    return connection.query(exp.select(exp.func(function)))[0][0]


def kill(admin: dj.Connection, target: int) -> None:
    """Cut a connection from the server side, as an operator or a crash would; returns once it is gone."""
    if admin.backend.name == "postgresql":
        wait_ms = exp.Literal.number(5000)
        admin.query(exp.select(exp.func("pg_terminate_backend", exp.Literal.number(target), wait_ms)))
    else:
        admin.execute(exp.Kill(this=exp.Literal.number(target)))


def create_user(admin: dj.Connection, user: str, password: str, *, read_schema: str | None = None) -> None:
    """A login with a password; with `read_schema`, allowed to read (only read) that schema's tables."""
    cursor = admin.raw.cursor()
    if admin.backend.name == "postgresql":
        from psycopg import sql

        role = sql.Identifier(user)
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password)))
        if read_schema:
            schema = sql.Identifier(read_schema)
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))
            cursor.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, role))
    else:
        cursor.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, password))
        if read_schema:
            database = exp.to_identifier(read_schema, quoted=True).sql(dialect="mysql")  # quoted by sqlglot
            cursor.execute(f"GRANT SELECT ON {database}.* TO %s@'%%'", (user,))


def drop_user(admin: dj.Connection, user: str) -> None:
    cursor = admin.raw.cursor()
    if admin.backend.name == "postgresql":
        from psycopg import sql

        role = sql.Identifier(user)
        cursor.execute(sql.SQL("DROP OWNED BY {}").format(role))
        cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
    else:
        cursor.execute("DROP USER IF EXISTS %s@'%%'", (user,))
