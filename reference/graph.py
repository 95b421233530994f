"""The dependency graph of a table as DataJoint reports it (API-2): parents, children, ancestors, descendants, parts.

Tables are named by their full table names (NAME-6); the graph spans every schema loaded on the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import catalog
from .delete import children as child_edges

if TYPE_CHECKING:
    from .table import Table

Node = tuple[str, str]  # (schema, SQL table name)


def _name(table: Table, node: Node) -> str:
    backend = table.connection.backend
    return backend.render(backend.table(*node))


def _parents(table: Table, node: Node) -> list[Node]:
    keys = catalog.foreign_keys(table.connection, *node)
    return list(dict.fromkeys((fk.parent_schema, fk.parent_table) for fk in keys))


def parents(table: Table) -> list[str]:
    return [_name(table, n) for n in _parents(table, (table.schema_name, table.table_name))]


def children(table: Table) -> list[str]:
    edges = child_edges(table.connection).get((table.schema_name, table.table_name), [])
    return [_name(table, n) for n in dict.fromkeys(child for child, _ in edges)]


def ancestors(table: Table) -> list[str]:
    """The table and every table it depends on, each once, nearest first."""
    found: list[Node] = [(table.schema_name, table.table_name)]
    for node in found:
        found.extend(p for p in _parents(table, node) if p not in found)
    return [_name(table, n) for n in found]


def descendants(table: Table) -> list[str]:
    """The table and every table that depends on it, each once, nearest first."""
    edges = child_edges(table.connection)
    found: list[Node] = [(table.schema_name, table.table_name)]
    for node in found:
        found.extend(c for c, _ in edges.get(node, []) if c not in found)
    return [_name(table, n) for n in found]


def parts(table: Table) -> list[str]:
    """NAME-3: the part tables of a master are named after it, `master__part`."""
    prefix = f"{table.table_name}__"
    names = catalog.table_names(table.connection, table.schema_name)
    return [_name(table, (table.schema_name, n)) for n in names if n.startswith(prefix)]
