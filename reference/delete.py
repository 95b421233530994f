"""Cascading delete and drop across every schema loaded on the connection (DML-30 .. DML-37)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from . import algebra, catalog
from .backends.base import placeholder
from .compiler import Compiler, delete_statement
from .conditions import Matching
from .errors import DataJointError, IntegrityError
from .naming import LINEAGE_TABLE, tier_of
from .propagate import carried

if TYPE_CHECKING:
    from .connection import Connection
    from .table import Table

PART_INTEGRITY = ("enforce", "ignore", "cascade")
Node = tuple[str, str]  # (schema, SQL table name)


def children(connection: Connection) -> dict[Node, list[tuple[Node, tuple[tuple[str, str], ...]]]]:
    """Parent → [(child, (child attribute, parent attribute) pairs)] over every loaded schema."""
    edges: dict[Node, list] = {}
    for schema in connection.schemas:
        tables = catalog.table_names(connection, schema)
        for table, keys in catalog.schema_foreign_keys(connection, schema, tables).items():
            for fk in keys:
                edges.setdefault((fk.parent_schema, fk.parent_table), []).append(((schema, table), fk.attributes))
    return edges


def _descendants(start: Node, edges) -> list[Node]:
    """`start` and every table below it, parents before children."""
    order: list[Node] = []

    def visit(node: Node) -> None:
        for child, _ in edges.get(node, []):
            visit(child)
        if node not in order:
            order.append(node)

    visit(start)
    return order[::-1]


def _relations(connection: Connection, start: Node, start_node: algebra.Node, edges) -> dict[Node, algebra.Node]:
    """DML-30, DML-31: each descendant restricted to the rows that reference rows being deleted (OR over paths)."""
    relations = {start: start_node}
    for node in _descendants(start, edges)[1:]:
        heading = connection.schemas[node[0]].heading_of(node[1])
        conditions = []
        for parent, links in edges.items():
            for child, pairs in links:
                if child == node and parent in relations:
                    direct = carried(relations[parent], pairs, heading)
                    conditions.append(Matching(relations[parent], pairs) if direct is None else direct)
        relations[node] = algebra.Restrict(heading, algebra.TableNode(heading, node[0], node[1]), conditions)
    return relations


def cascade_plans(
    connection: Connection, start: Node, start_node: algebra.Node, edges, *, part_integrity: str
) -> list[dict[Node, algebra.Node]]:
    """DML-30, DML-34: what a delete of `start_node` reaches, as plans of a start and its descendants, each
    restricted to the rows referencing the rows deleted above them; `cascade` adds a plan per master reached.
    Deletes and `Diagram.cascade` (API-5) share it."""
    plans = [_relations(connection, start, start_node, edges)]
    if part_integrity == "cascade":
        plans += [_relations(connection, master, node, edges) for master, node in _masters(connection, plans[0])]
    return plans


def _masters(connection: Connection, relations: dict[Node, algebra.Node]) -> list[tuple[Node, algebra.Node]]:
    """DML-34 (cascade): the master of every part the delete reaches, restricted to the masters' keys as literals."""
    compiler, found = Compiler(connection.backend), []
    for (schema, name), node in relations.items():
        kind, master = tier_of(name)
        if kind != "part" or schema not in connection.schemas:
            continue
        heading = connection.schemas[schema].heading_of(master)
        keys = [dict(zip(heading.primary_key, row, strict=True))
                for row in connection.query(compiler.select_columns(node, heading.primary_key).distinct(copy=False))]  # fmt: skip
        if keys:
            base = algebra.TableNode(heading, schema, master)
            found.append(((schema, master), algebra.Restrict(heading, base, keys)))
    return found


def _order(edges) -> list[Node]:
    """Every table of the loaded schemas, parents before children (reversed depth-first post-order)."""
    visited: set[Node] = set()
    finished: list[Node] = []

    def visit(node: Node) -> None:
        if node not in visited:
            visited.add(node)
            for child, _ in edges.get(node, []):
                visit(child)
            finished.append(node)

    for node in sorted(set(edges) | {child for links in edges.values() for child, _ in links}):
        visit(node)
    return finished[::-1]


def _confirm(counts: dict[Node, int]) -> bool:
    for (schema, table), n in counts.items():
        print(f"`{schema}`.`{table}`: {n} rows")
    return input("Commit deletes? [yes, No]: ").strip().lower() == "yes"


def cascade_delete(table: Table, *, transaction: bool, prompt: bool | None, part_integrity: str) -> int:
    if part_integrity not in PART_INTEGRITY:
        raise ValueError(f"part_integrity must be one of {', '.join(PART_INTEGRITY)}, not {part_integrity!r}")
    if table.tier == "part" and part_integrity == "enforce":
        raise DataJointError(
            f"Cannot delete from a Part directly ({table.full_name}); delete from its master or use part_integrity='ignore'",
            rule="DML-34",
        )
    connection = table.connection
    prompt = connection.config["safemode"] if prompt is None else prompt
    if connection.in_transaction and transaction:
        if prompt:
            raise DataJointError("Delete cannot use a transaction within an ongoing transaction", rule="DML-33")
        transaction = False
    edges = children(connection)
    start = (table.schema_name, table.table_name)
    plans = cascade_plans(connection, start, table.node, edges, part_integrity=part_integrity)
    counts: dict[Node, int] = {}

    def run() -> None:
        for node in reversed(_order(edges) if len(plans) > 1 else list(plans[0])):  # leaves first
            for plan in plans:
                if node in plan:
                    statement = delete_statement(plan[node], connection.backend)
                    cursor = _execute_delete(connection, statement, context=f"delete from `{node[0]}`.`{node[1]}`")
                    counts[node] = counts.get(node, 0) + cursor.rowcount
        if part_integrity == "enforce":
            _check_parts(counts)

    if not transaction:
        run()
        return counts[start]
    try:
        with connection.transaction:
            run()
            if prompt and not _confirm(counts):
                raise _Declined
    except _Declined:
        return 0
    return counts[start]


def _execute_delete(connection: Connection, statement, *, context: str):
    """DML-35: a foreign key from a schema that is not loaded blocks the delete, and the error says so."""
    try:
        return connection.execute(statement, context=context)
    except IntegrityError as error:
        raise IntegrityError(
            f"Delete blocked by a table in a schema that is not loaded on this connection ({error}); "
            "activate that schema first so the delete can cascade into it",
            rule="DML-35",
        ) from None


class _Declined(Exception):
    """The user answered no at the prompt: roll back."""


def _check_parts(counts: dict[Node, int]) -> None:
    """DML-34 (enforce): a part may not lose rows while its master loses none."""
    for (schema, name), n in counts.items():
        kind, master = tier_of(name)
        if kind == "part" and n and counts.get((schema, master), 0) == 0:
            raise DataJointError(
                f"Deleting would remove rows of the part `{schema}`.`{name}` but none of its master `{master}`; "
                "delete from the master, or pass part_integrity='ignore'",
                rule="DML-34",
            )


def drop(table: Table, *, prompt: bool | None, part_integrity: str) -> None:
    """DML-37: drop the table and every table below it, leaves first."""
    if table.restricted:
        raise DataJointError(f"A restricted table cannot be dropped ({table.full_name})", rule="DML-37")
    if table.tier == "part" and part_integrity != "ignore":
        raise DataJointError(f"Cannot drop a Part directly ({table.full_name}); drop its master", rule="DML-37")
    connection = table.connection
    nodes = _descendants((table.schema_name, table.table_name), children(connection))
    prompt = connection.config["safemode"] if prompt is None else prompt
    if prompt and not _confirm({n: 0 for n in nodes}):
        return
    for schema, name in reversed(nodes):
        _drop_one(connection, schema, name)


def drop_quick(table: Table) -> None:
    """DML-37: drop this table alone, without a prompt; the server refuses while other tables reference it."""
    if table.restricted:
        raise DataJointError(f"A restricted table cannot be dropped ({table.full_name})", rule="DML-37")
    _drop_one(table.connection, table.schema_name, table.table_name)


def _drop_one(connection: Connection, schema: str, name: str) -> None:
    connection.execute(
        exp.Drop(kind="TABLE", tables=[connection.backend.table(schema, name)]), context=f"drop `{schema}`.`{name}`"
    )
    lineage = connection.backend.table(schema, LINEAGE_TABLE)
    connection.execute(exp.delete(lineage, where=exp.column("table_name").eq(placeholder())), [name])
    connection.schemas[schema]._declared.pop(name, None)
    owner = connection.schemas[schema].tables.get(name)
    if owner is not None:
        owner._heading = None
