"""Run a compiled query and return rows as dicts, DataFrames, Arrow tables or arrays (FETCH-1 .. FETCH-5)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import query
from .errors import DataJointError

if TYPE_CHECKING:
    from .table import QueryExpression


def _order(expression: QueryExpression, order_by) -> list[str]:
    """FETCH-1: `KEY` (optionally `KEY DESC`) stands for the primary-key attributes."""
    terms = [order_by] if isinstance(order_by, str) else list(order_by or [])
    expanded = []
    for term in terms:
        name, _, direction = term.strip().partition(" ")
        expanded += [f"{k} {direction}".strip() for k in expression.primary_key] if name == "KEY" else [term]
    return expanded


def rows(
    expression: QueryExpression, attributes=None, *, order_by=None, limit=None, offset=0
) -> tuple[list[str], list[tuple]]:
    backend = expression.connection.backend
    names = list(attributes) if attributes is not None else expression.heading.names
    for name in names:
        if name not in expression.heading:
            raise DataJointError(f"Attribute `{name}` is not found in {expression.relation.table}", rule="FETCH-6")
    if (limit is not None or offset) and not order_by:
        order_by = ["KEY"]
    params: list = []
    select = query.select(
        expression.relation,
        backend,
        params,
        attributes=names,
        order_by=_order(expression, order_by),
        limit=limit,
        offset=offset,
    )
    fetched = expression.connection.query(select, params, context=f"fetch from {expression.relation.table}")
    types = [expression.heading[n].type for n in names]
    return names, [tuple(backend.from_driver(v, t) for v, t in zip(row, types, strict=True)) for row in fetched]


def dicts(expression: QueryExpression, *, attributes=None, order_by=None, limit=None, offset=0) -> list[dict]:
    names, values = rows(expression, attributes, order_by=order_by, limit=limit, offset=offset)
    return [dict(zip(names, row, strict=True)) for row in values]


def pandas(expression: QueryExpression, **options):
    """FETCH-1: a DataFrame indexed by the primary key when there is one."""
    import pandas as pd

    names, values = rows(expression, **options)
    frame = pd.DataFrame.from_records(values, columns=names)
    return frame.set_index(expression.primary_key) if expression.primary_key else frame


def arrow(expression: QueryExpression, **options):
    import pyarrow as pa

    names, values = rows(expression, **options)
    return pa.table({name: [row[i] for row in values] for i, name in enumerate(names)})


def arrays(expression: QueryExpression, attributes: Sequence[str], *, include_key=False, **options):
    """FETCH-1: a structured array of all attributes, or one array per named attribute."""
    import numpy as np

    if not attributes:
        names, values = rows(expression, **options)
        return (
            np.array(values, dtype=[(n, object) for n in names])
            if values
            else np.array([], dtype=[(n, object) for n in names])
        )
    names, values = rows(expression, list(attributes), **options)
    columns = tuple(np.array([row[i] for row in values], dtype=object) for i in range(len(names)))
    if include_key:
        return (dicts(expression, attributes=expression.primary_key, **options), *columns)
    return columns[0] if len(columns) == 1 else columns


def one(expression: QueryExpression, attributes: Sequence[str]) -> Any:
    """FETCH-2: exactly one row; a dict, one value, or a tuple of values."""
    wanted = expression.primary_key if list(attributes) == ["KEY"] else (list(attributes) or None)
    found = dicts(expression, attributes=wanted, limit=2)
    if len(found) != 1:
        raise DataJointError(
            f"fetch1 requires exactly one row, but the query returned {len(found) or 'no'} rows", rule="FETCH-2"
        )
    row = found[0]
    if not attributes or list(attributes) == ["KEY"]:
        return row
    return row[attributes[0]] if len(attributes) == 1 else tuple(row[a] for a in attributes)


def iterate(expression: QueryExpression) -> Iterator[dict]:
    """FETCH-3: one dict per row, from a single cursor."""
    backend = expression.connection.backend
    names = expression.heading.names
    types = [expression.heading[n].type for n in names]
    params: list = []
    cursor = expression.connection.execute(query.select(expression.relation, backend, params), params)
    for row in cursor:
        yield {n: backend.from_driver(v, t) for n, v, t in zip(names, row, types, strict=True)}


def count(expression: QueryExpression) -> int:
    params: list = []
    return expression.connection.query(query.count(expression.relation, expression.connection.backend, params), params)[
        0
    ][0]
