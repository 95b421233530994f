"""Read what a database holds: schemas, tables, headings rebuilt from `:type:` comments, foreign keys, lineage.

Works on any schema declared by this implementation or by DataJoint 2.x, so a schema can be opened
without its code (API-4, TYPE-9).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlglot import exp

from .backends.base import identifier, placeholder
from .connection import Connection
from .heading import Attribute, Heading
from .naming import HIDDEN_PREFIX, LINEAGE_TABLE
from .types import DeclaredType, classify

_TYPE_COMMENT = re.compile(r"^:(?P<type>[^:]+|<[^>]+>):(?P<comment>.*)$", re.S)


@dataclass(frozen=True)
class ForeignKey:
    parent_schema: str
    parent_table: str
    attributes: tuple[tuple[str, str], ...]  # (child attribute, parent attribute)


def schema_exists(connection: Connection, schema: str) -> bool:
    query, params = connection.backend.schema_exists(schema)
    return bool(connection.query(query, params))


def schema_names(connection: Connection) -> list[str]:
    """PIPE-3: the schemas on the server, without the server's own."""
    query, params = connection.backend.schema_names()
    names = sorted(row[0] for row in connection.query(query, params))
    return [name for name in names if not connection.backend.is_system_schema(name)]


def table_names(connection: Connection, schema: str, *, hidden: bool = False) -> list[str]:
    query, params = connection.backend.table_names(schema)
    names = sorted(row[0] for row in connection.query(query, params))
    return names if hidden else [n for n in names if not n.startswith(HIDDEN_PREFIX)]


def table_exists(connection: Connection, schema: str, table: str) -> bool:
    return table in table_names(connection, schema, hidden=True)


def _declared(sql_type: str, comment: str | None) -> tuple[DeclaredType, str]:
    """TYPE-9: the declared type from the `:type:` comment; a column without one keeps its native type."""
    match = _TYPE_COMMENT.match(comment or "")
    if match:
        return classify(match.group("type")), match.group("comment")
    return DeclaredType(sql_type, "native", sql_type.lower()), comment or ""


def heading(connection: Connection, schema: str, table: str, lineage: dict[str, str] | None) -> Heading:
    """The heading of a table; `lineage` None means the schema keeps no ~lineage table (LIN-4)."""
    query, params = connection.backend.columns(schema, table)
    attributes, unmarked = [], set()
    for name, sql_type, nullable, default, comment, in_key in connection.query(query, params):
        declared, text = _declared(sql_type, comment)
        if not _TYPE_COMMENT.match(comment or ""):
            unmarked.add(name)
        attributes.append(
            Attribute(
                name,
                declared,
                bool(in_key),
                nullable=bool(nullable) and not in_key,
                default=default,
                comment=text,
                lineage=(lineage or {}).get(name),
                hidden=name.startswith("_"),
            )
        )
    if unmarked:  # only columns another implementation wrote: the reference marks every column it declares
        attributes = _inherit_declared_types(connection, schema, table, attributes, unmarked)
    key = [a for a in attributes if a.in_key]
    return Heading(tuple(key + [a for a in attributes if not a.in_key]), lineage is not None)


def _inherit_declared_types(
    connection: Connection, schema: str, table: str, attributes: list, unmarked: set[str]
) -> list[Attribute]:
    """A foreign-key column without a `:type:` comment takes the declared type of the parent attribute it
    references: DataJoint 2.x writes no comment on the columns a `->` line adds (TYPE-9)."""
    inherited = {}
    for fk in foreign_keys(connection, schema, table):
        parent = heading(connection, fk.parent_schema, fk.parent_table, None)
        for child, parent_name in fk.attributes:
            declared = parent[parent_name].type
            if declared.kind != "native":
                inherited[child] = declared
    return [replace(a, type=inherited[a.name]) if a.name in unmarked and a.name in inherited else a
            for a in attributes]  # fmt: skip


def foreign_keys(connection: Connection, schema: str, table: str) -> list[ForeignKey]:
    query, params = connection.backend.foreign_keys(schema, table)
    return _grouped(connection, schema, connection.query(query, params))


def schema_foreign_keys(connection: Connection, schema: str, tables: list[str]) -> dict[str, list[ForeignKey]]:
    """The foreign keys of these tables of one schema, in one query where the backend has one."""
    found = connection.backend.schema_foreign_keys(schema)
    if found is None:
        return {table: foreign_keys(connection, schema, table) for table in tables}
    rows: dict[str, list[tuple]] = {table: [] for table in tables}
    for table, *row in connection.query(*found):
        if table in rows:
            rows[table].append(tuple(row))
    return {table: _grouped(connection, schema, table_rows) for table, table_rows in rows.items()}


def _grouped(connection: Connection, schema: str, rows: list[tuple]) -> list[ForeignKey]:
    """Rows of `Backend.foreign_keys` as one ForeignKey per constraint."""
    grouped: dict[object, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    result = []
    for constraint in grouped.values():
        parent_schema, parent = connection.backend.parent_table(constraint[0])
        result.append(ForeignKey(parent_schema or schema, parent, tuple((r[1], r[4]) for r in constraint)))
    return result


# --- the ~lineage table (SYS-2, LIN-5) ---------------------------------------------------------------


def lineage_table(connection: Connection, schema: str) -> exp.Create:
    columns = [
        exp.ColumnDef(
            this=identifier(name),
            kind=connection.backend.column_type(classify(kind)),
            constraints=[exp.ColumnConstraint(kind=exp.NotNullColumnConstraint())],
        )
        for name, kind in (
            ("table_name", "varchar(64)"),
            ("attribute_name", "varchar(64)"),
            ("lineage", "varchar(255)"),
        )
    ]
    key = exp.PrimaryKey(expressions=[identifier("table_name"), identifier("attribute_name")])
    table = connection.backend.table(schema, LINEAGE_TABLE)
    return exp.Create(kind="TABLE", exists=True, this=exp.Schema(this=table, expressions=[*columns, key]))


def lineage(connection: Connection, schema: str, table: str) -> dict[str, str] | None:
    """LIN-1: attribute → lineage for one table; None when the schema keeps no ~lineage table."""
    if not table_exists(connection, schema, LINEAGE_TABLE):
        return None
    query = (
        exp.select(exp.column("attribute_name"), exp.column("lineage"))
        .from_(connection.backend.table(schema, LINEAGE_TABLE))
        .where(exp.column("table_name").eq(placeholder()))
    )
    return dict(connection.query(query, [table]))


def write_lineage(connection: Connection, schema: str, table: str, heading: Heading, *, replace: bool = True) -> None:
    """LIN-5: on declaration, the table's rows of ~lineage are replaced (`replace=False`: there are none)."""
    target = connection.backend.table(schema, LINEAGE_TABLE)
    if replace:
        connection.execute(exp.delete(target, where=exp.column("table_name").eq(placeholder())), [table])
    rows = [(table, a.name, a.lineage) for a in heading if a.lineage]
    if rows:
        placeholders = exp.Tuple(expressions=[placeholder()] * 3)
        insert = exp.insert(
            exp.Values(expressions=[placeholders]), target, columns=["table_name", "attribute_name", "lineage"]
        )
        connection.execute_many(insert, rows)


def indexes(connection: Connection, schema: str, table: str) -> list[tuple[tuple[str, ...], bool]]:
    """Secondary indexes and unique constraints: (attributes, unique); the primary key is not among them."""
    query, params = connection.backend.indexes(schema, table)
    grouped: dict[str, list] = {}
    for name, unique, column in connection.query(query, params):
        grouped.setdefault(name, [bool(unique)]).append(column)
    return [(tuple(columns), unique) for unique, *columns in grouped.values()]


def table_comment(connection: Connection, schema: str, table: str) -> str:
    query, params = connection.backend.table_comment(schema, table)
    rows = connection.query(query, params)
    return (rows[0][0] or "") if rows else ""
