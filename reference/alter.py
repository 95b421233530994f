"""`Table.alter()` (DEF-21): bring a declared table to its class's current definition.

The new definition is resolved as a declaration would be and compared with the table in the database.
Secondary attributes may be added, dropped, renamed (`{old_name}` at the start of the new comment), and
given another type, default, nullability or comment; the table comment may change. Changes to the primary
key, the foreign keys or the indexes are refused before any statement runs. The backend turns the plan
into statements: MySQL also moves columns to the new order, PostgreSQL cannot reorder columns and leaves
them where they are, SQLite rebuilds the table (reference/backends).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .ddl import column, column_types, create_table, default_value, type_comment
from .declare import TableSpec, resolve
from .describe import default_text
from .errors import AlterRefusedError, DataJointError
from .heading import Attribute, Heading
from .parser import parse_definition
from .settings import config

if TYPE_CHECKING:
    from .backends.base import Backend
    from .table import Table

log = logging.getLogger("djspecs.reference")
_DISPLAY_WIDTH = re.compile(r"(int)\(\d+\)")
_RENAME = re.compile(r"^\{\s*(?P<name>\w+)\s*\}\s*")  # DEF-21: `# {old_name} comment` renames old_name


@dataclass(frozen=True)
class AlterPlan:
    """What an alter changes; `target` is the heading afterwards (hidden columns included)."""

    schema: str
    name: str
    current: Heading
    target: Heading
    sources: Mapping[str, str]  # target attribute → the current attribute whose values it keeps
    changed: frozenset[str]  # target attributes that are new, renamed or defined differently
    columns: Mapping[str, exp.ColumnDef]  # the column definition of every target attribute
    comments: Mapping[str, str]  # the `:type:comment` of every target attribute (SYS-5)
    create: tuple[exp.Expression, ...]  # the statements that would declare the target table afresh
    comment: str  # the table comment afterwards
    comment_changed: bool

    @property
    def dropped(self) -> list[str]:
        kept = set(self.sources.values())
        return [a.name for a in self.current.attributes if a.name not in kept]

    @property
    def renamed(self) -> dict[str, str]:
        """Current name → target name."""
        return {source: name for name, source in self.sources.items() if source != name}


def alter(table: Table, *, prompt: bool | None, context: Mapping[str, Any] | None) -> None:
    connection = table.connection
    where = table.full_name
    if connection.in_transaction:
        raise DataJointError(f"Cannot alter {where} inside a transaction", rule="PIPE-7")
    cls = type(table)
    schema = cls._schema
    names = _context(cls, context)
    spec = resolve(
        parse_definition(cls.definition, table=where),
        schema=table.schema_name,
        name=table.table_name,
        auto_populated=cls.tier in ("imported", "computed"),
        lookup=lambda name: schema._parent(name, names),
        allow_new_key_attributes=True,  # the key cannot change here, so DEF-18 was settled at declaration
    )
    current = schema.heading_of(table.table_name)
    foreign_keys = table.foreign_keys
    backend = connection.backend
    _refuse_key_change(current, spec.heading, backend, where)
    _refuse_foreign_key_change(current, spec, foreign_keys, where)
    _refuse_index_change(spec, foreign_keys, table.indexes, where)
    plan, create_types = _plan(table, current, spec, backend)
    statements = backend.alter_table(plan)
    if not statements:
        log.info("Nothing to alter in %s", where)
        return
    prompt = config["safemode"] if prompt is None else prompt
    if prompt and not _confirm(where, [*create_types, *statements], backend):
        return
    for statement in create_types:
        connection.execute(statement, context=f"alter {where}")
    backend.run_alter(connection, statements, context=f"alter {where}")
    cls._heading = None


def _context(cls: type[Table], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The names a foreign key may use: the classes declared on this connection, the schema's context,
    `given`, and for a part its master and sibling parts (as at declaration)."""
    schema = cls._schema
    found = {**schema._registry(), **(given or schema.context or {}), cls.__name__: cls}
    master = getattr(cls, "master", None)
    if cls.tier == "part" and master is not None:
        from .schema import _parts

        found.update({"master": master, master.__name__: master})
        found.update({part.__name__: part for part in _parts(master)})
    return found


def _confirm(where: str, statements: list[exp.Expression], backend: Backend) -> bool:
    for statement in statements:
        print(backend.render(statement))
    return input(f"Alter {where}? [yes, No]: ").strip().lower() == "yes"


def _type_key(attribute: Attribute, backend: Backend) -> Any:
    """The declared type, compared by meaning: `varchar( 8 )` is `varchar(8)`; a native type by its column type."""
    declared = attribute.type
    if declared.kind == "native":  # MySQL reports an integer's display width (`int(11)`), which is no part of the type
        return _DISPLAY_WIDTH.sub(r"\1", backend.render(backend.column_type(declared)).lower())
    return declared.kind, declared.name, declared.params, declared.store


def _default_key(attribute: Attribute) -> str | None:
    """The default, compared by value: `'5'` and `5`, `true` and `1` are the same default."""
    value = default_value(attribute)
    if value is None:
        return None
    if isinstance(value, exp.Boolean):
        return "1" if value.this else "0"
    if isinstance(value, exp.Literal):
        return str(value.this)
    return value.sql().upper()


def _declared_as(attribute: Attribute) -> Attribute:
    """A current attribute with its catalog default written as definition text, as `describe()` shows it."""
    return replace(attribute, default=default_text(attribute))


def _differs(current: Attribute, target: Attribute, backend: Backend) -> bool:
    return (
        _type_key(current, backend) != _type_key(target, backend)
        or current.nullable != target.nullable
        or _default_key(_declared_as(current)) != _default_key(target)
        or current.comment != target.comment
    )


def _refuse_key_change(current: Heading, target: Heading, backend: Backend, where: str) -> None:
    before = [current[name] for name in current.primary_key]
    after = [target[name] for name in target.primary_key]
    for old, new in zip_longest(before, after):
        if old is None or new is None or old.name != new.name or _type_key(old, backend) != _type_key(new, backend):
            name = (new or old).name
            raise AlterRefusedError(
                f"{where}: alter cannot change the primary key (attribute `{name}`); "
                "declare a new table and copy the rows instead",
                rule="DEF-21",
            )


def _refuse_foreign_key_change(current: Heading, spec: TableSpec, foreign_keys, where: str) -> None:
    before = {(fk.parent_schema, fk.parent_table, frozenset(fk.attributes)) for fk in foreign_keys}
    after = {(fk.parent_schema, fk.parent_table, frozenset(fk.attributes)) for fk in spec.foreign_keys}
    for parent_schema, parent, pairs in sorted(before ^ after, key=str):
        names = ", ".join(sorted(child for child, _ in pairs))
        raise AlterRefusedError(
            f"{where}: alter cannot add, remove or change foreign keys (attributes `{names}` referencing "
            f"`{parent_schema}`.`{parent}`)",
            rule="DEF-21",
        )
    for fk in spec.foreign_keys:  # `-> [nullable]` made or unmade is a change of the foreign key too
        for child, _ in fk.attributes:
            if child in current and current[child].nullable != spec.heading[child].nullable:
                raise AlterRefusedError(
                    f"{where}: alter cannot change the foreign key of attribute `{child}` (its nullable option)",
                    rule="DEF-21",
                )


def _refuse_index_change(spec: TableSpec, foreign_keys, indexes, where: str) -> None:
    """MySQL adds an index for a foreign key that has none: such non-unique indexes on a key's columns are not compared."""
    fk_columns = {tuple(child for child, _ in fk.attributes) for fk in foreign_keys}
    wanted = {*spec.indexes, *((tuple(c for c, _ in fk.attributes), True) for fk in spec.foreign_keys if fk.unique)}
    before = {(tuple(a), u) for a, u in indexes if u or tuple(a) not in fk_columns}
    after = {(tuple(a), u) for a, u in wanted if u or tuple(a) not in fk_columns}
    for attributes, unique in sorted(before ^ after):
        raise AlterRefusedError(
            f"{where}: alter cannot add or remove indexes ({'unique ' if unique else ''}index on `{', '.join(attributes)}`)",
            rule="DEF-21",
        )


def _plan(table: Table, current: Heading, spec: TableSpec, backend: Backend) -> tuple[AlterPlan, list[exp.Expression]]:
    where = table.full_name
    secondary, sources, changed = [], {}, set()
    current_secondary = {a.name: a for a in current.attributes if not a.in_key and not a.hidden}
    for attribute in spec.heading:
        if attribute.in_key:
            continue
        marker = _RENAME.match(attribute.comment)
        if marker:
            attribute = replace(attribute, comment=attribute.comment[marker.end() :])
        source = marker.group("name") if marker else attribute.name
        if source not in current_secondary and source != attribute.name and attribute.name in current_secondary:
            source = attribute.name  # renamed by an earlier alter
        if marker and source not in current_secondary:
            raise DataJointError(
                f"{where}: attribute `{attribute.name}` renames `{source}`, which is not a secondary attribute of the table",
                rule="DEF-21",
            )
        if source in sources.values():
            raise DataJointError(f"{where}: attribute `{source}` is renamed twice", rule="DEF-21")
        if source in current_secondary:
            sources[attribute.name] = source
            if source != attribute.name or _differs(current_secondary[source], attribute, backend):
                changed.add(attribute.name)
        else:
            changed.add(attribute.name)
        secondary.append(attribute)
    key = [a for a in current.attributes if a.in_key]
    hidden = [a for a in current.attributes if a.hidden and not a.in_key]
    sources.update({a.name: a.name for a in key + hidden})
    target = Heading((*key, *secondary, *hidden))
    target_spec = replace(spec, heading=target)
    types, create_types = column_types(target.attributes, spec.schema, table.connection)
    plan = AlterPlan(
        schema=spec.schema,
        name=spec.name,
        current=current,
        target=target,
        sources=sources,
        changed=frozenset(changed),
        columns={a.name: column(a, backend, types[a.name]) for a in target.attributes},
        comments={a.name: type_comment(a) for a in target.attributes},
        create=tuple(create_table(target_spec, backend, types)),
        comment=spec.comment,
        comment_changed=spec.comment != table.comment,
    )
    return plan, create_types
