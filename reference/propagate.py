"""A parent's restriction applied to a child directly, where that selects the same rows as the semijoin (DML-31).

A cascade deletes the child rows that reference deleted parent rows: `child & parent.proj(<keys>)`, a
semijoin the servers run as a subquery per level (MariaDB 10.11 re-runs it for every candidate row). When
the parent is a base table restricted only by conditions on attributes the child inherits under the same
names, and the child's foreign-key attributes are never NULL, each child row references exactly one
parent row whose values of those attributes are its own. The condition is then true of the child row
exactly when it is true of its parent row, so the child can be restricted by the condition itself.

Conditions that qualify: SQL text without function calls (a function may not be deterministic: RAND() drawn
per child row would select other rows), mappings, lists of them (OR), `AndList`, `Not` and booleans. A
semijoin, a `Top` or a query as condition, or an attribute the child does not inherit by name, keeps the
semijoin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlglot import exp

from . import algebra
from .conditions import AndList, Not, parse_sql
from .heading import Heading

_ALLOWED_FUNCTIONS = (exp.Cast,)  # deterministic; any other function keeps the semijoin


class _Keeps(Exception):
    """The condition cannot move to the child: the semijoin stays."""


def carried(parent: algebra.Node, pairs: tuple[tuple[str, str], ...], child: Heading) -> AndList | None:
    """The parent's conditions as a condition on `child`, or None when only a semijoin selects the right rows."""
    if any(child[c].nullable for c, _ in pairs):
        return None
    inherited = {p for c, p in pairs if c == p}
    chain = algebra.restricted_table(parent)
    if chain is None:
        return None
    base, conditions = chain
    try:
        return AndList(_carry(condition, base.heading, inherited) for condition in conditions)
    except _Keeps:
        return None


def _carry(condition: Any, heading: Heading, inherited: set[str]) -> Any:
    """The condition rewritten for the child: SQL text parsed, mapping keys the parent ignores dropped."""
    if isinstance(condition, bool):
        return condition
    if isinstance(condition, str):
        condition = parse_sql(condition, heading, what="restriction")
    if isinstance(condition, exp.Expression):
        for node in condition.walk():
            if isinstance(node, exp.Func) and not isinstance(node, _ALLOWED_FUNCTIONS):
                raise _Keeps
            if isinstance(node, exp.Column) and node.name not in inherited:
                raise _Keeps
        return condition
    if isinstance(condition, Mapping):
        known = {name: value for name, value in condition.items() if name in heading.names}  # Q-12 ignores others
        if set(known) - inherited:
            raise _Keeps
        return known
    if isinstance(condition, Not):
        return Not(_carry(condition.condition, heading, inherited))
    if isinstance(condition, AndList):
        return AndList(_carry(c, heading, inherited) for c in condition)
    if isinstance(condition, list | tuple):  # OR of its members (a cascade's paths are such a list)
        return [_carry(c, heading, inherited) for c in condition]
    raise _Keeps
