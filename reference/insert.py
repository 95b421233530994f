"""Insert rows (DML-1 .. DML-10): accept the usual inputs, check every value, then write in one transaction.

Rows with the same columns are written as one batch: the backend streams them (COPY on PostgreSQL,
executemany elsewhere) inside one transaction, so a bad row or a crash leaves nothing behind.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from . import codecs
from .backends.base import identifier, placeholder
from .connection import Batch
from .errors import DataJointError, MissingAttributeError, UnknownAttributeError
from .heading import Attribute
from .values import is_missing, normalize, plain_test

if TYPE_CHECKING:
    from .table import Table

FEW_ROWS = 64  # up to this many rows go as one multi-row INSERT; more are streamed as a batch


def as_dicts(rows: Any, names: list[str]) -> list[dict]:
    """DML-1: dicts, numpy records, pandas or pyarrow tables, or (deprecated) positional sequences."""
    if hasattr(rows, "to_pylist"):  # pyarrow.Table
        return rows.to_pylist()
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # pandas.DataFrame
        frame = rows.reset_index() if any(n is not None for n in getattr(rows.index, "names", [None])) else rows
        return frame.to_dict(orient="records")
    if type(rows) is list and all(type(row) is dict for row in rows):
        return rows  # the common case, taken as it is (prepare reads rows and never changes them)
    result = []
    for row in rows:
        if isinstance(row, Mapping):
            result.append(row if type(row) is dict else dict(row))
        elif hasattr(row, "dtype") and row.dtype.names:  # numpy record
            result.append({name: row[name] for name in row.dtype.names})
        else:
            warnings.warn(
                "Positional inserts are deprecated; insert dicts instead (DML-2)", DeprecationWarning, stacklevel=4
            )
            values = list(row)
            if len(values) != len(names):
                raise DataJointError(
                    f"A positional row needs {len(names)} values ({', '.join(names)}), got {len(values)}", rule="DML-2"
                )
            result.append(dict(zip(names, values, strict=True)))
    return result


def column_value(table: Table, attribute: Attribute, value: Any, row: Mapping[str, Any], *, encode: bool = True) -> Any:
    """The driver parameter of one value; codec values are validated and encoded first (CODEC-3, CODEC-6).

    With `encode` False a codec value is only validated, so nothing is written to a store.
    """
    backend, name = table.connection.backend, table.full_name
    if attribute.type.kind == "codec":
        try:
            if not encode:
                codecs.resolve(attribute.type).codecs[0].validate(value)
                return None
            primary_key = {k: row[k] for k in table.heading.primary_key if k in row}
            value, storage = codecs.encode(attribute.type, value, schema=table.schema_name, table=table.table_name,
                                           field=attribute.name, config=table.connection.settings, primary_key=primary_key)  # fmt: skip
        except Exception as error:
            located = _located(error, f"{name}.{attribute.name} ({attribute.type.text})")
            if located is None:
                raise
            raise located from error
        attribute = replace(attribute, type=storage)
    return backend.to_driver(normalize(value, attribute, name), attribute.type)


def _located(error: Exception, where: str) -> Exception | None:
    """The same kind of error, its message prefixed with the table and attribute; None if it cannot be rebuilt."""
    try:
        return type(error)(f"{where}: {error}")
    except Exception:
        return None


def prepare(
    table: Table, rows: Iterable[Any], *, ignore_extra_fields: bool, encode: bool = True
) -> list[tuple[tuple[str, ...], tuple]]:
    """Check every row against the heading; return each row as (its columns, their driver parameters).

    A value that stands for the default (TYPE-8) leaves its column out of that row, so rows may differ in
    their columns; `statements` groups them.
    """
    heading, name, backend = table.heading, table.full_name, table.connection.backend
    dicts = as_dicts(rows, heading.names)
    known = set(heading.names)
    hidden = [(a.name, backend.to_driver(True, a.type)) for a in heading.attributes if a.hidden and a.in_key]
    columns = [(a.name, a, plain_test(a), backend.driver_converter(a.type)) for a in heading.attributes if not a.hidden]
    every = tuple([n for n, _ in hidden] + [c[0] for c in columns])
    plain_rows = _plain_rows(dicts, hidden, columns)
    if plain_rows is not None:
        return [(every, row) for row in plain_rows]
    may_be_empty = all(a.nullable or a.default is not None for a in heading)
    fields = checked = None
    prepared = []
    for row in dicts:
        shape = tuple(row)
        if shape != checked:  # the checks of a row's fields hold for every later row with the same fields
            if fields is None:
                fields = set(shape)
            elif set(shape) != fields:
                raise DataJointError(f"{name}: Attempt to insert rows with different fields", rule="DML-3")
            unknown = [f for f in shape if f not in known]
            if unknown and not ignore_extra_fields:
                raise UnknownAttributeError(f"`{unknown[0]}` is not in the table heading of {name}", rule="DML-3")
            checked = shape
        values = [value for _, value in hidden]  # DEF-4: the singleton key holds true; other hidden columns default
        left_out = None
        for column, attribute, plain, convert in columns:
            value = row.get(column)
            if plain is not None and plain(value):
                values.append(convert(value, attribute.type) if convert else value)
                continue
            if value is None or is_missing(value, attribute):
                if attribute.in_key:
                    raise MissingAttributeError(f"{name}: primary key attribute `{column}` has no value", rule="DML-2")
                left_out = (left_out or set()) | {column}
                continue
            values.append(column_value(table, attribute, value, row, encode=encode))
        if len(values) == len(hidden) and not may_be_empty:
            raise DataJointError(f"{name}: Cannot insert an empty row", rule="DML-3")
        prepared.append((every if left_out is None else tuple(c for c in every if c not in left_out), tuple(values)))
    return prepared


def problems(table: Table, rows: Any, *, ignore_extra_fields: bool) -> tuple[list[tuple[int, str | None, str]], int]:
    """DML-10: what an insert of `rows` would refuse that can be known without the database, as (row index,
    attribute, message), and the number of rows checked. Codec values are validated, never encoded."""
    heading, name = table.heading, table.full_name
    found: list[tuple[int, str | None, str]] = []
    dicts = as_dicts(rows, heading.names)
    for index, row in enumerate(dicts):
        if not ignore_extra_fields:
            found += [(index, f, f"`{f}` is not in the table heading of {name}") for f in row if f not in heading]
        for attribute in heading.attributes:
            if attribute.hidden:
                continue
            value = row.get(attribute.name)
            if value is None or is_missing(value, attribute):
                if attribute.in_key or not (attribute.nullable or attribute.default is not None):
                    found.append((index, attribute.name, f"{name}: required attribute `{attribute.name}` has no value"))
                continue
            try:
                column_value(table, attribute, value, row, encode=False)
            except (DataJointError, ValueError, TypeError) as error:
                found.append((index, attribute.name, str(error)))
    return found, len(dicts)


def _plain_rows(dicts: list[dict], hidden: list[tuple], columns: list[tuple]) -> Iterable[tuple] | None:
    """The driver rows, checked column by column, when every row names every column and every value is plain.

    This is what the row-by-row loop of `prepare` gives for such rows, at a fraction of its cost; any other
    input (a missing or extra field, a value needing normalization, a codec) returns None and takes the loop.
    """
    if not dicts or not columns or set(dicts[0]) != {column for column, *_ in columns}:
        return None
    fields = dicts[0].keys()
    if not all(row.keys() == fields for row in dicts):
        return None
    values = []
    for column, attribute, plain, convert in columns:
        column_values = [row[column] for row in dicts]
        if plain is None or not all(map(plain, column_values)):
            return None
        values.append([convert(v, attribute.type) for v in column_values] if convert else column_values)
    return zip(*(itertools.repeat(value, len(dicts)) for _, value in hidden), *values, strict=True)


def statements(
    table: Table, prepared: list[tuple[tuple[str, ...], tuple]], *, skip_duplicates: bool
) -> list[tuple[exp.Expression, list]]:
    """One statement per group of rows with the same columns.

    A few rows go as one multi-row INSERT (one round trip); more go as a `Batch` that the backend streams
    (COPY on PostgreSQL, executemany elsewhere), which costs a few round trips but no huge statement.
    """
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for key, values in prepared:
        rows = groups.get(key)
        if rows is None:
            rows = groups[key] = []
        rows.append(values)
    backend = table.connection.backend
    primary_key = tuple(table.heading.primary_key)
    result = []
    for columns, rows in groups.items():
        if len(rows) <= FEW_ROWS:
            insert = _insert(
                backend, table.schema_name, table.table_name, columns, len(rows), skip_duplicates, primary_key
            )
            result.append((insert, [value for row in rows for value in row]))
        else:
            insert = _insert(backend, table.schema_name, table.table_name, columns, 0, skip_duplicates, primary_key)
            result.append((insert, Batch(rows)))
    return result


@functools.lru_cache(maxsize=256)
def _insert(backend, schema: str, name: str, columns: tuple[str, ...], rows: int, skip_duplicates: bool,
            primary_key: tuple[str, ...]) -> exp.Expression:  # fmt: skip
    """The INSERT of `rows` rows (0: the statement a Batch runs for each row), built and rendered once."""
    target, names = backend.table(schema, name), [identifier(c) for c in columns]
    if not rows and not skip_duplicates:
        return backend.bulk_insert(target, names)
    row = exp.Tuple(expressions=[placeholder() for _ in columns])
    insert = exp.insert(exp.Values(expressions=[row] * max(1, rows)), target, columns=names)
    return backend.skip_duplicates(insert, list(primary_key)) if skip_duplicates else insert


def select_statement(table: Table, select: exp.Select, names: list[str], *, skip_duplicates: bool) -> exp.Insert:
    """DML-7: INSERT ... SELECT, so the rows never travel through the client."""
    target = table.connection.backend.table(table.schema_name, table.table_name)
    statement = exp.insert(select, target, columns=[identifier(n) for n in names])
    return (
        table.connection.backend.skip_duplicates(statement, table.heading.primary_key) if skip_duplicates else statement
    )
