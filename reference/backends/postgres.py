"""PostgreSQL 15+ through psycopg 3. A DataJoint schema is a PostgreSQL schema (PIPE-3)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres

from ..errors import (
    AccessError,
    DeadlockError,
    DuplicateError,
    IntegrityError,
    MissingAttributeError,
    MissingTableError,
    QuerySyntaxError,
)
from ..types import DeclaredType
from .base import Backend, identifier, placeholder


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)


# Foreign keys from pg_catalog: the information_schema views take tens of milliseconds per table here, which a
# cascading delete pays once for every table of every loaded schema. Rows as `Backend.schema_foreign_keys` documents.
_FOREIGN_KEYS = sqlglot.parse_one(
    "SELECT r.relname, c.conname, a.attname, pn.nspname, p.relname, f.attname FROM pg_constraint AS c"
    " JOIN pg_class AS r ON r.oid = c.conrelid JOIN pg_namespace AS rn ON rn.oid = r.relnamespace"
    " CROSS JOIN LATERAL UNNEST(c.conkey, c.confkey) WITH ORDINALITY AS k(child, parent, position)"
    " JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.child"
    " JOIN pg_class AS p ON p.oid = c.confrelid JOIN pg_namespace AS pn ON pn.oid = p.relnamespace"
    " JOIN pg_attribute AS f ON f.attrelid = c.confrelid AND f.attnum = k.parent"
    " WHERE c.contype = 'f' AND rn.nspname = ? ORDER BY r.relname, c.conname, k.position",
    read="postgres",
).transform(lambda node: placeholder() if isinstance(node, exp.Placeholder) else node)  # rendered `?`, then `%s`


class PostgresBackend(Backend):
    name = "postgresql"
    dialect = Postgres
    check_dialect = "postgres"
    SYSTEM_SCHEMAS = frozenset({"information_schema"})

    def declaration(self, statements: list[exp.Expression]) -> list[exp.Expression]:
        """One script: a single round trip, which the server runs as one implicit transaction, so no reader
        ever sees the table without its `:type:` comments (SYS-5) and a failure leaves nothing behind."""
        return [exp.Block(expressions=statements)] if len(statements) > 1 else statements

    def is_system_schema(self, name: str) -> bool:
        """pg_catalog, pg_toast and the per-session pg_temp_N schemas belong to the server."""
        return name in self.SYSTEM_SCHEMAS or name.startswith("pg_")

    DEFAULT_PORT = 5432
    MAX_TABLE_NAME = 63
    MAX_PARAMETERS = 65_535  # the protocol counts parameters in 16 bits
    COMMENTS = "statements"
    ENUM_IS_NAMED_TYPE = True
    INDEXES_INLINE = False
    CORE_TYPES = {
        "int8": "SMALLINT",
        "int16": "SMALLINT",
        "int32": "INTEGER",
        "int64": "BIGINT",
        "float32": "REAL",
        "float64": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "decimal": "NUMERIC({0}, {1})",
        "char": "CHAR({0})",
        "varchar": "VARCHAR({0})",
        "date": "DATE",
        "datetime": "TIMESTAMP",
        "json": "JSONB",
        "uuid": "UUID",
        "bytes": "BYTEA",
    }
    TO_DRIVER = {"json": lambda v, t: _jsonb(v)}
    FROM_DRIVER = {"bytes": lambda v, t: bytes(v)}
    # String literals double their quotes (backslash is not an escape), names are in double quotes.
    FORMAT_PARAMS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|/\*.*?\*/|[?%]", re.S)
    ERRORS = {
        "23505": DuplicateError,
        "23503": IntegrityError,
        "23502": MissingAttributeError,
        "42P01": MissingTableError,
        "42501": AccessError,  # insufficient privilege
        "28000": AccessError,  # invalid authorization
        "28P01": AccessError,  # wrong password
        "42601": QuerySyntaxError,
        "40P01": DeadlockError,
        "40001": DeadlockError,  # serialization failure
        "55P03": DeadlockError,  # lock not available
    }

    def connect(self) -> Any:
        import psycopg

        s = self.settings
        return psycopg.connect(
            host=s["database.host"],
            port=s["database.port"] or self.DEFAULT_PORT,
            user=s["database.user"] or "postgres",
            password=s["database.password"] or None,
            dbname=s["database.name"] or "postgres",
            sslmode="prefer" if s["database.use_tls"] else "disable",
            autocommit=True,
        )

    def adapt(self, tree: exp.Expression) -> exp.Expression:
        """Q-24: GROUP_CONCAT renders as STRING_AGG, which takes only text: cast its values."""
        for aggregate in list(tree.find_all(exp.GroupConcat)):
            ordered = aggregate.this if isinstance(aggregate.this, exp.Order) else aggregate
            ordered.this.replace(exp.Cast(this=ordered.this.copy(), to=exp.DataType.build("TEXT")))
        return tree

    def server_version(self, connection: Any) -> str:
        return connection.info.parameter_status("server_version") or ""

    def bulk_insert(self, target: exp.Table, columns: list[exp.Identifier]) -> exp.Expression:
        """COPY ... FROM STDIN: the rows stream to the server in one statement, values still as parameters."""
        return exp.Copy(this=exp.Schema(this=target, expressions=columns), kind=True, files=[exp.var("STDIN")])

    def write_rows(self, connection: Any, statement: exp.Expression, sql: str, rows: list[tuple]) -> Any:
        if not isinstance(statement, exp.Copy):
            return super().write_rows(connection, statement, sql, rows)
        cursor = connection.cursor()
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return cursor

    def error_code(self, error: Exception) -> Any:
        return getattr(error, "sqlstate", None)

    def is_disconnect(self, error: Exception) -> bool:
        import psycopg

        return isinstance(error, psycopg.OperationalError) and error.sqlstate in (None, "57P01", "08006", "08003")

    def replica_identity(self, table: exp.Table, mode: str) -> exp.Expression:
        """`ALTER TABLE ... REPLICA IDENTITY FULL | DEFAULT` (sqlglot has no node for the clause: a keyword Var)."""
        return exp.Alter(this=table, kind="TABLE", actions=[exp.Var(this=f"REPLICA IDENTITY {mode.upper()}")])

    def column_type(self, declared: DeclaredType) -> exp.DataType:
        if declared.kind == "core" and declared.name == "datetime" and declared.params:
            return exp.DataType.build(f"TIMESTAMP({declared.params[0]})", dialect=self.dialect)
        return super().column_type(declared)

    def current_time(self) -> exp.Expression:
        """Local time of the session, as TIMESTAMP columns hold it (CURRENT_TIMESTAMP would carry a zone)."""
        return exp.Localtimestamp(this=exp.Literal.number(3))

    def interval(self, seconds: float) -> exp.Expression:
        return exp.Interval(this=exp.Literal.string(f"{seconds:.3f} SECOND"))

    def session_identity(self) -> dict[str, exp.Expression]:
        return {"connection_id": exp.Anonymous(this="pg_backend_pid", expressions=[]), "user": exp.CurrentUser()}

    def lock_declarations(self, connection: Any, schema: str) -> None:
        """A transaction-level advisory lock keyed by the schema name; the transaction's end releases it."""
        digest = hashlib.md5(f"djspecs declare {schema}".encode()).digest()
        key = exp.Cast(
            this=placeholder(int.from_bytes(digest[:8], "big", signed=True)), to=exp.DataType.build("BIGINT")
        )
        connection.query(exp.select(exp.func("pg_advisory_xact_lock", key)))

    def enum_type_name(self, values: tuple[str, ...]) -> str:
        """TYPE-2: enums are named types `enum_<8 hex of md5 of the sorted values joined by _>`."""
        return "enum_" + hashlib.md5("_".join(sorted(values)).encode()).hexdigest()[:8]

    def enum_type(self, schema: str, declared: DeclaredType) -> tuple[exp.DataType, exp.Expression]:
        """The column type of an enum and the statement that creates its named type."""
        name = exp.Table(this=identifier(self.enum_type_name(declared.params)), db=identifier(schema))
        create = exp.Create(
            kind="TYPE",
            this=name,
            expression=exp.DataType(
                this=exp.DataType.Type.ENUM, expressions=[exp.Literal.string(v) for v in declared.params]
            ),
        )
        return exp.DataType.build(name.sql(dialect=self.dialect), dialect=self.dialect, udt=True), create

    def type_exists(self, connection: Any, schema: str, declared: DeclaredType) -> bool:
        t, n = exp.to_identifier("t"), exp.to_identifier("n")
        query = (
            exp.select(exp.Literal.number(1))
            .from_(exp.Table(this=exp.to_identifier("pg_type")).as_(t))
            .join(
                exp.Table(this=exp.to_identifier("pg_namespace")).as_(n),
                on=exp.column("oid", table=n).eq(exp.column("typnamespace", table=t)),
            )
            .where(
                exp.column("nspname", table=n).eq(placeholder()),
                exp.column("typname", table=t).eq(placeholder()),
            )
        )
        return bool(connection.query(query, [schema, self.enum_type_name(declared.params)]))

    def column_checks(self, column: exp.Expression, declared: DeclaredType) -> list[exp.Expression]:
        if declared.name == "int8":  # SMALLINT holds more than int8's domain
            return [exp.Between(this=column, low=exp.Literal.number(-128), high=exp.Literal.number(127))]
        return []

    def columns(self, schema: str, table: str) -> tuple[exp.Select, list]:
        a, d, i = (exp.to_identifier(alias) for alias in ("a", "d", "i"))
        relation = exp.Cast(this=placeholder(), to=exp.DataType.build("regclass", dialect=self.dialect))
        in_key = exp.Exists(
            this=exp.select(exp.Literal.number(1))
            .from_(exp.Table(this=exp.to_identifier("pg_index")).as_(i))
            .where(
                exp.column("indrelid", table=i).eq(exp.column("attrelid", table=a)),
                exp.column("indisprimary", table=i),
                exp.column("attnum", table=a).eq(exp.Any(this=exp.Paren(this=exp.column("indkey", table=i)))),
            )
        )
        query = (
            exp.select(
                exp.column("attname", table=a),
                exp.func("format_type", exp.column("atttypid", table=a), exp.column("atttypmod", table=a)),
                exp.not_(exp.column("attnotnull", table=a)),
                exp.func("pg_get_expr", exp.column("adbin", table=d), exp.column("adrelid", table=d)),
                exp.func("col_description", exp.column("attrelid", table=a), exp.column("attnum", table=a)),
                in_key,
            )
            .from_(exp.Table(this=exp.to_identifier("pg_attribute")).as_(a))
            .join(
                exp.Table(this=exp.to_identifier("pg_attrdef")).as_(d),
                join_type="left",
                on=exp.and_(
                    exp.column("adrelid", table=d).eq(exp.column("attrelid", table=a)),
                    exp.column("adnum", table=d).eq(exp.column("attnum", table=a)),
                ),
            )
            .where(
                exp.column("attrelid", table=a).eq(relation),
                exp.column("attnum", table=a) > exp.Literal.number(0),
                exp.not_(exp.column("attisdropped", table=a)),
            )
            .order_by(exp.column("attnum", table=a))
        )
        return query, [self.table(schema, table).sql(dialect=self.dialect)]

    def schema_foreign_keys(self, schema: str) -> tuple[exp.Select, list]:
        return _FOREIGN_KEYS.copy(), [schema]

    def alter_table(self, plan) -> list[exp.Expression]:
        """DEF-21: ALTER TABLE statements and COMMENT ON; PostgreSQL cannot move columns, so the order stays."""
        table = self.table(plan.schema, plan.name)

        def alter(action: exp.Expression) -> exp.Alter:
            return exp.Alter(this=table.copy(), kind="TABLE", actions=[action])

        statements = [alter(exp.Drop(kind="COLUMN", tables=[exp.column(identifier(n))])) for n in plan.dropped]
        statements += [
            alter(exp.RenameColumn(this=exp.column(identifier(old)), to=exp.column(identifier(new))))
            for old, new in plan.renamed.items()
        ]
        for name in plan.target.all_names:
            if name not in plan.changed:
                continue
            if name not in plan.sources:
                statements.append(alter(plan.columns[name].copy()))
            else:
                statements += [alter(a) for a in self._column_changes(plan, name)]
            target = exp.Column(this=identifier(name), table=table.this, db=table.args.get("db"))
            comment = exp.Literal.string(plan.comments[name])
            statements.append(exp.Comment(this=target, kind="COLUMN", expression=comment))
        if plan.comment_changed:
            statements.append(exp.Comment(this=table.copy(), kind="TABLE", expression=exp.Literal.string(plan.comment)))
        return statements

    def run_alter(self, connection: Any, statements: list[exp.Expression], *, context: str) -> None:
        """PostgreSQL's DDL is transactional: the alter applies whole or not at all."""
        with connection.transaction:
            super().run_alter(connection, statements, context=context)

    def _column_changes(self, plan, name: str) -> list[exp.Expression]:
        """Type (with its CHECK constraint, named as PostgreSQL names a column's), default and nullability."""
        definition, column = plan.columns[name], exp.column(identifier(name))
        before, after = plan.current[plan.sources[name]], plan.target[name]
        actions: list[exp.Expression] = []
        if before.type != after.type:  # the old default may not cast to the new type: it goes first
            check = identifier(f"{plan.name}_{name}_check"[: self.MAX_TABLE_NAME])
            actions.append(exp.AlterColumn(this=identifier(name), drop=True))
            actions.append(exp.Drop(kind="CONSTRAINT", tables=[exp.Table(this=check)], exists=True))
            kind = definition.args["kind"]
            enum = "enum" in (before.type.name, after.type.name)
            value = exp.cast(column, "TEXT") if enum else column  # an enum casts to and from text only
            actions.append(
                exp.AlterColumn(this=identifier(name), dtype=kind.copy(), using=exp.cast(value, kind.copy()))
            )
            actions += [
                exp.AddConstraint(
                    expressions=[exp.Constraint(this=check.copy(), expressions=[exp.CheckColumnConstraint(this=c)])]
                )
                for c in self.column_checks(column, after.type)
            ]
        default = next(
            (c.kind.this for c in definition.constraints if isinstance(c.kind, exp.DefaultColumnConstraint)), None
        )
        if default is None:
            actions.append(exp.AlterColumn(this=identifier(name), drop=True))
        else:
            actions.append(exp.AlterColumn(this=identifier(name), default=default.copy()))
        if before.nullable != after.nullable:
            actions.append(exp.AlterColumn(this=identifier(name), drop=after.nullable, allow_null=after.nullable))
        return actions

    def indexes(self, schema: str, table: str) -> tuple[exp.Select, list]:
        x, c, a = (exp.to_identifier(alias) for alias in ("x", "c", "a"))
        relation = exp.Cast(this=placeholder(), to=exp.DataType.build("regclass", dialect=self.dialect))
        keys = exp.Cast(this=exp.column("indkey", table=x), to=exp.DataType.build("SMALLINT[]", dialect=self.dialect))
        query = (
            exp.select(
                exp.column("relname", table=c), exp.column("indisunique", table=x), exp.column("attname", table=a)
            )
            .from_(exp.Table(this=exp.to_identifier("pg_index")).as_(x))
            .join(
                exp.Table(this=exp.to_identifier("pg_class")).as_(c),
                on=exp.column("oid", table=c).eq(exp.column("indexrelid", table=x)),
            )
            .join(
                exp.Table(this=exp.to_identifier("pg_attribute")).as_(a),
                on=exp.and_(
                    exp.column("attrelid", table=a).eq(exp.column("indrelid", table=x)),
                    exp.column("attnum", table=a).eq(exp.Any(this=exp.Paren(this=keys))),
                ),
            )
            .where(exp.column("indrelid", table=x).eq(relation), exp.not_(exp.column("indisprimary", table=x)))
            .order_by(exp.column("relname", table=c), exp.func("array_position", keys, exp.column("attnum", table=a)))
        )
        return query, [self.table(schema, table).sql(dialect=self.dialect)]

    def table_comment(self, schema: str, table: str) -> tuple[exp.Select, list]:
        relation = exp.Cast(this=placeholder(), to=exp.DataType.build("regclass", dialect=self.dialect))
        query = exp.select(exp.func("obj_description", relation, exp.Literal.string("pg_class")))
        return query, [self.table(schema, table).sql(dialect=self.dialect)]
