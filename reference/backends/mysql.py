"""MySQL 8 and MariaDB 10.11+ through PyMySQL. A DataJoint schema is a MySQL database (PIPE-3)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from itertools import pairwise
from typing import Any

from sqlglot import exp
from sqlglot.dialects.mysql import MySQL

from ..errors import (
    AccessError,
    DeadlockError,
    DuplicateError,
    IntegrityError,
    MissingAttributeError,
    MissingTableError,
    QuerySyntaxError,
)
from .base import Backend, identifier, placeholder

# TYPE-7 and strict value checks: out-of-range or too-long values are errors, never silently clipped.
SQL_MODE = "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"


class MySQLBackend(Backend):
    name = "mysql"
    dialect = MySQL
    check_dialect = "mysql"
    SYSTEM_SCHEMAS = frozenset({"information_schema", "mysql", "performance_schema", "sys"})
    DEFAULT_PORT = 3306
    # String literals escape with a backslash or a doubled quote, names are in backticks.
    FORMAT_PARAMS = re.compile(r"'(?:[^'\\]|\\.|'')*'|`(?:[^`]|``)*`|/\*.*?\*/|[?%]", re.S)
    MAX_TABLE_NAME = 64
    COMMENTS = "inline"
    DDL_IS_TRANSACTIONAL = False  # every CREATE commits at once
    DECLARATION_WAIT = 300  # seconds a declaration waits for another process's before giving up
    INDEXES_INLINE = True
    CORE_TYPES = {
        "int8": "TINYINT",
        "int16": "SMALLINT",
        "int32": "INT",
        "int64": "BIGINT",
        "float32": "FLOAT",
        "float64": "DOUBLE",
        "bool": "TINYINT",
        "decimal": "DECIMAL({0}, {1})",
        "char": "CHAR({0})",
        "varchar": "VARCHAR({0})",
        "date": "DATE",
        "datetime": "DATETIME",
        "json": "JSON",
        "uuid": "BINARY(16)",
        "bytes": "LONGBLOB",
    }
    TO_DRIVER = {"bool": lambda v, t: int(v), "uuid": lambda v, t: v.bytes, "json": lambda v, t: json.dumps(v)}
    FROM_DRIVER = {
        "bool": lambda v, t: bool(v),
        "uuid": lambda v, t: uuid.UUID(bytes=v),
        "json": lambda v, t: json.loads(v),
    }
    ERRORS = {
        1062: DuplicateError,
        1451: IntegrityError,
        1452: IntegrityError,
        1048: MissingAttributeError,
        1364: MissingAttributeError,
        1146: MissingTableError,
        1044: AccessError,  # no access to the database
        1045: AccessError,  # wrong user or password
        1698: AccessError,  # access denied (MariaDB, no such user)
        1142: AccessError,  # command denied on a table
        1143: AccessError,  # command denied on a column
        1227: AccessError,  # a global privilege is needed
        1370: AccessError,  # command denied on a routine
        1064: QuerySyntaxError,
        1213: DeadlockError,
        1205: DeadlockError,  # lock wait timeout
    }

    # TYPE-7: binary and NO PAD, so that strings compare by every character, case and trailing spaces included
    # (`utf8mb4_bin` is PAD SPACE: it would make 'a' and 'a ' the same primary key). MariaDB and MySQL 8
    # name their no-pad binary collations differently; `connect` picks the server's.
    COLLATIONS = {"mariadb": "utf8mb4_nopad_bin", "mysql": "utf8mb4_0900_bin"}
    collation = COLLATIONS["mariadb"]

    def connect(self) -> Any:
        import pymysql

        s = self.settings
        connection = pymysql.connect(
            host=s["database.host"],
            port=s["database.port"] or self.DEFAULT_PORT,
            user=s["database.user"] or "root",
            password=s["database.password"] or "",
            charset="utf8mb4",
            sql_mode=SQL_MODE,
            autocommit=True,
            ssl={"ssl": True} if s["database.use_tls"] else None,
        )
        self.collation = self.COLLATIONS["mariadb" if "mariadb" in connection.get_server_info().lower() else "mysql"]
        return connection

    def write_rows(self, connection: Any, statement: exp.Expression, sql: str, rows: list[tuple]) -> Any:
        """Multi-row INSERTs of at most `INSERT_BYTES`, with values escaped by PyMySQL's own functions, column by
        column: `executemany` does the same row by row through a generic dispatch, at twice the CPU time."""
        head, _, template = sql.rpartition(" VALUES ")
        if not rows or template != "(" + ", ".join(["%s"] * len(rows[0])) + ")":
            return super().write_rows(connection, statement, sql, rows)
        head = head % ()  # the rendered SQL doubles every %; it runs without parameters
        literals = [_literals(connection, values) for values in zip(*rows, strict=True)]
        cursor = connection.cursor()
        chunk, size = [], 0
        for row in zip(*literals, strict=True):
            text = "(" + ",".join(row) + ")"
            if chunk and size + len(text) > INSERT_BYTES:
                cursor.execute(f"{head} VALUES {','.join(chunk)}")
                chunk, size = [], 0
            chunk.append(text)
            size += len(text) + 1
        cursor.execute(f"{head} VALUES {','.join(chunk)}")
        return cursor

    def server_version(self, connection: Any) -> str:
        return connection.get_server_info()

    def error_code(self, error: Exception) -> Any:
        return error.args[0] if error.args and isinstance(error.args[0], int) else None

    def is_disconnect(self, error: Exception) -> bool:
        return self.error_code(error) in (2006, 2013, 2014, 2055, 1927)

    def column_type(self, declared):
        if declared.kind == "core" and declared.name == "enum":
            values = ", ".join(exp.Literal.string(v).sql(dialect=self.dialect) for v in declared.params)
            return exp.DataType.build(f"ENUM({values})", dialect=self.dialect)
        if declared.kind == "core" and declared.name == "datetime" and declared.params:
            return exp.DataType.build(f"DATETIME({declared.params[0]})", dialect=self.dialect)
        return super().column_type(declared)

    def lock_declarations(self, connection: Any, schema: str) -> None:
        """A named lock of the session (GET_LOCK), keyed by the schema name: DDL ends any transaction."""
        name = placeholder(_lock_name(schema))
        (acquired,) = connection.query(
            exp.select(exp.func("GET_LOCK", name, exp.Literal.number(self.DECLARATION_WAIT)))
        )[0]
        if acquired != 1:
            raise DeadlockError(
                f"Waited {self.DECLARATION_WAIT} s for another process declaring tables in `{schema}`", rule="DEF-20"
            )

    def unlock_declarations(self, connection: Any, schema: str) -> None:
        connection.query(exp.select(exp.func("RELEASE_LOCK", placeholder(_lock_name(schema)))))

    def skip_duplicates(self, insert: exp.Insert, primary_key: list[str]) -> exp.Insert:
        """DML-4: MySQL has no ON CONFLICT; a no-op update of the first key column keeps the existing row."""
        key = exp.column(identifier(primary_key[0]))
        insert.set(
            "conflict", exp.OnConflict(duplicate=True, expressions=[key.eq(key.copy())], action=exp.var("UPDATE"))
        )
        return insert

    def alter_table(self, plan) -> list[exp.Expression]:
        """DEF-21: one ALTER TABLE; columns are added, changed or moved in the target order (`AFTER`)."""
        actions: list[exp.Expression] = [
            exp.Drop(kind="COLUMN", tables=[exp.column(identifier(n))]) for n in plan.dropped
        ]
        order = [plan.renamed.get(n, n) for n in plan.current.all_names if n not in plan.dropped]
        names = plan.target.all_names
        for previous, name in pairwise(names):
            if plan.target[name].in_key:
                continue
            in_place = name in order and order.index(name) == order.index(previous) + 1
            if name in order and in_place and name not in plan.changed:
                continue
            if name in order:
                order.remove(name)
            order.insert(order.index(previous) + 1, name)
            definition = plan.columns[name].copy()
            definition.set("position", exp.ColumnPosition(this=exp.column(identifier(previous)), position="AFTER"))
            if name in plan.sources:
                actions.append(exp.ModifyColumn(this=definition, rename_from=identifier(plan.sources[name])))
            else:
                actions.append(definition)
        options = [exp.SchemaCommentProperty(this=exp.Literal.string(plan.comment))] if plan.comment_changed else None
        if not actions and not options:
            return []
        return [exp.Alter(this=self.table(plan.schema, plan.name), kind="TABLE", actions=actions, options=options)]

    def create_schema(self, schema: str) -> list[exp.Expression]:
        """TYPE-7: UTF-8 with a binary, no-pad collation, set on the database."""
        properties = exp.Properties(
            expressions=[
                exp.CharacterSetProperty(this=exp.var("utf8mb4"), default=True),
                exp.CollateProperty(this=exp.var(self.collation), default=True),
            ]
        )
        return [
            exp.Create(kind="DATABASE", this=exp.Table(this=identifier(schema)), exists=True, properties=properties)
        ]

    def drop_schema(self, schema: str) -> list[exp.Expression]:
        return [exp.Drop(kind="DATABASE", tables=[exp.Table(this=identifier(schema))], exists=True)]

    def columns(self, schema: str, table: str) -> tuple[exp.Select, list]:
        query = (
            exp.select(
                exp.column("column_name"),
                exp.column("column_type"),
                exp.column("is_nullable").eq(exp.Literal.string("YES")),
                exp.column("column_default"),
                exp.column("column_comment"),
                exp.column("column_key").eq(exp.Literal.string("PRI")),
            )
            .from_(exp.Table(this=exp.to_identifier("columns"), db=exp.to_identifier("information_schema")))
            .where(exp.column("table_schema").eq(placeholder()), exp.column("table_name").eq(placeholder()))
            .order_by(exp.column("ordinal_position"))
        )
        return query, [schema, table]

    def schema_foreign_keys(self, schema: str) -> tuple[exp.Select, list]:
        """MySQL's key_column_usage names the referenced table and column itself."""
        names = (
            "table_name",
            "constraint_name",
            "column_name",
            "referenced_table_schema",
            "referenced_table_name",
            "referenced_column_name",
        )
        query = (
            exp.select(*(exp.column(n) for n in names))
            .from_(exp.Table(this=exp.to_identifier("key_column_usage"), db=exp.to_identifier("information_schema")))
            .where(
                exp.column("table_schema").eq(placeholder()),
                exp.column("referenced_table_name").is_(exp.null()).not_(),
            )
            .order_by(exp.column("table_name"), exp.column("constraint_name"), exp.column("ordinal_position"))
        )
        return query, [schema]

    def indexes(self, schema: str, table: str) -> tuple[exp.Select, list]:
        query = (
            exp.select(
                exp.column("index_name"), exp.column("non_unique").eq(exp.Literal.number(0)), exp.column("column_name")
            )
            .from_(exp.Table(this=exp.to_identifier("statistics"), db=exp.to_identifier("information_schema")))
            .where(
                exp.column("table_schema").eq(placeholder()),
                exp.column("table_name").eq(placeholder()),
                exp.column("index_name").neq(exp.Literal.string("PRIMARY")),
            )
            .order_by(exp.column("index_name"), exp.column("seq_in_index"))
        )
        return query, [schema, table]

    def table_comment(self, schema: str, table: str) -> tuple[exp.Select, list]:
        query = (
            exp.select(exp.column("table_comment"))
            .from_(exp.Table(this=exp.to_identifier("tables"), db=exp.to_identifier("information_schema")))
            .where(exp.column("table_schema").eq(placeholder()), exp.column("table_name").eq(placeholder()))
        )
        return query, [schema, table]


def _lock_name(schema: str) -> str:
    """A lock name for the schema within the server's 64-character limit."""
    return "djspecs_declare_" + hashlib.md5(schema.encode()).hexdigest()


INSERT_BYTES = 4 * 2**20  # of values per INSERT: well under max_allowed_packet (16 MiB by default on MariaDB)


def _literals(connection: Any, values: tuple) -> list[str]:
    """SQL literals of one column's values; a column of plain ints, floats or strings takes a shortcut."""
    from pymysql.converters import escape_float, escape_string

    kinds = set(map(type, values))
    if kinds == {int}:
        return list(map(int.__repr__, values))
    if kinds == {float}:
        return [escape_float(v) for v in values]
    if kinds == {str}:  # SQL_MODE leaves out NO_BACKSLASH_ESCAPES, so backslashes escape
        return [f"'{text}'" for text in map(escape_string, values)]
    return list(map(connection.escape, values))  # bytes as hex, None as NULL; the rest by the type's encoder
