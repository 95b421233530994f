"""What an export holds: whole tables, restricted tables with their closure, and plain query results (PUB-7).

A restriction of a base table brings along every upstream row its rows reference through foreign keys
(recursively), so the bundle re-imports with referential integrity intact; on request the downstream rows
that reference the selection (recursively, then with their own upstream rows) come too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from djspecs.reference import algebra, catalog
from djspecs.reference.conditions import Matching
from djspecs.reference.errors import DataJointError
from djspecs.reference.expression import QueryExpression, U
from djspecs.reference.naming import tier_of
from djspecs.reference.schema import Schema

TableKey = tuple[str, str]  # (schema, SQL table name)


@dataclass
class Item:
    """One Parquet file of the bundle: a base table (maybe restricted) or a query result."""

    name: str
    expression: QueryExpression
    base: TableKey | None = None
    tier: str = "manual"
    foreign_keys: list[catalog.ForeignKey] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return self.base is not None and isinstance(self.expression.node, algebra.TableNode)


def base_table(expression: QueryExpression) -> TableKey | None:
    """The base table an expression restricts (restrictions only), or None for any other query."""
    return _base_of(expression.node)


def _base_of(node) -> TableKey | None:
    chain = algebra.restricted_table(node)
    return (chain[0].schema, chain[0].table) if chain else None


def table_expression(connection, key: TableKey) -> QueryExpression:
    schema = connection.schemas.get(key[0]) or Schema(
        key[0], connection=connection, create_schema=False, create_tables=False
    )
    return QueryExpression(algebra.TableNode(schema.heading_of(key[1]), *key), connection)


class Graph:
    """Foreign keys among the tables of the schemas involved."""

    def __init__(self, connection, schemas: Iterable[str]):
        self.parents: dict[TableKey, list[catalog.ForeignKey]] = {}
        pending, seen = list(schemas), set()
        while pending:
            schema = pending.pop()
            if schema in seen:
                continue
            seen.add(schema)
            tables = catalog.table_names(connection, schema)
            for table, keys in catalog.schema_foreign_keys(connection, schema, tables).items():
                self.parents[(schema, table)] = keys
                pending += [fk.parent_schema for fk in keys]
        self.children: dict[TableKey, list[tuple[TableKey, catalog.ForeignKey]]] = {k: [] for k in self.parents}
        for child, keys in self.parents.items():
            for fk in keys:
                self.children.setdefault((fk.parent_schema, fk.parent_table), []).append((child, fk))

    def order(self) -> list[TableKey]:
        """Every table, parents before children."""
        ordered: list[TableKey] = []
        done: set[TableKey] = set()
        while len(ordered) < len(self.parents):
            ready = sorted(
                k
                for k, fks in self.parents.items()
                if k not in done and all((f.parent_schema, f.parent_table) in done for f in fks)
            )
            if not ready:
                raise DataJointError("the foreign keys among the exported tables form a cycle", rule="PIPE-2")
            ordered += ready
            done.update(ready)
        return ordered


ALL = "all"
MATERIALIZE_KEYS = 5_000


def resolve(sources: Iterable, *, upstream: bool = True, downstream: bool = False) -> list[Item]:
    """The items of an export, parents before children, query results last."""
    sources = list(sources)
    if not sources:
        raise DataJointError("nothing to export: give a schema, tables or query expressions")
    connection = None
    chosen: dict[TableKey, list | str] = {}
    queries: list[QueryExpression] = []
    for source in _expand(sources):
        connection = connection or source.connection
        key = base_table(source)
        if key is None:
            queries.append(source)
        elif isinstance(source.node, algebra.TableNode):
            chosen[key] = ALL
        elif chosen.get(key) != ALL:
            pairs = tuple((k, k) for k in source.primary_key)
            chosen.setdefault(key, []).append(Matching(source.node, pairs))
    graph = Graph(connection, {schema for schema, _ in chosen})
    order = graph.order()
    selected = _close(connection, graph, order, chosen, upstream=upstream, downstream=downstream)
    items = [
        Item(_name(key), selected[key], key, tier_of(key[1])[0], graph.parents.get(key, [])) for key in order
        if key in selected
    ]  # fmt: skip
    items += [Item(f"query_{i + 1}", query) for i, query in enumerate(queries)]
    _unique_names(items)
    return items


def _expand(sources: list) -> list[QueryExpression]:
    expanded = []
    for source in sources:
        if isinstance(source, Schema):
            expanded += [table_expression(source.connection, (source.database, t)) for t in source.list_tables()]
        elif isinstance(source, type) and hasattr(source, "_table_name"):
            expanded.append(source())
        elif isinstance(source, QueryExpression):
            expanded.append(source)
        else:
            raise DataJointError(f"cannot export {source!r}: give a Schema, a table or a query expression")
    return expanded


def _close(connection, graph: Graph, order, chosen, *, upstream: bool, downstream: bool) -> dict:
    """Each table's rows: its own selection, OR rows referencing the selection (downstream), OR rows the
    selection references (upstream)."""
    conditions = {key: (value if value == ALL else list(value)) for key, value in chosen.items()}
    expressions: dict[TableKey, QueryExpression] = {}

    def settle(key: TableKey) -> None:
        base = table_expression(connection, key)
        found = conditions.get(key)
        if found == ALL:
            expressions[key] = base
        elif len(found) == 1 and _restricts_itself(found[0], key):
            expressions[key] = QueryExpression(found[0].parent, connection)  # not a semijoin of the table on itself
        elif found:
            expressions[key] = base.restrict(list(found), semantic_check=False)

    if downstream:
        for key in order:  # parents first: a parent's rows are final before its children look at them
            for fk in graph.parents.get(key, []):
                parent = (fk.parent_schema, fk.parent_table)
                if parent in conditions and conditions.get(key) != ALL:
                    settle(parent)
                    conditions.setdefault(key, []).append(Matching(expressions[parent].node, fk.attributes))
    if upstream:
        for key in reversed(order):  # children first: a parent gathers the rows of every child
            for child, fk in graph.children.get(key, []):
                if child in conditions and conditions.get(key) != ALL:
                    settle(child)
                    conditions.setdefault(key, []).append(referenced(expressions[child], fk))
    for key in conditions:
        settle(key)
    return expressions


def _restricts_itself(condition, key: TableKey) -> bool:
    """A restriction of the table `key` matched on its own primary key: the rows it selects are the condition."""
    return (
        isinstance(condition, Matching)
        and all(child == parent for child, parent in condition.pairs)
        and _base_of(condition.parent) == key
    )


def referenced(child: QueryExpression, fk: catalog.ForeignKey):
    """The parent rows that rows of `child` reference through `fk`, as a condition on the parent.

    Up to MATERIALIZE_KEYS distinct references are fetched and given as key values, so the SQL of a closure
    stays shallow however many paths lead to a table (SQLite's parser refuses deeply nested subqueries);
    beyond that the condition stays a subquery.
    """
    columns = [c for c, _ in fk.attributes]
    distinct = U(*columns) & child
    if len(distinct) > MATERIALIZE_KEYS:
        return Matching(child.node, tuple((parent, name) for name, parent in fk.attributes))
    return [
        {parent: row[name] for name, parent in fk.attributes}
        for row in distinct.to_dicts()
        if all(row[c] is not None for c in columns)
    ]


def _name(key: TableKey) -> str:
    """A resource name: lower case, `schema.tier.table`, safe as a file name and a Frictionless name."""
    tier, _ = tier_of(key[1])
    return f"{key[0]}.{tier}.{key[1].lstrip('#_')}".lower()


def _unique_names(items: list[Item]) -> None:
    seen: dict[str, int] = {}
    for item in items:
        count = seen.get(item.name, 0)
        seen[item.name] = count + 1
        if count:
            item.name = f"{item.name}-{count + 1}"
