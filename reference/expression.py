"""The user-facing query algebra: `&`, `-`, `.proj`, `*`, `.aggr`, `+`, `.extend`, `U` and `Top` (Q rules).

A QueryExpression wraps an immutable algebra node (Q-1); every operator checks its preconditions and
returns a new expression. Fetch methods compile the node and run it (fetch.py).
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Iterator
from typing import Any

from . import algebra, fetch
from .conditions import AndList, Not, Top, is_aggregate, parse_sql
from .connection import Connection
from .errors import DataJointError
from .heading import Heading

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class QueryExpression:
    """An immutable, lazy relation (Q-1): operators return new expressions; SQL runs on fetch."""

    def __init__(self, node: algebra.Node, connection: Connection):
        self.node = node
        self.connection = connection

    def _new(self, node: algebra.Node) -> QueryExpression:
        return QueryExpression(node, self.connection)

    @property
    def heading(self) -> Heading:
        return self.node.heading

    @property
    def primary_key(self) -> list[str]:
        return self.heading.primary_key

    # --- restriction (Q-10 .. Q-18) ----------------------------------------------------------------

    def restrict(self, condition: Any, *, semantic_check: bool = True) -> QueryExpression:
        condition = _operand(condition)
        if isinstance(condition, U):
            return self  # restricting by U changes nothing
        if isinstance(condition, Not) and isinstance(_operand(condition.condition), U):
            condition = False  # A - U() is empty
        if isinstance(condition, Top):
            terms = condition.terms(self.primary_key)
            if not terms and isinstance(self.node, algebra.Top):
                terms = self.node.order_by  # a Top without an ordering keeps the previous one
            return self._new(algebra.Top(self.heading, self.node, condition.limit, terms, condition.offset))
        if condition is None:
            raise DataJointError("Invalid restriction type None", rule="Q-11")
        if _has_top(condition):
            raise DataJointError(f"Invalid restriction type {condition!r}: Top cannot be inside a list", rule="Q-17")
        if hasattr(condition, "to_dict") and hasattr(condition, "columns"):  # a pandas DataFrame: OR of its rows
            condition = condition.to_dict(orient="records")
        if isinstance(condition, QueryExpression):
            _same_connection(self, condition)
        if semantic_check:
            _check_condition(self.heading, condition)
        if isinstance(condition, str):  # parsed once; compiling copies the tree
            condition = parse_sql(condition, self.heading, what="restriction")
        restricted = copy.copy(self)
        restricted.__dict__.pop("_statements", None)  # the compiled fetches of the unrestricted expression
        restricted.node = algebra.Restrict(self.heading, self.node, condition)
        return restricted

    def __and__(self, condition: Any) -> QueryExpression:
        return self.restrict(condition)

    def __sub__(self, condition: Any) -> QueryExpression:
        condition = _operand(condition)
        if isinstance(condition, U):
            return self.restrict(False)  # A - U() is empty
        if isinstance(condition, Top):
            raise DataJointError("Top cannot be used in an anti-restriction", rule="Q-11")
        return self.restrict(Not(condition))

    # --- projection (Q-20 .. Q-23) -----------------------------------------------------------------

    def proj(self, *attributes: str, **named: str) -> QueryExpression:
        heading = self.heading
        attributes = _with_ellipsis(attributes)
        if not all(isinstance(a, str) for a in attributes):
            raise DataJointError("proj() takes attribute names as strings", rule="Q-21")
        keep_all = "..." in attributes
        excluded = {a[1:].strip() for a in attributes if a.startswith("-")}
        listed = [a for a in attributes if a != "..." and not a.startswith("-")]
        for name in [*listed, *excluded]:
            if name not in heading:
                raise DataJointError(f"Attribute `{name}` not found.", rule="Q-21")
        if key_excluded := excluded & set(self.primary_key):
            raise DataJointError(f"Cannot exclude primary key attribute {sorted(key_excluded)}", rule="Q-21")
        renames = {new: old for new, old in named.items() if _NAME.match(old) and old in heading}
        computed = {new: text for new, text in named.items() if new not in renames}
        renamed_from = {old: new for new, old in renames.items()}
        columns = []
        for attribute in heading:
            name = attribute.name
            if name in renamed_from:
                columns.append((renamed_from[name], name))
            if (attribute.in_key and name not in renamed_from) or (
                name not in renamed_from and (name in listed or (keep_all and name not in excluded))
            ):
                columns.append((name, name))
        for new, text in computed.items():
            columns.append((new, parse_sql(text, heading, what=f"computed attribute `{new}`", hidden=False)))
        names = [n for n, _ in columns]
        if duplicates := sorted({n for n in names if names.count(n) > 1}):
            raise DataJointError(f"Attribute names {duplicates} already exist in the projection", rule="Q-21")
        return self._new(algebra.Project(algebra.project_heading(heading, columns), self.node, tuple(columns)))

    # --- join, aggregation, union (Q-30 .. Q-52) ---------------------------------------------------

    def join(self, other: Any, *, semantic_check: bool = True, left: bool = False) -> QueryExpression:
        other = _operand(other)
        if isinstance(other, U):
            raise DataJointError("Joining with dj.U is no longer supported", rule="Q-33")
        if not isinstance(other, QueryExpression):
            raise DataJointError(
                f"The argument of a join must be a query expression, not {type(other).__name__}", rule="Q-33"
            )
        _same_connection(self, other)
        shared = algebra.shared_names(self.heading, other.heading)
        if semantic_check:
            algebra.check_homologous(self.heading, other.heading, shared, what="join")
        heading = algebra.join_heading(self.heading, other.heading, left_join=left)
        return self._new(algebra.Join(heading, self.node, other.node, tuple(shared), left))

    def __mul__(self, other: Any) -> QueryExpression:
        return self.join(other)

    def extend(self, other: Any, *, semantic_check: bool = True) -> QueryExpression:
        return self.join(other, semantic_check=semantic_check, left=True)

    def aggr(
        self, source: Any, *attributes: str, exclude_nonmatching: bool = False, **computed: str
    ) -> QueryExpression:
        source = _operand(source)
        _same_connection(self, source)
        attributes = _with_ellipsis(attributes)
        shared = algebra.shared_names(self.heading, source.heading)
        algebra.check_homologous(self.heading, source.heading, shared, what="aggregate")
        kept = tuple(self.heading.secondary) if "..." in attributes else tuple(a for a in attributes if a != "...")
        if unknown := [a for a in kept if a not in self.heading]:
            raise DataJointError(f"Attributes {unknown} are not in the grouping expression", rule="Q-40")
        visible = algebra.join_heading(self.heading, source.heading)
        trees = tuple((n, parse_sql(t, visible, what=f"aggregate `{n}`", hidden=False)) for n, t in computed.items())
        heading = algebra.aggregate_heading(self.heading, source.heading, kept, trees)
        return self._new(algebra.Aggregate(heading, self.node, source.node, kept, trees, not exclude_nonmatching))

    def __add__(self, other: Any) -> QueryExpression:
        other = _operand(other)
        _same_connection(self, other)
        heading = algebra.union_heading(self.heading, other.heading)
        return self._new(algebra.Union(heading, self.node, other.node))

    def __matmul__(self, other: Any):
        raise DataJointError("The @ operator has been removed; use .join(other, semantic_check=False)", rule="Q-4")

    def __xor__(self, other: Any):
        raise DataJointError("The ^ operator has been removed; use .restrict(other, semantic_check=False)", rule="Q-4")

    # --- fetch (FETCH rules) -----------------------------------------------------------------------

    def to_dicts(self, order_by=None, limit=None, offset=0) -> list[dict]:
        return fetch.dicts(self, order_by=order_by, limit=limit, offset=offset)

    def to_pandas(self, order_by=None, limit=None, offset=0):
        return fetch.pandas(self, order_by=order_by, limit=limit, offset=offset)

    def to_arrow(self, order_by=None, limit=None, offset=0):
        return fetch.arrow(self, order_by=order_by, limit=limit, offset=offset)

    def to_polars(self, order_by=None, limit=None, offset=0):
        return fetch.polars(self, order_by=order_by, limit=limit, offset=offset)

    def to_arrays(self, *attributes: str, include_key=False, order_by=None, limit=None, offset=0):
        return fetch.arrays(self, attributes, include_key=include_key, order_by=order_by, limit=limit, offset=offset)

    def keys(self, order_by=None, limit=None, offset=0) -> list[dict]:
        return fetch.dicts(self, order_by=order_by, limit=limit, offset=offset, attributes=self.primary_key)

    def fetch(self, *attributes: str, format: str | None = None, as_dict: bool | None = None, **options):
        """FETCH-4: the 1.x method, kept with a DeprecationWarning and mapped onto the 2.x methods."""
        message = "fetch() is deprecated: use to_dicts(), to_pandas(), to_arrays() or keys()"
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        if attributes == ("KEY",):
            return self.keys(**options)
        if format == "frame":
            return self.to_pandas(**options)
        if as_dict:
            return fetch.dicts(self, attributes=list(attributes) or None, **options)
        return self.to_arrays(*attributes, **options)

    def cursor(self, as_dict: bool = False) -> fetch.Cursor:
        return fetch.cursor(self, as_dict=as_dict)

    def fetch1(self, *attributes: str):
        return fetch.one(self, attributes)

    def head(self, limit: int = 25) -> list[dict]:
        return self.to_dicts(order_by=["KEY"], limit=limit)

    def tail(self, limit: int = 25) -> list[dict]:
        return list(reversed(self.to_dicts(order_by=["KEY DESC"], limit=limit)))

    def __iter__(self) -> Iterator[dict]:
        return fetch.iterate(self)

    def __len__(self) -> int:
        return fetch.count(self)

    def __bool__(self) -> bool:
        return fetch.count(self) > 0

    def __contains__(self, item: Any) -> bool:
        return bool(self & item)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {type(self.node).__name__} with attributes {self.heading.names}>"


class U:
    """`dj.U(*attributes)`, the universal set (Q-60 .. Q-63)."""

    def __init__(self, *attributes: str):
        self.attributes = attributes

    def __and__(self, other: Any) -> QueryExpression:
        other = _operand(other)
        if not isinstance(other, QueryExpression):
            raise DataJointError("dj.U can only restrict a query expression", rule="Q-60")
        heading = algebra.distinct_heading(other.heading, self.attributes)
        return other._new(algebra.Distinct(heading, other.node))

    def aggr(self, source: Any, *attributes: str, exclude_nonmatching: bool = True, **computed: str) -> QueryExpression:
        if not exclude_nonmatching:
            raise DataJointError("dj.U().aggr() cannot keep non-matching rows: there are none", rule="Q-61")
        source = _operand(source)
        key = algebra.distinct_heading(source.heading, self.attributes)
        trees = tuple(
            (n, parse_sql(t, source.heading, what=f"aggregate `{n}`", hidden=False)) for n, t in computed.items()
        )
        algebra.check_computed_names(list(self.attributes), trees)
        heading = algebra.project_heading(key, [(n, n) for n in self.attributes] + list(trees))
        return source._new(algebra.Aggregate(heading, None, source.node, (), trees, False))

    def __sub__(self, other: Any):
        raise DataJointError("dj.U() - A produces an infinite set", rule="Q-62")

    def __mul__(self, other: Any):
        raise DataJointError("Joining with dj.U is no longer supported", rule="Q-33")

    __rmul__ = __mul__


def _operand(value: Any) -> Any:
    """A table class stands for its whole table."""
    from .table import Table

    return value() if isinstance(value, type) and issubclass(value, Table) else value


def _same_connection(a: QueryExpression, b: QueryExpression) -> None:
    """Q-5: both operands of a binary operator live on one connection."""
    if a.connection is not b.connection:
        raise DataJointError("Cannot operate on expressions from different connections", rule="Q-5")


def _has_top(condition: Any) -> bool:
    if isinstance(condition, list | tuple | set | AndList):
        return any(isinstance(c, Top) or _has_top(c) for c in condition)
    return isinstance(condition, Not) and (isinstance(condition.condition, Top) or _has_top(condition.condition))


def _check_condition(heading: Heading, condition: Any) -> None:
    """LIN-2 for restrictions by queries, and Q-13 for SQL text, before any SQL exists."""
    if isinstance(condition, QueryExpression):
        algebra.check_homologous(
            heading, condition.heading, algebra.shared_names(heading, condition.heading), what="restrict"
        )
    elif isinstance(condition, str):
        tree = parse_sql(condition, heading, what="restriction")
        if is_aggregate(tree):
            raise DataJointError(f"Aggregate functions cannot restrict rows: {condition!r}", rule="Q-13")
    elif isinstance(condition, Not):
        _check_condition(heading, condition.condition)
    elif isinstance(condition, list | tuple | set | AndList):
        for member in condition:
            _check_condition(heading, _operand(member))


def _with_ellipsis(attributes: tuple) -> tuple:
    """Q-20, Q-40: the spec writes "all other attributes" as Python's `...`; the string "..." means the same."""
    return tuple("..." if a is Ellipsis else a for a in attributes)
