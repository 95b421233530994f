"""`self.upstream` inside make (POP-5): every ancestor of a table, restricted to the rows a key depends on.

The trace starts at `table & key` (the key's values, since its row is not inserted yet) and climbs the foreign keys. An ancestor keeps the rows that some restricted
child references through one of its foreign keys (renamed ones included); when several children reach it, the
rows reached by any of them count (the union of the paths). Each ancestor is restricted only after all of its
children in the trace are, so every path is complete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import algebra, catalog
from .conditions import Matching
from .errors import DataJointError
from .expression import QueryExpression
from .naming import class_name

if TYPE_CHECKING:
    from .table import Table

Node = tuple[str, str]  # (schema, SQL table name)


class Upstream:
    """The upstream trace of `table & key`, built at first use."""

    def __init__(self, table: Table, key: dict):
        self._table, self._key = table, key
        self._trace: dict[Node, QueryExpression] | None = None

    def __getitem__(self, ancestor: Any) -> QueryExpression:
        found = self._build()
        node = resolve(ancestor, found)
        if node is None:
            raise DataJointError(
                f"{ancestor!r} is not an ancestor of {self._table.full_name}: self.upstream holds only the tables "
                "the key depends on",
                rule="POP-5",
            )
        return found[node]

    def __contains__(self, ancestor: Any) -> bool:
        return resolve(ancestor, self._build()) is not None

    def _build(self) -> dict[Node, QueryExpression]:
        if self._trace is None:
            self._trace = trace(self._table & self._key, key=self._key)
        return self._trace


def resolve(table: Any, nodes) -> Node | None:
    """Which of `nodes` a table names: a class or instance, or a name (the class name, the SQL name or
    `schema.table`); None when it names none of them."""
    if isinstance(table, str):
        for schema, name in nodes:
            names = {name, name.lstrip("#_"), class_name(name), f"{schema}.{name}", f"`{schema}`.`{name}`"}
            if table in names:
                return schema, name
        return None
    if isinstance(table, type):
        table = table()
    node = (getattr(table, "schema_name", None), getattr(table, "table_name", None))
    return node if node in nodes else None


def trace(table: Table, *, key: dict | None = None) -> dict[Node, QueryExpression]:
    """Every ancestor of a (restricted) table, restricted to the rows it references, and the table itself.
    `self.upstream` (POP-5) passes the key of a row not inserted yet; `Diagram.trace` (API-5) passes none."""
    connection = table.connection
    start: Node = (table.schema_name, table.table_name)
    parents: dict[Node, list[catalog.ForeignKey]] = {}
    pending = [start]
    while pending:
        node = pending.pop()
        if node not in parents:
            parents[node] = catalog.foreign_keys(connection, *node)
            pending += [(fk.parent_schema, fk.parent_table) for fk in parents[node]]
    children: dict[Node, list[tuple[Node, catalog.ForeignKey]]] = {node: [] for node in parents}
    for child, keys in parents.items():
        for fk in keys:
            children[(fk.parent_schema, fk.parent_table)].append((child, fk))
    found: dict[Node, QueryExpression] = {start: table}
    while len(found) < len(parents):
        ready = [n for n in parents if n not in found and all(c in found for c, _ in children[n])]
        if not ready:
            raise DataJointError(f"The foreign keys above {table.full_name} form a cycle", rule="POP-5")
        for node in ready:
            paths = [_path(found[child], fk, key if child == start else None) for child, fk in children[node]]
            found[node] = _base(connection, node).restrict(paths, semantic_check=False)
    return found


def _path(child: QueryExpression, fk: catalog.ForeignKey, key: dict | None):
    """The parent rows `child` references through `fk`. Inside make the key's own row is not inserted yet, so
    from the starting table the key's values stand for it when they cover the foreign key."""
    if key is not None and all(c in key for c, _ in fk.attributes):
        return {parent: key[name] for name, parent in fk.attributes}
    return Matching(child.node, tuple((parent, name) for name, parent in fk.attributes))


def _base(connection, node: Node) -> QueryExpression:
    try:
        schema = connection.schemas[node[0]]
    except KeyError:
        raise DataJointError(f"The schema `{node[0]}` of an ancestor is not loaded", rule="POP-5") from None
    return QueryExpression(algebra.TableNode(schema.heading_of(node[1]), *node), connection)
