"""TableSpec → the statements that create the table, as sqlglot trees (DEF-14, DEF-20, SYS-5).

The structure is the same on every backend; the backend decides the column types, where comments go, and
whether indexes are declared inline or after the table.
"""

from __future__ import annotations

import re

from sqlglot import exp

from .backends.base import Backend, identifier
from .codecs import storage_type
from .declare import TableSpec
from .heading import Attribute

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_UNQUOTED = re.compile(r"^(CURRENT_TIMESTAMP|NULL)\b", re.I)
_NUMERIC = {"int8", "int16", "int32", "int64", "float32", "float64", "decimal"}


def type_comment(attribute: Attribute) -> str:
    """SYS-5: `:<declared type>:<comment>` for core types and codecs; native types keep the plain comment."""
    if attribute.type.kind == "native":
        return attribute.comment
    return f":{attribute.type.text}:{attribute.comment}"


def default_value(attribute: Attribute) -> exp.Expression | None:
    """DEF-6: the SQL default of an attribute, None when it has none."""
    text = attribute.default
    if text is None:
        return None
    if attribute.nullable:
        return exp.null()
    if match := _UNQUOTED.match(text):
        precision = re.search(r"\((\d)\)", text)
        if match.group(1).upper() == "NULL":
            return exp.null()
        return exp.CurrentTimestamp(this=exp.Literal.number(precision.group(1)) if precision else None)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return exp.Literal.string(text[1:-1].replace(text[0] * 2, text[0]))
    if attribute.type.name == "bool" and text.lower() in ("true", "false"):
        return exp.Boolean(this=text.lower() == "true")  # DEF-6: the stored value is true or false
    if attribute.type.name in _NUMERIC and _NUMBER.match(text):
        return exp.Literal.number(text)
    return exp.Literal.string(text)


def column_types(attributes, schema: str, connection) -> tuple[dict[str, exp.DataType], list[exp.Expression]]:
    """Each attribute's column type (CODEC-4: a codec's storage type), and the CREATE TYPE statements of the
    named enum types the schema does not have yet."""
    backend = connection.backend
    types, creates = {}, []
    for attribute in attributes:
        if attribute.type.name == "enum" and backend.ENUM_IS_NAMED_TYPE:
            types[attribute.name], create_type = backend.enum_type(schema, attribute.type)
            if not backend.type_exists(connection, schema, attribute.type) and create_type not in creates:
                creates.append(create_type)
        else:
            types[attribute.name] = backend.column_type(storage_type(attribute.type))
    return types, creates


def column(attribute: Attribute, backend: Backend, column_type: exp.DataType) -> exp.ColumnDef:
    constraints = []
    if not attribute.nullable:
        constraints.append(exp.ColumnConstraint(kind=exp.NotNullColumnConstraint()))
    default = default_value(attribute)
    if default is not None:
        constraints.append(exp.ColumnConstraint(kind=exp.DefaultColumnConstraint(this=default)))
    name = identifier(attribute.name)
    for check in backend.column_checks(exp.column(name), attribute.type):
        condition = check if not attribute.nullable else exp.or_(exp.column(name).is_(exp.null()), check)
        constraints.append(exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=condition)))
    if backend.COMMENTS == "inline":
        comment = exp.Literal.string(type_comment(attribute))
        constraints.append(exp.ColumnConstraint(kind=exp.CommentColumnConstraint(this=comment)))
    return exp.ColumnDef(this=name, kind=column_type, constraints=constraints)


def _names(names) -> list[exp.Identifier]:
    return [identifier(n) for n in names]


def create_table(spec: TableSpec, backend: Backend, column_types: dict[str, exp.DataType]) -> list[exp.Expression]:
    """CREATE TABLE with keys, foreign keys and unique constraints, then what the backend puts after it."""
    table = backend.table(spec.schema, spec.name)
    body: list[exp.Expression] = [column(a, backend, column_types[a.name]) for a in spec.heading.attributes]
    body.append(exp.PrimaryKey(expressions=_names(a.name for a in spec.heading.attributes if a.in_key)))
    for fk in spec.foreign_keys:
        parent = backend.table(fk.parent_schema, fk.parent_table)
        reference = exp.Reference(
            this=exp.Schema(this=parent, expressions=_names(p for _, p in fk.attributes)),
            options=["ON UPDATE CASCADE", "ON DELETE RESTRICT"],  # DEF-14: cascades are DataJoint's job
        )
        body.append(exp.ForeignKey(expressions=_names(c for c, _ in fk.attributes), reference=reference))
        if fk.unique:
            body.append(exp.UniqueColumnConstraint(this=exp.Schema(expressions=_names(c for c, _ in fk.attributes))))
    for attributes, unique in spec.indexes:
        if unique:
            body.append(exp.UniqueColumnConstraint(this=exp.Schema(expressions=_names(attributes))))
        elif backend.INDEXES_INLINE:
            body.append(exp.IndexColumnConstraint(expressions=[exp.column(n) for n in _names(attributes)]))
    properties = None
    if backend.COMMENTS == "inline" and spec.comment:
        properties = exp.Properties(expressions=[exp.SchemaCommentProperty(this=exp.Literal.string(spec.comment))])
    statements: list[exp.Expression] = [
        exp.Create(kind="TABLE", this=exp.Schema(this=table, expressions=body), properties=properties)
    ]
    if not backend.INDEXES_INLINE:
        for attributes, unique in spec.indexes:
            if not unique:
                statements.append(create_index(spec, backend, attributes))
    if backend.COMMENTS == "statements":
        statements += comment_statements(spec, backend)
    return statements


def create_index(spec: TableSpec, backend: Backend, attributes: tuple[str, ...]) -> exp.Create:
    name = backend.index_name(spec.schema, spec.name, attributes)
    index = exp.Index(
        this=identifier(name),
        table=backend.table(spec.schema, spec.name),
        params=exp.IndexParameters(columns=[exp.column(n) for n in _names(attributes)]),
    )
    return exp.Create(kind="INDEX", this=index)


def comment_statements(spec: TableSpec, backend: Backend) -> list[exp.Expression]:
    table = backend.table(spec.schema, spec.name)
    statements = []
    if spec.comment:  # a new table has no comment: an empty one would change nothing
        statements.append(exp.Comment(this=table, kind="TABLE", expression=exp.Literal.string(spec.comment)))
    for attribute in spec.heading.attributes:
        target = exp.Column(this=identifier(attribute.name), table=table.this, db=table.args.get("db"))
        statements.append(
            exp.Comment(this=target, kind="COLUMN", expression=exp.Literal.string(type_comment(attribute)))
        )
    return statements


def add_column(schema: str, table: str, attribute: Attribute, backend: Backend, column_type: exp.DataType) -> list:
    """ALTER TABLE ... ADD COLUMN, with the column's `:type:` comment where the backend keeps comments (SYS-5)."""
    target = backend.table(schema, table)
    statements: list[exp.Expression] = [
        exp.Alter(this=target, kind="TABLE", actions=[column(attribute, backend, column_type)])
    ]
    if backend.COMMENTS == "statements":
        column_name = exp.Column(this=identifier(attribute.name), table=target.this, db=target.args.get("db"))
        comment = exp.Literal.string(type_comment(attribute))
        statements.append(exp.Comment(this=column_name, kind="COLUMN", expression=comment))
    elif backend.COMMENTS == "catalog":
        statements.append(backend.comment_rows(schema, table, [(attribute.name, type_comment(attribute))]))
    return statements
