"""SQLite, the embedded backend that needs no server (Python's sqlite3 module).

Backend decisions (recorded as BE rules): every DataJoint schema lives in one database file, and a table
is named `"<schema>.<table>"`, so foreign keys between schemas stay enforced (SQLite enforces none across
attached files); foreign-key enforcement is switched on for every connection; core types map to SQLite
storage classes with CHECK constraints for their domains; comments go to a hidden catalog table.
"""

from __future__ import annotations

import datetime as dt
import decimal
import getpass
import json
import sqlite3
import uuid
from typing import Any

from sqlglot import exp
from sqlglot.dialects.sqlite import SQLite

from ..errors import AccessError, DeadlockError, DuplicateError, IntegrityError, MissingAttributeError, QueryError
from ..types import DeclaredType
from .base import Backend, identifier, placeholder

_INTEGER_RANGES = {"int8": 7, "int16": 15, "int32": 31, "int64": 63}  # bits of magnitude
SCHEMA_SEPARATOR = "."
SCHEMAS_TABLE = "~schemas"  # the DataJoint schemas this file holds
CATALOG_TABLE = "~comments"  # table and column comments, which SQLite cannot store itself


class SQLiteBackend(Backend):
    name = "sqlite"
    dialect = SQLite
    check_dialect = "sqlite"
    MAX_TABLE_NAME = 64
    MAX_PARAMETERS = 32_766  # SQLITE_MAX_VARIABLE_NUMBER since SQLite 3.32
    COMMENTS = "catalog"
    DROPS_TABLES_WITH_SCHEMA = False
    INDEXES_INLINE = False
    CORE_TYPES = {
        **dict.fromkeys(("int8", "int16", "int32", "int64", "bool"), "INTEGER"),
        "float32": "REAL",
        "float64": "REAL",
        "decimal": "REAL",
        **dict.fromkeys(("char", "varchar", "enum", "date", "datetime", "json"), "TEXT"),
        **dict.fromkeys(("uuid", "bytes"), "BLOB"),
    }
    TO_DRIVER = {
        "bool": lambda v, t: int(v),
        "uuid": lambda v, t: v.bytes,
        "decimal": lambda v, t: float(v),
        "date": lambda v, t: v.isoformat(),
        "datetime": lambda v, t: v.isoformat(sep=" "),
        "json": lambda v, t: json.dumps(v),
    }
    FROM_DRIVER = {
        "bool": lambda v, t: bool(v),
        "uuid": lambda v, t: uuid.UUID(bytes=v),
        "decimal": lambda v, t: decimal.Decimal(repr(float(v))).quantize(decimal.Decimal(1).scaleb(-t.params[1])),
        "date": lambda v, t: dt.date.fromisoformat(v),
        "datetime": lambda v, t: dt.datetime.fromisoformat(v),
        "json": lambda v, t: json.loads(v),
    }
    ERRORS = {
        "SQLITE_CONSTRAINT_PRIMARYKEY": DuplicateError,
        "SQLITE_CONSTRAINT_UNIQUE": DuplicateError,
        "SQLITE_CONSTRAINT_FOREIGNKEY": IntegrityError,
        "SQLITE_CONSTRAINT_TRIGGER": IntegrityError,  # ON DELETE RESTRICT is enforced by an internal trigger
        "SQLITE_CONSTRAINT_NOTNULL": MissingAttributeError,
        "SQLITE_CONSTRAINT_CHECK": QueryError,
        "SQLITE_BUSY": DeadlockError,  # another connection holds the file's write lock
        "SQLITE_READONLY": AccessError,
    }

    def connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.settings["database.name"] or ":memory:", isolation_level=None, timeout=60)
        connection.execute(self.render(exp.Pragma(this=exp.EQ(this=exp.var("foreign_keys"), expression=exp.var("ON")))))
        for statement in self._catalog_tables():
            connection.execute(self.render(statement))
        return connection

    def server_version(self, connection: Any) -> str:
        return sqlite3.sqlite_version

    def begin(self) -> exp.Transaction:
        """BEGIN IMMEDIATE takes the write lock at once, so concurrent processes queue instead of deadlocking."""
        return exp.Transaction(this="IMMEDIATE")

    def current_time(self) -> exp.Expression:
        return self.now()

    def now(self, offset_seconds: float = 0) -> exp.Expression:
        """UTC text in the format datetime columns hold; SQLite has no interval arithmetic but strftime modifiers."""
        arguments = [exp.Literal.string("%Y-%m-%d %H:%M:%f"), exp.Literal.string("now")]
        if offset_seconds:
            arguments.append(exp.Literal.string(f"{offset_seconds:+.3f} seconds"))
        return exp.func("strftime", *arguments)

    def session_identity(self) -> dict[str, exp.Expression]:
        """An embedded database has no server session: no connection id, and the operating-system user."""
        user = placeholder()
        user.meta["value"] = getpass.getuser()
        return {"connection_id": exp.Literal.number(0), "user": user}

    def error_code(self, error: Exception) -> Any:
        return getattr(error, "sqlite_errorname", None)

    def table(self, schema: str, table: str) -> exp.Table:
        return exp.Table(this=identifier(f"{schema}{SCHEMA_SEPARATOR}{table}"))

    def column_type(self, declared: DeclaredType) -> exp.DataType:
        if declared.kind == "native":
            return super().column_type(declared)
        return exp.DataType.build(self.CORE_TYPES[declared.name], dialect=self.dialect)

    def column_checks(self, column: exp.Expression, declared: DeclaredType) -> list[exp.Expression]:
        """The domain of each core type, enforced with CHECK since SQLite columns accept any value."""
        name, params = declared.name, declared.params

        def typeof_in(*kinds: str) -> exp.Expression:
            return exp.func("typeof", column).isin(*(exp.Literal.string(k) for k in kinds))

        if name in _INTEGER_RANGES:
            bound = 2 ** _INTEGER_RANGES[name]
            return [
                typeof_in("integer"),
                exp.Between(this=column, low=exp.Literal.number(-bound), high=exp.Literal.number(bound - 1)),
            ]
        if name == "bool":
            return [column.isin(exp.Literal.number(0), exp.Literal.number(1))]
        if name in ("float32", "float64", "decimal"):
            return [typeof_in("real", "integer")]
        if name in ("char", "varchar"):
            return [typeof_in("text"), exp.func("length", column) <= exp.Literal.number(params[0])]
        if name == "enum":
            return [column.isin(*(exp.Literal.string(v) for v in params))]
        if name == "date":
            return [column.eq(exp.func("date", column))]
        if name == "datetime":
            return [exp.func("julianday", column).is_(exp.null()).not_()]
        if name == "json":
            return [exp.func("json_valid", column).eq(exp.Literal.number(1))]
        if name == "uuid":
            return [typeof_in("blob"), exp.func("length", column).eq(exp.Literal.number(16))]
        if name == "bytes":
            return [typeof_in("blob")]
        return []

    def _catalog_tables(self) -> list[exp.Create]:
        """The two tables that stand in for what SQLite lacks: a list of schemas, and comments."""
        text = exp.DataType.build("TEXT")
        not_null = [exp.ColumnConstraint(kind=exp.NotNullColumnConstraint())]
        schemas = [exp.ColumnDef(this=identifier("schema_name"), kind=text, constraints=not_null),
                   exp.PrimaryKey(expressions=[identifier("schema_name")])]  # fmt: skip
        comments = [
            exp.ColumnDef(this=identifier(n), kind=text, constraints=not_null)
            for n in ("table_name", "attribute_name", "comment")
        ]
        comments.append(exp.PrimaryKey(expressions=[identifier("table_name"), identifier("attribute_name")]))
        return [
            exp.Create(
                kind="TABLE", exists=True, this=exp.Schema(this=exp.Table(this=identifier(name)), expressions=columns)
            )
            for name, columns in ((SCHEMAS_TABLE, schemas), (CATALOG_TABLE, comments))
        ]

    def create_schema(self, schema: str) -> list[exp.Expression]:
        values = exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.string(schema)])])
        register = exp.insert(values, exp.Table(this=identifier(SCHEMAS_TABLE)))
        register.set("alternative", "IGNORE")
        return [register]

    def drop_schema(self, schema: str) -> list[exp.Expression]:
        """Tables are dropped one by one by the caller; here the schema leaves the catalog."""
        prefix = exp.Literal.string(f"{schema}{SCHEMA_SEPARATOR}")
        starts = exp.func(
            "substr", exp.column("table_name"), exp.Literal.number(1), exp.Literal.number(len(prefix.this))
        )
        return [
            exp.delete(exp.Table(this=identifier(CATALOG_TABLE)), where=starts.eq(prefix)),
            exp.delete(
                exp.Table(this=identifier(SCHEMAS_TABLE)),
                where=exp.column("schema_name").eq(exp.Literal.string(schema)),
            ),
        ]

    def schema_names(self) -> tuple[exp.Select, list]:
        return exp.select(exp.column("schema_name")).from_(exp.Table(this=identifier(SCHEMAS_TABLE))), []

    def schema_exists(self, schema: str) -> tuple[exp.Select, list]:
        query = exp.select(exp.column("schema_name")).from_(exp.Table(this=identifier(SCHEMAS_TABLE)))
        return query.where(exp.column("schema_name").eq(placeholder())), [schema]

    def table_names(self, schema: str) -> tuple[exp.Select, list]:
        prefix = f"{schema}{SCHEMA_SEPARATOR}"
        name = exp.column("name")
        query = (
            exp.select(exp.func("substr", name, exp.Literal.number(len(prefix) + 1)))
            .from_(exp.Table(this=exp.to_identifier("sqlite_master")))
            .where(
                exp.column("type").eq(exp.Literal.string("table")),
                exp.func("substr", name, exp.Literal.number(1), exp.Literal.number(len(prefix))).eq(placeholder()),
            )
        )
        return query, [prefix]

    def columns(self, schema: str, table: str) -> tuple[exp.Select, list]:
        c, m = exp.to_identifier("c"), exp.to_identifier("m")
        info = exp.Table(this=exp.func("pragma_table_info", placeholder())).as_(c)
        query = (
            exp.select(
                exp.column("name", table=c),
                exp.column("type", table=c),
                exp.not_(exp.column(identifier("notnull"), table=c)),
                exp.column("dflt_value", table=c),
                exp.column("comment", table=m),
                exp.column("pk", table=c) > exp.Literal.number(0),
            )
            .from_(info)
            .join(
                exp.Table(this=identifier(CATALOG_TABLE)).as_(m),
                join_type="left",
                on=exp.and_(
                    exp.column("table_name", table=m).eq(placeholder()),
                    exp.column("attribute_name", table=m).eq(exp.column("name", table=c)),
                ),
            )
            .order_by(exp.column("cid", table=c))
        )
        qualified = f"{schema}{SCHEMA_SEPARATOR}{table}"
        return query, [qualified, qualified]

    def foreign_keys(self, schema: str, table: str) -> tuple[exp.Select, list]:
        """Parent tables come back as `<schema>.<table>`; `split_table` takes them apart."""
        query = (
            exp.select(
                *(exp.column(identifier(n)) for n in ("id", "from")),
                exp.null(),
                *(exp.column(identifier(n)) for n in ("table", "to")),
            )
            .from_(exp.Table(this=exp.func("pragma_foreign_key_list", placeholder())))
            .order_by(exp.column("id"), exp.column("seq"))
        )
        return query, [f"{schema}{SCHEMA_SEPARATOR}{table}"]

    def schema_foreign_keys(self, schema: str) -> None:
        """A pragma per table: there is no server to make a round trip to."""
        return None

    def parent_table(self, row: tuple) -> tuple[str, str]:
        schema, _, table = row[3].partition(SCHEMA_SEPARATOR)
        return schema, table

    def comment_rows(self, schema: str, table: str, comments: list[tuple[str, str]]) -> exp.Insert:
        """Table and column comments into the catalog table; the table's own comment has attribute ''.

        They replace the rows a dropped table of the same name left behind (a dropped jobs table is declared anew).
        """
        qualified = exp.Literal.string(f"{schema}{SCHEMA_SEPARATOR}{table}")
        rows = [exp.Tuple(expressions=[qualified, exp.Literal.string(a), exp.Literal.string(c)]) for a, c in comments]
        insert = exp.insert(exp.Values(expressions=rows), exp.Table(this=identifier(CATALOG_TABLE)))
        insert.set("alternative", "REPLACE")
        return insert

    def alter_table(self, plan) -> list[exp.Expression]:
        """DEF-21: SQLite cannot change a column's type, default, nullability or CHECK constraints in place, so
        the table is rebuilt: created anew under a hidden name, filled from the old one, which is dropped, and
        renamed (the procedure of SQLite's ALTER TABLE documentation). Comments are rewritten in the catalog."""
        statements: list[exp.Expression] = []
        current_order = [plan.renamed.get(n, n) for n in plan.current.all_names if n not in plan.dropped]
        kept = [n for n in plan.target.all_names if n in plan.sources]
        if plan.dropped or plan.changed or current_order != kept:
            create, *indexes = plan.create
            rebuilt = self.table(plan.schema, f"~alter~{plan.name}")
            create = create.copy()
            create.this.set("this", rebuilt)
            copy = exp.insert(
                exp.select(*(exp.column(identifier(plan.sources[n])) for n in kept)).from_(
                    self.table(plan.schema, plan.name)
                ),
                rebuilt.copy(),
                columns=[identifier(n) for n in kept],
            )
            statements += [
                create,
                copy,
                exp.Drop(kind="TABLE", tables=[self.table(plan.schema, plan.name)]),
                exp.Alter(
                    this=rebuilt.copy(),
                    kind="TABLE",
                    actions=[exp.AlterRename(this=self.table(plan.schema, plan.name))],
                ),
                *indexes,
            ]
        if statements or plan.comment_changed:  # a rebuild rewrites the comments of every column
            catalog = exp.Table(this=identifier(CATALOG_TABLE))
            qualified = exp.Literal.string(f"{plan.schema}{SCHEMA_SEPARATOR}{plan.name}")
            statements.append(exp.delete(catalog, where=exp.column("table_name").eq(qualified)))
            comments = [("", plan.comment)] + [(n, plan.comments[n]) for n in plan.target.all_names]
            statements.append(self.comment_rows(plan.schema, plan.name, comments))
        return statements

    def run_alter(self, connection: Any, statements: list[exp.Expression], *, context: str) -> None:
        """The rebuild drops a table that others reference, so foreign keys are off while it runs (they can only be
        switched outside a transaction) and checked before it commits."""
        switch = {state: exp.Pragma(this=exp.EQ(this=exp.var("foreign_keys"), expression=exp.var(state)))
                  for state in ("ON", "OFF")}  # fmt: skip
        connection.execute(switch["OFF"], context=context)
        try:
            with connection.transaction:
                super().run_alter(connection, statements, context=context)
                if violations := connection.query(exp.Pragma(this=exp.var("foreign_key_check"))):
                    raise IntegrityError(f"{context}: the rebuilt table breaks foreign keys: {violations[:3]}")
        finally:
            connection.execute(switch["ON"], context=context)

    def index_name(self, schema: str, table: str, attributes: tuple[str, ...]) -> str:
        return f"{schema}{SCHEMA_SEPARATOR}" + super().index_name(schema, table, attributes)

    def indexes(self, schema: str, table: str) -> tuple[exp.Select, list]:
        listing, info = exp.to_identifier("l"), exp.to_identifier("i")
        query = (
            exp.select(
                exp.column("name", table=listing),
                exp.column(identifier("unique"), table=listing),
                exp.column("name", table=info),
            )
            .from_(exp.Table(this=exp.func("pragma_index_list", placeholder())).as_(listing))
            .join(
                exp.Table(this=exp.func("pragma_index_info", exp.column("name", table=listing))).as_(info),
                join_type="cross",
            )
            .where(exp.column("origin", table=listing).neq(exp.Literal.string("pk")))
            .order_by(exp.column("name", table=listing), exp.column("seqno", table=info))
        )
        return query, [f"{schema}{SCHEMA_SEPARATOR}{table}"]

    def table_comment(self, schema: str, table: str) -> tuple[exp.Select, list]:
        query = (
            exp.select(exp.column("comment"))
            .from_(exp.Table(this=identifier(CATALOG_TABLE)))
            .where(exp.column("table_name").eq(placeholder()), exp.column("attribute_name").eq(exp.Literal.string("")))
        )
        return query, [f"{schema}{SCHEMA_SEPARATOR}{table}"]
