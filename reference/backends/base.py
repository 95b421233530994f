"""What every backend provides, and the behaviour the three share.

A backend is a small subclass that fills in tables of differences (flags, the core-type table, the error-code
map) and overrides a few methods. The rest of the implementation reads the flags and calls these methods;
it never compares backend names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from ..errors import DataJointError, DuplicateError, IntegrityError, LostConnectionError, QueryError
from ..types import DeclaredType


def placeholder(value: Any = None) -> exp.Placeholder:
    """A bound parameter carrying its value; every dialect renders it as `?` (the driver's style comes later)."""
    node = exp.Placeholder(jdbc=True)
    node.meta["value"] = value
    return node


def identifier(name: str) -> exp.Identifier:
    """Identifiers are always quoted by the renderer, so reserved words and odd names are safe (NAME-8)."""
    return exp.to_identifier(name, quoted=True)


class Backend:
    name: ClassVar[str]
    dialect: ClassVar[type[Dialect]]
    SYSTEM_SCHEMAS: ClassVar[frozenset[str]] = frozenset({"information_schema"})
    check_dialect: ClassVar[str]
    """The sqlglot dialect that re-parses rendered statements in the SQL checks."""
    FORMAT_PARAMS: ClassVar[re.Pattern | None] = None
    """For drivers with `%s` parameters: the rendered SQL's string literals, quoted names, comments, `?` and `%`."""
    DEFAULT_PORT: ClassVar[int | None] = None
    MAX_PARAMETERS: ClassVar[float] = float("inf")
    """The most bound parameters one statement may carry."""
    MAX_TABLE_NAME: ClassVar[int] = 64
    """NAME-4: the longest table name, tier prefix included."""
    COMMENTS: ClassVar[str] = "inline"
    """Where column and table comments go: `inline` in CREATE TABLE, `statements` (COMMENT ON), or `catalog`."""
    INDEXES_INLINE: ClassVar[bool] = True
    """Secondary indexes are declared inside CREATE TABLE (else as CREATE INDEX statements after it)."""
    DROPS_TABLES_WITH_SCHEMA: ClassVar[bool] = True
    """Dropping a schema drops its tables (else they are dropped one by one, children first)."""
    DDL_IS_TRANSACTIONAL: ClassVar[bool] = True
    """CREATE statements run inside a transaction and roll back with it (else each one commits at once)."""
    ENUM_IS_NAMED_TYPE: ClassVar[bool] = False
    """Enums are types created before the table (`enum_type`, `type_exists`) rather than column types."""
    CORE_TYPES: ClassVar[Mapping[str, str]] = {}
    """Core type name → the backend's column type; `{0}`, `{1}` take the declared parameters."""
    ERRORS: ClassVar[Mapping[Any, type[DataJointError]]] = {}
    """Driver error code → the spec's error class."""
    TO_DRIVER: ClassVar[Mapping[str, Callable[[Any, DeclaredType], Any]]] = {}
    """Core type name → how a normalized Python value becomes a driver parameter (identity when absent)."""
    FROM_DRIVER: ClassVar[Mapping[str, Callable[[Any, DeclaredType], Any]]] = {}
    """Core type name → how a fetched driver value becomes the core type's Python value."""

    def __init__(self, settings: Mapping[str, Any]):
        self.settings = settings

    # --- connections -------------------------------------------------------------------------------

    def connect(self) -> Any:
        """A new DB-API connection in autocommit mode; transactions are opened explicitly."""
        raise NotImplementedError

    def server_version(self, connection: Any) -> str:
        raise NotImplementedError

    def error_code(self, error: Exception) -> Any:
        """The code of a driver exception, the key of `ERRORS`."""
        raise NotImplementedError

    def is_disconnect(self, error: Exception) -> bool:
        return False

    def translate(self, error: Exception, context: str) -> DataJointError:
        """A driver exception as the spec's error class; the driver's own text is kept in the message."""
        if self.is_disconnect(error):
            return LostConnectionError(f"Lost connection to the {self.name} server during {context}: {error}")
        cls = self.ERRORS.get(self.error_code(error), QueryError)
        hint = " (use skip_duplicates=True to ignore rows that exist)" if cls is DuplicateError else ""
        rule = {DuplicateError: "DML-4", IntegrityError: "DML-6"}.get(cls)
        return cls(f"{context}: {error}{hint}".strip(), rule=rule)

    def to_driver(self, value: Any, declared: DeclaredType) -> Any:
        convert = self.TO_DRIVER.get(declared.name) if declared.kind == "core" and value is not None else None
        return convert(value, declared) if convert else value

    def from_driver(self, value: Any, declared: DeclaredType) -> Any:
        convert = self.FROM_DRIVER.get(declared.name) if declared.kind == "core" and value is not None else None
        return convert(value, declared) if convert else value

    def begin(self) -> exp.Transaction:
        """The statement that opens a transaction."""
        return exp.Transaction()

    def lock_declarations(self, connection: Any, schema: str) -> None:
        """Make other processes that declare in `schema` wait until this declaration ends (DEF-20).

        Called first inside the declaring transaction or, without transactional DDL, before the statements and
        paired with `unlock_declarations`. By default nothing: the transaction that `begin` opens serialises
        writers by itself.
        """

    def unlock_declarations(self, connection: Any, schema: str) -> None:
        """End what `lock_declarations` began, where the end of a transaction does not."""

    # --- the server's clock and session, for the jobs tables (JOB-3, JOB-4) ------------------------

    def current_time(self) -> exp.Expression:
        """The server's current time, to the millisecond."""
        return exp.CurrentTimestamp(this=exp.Literal.number(3))

    def now(self, offset_seconds: float = 0) -> exp.Expression:
        """The server's current time shifted by `offset_seconds`, computed by the server."""
        if not offset_seconds:
            return self.current_time()
        shift = exp.Add if offset_seconds > 0 else exp.Sub
        return shift(this=self.current_time(), expression=self.interval(abs(offset_seconds)))

    def interval(self, seconds: float) -> exp.Expression:
        return exp.Interval(this=exp.Literal.string(f"{seconds:.3f}"), unit=exp.var("SECOND"))

    def session_identity(self) -> dict[str, exp.Expression]:
        """Server expressions for the `connection_id` and `user` a reservation records."""
        return {"connection_id": exp.func("CONNECTION_ID"), "user": exp.CurrentUser()}

    def driver_converter(self, declared: DeclaredType) -> Callable[[Any, DeclaredType], Any] | None:
        """What `to_driver` applies to a non-null value of this type; None when it passes unchanged."""
        return self.TO_DRIVER.get(declared.name) if declared.kind == "core" else None

    def value_converter(self, declared: DeclaredType) -> Callable[[Any, DeclaredType], Any] | None:
        """What `from_driver` applies to a non-null fetched value of this type; None when it passes unchanged."""
        return self.FROM_DRIVER.get(declared.name) if declared.kind == "core" else None

    # --- bulk writes -------------------------------------------------------------------------------

    def bulk_insert(self, target: exp.Table, columns: list[exp.Identifier]) -> exp.Expression:
        """The statement that `write_rows` runs for many rows: a single-row INSERT by default."""
        row = exp.Tuple(expressions=[placeholder() for _ in columns])
        return exp.insert(exp.Values(expressions=[row]), target, columns=columns)

    def write_rows(self, connection: Any, statement: exp.Expression, sql: str, rows: list[tuple]) -> Any:
        """Run `sql` once per row; drivers batch executemany into few round trips. Returns the cursor."""
        cursor = connection.cursor()
        cursor.executemany(sql, rows)
        return cursor

    def declaration(self, statements: list[exp.Expression]) -> list[exp.Expression]:
        """The statements that declare one table (CREATE TABLE, comments, indexes), as the server takes them."""
        return statements

    # --- rendering ---------------------------------------------------------------------------------

    def render(self, expression: exp.Expression) -> str:
        """SQL for the driver. With `%s`-style drivers, `?` placeholders become `%s` and every other `%` is doubled."""
        # A query is compiled afresh and rendered once, so the generator may skip its defensive copy;
        # DDL is not: some dialects' rewrites of CREATE TABLE would change the tree they render.
        sql = expression.sql(dialect=self.dialect, copy=not isinstance(expression, exp.Query))
        return self.FORMAT_PARAMS.sub(_format_style, sql) if self.FORMAT_PARAMS else sql

    def adapt(self, tree: exp.Expression) -> exp.Expression:
        """A user's SQL expression (parsed in DataJoint's MySQL subset), changed in place where this backend needs it."""
        return tree

    def table(self, schema: str, table: str) -> exp.Table:
        """NAME-6: the qualified table a DataJoint schema and table name denote."""
        return exp.Table(this=identifier(table), db=identifier(schema))

    def replica_identity(self, table: exp.Table, mode: str) -> exp.Expression:
        """What the server writes of an old row for change-data capture (`default` or `full`); PostgreSQL only."""
        raise DataJointError(
            f"REPLICA IDENTITY is a PostgreSQL setting; the {self.name} backend has no such setting", rule="API-1"
        )

    def column_type(self, declared: DeclaredType) -> exp.DataType:
        """The column type of a core type (TYPE-2) or a native type passed through (TYPE-5)."""
        if declared.kind == "native":
            return exp.DataType.build(declared.text, dialect=self.dialect)
        template = self.CORE_TYPES[declared.name]
        return exp.DataType.build(template.format(*declared.params), dialect=self.dialect)

    def column_checks(self, column: exp.Expression, declared: DeclaredType) -> list[exp.Expression]:
        """CHECK conditions that enforce a core type's domain where the column type alone does not."""
        return []

    def index_name(self, schema: str, table: str, attributes: tuple[str, ...]) -> str:
        return f"idx_{table}_{'_'.join(attributes)}"[: self.MAX_TABLE_NAME]

    def skip_duplicates(self, insert: exp.Insert, primary_key: list[str]) -> exp.Insert:
        """DML-4: rows whose primary key exists are left as they are."""
        keys = [exp.column(identifier(k)) for k in primary_key]
        insert.set("conflict", exp.OnConflict(conflict_keys=keys, action=exp.var("DO NOTHING")))
        return insert

    # --- alter (DEF-21) ----------------------------------------------------------------------------

    def alter_table(self, plan: Any) -> list[exp.Expression]:
        """The statements that change the table of an `alter.AlterPlan` to its target; none when nothing changes."""
        raise NotImplementedError

    def run_alter(self, connection: Any, statements: list[exp.Expression], *, context: str) -> None:
        """Run the statements of an alter, one after the other."""
        for statement in statements:
            connection.execute(statement, context=context)

    # --- schemas -----------------------------------------------------------------------------------

    def create_schema(self, schema: str) -> list[exp.Expression]:
        return [exp.Create(kind="SCHEMA", this=exp.Table(db=identifier(schema)), exists=True)]

    def drop_schema(self, schema: str) -> list[exp.Expression]:
        return [exp.Drop(kind="SCHEMA", tables=[exp.Table(db=identifier(schema))], exists=True, cascade=True)]

    # --- catalog: each query returns rows in the shapes documented here ----------------------------

    # The defaults below follow the SQL standard's information_schema; backends override what differs.

    def schema_names(self) -> tuple[exp.Select, list]:
        """Rows of (schema name,) for every schema on the server, the server's own included."""
        return exp.select(exp.column("schema_name")).from_(_information_schema("schemata")), []

    def is_system_schema(self, name: str) -> bool:
        """PIPE-3: the server's own schemas are not DataJoint schemas."""
        return name.lower() in self.SYSTEM_SCHEMAS

    def schema_exists(self, schema: str) -> tuple[exp.Select, list]:
        """One row when the schema exists."""
        query = exp.select(exp.column("schema_name")).from_(_information_schema("schemata"))
        return query.where(exp.column("schema_name").eq(placeholder())), [schema]

    def table_names(self, schema: str) -> tuple[exp.Select, list]:
        """Rows of (table name,) for every table of the schema."""
        query = exp.select(exp.column("table_name")).from_(_information_schema("tables"))
        return query.where(exp.column("table_schema").eq(placeholder())), [schema]

    def columns(self, schema: str, table: str) -> tuple[exp.Select, list]:
        """Rows of (name, SQL type, nullable, default, comment, in primary key), in column order."""
        raise NotImplementedError

    def foreign_keys(self, schema: str, table: str) -> tuple[exp.Select, list]:
        """Rows of (constraint, column, parent schema, parent table, parent column), grouped by constraint in key order."""
        query, params = self.schema_foreign_keys(schema)
        table_column = query.expressions[0]
        query.set("expressions", query.expressions[1:])
        return query.where(table_column.eq(placeholder()), copy=False), [*params, table]

    def schema_foreign_keys(self, schema: str) -> tuple[exp.Select, list] | None:
        """Rows of (table, *a row of `foreign_keys`) for every table of the schema; None: ask table by table."""
        kcu, rc, pk = (exp.to_identifier(alias) for alias in ("kcu", "rc", "pk"))

        def col(alias: exp.Identifier, name: str) -> exp.Column:
            return exp.column(name, table=alias)

        query = (
            exp.select(
                col(kcu, "table_name"),
                col(kcu, "constraint_name"),
                col(kcu, "column_name"),
                col(pk, "table_schema"),
                col(pk, "table_name"),
                col(pk, "column_name"),
            )
            .from_(_information_schema("key_column_usage").as_(kcu))
            .join(
                _information_schema("referential_constraints").as_(rc),
                on=exp.and_(
                    col(rc, "constraint_schema").eq(col(kcu, "constraint_schema")),
                    col(rc, "constraint_name").eq(col(kcu, "constraint_name")),
                ),
            )
            .join(
                _information_schema("key_column_usage").as_(pk),
                on=exp.and_(
                    col(pk, "constraint_schema").eq(col(rc, "unique_constraint_schema")),
                    col(pk, "constraint_name").eq(col(rc, "unique_constraint_name")),
                    col(pk, "ordinal_position").eq(col(kcu, "position_in_unique_constraint")),
                ),
            )
            .where(col(kcu, "table_schema").eq(placeholder()))
            .order_by(col(kcu, "table_name"), col(kcu, "constraint_name"), col(kcu, "ordinal_position"))
        )
        return query, [schema]

    def parent_table(self, row: tuple) -> tuple[str, str]:
        """(schema, table) of the parent in a row of `foreign_keys`."""
        return row[2], row[3]


def _information_schema(view: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(view), db=exp.to_identifier("information_schema"))


def _format_style(match: re.Match) -> str:
    token = match.group()
    return "%s" if token == "?" else token.replace("%", "%%")
