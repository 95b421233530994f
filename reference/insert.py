"""Insert rows (DML-1 .. DML-10): accept the usual inputs, check every value, then write in one transaction."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .backends.base import identifier, placeholder
from .errors import DataJointError, MissingAttributeError, UnknownAttributeError
from .values import is_missing, normalize

if TYPE_CHECKING:
    from .table import Table

# Rows per INSERT statement are capped so the number of bound parameters stays within every driver's limit.
MAX_PARAMETERS = 30_000


def as_dicts(rows: Any, names: list[str]) -> list[dict]:
    """DML-1: dicts, numpy records, pandas or pyarrow tables, or (deprecated) positional sequences."""
    if hasattr(rows, "to_pylist"):  # pyarrow.Table
        return rows.to_pylist()
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # pandas.DataFrame
        frame = rows.reset_index() if any(n is not None for n in getattr(rows.index, "names", [None])) else rows
        return frame.to_dict(orient="records")
    result = []
    for row in rows:
        if isinstance(row, Mapping):
            result.append(dict(row))
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


def prepare(table: Table, rows: Iterable[Any], *, ignore_extra_fields: bool) -> list[dict[str, Any]]:
    """Check every row against the heading; return each row as column → driver parameter.

    A value that stands for the default (TYPE-8) leaves its column out of that row, so rows may differ in
    their columns; `statements` groups them.
    """
    heading, name = table.heading, table.full_name
    dicts = as_dicts(rows, heading.names)
    fields = None
    prepared = []
    for row in dicts:
        if fields is None:
            fields = list(row)
        elif list(row) != fields and set(row) != set(fields):
            raise DataJointError(f"{name}: Attempt to insert rows with different fields", rule="DML-3")
        unknown = [f for f in row if f not in heading]
        if unknown and not ignore_extra_fields:
            raise UnknownAttributeError(f"`{unknown[0]}` is not in the table heading of {name}", rule="DML-3")
        values = {}
        for attribute in heading.attributes:
            if attribute.hidden:  # DEF-4: the singleton key always holds true; other hidden columns take defaults
                if attribute.in_key:
                    values[attribute.name] = table.connection.backend.to_driver(True, attribute.type)
                continue
            if attribute.name not in row or is_missing(row[attribute.name], attribute):
                if attribute.in_key:
                    raise MissingAttributeError(
                        f"{name}: primary key attribute `{attribute.name}` has no value", rule="DML-2"
                    )
                continue
            values[attribute.name] = table.connection.backend.to_driver(
                normalize(row[attribute.name], attribute, name), attribute.type
            )
        if not any(not heading[n].hidden for n in values) and not all(
            a.nullable or a.default is not None for a in heading
        ):
            raise DataJointError(f"{name}: Cannot insert an empty row", rule="DML-3")
        prepared.append(values)
    return prepared


def statements(table: Table, prepared: list[dict], *, skip_duplicates: bool) -> list[tuple[exp.Insert, list]]:
    """One multi-row INSERT per group of rows with the same columns, each within the parameter cap."""
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for values in prepared:
        groups.setdefault(tuple(values), []).append(list(values.values()))
    result = []
    target = table.connection.backend.table(table.schema_name, table.table_name)
    for columns, rows in groups.items():
        per_statement = max(1, MAX_PARAMETERS // max(1, len(columns)))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            row = exp.Tuple(expressions=[placeholder()] * len(columns))
            insert = exp.insert(
                exp.Values(expressions=[row] * len(chunk)), target, columns=[identifier(c) for c in columns]
            )
            if skip_duplicates:
                insert = table.connection.backend.skip_duplicates(insert, table.heading.primary_key)
            result.append((insert, [value for row in chunk for value in row]))
    return result


def select_statement(table: Table, select: exp.Select, names: list[str], *, skip_duplicates: bool) -> exp.Insert:
    """DML-7: INSERT ... SELECT, so the rows never travel through the client."""
    target = table.connection.backend.table(table.schema_name, table.table_name)
    statement = exp.insert(select, target, columns=[identifier(n) for n in names])
    return (
        table.connection.backend.skip_duplicates(statement, table.heading.primary_key) if skip_duplicates else statement
    )
