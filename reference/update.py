"""The UPDATE statement of update1 (DML-20): one row, found by its primary key, secondary attributes only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .backends.base import identifier, placeholder
from .errors import DataJointError
from .values import is_missing, normalize

if TYPE_CHECKING:
    from .table import Table


def statement(table: Table, key: dict[str, Any], changes: dict[str, Any]) -> tuple[exp.Update, list]:
    backend, heading, params = table.connection.backend, table.heading, []
    assignments = []
    for name, value in changes.items():
        attribute = heading[name]
        if is_missing(value, attribute):
            if not attribute.nullable:
                raise DataJointError(
                    f"{table.full_name}.{name} is not nullable and cannot be set to None", rule="DML-20"
                )
            assignments.append(exp.column(identifier(name)).eq(exp.null()))
            continue
        params.append(backend.to_driver(normalize(value, attribute, table.full_name), attribute.type))
        assignments.append(exp.column(identifier(name)).eq(placeholder()))
    conditions = []
    for name, value in key.items():
        attribute = heading[name]
        params.append(backend.to_driver(normalize(value, attribute, table.full_name), attribute.type))
        conditions.append(exp.column(identifier(name)).eq(placeholder()))
    update = exp.update(backend.table(table.schema_name, table.table_name), where=exp.and_(*conditions))
    update.set("expressions", assignments)
    return update, params
