"""Three-valued logic (None is UNKNOWN) and an evaluator for the SQL text of restrictions and computed attributes.

The text is parsed with sqlglot (MySQL syntax, as DataJoint users write it) and the tree is evaluated over one
row, or over a group of rows for the aggregate functions of `aggr`. Each node kind has one small function,
assembled in `_NODES`; a node outside that table is not modelled.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .errors import NotModelledError, OracleError

Truth = bool | None
Row = dict[str, Any]


def not_(value: Truth) -> Truth:
    return None if value is None else not value


def and_(values: Iterable[Truth]) -> Truth:
    result: Truth = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def or_(values: Iterable[Truth]) -> Truth:
    result: Truth = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def equal(a: Any, b: Any) -> Truth:
    """SQL `=`: UNKNOWN when either side is NULL."""
    return _compare(operator.eq, a, b)


def parse(text: str, names: Collection[str], *, error_class: str) -> exp.Expression:
    """The parsed SQL text; a column that is not in `names` raises `error_class` (Q-13)."""
    try:
        tree = sqlglot.parse_one(text, read="mysql")
    except SqlglotError as error:
        raise OracleError("QuerySyntaxError", f"cannot parse {text!r}: {error}") from error
    for column in tree.find_all(exp.Column):
        if _column_name(column) not in names:
            raise OracleError(error_class, f"Attribute `{_column_name(column)}` is not found in query.")
    return tree


def evaluate(tree: exp.Expression, row: Row, group: Sequence[Row] | None = None) -> Any:
    """The value of `tree` for `row`; aggregate functions range over `group`, which `row` belongs to."""
    handler = _NODES.get(type(tree))
    if handler is None:
        raise NotModelledError(f"the oracle does not evaluate {type(tree).__name__}: {tree.sql(dialect='mysql')}")
    return handler(tree, row, group)


def truth(value: Any) -> Truth:
    """How WHERE reads a value: NULL is UNKNOWN, numbers are true unless zero."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value != 0
    raise NotModelledError(f"the oracle does not read {value!r} as a truth value")


def _column_name(column: exp.Column) -> str:
    identifier = column.this
    return identifier.this if identifier.quoted else identifier.this.lower()


def _coerce(a: Any, b: Any) -> tuple[Any, Any]:
    """Let a date meet a date written as a string literal, and a float meet a decimal."""
    if isinstance(a, date) and isinstance(b, str):
        return a, type(a).fromisoformat(b)
    if isinstance(b, date) and isinstance(a, str):
        return type(b).fromisoformat(a), b
    if isinstance(a, float) and isinstance(b, Decimal) or isinstance(b, float) and isinstance(a, Decimal):
        return float(a), float(b)
    return a, b


def _compare(compare: Callable[[Any, Any], bool], a: Any, b: Any) -> Truth:
    if a is None or b is None:
        return None
    a, b = _coerce(a, b)
    if isinstance(a, str) != isinstance(b, str):
        raise NotModelledError(f"the oracle does not convert between text and {a!r} or {b!r}")
    try:
        return compare(a, b)
    except TypeError as error:
        raise NotModelledError(f"the oracle does not compare {a!r} with {b!r}") from error


def _arithmetic(compute: Callable[[Any, Any], Any]) -> Callable:
    def node(tree, row, group):
        a, b = _coerce(evaluate(tree.this, row, group), evaluate(tree.expression, row, group))
        return None if a is None or b is None else compute(a, b)

    return node


def _divide(a: Any, b: Any) -> Any:
    # MySQL semantics: exact division of integers, NULL for a zero divisor.
    if b == 0:
        return None
    return Decimal(a) / Decimal(b) if isinstance(a, int) and isinstance(b, int) else a / b


def _comparison(compare: Callable[[Any, Any], bool]) -> Callable:
    def node(tree, row, group):
        return _compare(compare, evaluate(tree.this, row, group), evaluate(tree.expression, row, group))

    return node


def _literal(tree: exp.Literal, row, group) -> Any:
    text = tree.this
    if tree.is_string:
        return text
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text) if "e" in text.lower() else Decimal(text)


def _is(tree: exp.Is, row, group) -> Truth:
    value, test = evaluate(tree.this, row, group), tree.expression
    if isinstance(test, exp.Null):
        return value is None
    return value is not None and bool(value) == test.this


def _in(tree: exp.In, row, group) -> Truth:
    if tree.args.get("query"):
        raise NotModelledError(f"the oracle does not evaluate subqueries: {tree.sql(dialect='mysql')}")
    value = evaluate(tree.this, row, group)
    return or_(equal(value, evaluate(item, row, group)) for item in tree.expressions)


def _between(tree: exp.Between, row, group) -> Truth:
    value = evaluate(tree.this, row, group)
    low, high = evaluate(tree.args["low"], row, group), evaluate(tree.args["high"], row, group)
    return and_([_compare(operator.ge, value, low), _compare(operator.le, value, high)])


def _like(tree: exp.Like, row, group) -> Truth:
    value, pattern = evaluate(tree.this, row, group), evaluate(tree.expression, row, group)
    if value is None or pattern is None:
        return None
    # MySQL LIKE: % and _ are wildcards unless escaped by a backslash.
    tokens = re.findall(r"\\.|.", pattern, re.DOTALL)
    regex = "".join({"%": ".*", "_": "."}.get(token) or re.escape(token[-1]) for token in tokens)
    matched = re.fullmatch(regex, str(value), re.DOTALL) is not None
    return not matched if tree.args.get("negate") else matched


def _aggregate(reduce: Callable[[list], Any]) -> Callable:
    """An aggregate function over the non-NULL values of its argument in the group (NULL when there are none)."""

    def node(tree, row, group):
        if group is None:
            raise OracleError("QueryError", f"Invalid use of group function: {tree.sql(dialect='mysql')}")
        values = [value for member in group if (value := evaluate(tree.this, member)) is not None]
        return reduce(values) if values else None

    return node


def _count(tree: exp.Count, row, group) -> int:
    if group is None:
        raise OracleError("QueryError", f"Invalid use of group function: {tree.sql(dialect='mysql')}")
    argument = tree.this
    if isinstance(argument, exp.Star):
        return len(group)  # the NULL-extended row of an unmatched key counts as one row
    if isinstance(argument, exp.Distinct):
        values = [tuple(evaluate(item, member) for item in argument.expressions) for member in group]
        return len({value for value in values if None not in value})
    return sum(evaluate(argument, member) is not None for member in group)


def _average(values: list) -> Any:
    if any(isinstance(value, float) for value in values):
        return sum(map(float, values)) / len(values)
    return Decimal(sum(values)) / len(values)


_NODES: dict[type[exp.Expression], Callable[[Any, Row, Sequence[Row] | None], Any]] = {
    exp.Column: lambda tree, row, group: row.get(_column_name(tree)),
    exp.Literal: _literal,
    exp.Boolean: lambda tree, row, group: tree.this,
    exp.Null: lambda tree, row, group: None,
    exp.Paren: lambda tree, row, group: evaluate(tree.this, row, group),
    exp.Neg: lambda tree, row, group: None if (value := evaluate(tree.this, row, group)) is None else -value,
    exp.Add: _arithmetic(operator.add),
    exp.Sub: _arithmetic(operator.sub),
    exp.Mul: _arithmetic(operator.mul),
    exp.Div: _arithmetic(_divide),
    exp.Mod: _arithmetic(operator.mod),
    exp.EQ: _comparison(operator.eq),
    exp.NEQ: _comparison(operator.ne),
    exp.GT: _comparison(operator.gt),
    exp.GTE: _comparison(operator.ge),
    exp.LT: _comparison(operator.lt),
    exp.LTE: _comparison(operator.le),
    exp.And: lambda tree, row, group: and_(truth(evaluate(side, row, group)) for side in (tree.this, tree.expression)),
    exp.Or: lambda tree, row, group: or_(truth(evaluate(side, row, group)) for side in (tree.this, tree.expression)),
    exp.Not: lambda tree, row, group: not_(truth(evaluate(tree.this, row, group))),
    exp.Is: _is,
    exp.In: _in,
    exp.Between: _between,
    exp.Like: _like,
    exp.Count: _count,
    exp.Sum: _aggregate(sum),
    exp.Avg: _aggregate(_average),
    exp.Min: _aggregate(min),
    exp.Max: _aggregate(max),
}
