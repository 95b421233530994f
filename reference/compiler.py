"""Algebra nodes → sqlglot SELECT trees, the same for every dialect; the backend renders them.

Values become placeholders that carry their value (`bind`); the connection collects them in the order
they appear in the statement. Each node compiles to a SELECT whose output columns are its heading's names.
A restriction of a base table adds to its WHERE; every other node reads its operands as subqueries.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlglot import exp

from . import algebra
from .backends.base import Backend, identifier, placeholder
from .conditions import AndList, Matching, Not, Top, parse_sql
from .errors import DataJointError
from .heading import Heading
from .values import normalize, plain_test


def column(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=identifier(name), table=identifier(table) if table else None)


def select(expressions: Sequence[exp.Expression], source: exp.Expression) -> exp.Select:
    """SELECT expressions FROM source, built directly (sqlglot's builders parse and copy their arguments)."""
    return exp.Select(expressions=list(expressions), from_=exp.From(this=source))


def join(query: exp.Select, source: exp.Expression, using: Sequence[str], *, left: bool = False) -> exp.Select:
    """Add `JOIN source USING (...)`, a LEFT JOIN, or a CROSS JOIN when nothing is shared (built directly: no parsing)."""
    if using:
        clause = exp.Join(this=source, using=[identifier(n) for n in using], side="LEFT" if left else None)
    else:
        clause = exp.Join(this=source, kind="CROSS")
    query.append("joins", clause)
    return query


def columns(names: Sequence[str]) -> list[exp.Expression]:
    """The select list for these names; a relation without attributes selects the constant 1."""
    return [column(n) for n in names] or [exp.Literal.number(1)]


class Compiler:
    """One compilation: a counter for subquery aliases, so the same tree always gives the same SQL."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self._aliases = itertools.count(1)

    def alias(self) -> str:
        return f"_s{next(self._aliases)}"

    # --- relations ---------------------------------------------------------------------------------

    def select(self, node: algebra.Node) -> exp.Select:
        return getattr(self, f"visit_{type(node).__name__}")(node)

    def source(self, node: algebra.Node) -> tuple[exp.Expression, str]:
        """A FROM item for a node and the alias its columns are qualified with."""
        alias = self.alias()
        if isinstance(node, algebra.TableNode):
            table = self.backend.table(node.schema, node.table)
            table.set("alias", exp.TableAlias(this=identifier(alias)))
            return table, alias
        return exp.Subquery(this=self.select(node), alias=exp.TableAlias(this=identifier(alias))), alias

    def visit_TableNode(self, node: algebra.TableNode) -> exp.Select:
        return select(columns(node.heading.names), self.backend.table(node.schema, node.table))

    def visit_Restrict(self, node: algebra.Restrict) -> exp.Select:
        chain = algebra.restricted_table(node.child)
        if chain is not None:
            outer = _qualifier(self.backend.table(chain[0].schema, chain[0].table))
            return self.select(node.child).where(self.condition(node.condition, node.child.heading, outer), copy=False)
        source, alias = self.source(node.child)
        outer = lambda name: column(name, alias)  # noqa: E731
        return self._plain(node.heading, source).where(
            self.condition(node.condition, node.child.heading, outer), copy=False
        )

    def flat(self, node: algebra.Node) -> exp.Select | None:
        """Q-15, Q-23: a restricted base table is read directly, its columns still the table's own; else None."""
        return self.select(node) if algebra.restricted_table(node) is not None else None

    def visit_Project(self, node: algebra.Project) -> exp.Select:
        expressions = [self.projected(name, source) for name, source in node.columns] or [exp.Literal.number(1)]
        flat = self.flat(node.child)
        if flat is not None:
            return flat.select(*expressions, append=False, copy=False)
        source, _ = self.source(node.child)
        return select(expressions, source)

    def visit_Join(self, node: algebra.Join) -> exp.Select:
        left, left_alias = self.source(node.left)
        right, right_alias = self.source(node.right)
        columns = [
            column(n) if n in node.shared else column(n, left_alias if n in node.left.heading else right_alias)
            for n in node.heading.names
        ]
        query = select(columns or [exp.Literal.number(1)], left)
        return join(query, right, node.shared, left=node.outer)

    def visit_Aggregate(self, node: algebra.Aggregate) -> exp.Select:
        computed = [exp.Alias(this=self.sql_text(tree), alias=identifier(name)) for name, tree in node.computed]
        if node.group is None:  # U(...).aggr(A)
            source, _ = self.source(node.source)
            keys = [column(n) for n in node.heading.primary_key]
            query = select([*keys, *computed], source)
            return query.group_by(*(k.copy() for k in keys), copy=False) if keys else query
        group, group_alias = self.source(node.group)
        source, _ = self.source(node.source)
        shared = algebra.shared_names(node.group.heading, node.source.heading)
        kept = [
            column(n) if n in shared else column(n, group_alias) for n in (*node.group.heading.primary_key, *node.kept)
        ]
        query = select([*kept, *computed], group)
        query = join(query, source, shared, left=node.keep_all)
        return query.group_by(*(k.copy() for k in kept), copy=False)

    def visit_Union(self, node: algebra.Union) -> exp.Select | exp.Union:
        key = node.heading.primary_key
        left_secondary, right_secondary = node.left.heading.secondary, node.right.heading.secondary
        if not left_secondary and not right_secondary:
            return exp.union(self.select_columns(node.left, key), self.select_columns(node.right, key), distinct=True)
        left, left_alias = self.source(node.left)
        right, right_alias = self.source(node.right)
        first = exp.select(
            *(column(n) for n in key),
            *(column(n, left_alias) for n in left_secondary),
            *(column(n, right_alias) for n in right_secondary),
        ).from_(left, copy=False)
        join(first, right, key, left=True)
        others, others_alias = self.source(node.right)
        missing = exp.not_(
            exp.In(
                this=exp.Tuple(expressions=[column(n, others_alias) for n in key]),
                query=exp.Subquery(this=self.select_columns(node.left, key)),
            )
        )
        second = (
            exp.select(
                *(column(n, others_alias) for n in key),
                *(exp.null().as_(identifier(n)) for n in left_secondary),
                *(column(n, others_alias) for n in right_secondary),
            )
            .from_(others, copy=False)
            .where(missing, copy=False)
        )
        return exp.union(first, second, distinct=True)

    def visit_Distinct(self, node: algebra.Distinct) -> exp.Select:
        """`U(...) & A`: SELECT DISTINCT of the attributes, from A's (restricted) table directly when it is one."""
        flat = self.flat(node.child)
        if flat is not None:
            return flat.select(*columns(node.heading.names), append=False, copy=False).distinct(copy=False)
        source, _ = self.source(node.child)
        return self._plain(node.heading, source).distinct(copy=False)

    def visit_Top(self, node: algebra.Top) -> exp.Select:
        flat = self.flat(node.child)
        if flat is not None:
            query = flat.select(*columns(node.heading.names), append=False, copy=False)
        else:
            source, _ = self.source(node.child)
            query = self._plain(node.heading, source)
        if node.order_by:
            query = query.order_by(*(_ordered(term) for term in node.order_by), copy=False)
        if node.limit is not None:
            query.set("limit", exp.Limit(expression=exp.Literal.number(node.limit)))
        elif node.offset:
            query.set("limit", exp.Limit(expression=exp.Literal.number(2**62)))  # an offset without a limit
        if node.offset:
            query.set("offset", exp.Offset(expression=exp.Literal.number(node.offset)))
        return query

    def _plain(self, heading: Heading, source: exp.Expression) -> exp.Select:
        return select(columns(heading.names), source)

    def select_columns(self, node: algebra.Node, names: Sequence[str]) -> exp.Select:
        """SELECT of some of a node's columns (INSERT ... SELECT, semijoins, cascades). A restricted base table is
        read directly (Q-15): MariaDB materializes every derived table, and a cascade nests one per level."""
        flat = self.flat(node)
        if flat is not None:
            return flat.select(*columns(names), append=False, copy=False)
        source, _ = self.source(node)
        return select(columns(names), source)

    def projected(self, name: str, source: str | exp.Expression) -> exp.Expression:
        """One column of a projection: kept, renamed (`old AS new`) or computed (`expression AS name`)."""
        if isinstance(source, str):
            return column(name) if source == name else exp.Alias(this=column(source), alias=identifier(name))
        return exp.Alias(this=self.sql_text(source), alias=identifier(name))

    def sql_text(self, tree: exp.Expression) -> exp.Expression:
        """A copy of parsed user SQL (the node keeps its own), adapted to the backend (Q-24)."""
        return self.backend.adapt(tree.copy())

    # --- conditions (Q-11) -------------------------------------------------------------------------

    def condition(self, condition: Any, heading: Heading, outer: Callable[[str], exp.Column]) -> exp.Expression:
        """A restriction of a relation with `heading`; `outer(name)` is how its columns are referenced."""
        from .expression import QueryExpression, _operand

        condition = _operand(condition)
        if isinstance(condition, bool):
            return exp.true() if condition else exp.false()
        if isinstance(condition, Not):
            return exp.not_(exp.paren(self.condition(condition.condition, heading, outer)))
        if isinstance(condition, str):
            return exp.Paren(this=self.backend.adapt(parse_sql(condition, heading, what="restriction")))
        if isinstance(condition, exp.Expression):  # SQL text already parsed and checked
            return exp.Paren(this=self.sql_text(condition))
        if isinstance(condition, Mapping):
            return self._dict(condition, heading)
        if isinstance(condition, Matching):
            subquery = self.select_columns(condition.parent, [p for _, p in condition.pairs])
            child = exp.Tuple(expressions=[column(c) for c, _ in condition.pairs])
            return exp.In(this=child, query=exp.Subquery(this=subquery))
        if isinstance(condition, algebra.Node):
            return self._semijoin(condition, heading, outer)
        if isinstance(condition, QueryExpression):
            return self._semijoin(condition.node, heading, outer)
        if isinstance(condition, AndList):
            return (
                exp.and_(*(exp.paren(self.condition(c, heading, outer)) for c in condition))
                if condition
                else exp.true()
            )
        if isinstance(condition, Sequence | set | frozenset):
            return self._any(condition, heading, outer)
        if isinstance(condition, Top):
            raise DataJointError(f"Invalid restriction type {condition}", rule="Q-17")
        raise DataJointError(f"Invalid restriction type {type(condition).__name__}: {condition!r}", rule="Q-11")

    def _any(self, members: Any, heading: Heading, outer: Callable[[str], exp.Column]) -> exp.Expression:
        """Q-11: a list matches what any member matches; an empty list matches nothing.

        Q-12: mappings that name the same attributes, none of them None, become one row-value IN list,
        `(a, b) IN ((1, 2), (3, 4))`: the same three-valued logic as the OR of their conjunctions, but flat
        (SQLite refuses expressions nested 1,000 deep) and a tenth of the nodes to build and render.
        """
        rows_by_names: dict[tuple[str, ...], list[tuple]] = {}
        terms, visible = [], set(heading.names)
        for member in members:
            if isinstance(member, Mapping):
                names = tuple(name for name in member if name in visible)
                if not names:
                    return exp.true()  # a mapping naming no attribute matches every row
                row = tuple(member[name] for name in names)
                if None not in row:
                    rows_by_names.setdefault(names, []).append(row)
                    continue
            terms.append(exp.Paren(this=self.condition(member, heading, outer)))
        terms[:0] = [self._in_list(names, rows, heading) for names, rows in rows_by_names.items()]
        return _disjunction(terms) if terms else exp.false()

    def _in_list(self, names: tuple[str, ...], rows: list[tuple], heading: Heading) -> exp.In:
        """`a IN (?, ...)` or `(a, b) IN ((?, ?), ...)`; integers go inline past the backend's parameter limit."""
        converters = [driver_value(self.backend, heading[name]) for name in names]
        values = [[convert(value) for convert, value in zip(converters, row, strict=True)] for row in rows]
        inline = len(rows) * len(names) > self.backend.MAX_PARAMETERS and all(
            type(value) is int for row in values for value in row
        )
        bind = exp.Literal.number if inline else placeholder
        if len(names) == 1:
            return exp.In(this=column(names[0]), expressions=[bind(row[0]) for row in values])
        tuples = [exp.Tuple(expressions=[bind(value) for value in row]) for row in values]
        return exp.In(this=exp.Tuple(expressions=[column(name) for name in names]), expressions=tuples)

    def _dict(self, condition: Mapping, heading: Heading) -> exp.Expression:
        """Q-12: equality on keys that are visible attributes; other keys are ignored; None is IS NULL."""
        terms = []
        for name, value in condition.items():
            if name not in heading:
                continue
            attribute = heading[name]
            if value is None:
                terms.append(exp.Is(this=column(name), expression=exp.Null()))
            else:
                value = self.backend.to_driver(normalize(value, attribute, "restriction"), attribute.type)
                terms.append(exp.EQ(this=column(name), expression=placeholder(value)))
        return _conjunction(terms) if terms else exp.true()

    def _semijoin(self, node: algebra.Node, heading: Heading, outer: Callable[[str], exp.Column]) -> exp.Expression:
        """Q-14: rows equal to some row of `node` on every shared visible attribute.

        Q-16 (knob antijoin_null = not_exists): a correlated EXISTS, so a NULL never matches and `A - B`
        keeps exactly the rows `A & B` drops; NOT IN would drop every row once B holds a NULL.
        """
        shared = algebra.shared_names(heading, node.heading)
        source, alias = self.source(node)
        query = select([exp.Literal.number(1)], source)
        if shared:
            query.set(
                "where",
                exp.Where(this=_conjunction([exp.EQ(this=column(n, alias), expression=outer(n)) for n in shared])),
            )
        return exp.Exists(this=query)


def driver_value(backend: Backend, attribute: Any) -> Callable[[Any], Any]:
    """Q-12: how a restriction value of this attribute becomes a bound parameter."""
    plain, convert = plain_test(attribute), backend.driver_converter(attribute.type)

    def bound(value: Any) -> Any:
        value = value if plain is not None and plain(value) else normalize(value, attribute, "restriction")
        return convert(value, attribute.type) if convert is not None else value

    return bound


def _conjunction(terms: list[exp.Expression]) -> exp.Expression:
    """terms[0] AND terms[1] AND ..., built without copying."""
    result = terms[0]
    for term in terms[1:]:
        result = exp.And(this=result, expression=term)
    return result


def _disjunction(terms: list[exp.Expression]) -> exp.Expression:
    """terms[0] OR terms[1] OR ..., built without copying."""
    result = terms[0]
    for term in terms[1:]:
        result = exp.Or(this=result, expression=term)
    return result


def _qualifier(table: exp.Table) -> Callable[[str], exp.Column]:
    db = table.args.get("db")
    return lambda name: exp.Column(this=identifier(name), table=table.this.copy(), db=db.copy() if db else None)


def _ordered(term: str) -> exp.Ordered:
    name, _, direction = term.strip().partition(" ")
    return exp.Ordered(this=column(name), desc=direction.strip().upper() == "DESC")


def delete_statement(node: algebra.Node, backend: Backend) -> exp.Delete:
    """DELETE of the rows a restricted base table selects; restrictions become its WHERE."""
    chain = algebra.restricted_table(node)
    if chain is None:
        raise DataJointError(f"Only restrictions of a table can be deleted from, not {type(node).__name__}")
    base, conditions = chain
    compiler, table = Compiler(backend), backend.table(base.schema, base.table)
    where = [compiler.condition(condition, base.heading, _qualifier(table)) for condition in conditions]
    return exp.delete(table, where=exp.and_(*where) if where else None)
