"""`dj.Diagram` (API-5): a view of the dependency graph of the schemas loaded on a connection.

A diagram shows some of the tables of the graph. Its algebra picks them: `+ n` and `- n` add the tables up to n
levels below or above, `+`, `-` and `*` between diagrams are union, difference and intersection, and a table
operand adds or removes one table. `collapse()` draws the shown tables of each schema as one box. The views
`Diagram.cascade(expr)` (the rows a delete of `expr` reaches, shared with `delete`), `Diagram.trace(expr)` (the
rows `expr` depends on, shared with `self.upstream`) and `.restrict(expr)` (rows below `expr` that match all of
their restricted parents) restrict the tables they show; `counts()` and `prune()` look at those rows. `dj` imports
this module on first access to `dj.Diagram`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from . import algebra, catalog
from .conditions import Matching
from .delete import PART_INTEGRITY, cascade_plans, children
from .diagram_render import Arrow, Box, mermaid, svg
from .errors import DataJointError
from .expression import QueryExpression
from .naming import class_name, tier_of
from .schema import Schema
from .table import Table
from .upstream import resolve, trace

Node = tuple[str, str]  # (schema, SQL table name)
SHOWN_TIERS = ("manual", "lookup", "imported", "computed", "part", "unknown")


class _Graph:
    """The tables of the schemas loaded on a connection, the foreign keys between them, in dependency order."""

    def __init__(self, connection):
        self.connection = connection
        nodes = [(s, t) for s in list(connection.schemas) for t in catalog.table_names(connection, s)]
        self.nodes = [n for n in nodes if tier_of(n[1])[0] in SHOWN_TIERS]
        known = set(self.nodes)
        self.edges = children(connection)  # every foreign key, as `delete` follows them
        self.children = {parent: [(child, pairs) for child, pairs in links if child in known]
                         for parent, links in self.edges.items() if parent in known}  # fmt: skip
        self.parents: dict[Node, list[Node]] = {node: [] for node in self.nodes}
        for parent, links in self.children.items():
            for child, _ in links:
                self.parents[child].append(parent)
        self.order = self._sorted()

    def _sorted(self) -> list[Node]:
        """Parents before children; ties in name order."""
        waiting = {node: len(set(self.parents[node])) for node in self.nodes}
        ready, order = sorted(n for n, count in waiting.items() if count == 0), []
        while ready:
            node = ready.pop(0)
            order.append(node)
            for child in dict.fromkeys(c for c, _ in self.children.get(node, [])):
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready = sorted([*ready, child])
        return order

    def below(self, nodes: set[Node]) -> set[Node]:
        return {c for n in nodes for c, _ in self.children.get(n, [])}

    def above(self, nodes: set[Node]) -> set[Node]:
        return {p for n in nodes for p in self.parents.get(n, [])}

    def base(self, node: Node) -> QueryExpression:
        heading = self.connection.schemas[node[0]].heading_of(node[1])
        return QueryExpression(algebra.TableNode(heading, *node), self.connection)

    def expression(self, node: Node, relations: dict[Node, QueryExpression]) -> QueryExpression:
        return relations[node] if node in relations else self.base(node)

    def full_name(self, node: Node) -> str:
        backend = self.connection.backend
        return backend.render(backend.table(*node))


def _table(source: Any) -> Table | None:
    if isinstance(source, type) and issubclass(source, Table):
        return source()
    return source if isinstance(source, Table) else None


def _key_pairs(expression: QueryExpression) -> tuple[tuple[str, str], ...]:
    return tuple((name, name) for name in expression.primary_key)


class Diagram:
    """`dj.Diagram(source)`: the tables of a table, a schema, or a module with a `schema` attribute."""

    def __init__(self, source: Any):
        if isinstance(source, Diagram):
            self.__dict__.update(copy.copy(source.__dict__))
            self._shown, self._expanded = set(source._shown), set(source._expanded)
            self._relations, self._seeds = dict(source._relations), list(source._seeds)
            return
        table = _table(source)
        schema = source if isinstance(source, Schema) else getattr(source, "schema", None)
        if table is None and not isinstance(schema, Schema):
            raise DataJointError(
                f"Cannot draw a diagram of {source!r}: give a table, a schema or a module", rule="API-5"
            )
        connection = table.connection if table is not None else schema.connection
        self._graph = _Graph(connection)
        if table is not None:
            self._shown = {(table.schema_name, table.table_name)}
        else:
            self._shown = {node for node in self._graph.nodes if node[0] == schema.database}
        self._expanded = set(self._shown)
        self._mode: str | None = None  # "cascade", "trace" or "restrict" once rows are selected
        self._relations: dict[Node, QueryExpression] = {}
        self._seeds: list[QueryExpression] = []

    # --- the algebra -------------------------------------------------------------------------------

    def _other(self, other: Diagram) -> Diagram:
        if other._graph.connection is not self._graph.connection:
            raise DataJointError("Diagrams of different connections cannot be combined", rule="API-5")
        return other

    def _node(self, table: Table) -> Node:
        node = (table.schema_name, table.table_name)
        if node not in self._graph.parents:
            self._graph = _Graph(self._graph.connection)  # declared after this diagram was made
        return node

    def __add__(self, arg: Any) -> Diagram:
        """`d + n`: n levels of children added; `d + other`: the union; `d + table`: the table added."""
        result = Diagram(self)
        if isinstance(arg, Diagram):
            self._other(arg)
            if len(arg._graph.nodes) > len(result._graph.nodes):
                result._graph = arg._graph
            result._shown |= arg._shown
            result._expanded |= arg._expanded
        elif (table := _table(arg)) is not None:
            node = result._node(table)
            result._shown.add(node)
            result._expanded.add(node)
        else:
            result._expand(int(arg), result._graph.below)
        return result

    def __sub__(self, arg: Any) -> Diagram:
        """`d - n`: n levels of parents added; `d - other`: the difference; `d - table`: the table removed."""
        result = Diagram(self)
        if isinstance(arg, Diagram):
            result._shown -= self._other(arg)._shown
        elif (table := _table(arg)) is not None:
            result._shown.discard((table.schema_name, table.table_name))
        else:
            result._expand(int(arg), result._graph.above)
        return result

    def __mul__(self, other: Diagram) -> Diagram:
        """The tables both diagrams show."""
        result = Diagram(self)
        result._shown &= self._other(other)._shown
        return result

    def _expand(self, levels: int, step) -> None:
        for _ in range(levels):
            new = step(self._shown) - self._shown
            if not new:
                return
            self._shown |= new
            self._expanded |= new

    def collapse(self) -> Diagram:
        """The same tables, drawn as one box per schema; in a union, tables expanded in either operand stay so."""
        result = Diagram(self)
        result._expanded = set()
        return result

    # --- rows: cascade, trace, restrict ----------------------------------------------------------------

    @classmethod
    def _selection(cls, graph: _Graph, mode: str, relations: dict[Node, QueryExpression]) -> Diagram:
        result = cls.__new__(cls)
        result._graph = graph
        result._mode, result._relations, result._seeds = mode, relations, []
        result._shown, result._expanded = set(relations), set(relations)
        return result

    @classmethod
    def cascade(cls, table_expr: Any, part_integrity: str = "enforce") -> Diagram:
        """The tables and rows a delete of `table_expr` would reach (OR over the foreign-key paths)."""
        if part_integrity not in PART_INTEGRITY:
            raise ValueError(f"part_integrity must be one of {', '.join(PART_INTEGRITY)}, not {part_integrity!r}")
        table = _required(table_expr, "cascade")
        connection = table.connection
        start = (table.schema_name, table.table_name)
        graph = _Graph(connection)
        plans = cascade_plans(connection, start, table.node, graph.edges, part_integrity=part_integrity)
        relations = {}
        for node in dict.fromkeys(n for plan in plans for n in plan):
            reached = [QueryExpression(plan[node], connection) for plan in plans if node in plan]
            relations[node] = reached[0] if len(reached) == 1 else graph.base(node).restrict(
                [Matching(r.node, _key_pairs(r)) for r in reached], semantic_check=False
            )  # fmt: skip
        return cls._selection(graph, "cascade", relations)

    @classmethod
    def trace(cls, table_expr: Any) -> Diagram:
        """The table and its ancestors, each restricted to the rows `table_expr` depends on."""
        table = _required(table_expr, "trace")
        return cls._selection(_Graph(table.connection), "trace", trace(table))

    def restrict(self, table_expr: Any) -> Diagram:
        """`table_expr` restricts its table; every table below keeps the rows matching all its restricted parents."""
        if self._mode in ("cascade", "trace"):
            raise DataJointError(
                f"restrict() cannot be applied to a Diagram made by Diagram.{self._mode}()", rule="API-5"
            )
        table = _required(table_expr, "restrict")
        result = Diagram(self)
        if result._node(table) not in result._graph.parents:
            raise DataJointError(f"{table.full_table_name} is not in the diagram", rule="API-5")
        result._mode, result._seeds = "restrict", [*result._seeds, table]
        result._relations = {}
        for node in result._graph.order:
            seeds = [s for s in result._seeds if (s.schema_name, s.table_name) == node]
            parents = [(p, pairs) for p in dict.fromkeys(result._graph.parents[node]) if p in result._relations
                       for child, pairs in result._graph.children[p] if child == node]  # fmt: skip
            if seeds or parents:
                expression = result._graph.base(node)
                for seed in seeds:
                    expression = expression.restrict(Matching(seed.node, _key_pairs(seed)), semantic_check=False)
                for parent, pairs in parents:
                    expression = expression.restrict(
                        Matching(result._relations[parent].node, pairs), semantic_check=False
                    )
                result._relations[node] = expression
        return result

    def counts(self) -> dict[str, int]:
        """The number of selected rows of each shown table, by full table name, parents first."""
        if not self._relations:
            raise DataJointError(
                "No rows are selected: use Diagram.cascade(expr), Diagram.trace(expr) or diagram.restrict(expr) first",
                rule="API-5",
            )
        return {self._graph.full_name(n): len(self._relations[n]) for n in self._nodes() if n in self._relations}

    def prune(self) -> Diagram:
        """Without the tables that have no selected rows (no rows at all when none are selected)."""
        if self._mode == "cascade":
            raise DataJointError(
                "prune() cannot be applied to a Diagram made by Diagram.cascade(): a delete must reach every table "
                "below, empty or not",
                rule="API-5",
            )
        result = Diagram(self)
        for node in self._nodes():
            if (node in self._relations or not self._relations) and len(
                self._graph.expression(node, self._relations)
            ) == 0:
                result._shown.discard(node)
        return result

    # --- access ----------------------------------------------------------------------------------------

    def _nodes(self) -> list[Node]:
        return [node for node in self._graph.order if node in self._shown]

    @property
    def table_names(self) -> list[str]:
        """The full names of the shown tables, parents first."""
        return [self._graph.full_name(node) for node in self._nodes()]

    def __iter__(self):
        """The shown tables as query expressions (restricted to the selected rows, if any), parents first."""
        for node in self._nodes():
            yield self._graph.expression(node, self._relations)

    def __len__(self) -> int:
        return len(self._shown)

    def __contains__(self, table: Any) -> bool:
        return resolve(table, self._shown) is not None

    def __getitem__(self, table: Any) -> QueryExpression:
        """A shown table (a class, an instance or a name), restricted to the selected rows if any."""
        node = resolve(table, self._shown)
        if node is None:
            raise DataJointError(f"{table!r} is not in this diagram", rule="API-5")
        return self._graph.expression(node, self._relations)

    def __repr__(self) -> str:
        names = ", ".join(f"{s}.{t}" for s, t in self._nodes())
        return f"Diagram({self._mode + ': ' if self._mode else ''}{names})"

    # --- drawing ---------------------------------------------------------------------------------------

    def _drawing(self) -> tuple[list[Box], list[Arrow]]:
        """Boxes for the shown tables (collapsed ones one per schema) and arrows for the foreign keys between them."""
        box_of, boxes, collapsed = {}, {}, {}
        for schema, name in self._nodes():
            node = (schema, name)
            if node in self._expanded:
                tier, master = tier_of(name)
                label = f"{class_name(master)}.{class_name(name)}" if tier == "part" else class_name(name)
                box_of[node] = f"{schema}.{name}"
                boxes[box_of[node]] = Box(box_of[node], label, tier, schema)
            else:
                box_of[node] = f"{schema}/collapsed"
                collapsed[schema] = collapsed.get(schema, 0) + 1
        for schema, count in collapsed.items():
            label = f"{schema} ({count} table{'s' if count != 1 else ''})"
            boxes[f"{schema}/collapsed"] = Box(f"{schema}/collapsed", label, "collapsed", schema)
        arrows: dict[tuple[str, str], Arrow] = {}
        for parent in self._nodes():
            for child, pairs in self._graph.children.get(parent, []):
                ends = (box_of[parent], box_of.get(child))
                if ends[1] is not None and ends[0] != ends[1]:
                    renamed = any(a != b for a, b in pairs) or (ends in arrows and arrows[ends].renamed)
                    arrows[ends] = Arrow(*ends, renamed=renamed)
        return list(boxes.values()), list(arrows.values())

    @property
    def direction(self) -> str:
        return self._graph.connection.settings["display.diagram_direction"]

    def make_mermaid(self) -> str:
        """The diagram as a Mermaid flowchart, in tier colours, laid out along `display.diagram_direction`."""
        return mermaid(*self._drawing(), direction=self.direction)

    def svg_string(self) -> str:
        return svg(*self._drawing(), direction=self.direction)

    def _repr_svg_(self) -> str:
        return self.svg_string()

    def save(self, filename: str | Path, format: str | None = None) -> None:
        """Write the diagram as SVG (`.svg`) or Mermaid (`.mmd`, `.mermaid`)."""
        suffix = Path(filename).suffix.lower()
        format = format or {".svg": "svg", ".mmd": "mermaid", ".mermaid": "mermaid"}.get(suffix)
        if format not in ("svg", "mermaid"):
            raise DataJointError(f"Cannot save a diagram as {format or suffix!r}: use svg or mermaid", rule="API-5")
        Path(filename).write_text(self.svg_string() if format == "svg" else self.make_mermaid())


def _required(table_expr: Any, what: str) -> Table:
    table = _table(table_expr)
    if table is None:
        raise DataJointError(f"Diagram.{what} needs a table or a restricted table, not {table_expr!r}", rule="API-5")
    return table
