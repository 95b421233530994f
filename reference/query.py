"""Query expressions: a base table with restrictions, compiled to sqlglot SELECT trees.

This is the seed of the algebra (Q rules): an expression is immutable and lazy (Q-1); restricting it
returns a new expression. Restrictions here are the forms that insert, fetch and delete need: dicts,
lists of conditions (OR), `Not`, and other expressions (semijoin on shared attributes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from .backends.base import Backend, identifier
from .errors import DataJointError
from .heading import Heading
from .values import normalize


@dataclass(frozen=True)
class Not:
    """`dj.Not(c)`: the complement of a condition (Q-11)."""

    condition: Any


@dataclass(frozen=True)
class Matching:
    """Rows whose foreign-key attributes match a row of a parent relation (DML-31, rules F1-F3)."""

    parent: Relation
    pairs: tuple[tuple[str, str], ...]  # (child attribute, parent attribute)


@dataclass(frozen=True)
class Relation:
    """What an expression selects from: a table, its heading, and the restrictions applied in order."""

    schema: str
    table: str
    heading: Heading
    restrictions: tuple[Any, ...] = ()

    def restrict(self, condition: Any) -> Relation:
        return Relation(self.schema, self.table, self.heading, (*self.restrictions, condition))


def _column(name: str) -> exp.Column:
    return exp.column(identifier(name))


def condition_sql(relation: Relation, condition: Any, backend: Backend, params: list) -> exp.Expression:
    """A restriction condition as a boolean tree; values are appended to `params` as bound parameters."""
    from .table import QueryExpression  # the user-facing wrapper of a Relation

    if isinstance(condition, bool):
        return exp.true() if condition else exp.false()
    if isinstance(condition, Not):
        return exp.not_(exp.paren(condition_sql(relation, condition.condition, backend, params)))
    if isinstance(condition, Mapping):
        return _dict_condition(relation, condition, backend, params)
    if isinstance(condition, QueryExpression):
        return _semijoin(relation, condition.relation, backend, params)
    if isinstance(condition, Matching):
        subquery = select(condition.parent, backend, params, attributes=[p for _, p in condition.pairs])
        return exp.In(
            this=exp.Tuple(expressions=[_column(c) for c, _ in condition.pairs]), query=exp.Subquery(this=subquery)
        )
    if isinstance(condition, Sequence) and not isinstance(condition, str):
        if not condition:
            return exp.false()  # an empty list matches nothing
        return exp.or_(*(exp.paren(condition_sql(relation, c, backend, params)) for c in condition))
    raise DataJointError(f"Invalid restriction type {type(condition).__name__}: {condition!r}", rule="Q-11")


def _dict_condition(relation: Relation, condition: Mapping, backend: Backend, params: list) -> exp.Expression:
    """Q-12: equality on the keys that are visible attributes; other keys are ignored; None is IS NULL."""
    terms = []
    for name, value in condition.items():
        if name not in relation.heading:
            continue
        attribute = relation.heading[name]
        if value is None:
            terms.append(_column(name).is_(exp.null()))
        else:
            params.append(backend.to_driver(normalize(value, attribute, relation.table), attribute.type))
            terms.append(_column(name).eq(exp.Placeholder()))
    return exp.and_(*terms) if terms else exp.true()


def _semijoin(relation: Relation, other: Relation, backend: Backend, params: list) -> exp.Expression:
    """Q-14: rows that match some row of `other` on every shared visible attribute."""
    shared = [name for name in relation.heading.names if name in other.heading]
    subquery = select(other, backend, params, attributes=shared or None)
    if not shared:
        return exp.Exists(this=subquery)
    left = exp.Tuple(expressions=[_column(n) for n in shared])
    return exp.In(this=left, query=exp.Subquery(this=subquery))


def select(
    relation: Relation,
    backend: Backend,
    params: list,
    *,
    attributes: Sequence[str] | None = None,
    order_by: Sequence[str] = (),
    limit: int | None = None,
    offset: int = 0,
) -> exp.Select:
    names = relation.heading.names if attributes is None else list(attributes)
    columns = [_column(n) for n in names] or [exp.Literal.number(1)]
    query = exp.select(*columns).from_(backend.table(relation.schema, relation.table))
    for condition in relation.restrictions:
        query = query.where(condition_sql(relation, condition, backend, params))
    if order_by:
        query = query.order_by(*(_order(term) for term in order_by))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return query


def _order(term: str) -> exp.Ordered:
    name, _, direction = term.strip().partition(" ")
    return exp.Ordered(this=_column(name), desc=direction.strip().upper() == "DESC")


def count(relation: Relation, backend: Backend, params: list) -> exp.Select:
    inner = select(relation, backend, params, attributes=relation.heading.primary_key or None).subquery("counted")
    return exp.select(exp.Count(this=exp.Star())).from_(inner)


def delete(relation: Relation, backend: Backend, params: list) -> exp.Delete:
    statement = exp.delete(backend.table(relation.schema, relation.table))
    for condition in relation.restrictions:
        statement = statement.where(condition_sql(relation, condition, backend, params))
    return statement
