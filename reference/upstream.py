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
        trace = self._build()
        node = self._node(ancestor, trace)
        if node is None:
            raise DataJointError(
                f"{ancestor!r} is not an ancestor of {self._table.full_name}: self.upstream holds only the tables "
                "the key depends on",
                rule="POP-5",
            )
        return trace[node]

    def __contains__(self, ancestor: Any) -> bool:
        return self._node(ancestor, self._build()) is not None

    def _node(self, ancestor: Any, trace: dict[Node, QueryExpression]) -> Node | None:
        """A table class or instance, or a name: the class name, the SQL name, or `schema.table`."""
        if isinstance(ancestor, str):
            for schema, table in trace:
                names = {table, table.lstrip("#_"), class_name(table), f"{schema}.{table}", f"`{schema}`.`{table}`"}
                if ancestor in names:
                    return schema, table
            return None
        if isinstance(ancestor, type):
            ancestor = ancestor()
        node = (getattr(ancestor, "schema_name", None), getattr(ancestor, "table_name", None))
        return node if node in trace else None

    def _build(self) -> dict[Node, QueryExpression]:
        if self._trace is None:
            self._trace = _trace(self._table, self._key)
        return self._trace


def _trace(table: Table, key: dict) -> dict[Node, QueryExpression]:
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
    trace: dict[Node, QueryExpression] = {start: table & key}
    while len(trace) < len(parents):
        ready = [n for n in parents if n not in trace and all(c in trace for c, _ in children[n])]
        if not ready:
            raise DataJointError(f"The foreign keys above {table.full_name} form a cycle", rule="POP-5")
        for node in ready:
            paths = [_path(trace[child], fk, key if child == start else None) for child, fk in children[node]]
            trace[node] = _base(connection, node).restrict(paths, semantic_check=False)
    return trace


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
