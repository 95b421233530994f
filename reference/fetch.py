"""Run a compiled query and return rows as dicts, DataFrames, Arrow tables or arrays (FETCH-1 .. FETCH-5)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from . import algebra, codecs
from .compiler import Compiler, column, columns
from .conditions import Top
from .errors import DataJointError

if TYPE_CHECKING:
    from .expression import QueryExpression


def statement(expression: QueryExpression, names: Sequence[str], *, order_by=None, limit=None, offset=0) -> exp.Select:
    """The SELECT of a fetch, compiled once per expression and arguments (expressions are immutable)."""
    key = (tuple(names), str(order_by), limit, offset)
    cache = expression.__dict__.setdefault("_statements", {})
    if key not in cache:
        cache[key] = _compile(expression, names, order_by=order_by, limit=limit, offset=offset)
    return cache[key]


def _compile(expression: QueryExpression, names: Sequence[str], *, order_by, limit, offset) -> exp.Select:
    """Q-72: ordering and paging are applied outermost; without an ordering a Top's own ordering is kept."""
    node = expression.node
    if order_by is None and isinstance(node, algebra.Top):
        order_by = list(node.order_by)
    if (limit is not None or offset) and not order_by:
        order_by = ["KEY"]
    terms = Top(limit, order_by, offset).terms(expression.primary_key) if order_by else ()
    compiler = Compiler(expression.connection.backend)
    query = compiler.flat(node)
    if query is not None:
        query = query.select(*columns(names), append=False, copy=False)
    else:
        inner = compiler.select(node)
        if not terms and limit is None and not offset and _selects_exactly(inner, names):
            return inner  # already the wanted columns in order: a wrapping SELECT would only cost the server
        inner = inner.subquery(exp.to_identifier(compiler.alias(), quoted=True), copy=False)
        query = exp.select(*columns(names)).from_(inner, copy=False)
    if terms:
        query = query.order_by(
            *(exp.Ordered(this=column(t.split()[0]), desc=t.upper().endswith(" DESC")) for t in terms), copy=False
        )
    if limit is not None:
        query = query.limit(limit, copy=False)
    elif offset:
        query = query.limit(2**62, copy=False)
    return query.offset(offset, copy=False) if offset else query


def _selects_exactly(query: exp.Expression, names: Sequence[str]) -> bool:
    return isinstance(query, exp.Select) and [e.alias_or_name for e in query.expressions] == list(names)


def rows(
    expression: QueryExpression, attributes=None, *, order_by=None, limit=None, offset=0
) -> tuple[list[str], list[tuple]]:
    names = list(attributes) if attributes is not None else expression.heading.names
    for name in names:
        if name not in expression.heading:
            raise DataJointError(f"Attribute `{name}` is not found in the query", rule="FETCH-6")
    select = statement(expression, names, order_by=order_by, limit=limit, offset=offset)
    fetched = expression.connection.execute(select, context="fetch").fetchall()
    return names, _converted(fetched, converters(expression, names))


def converters(expression: QueryExpression, names: Sequence[str]) -> list[tuple[int, Any]]:
    """(column position, converter) for the columns whose driver values need converting; codecs decode (CODEC-4).

    Columns that the driver already returns as the right Python values get none, so a fetch of plain numbers
    and text costs no more than the driver's own rows.
    """
    backend, config = expression.connection.backend, expression.connection.settings
    found = []
    for position, name in enumerate(names):
        declared = expression.heading[name].type
        if declared.kind != "codec":
            if (convert := backend.value_converter(declared)) is not None:
                found.append((position, lambda value, convert=convert, declared=declared: convert(value, declared)))
            continue

        def decoded(value, declared=declared, name=name):
            try:
                return codecs.decode(declared, backend.from_driver(value, codecs.storage_type(declared)), config=config)
            except Exception as error:
                kind = type(error) if isinstance(error, DataJointError) else DataJointError
                raise kind(f"Cannot fetch {_source(expression)}.{name} ({declared.text}): {error}") from error

        found.append((position, decoded))
    return found


def _converted(fetched: list, converters: list[tuple[int, Any]]) -> list:
    """Rows with each non-null value of a converted column converted (CODEC-5: NULL bypasses the decoders)."""
    if not converters:  # a list even where the driver returns a tuple of rows (PyMySQL): to_arrays needs one
        return fetched if isinstance(fetched, list) else list(fetched)
    result = []
    for row in fetched:
        row = list(row)
        for position, convert in converters:
            if (value := row[position]) is not None:
                row[position] = convert(value)
        result.append(tuple(row))
    return result


def _source(expression: QueryExpression) -> str:
    """The table a fetched column comes from, looking through restrictions; "the query" otherwise."""
    node = expression.node
    while not isinstance(node, algebra.TableNode) and getattr(node, "child", None) is not None:
        node = node.child
    return f"`{node.schema}`.`{node.table}`" if isinstance(node, algebra.TableNode) else "the query"


def dicts(expression: QueryExpression, *, attributes=None, order_by=None, limit=None, offset=0) -> list[dict]:
    names, values = rows(expression, attributes, order_by=order_by, limit=limit, offset=offset)
    return [dict(zip(names, row, strict=False)) for row in values]


def pandas(expression: QueryExpression, **options):
    """FETCH-1: a DataFrame indexed by the primary key when there is one."""
    import pandas as pd

    names, values = rows(expression, **options)
    frame = pd.DataFrame.from_records(values, columns=names)
    return frame.set_index(expression.primary_key) if expression.primary_key else frame


def arrow(expression: QueryExpression, **options):
    import pyarrow as pa

    names, values = rows(expression, **options)
    columns = list(zip(*values, strict=True)) if values else [()] * len(names)
    return pa.table({name: list(column) for name, column in zip(names, columns, strict=True)})


def polars(expression: QueryExpression, **options):
    """FETCH-1: a polars DataFrame, made from the Arrow table (polars is optional: the `dataframes` extra)."""
    try:
        import polars
    except ImportError:
        raise DataJointError(
            "to_polars() needs polars: pip install 'djspecs[dataframes]' or pip install polars", rule="FETCH-1"
        ) from None
    return polars.from_arrow(arrow(expression, **options))


def arrays(expression: QueryExpression, attributes: Sequence[str], *, include_key=False, **options):
    """FETCH-1: a structured array of all attributes, or one array per named attribute."""
    import numpy as np

    if not attributes:
        names, values = rows(expression, **options)
        return np.array(values, dtype=[(n, object) for n in names])
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
    names = expression.heading.names
    convert = converters(expression, names)
    cursor = expression.connection.execute(statement(expression, names))
    for row in cursor:
        yield dict(zip(names, _converted([row], convert)[0], strict=True))


class Cursor:
    """FETCH-1: `cursor(as_dict=False)`, the rows as the driver returns them (not decoded), as tuples or dicts."""

    def __init__(self, raw: Any, names: list[str], as_dict: bool):
        self.raw, self.names, self.as_dict = raw, names, as_dict

    def _shaped(self, row: tuple) -> tuple | dict:
        return dict(zip(self.names, row, strict=True)) if self.as_dict else tuple(row)

    def fetchone(self) -> tuple | dict | None:
        row = self.raw.fetchone()
        return None if row is None else self._shaped(row)

    def fetchmany(self, size: int = 1) -> list:
        return [self._shaped(row) for row in self.raw.fetchmany(size)]

    def fetchall(self) -> list:
        return [self._shaped(row) for row in self.raw.fetchall()]

    def __iter__(self) -> Iterator[tuple | dict]:
        return (self._shaped(row) for row in self.raw)


def cursor(expression: QueryExpression, as_dict: bool = False) -> Cursor:
    names = expression.heading.names
    return Cursor(expression.connection.execute(statement(expression, names), context="fetch"), names, as_dict)


def count(expression: QueryExpression) -> int:
    compiler = Compiler(expression.connection.backend)
    inner = compiler.select(expression.node).subquery(exp.to_identifier(compiler.alias(), quoted=True), copy=False)
    return expression.connection.query(exp.select(exp.Count(this=exp.Star())).from_(inner, copy=False))[0][0]
