"""Deploy-time operations: settings a pipeline's tables need in the environment it is deployed to (API-1).

Each operation is idempotent, so a deploy hook may run it on every release, and by default it is a dry run
that returns the statements it would execute. One-shot repairs of a schema's state live in `migrate`.
"""

from __future__ import annotations

from typing import Any

from .connection import Connection
from .errors import DataJointError
from .schema import Schema
from .table import Table

REPLICA_IDENTITY_MODES = ("default", "full")


def tables_of(target: Schema | type[Table] | Table) -> tuple[Connection, list[tuple[str, str]]]:
    """The connection and the (schema, table) names of a schema's tables, or of one table class or object."""
    if isinstance(target, Schema):
        return target.connection, [(target.database, name) for name in target.list_tables()]
    if isinstance(target, type) and issubclass(target, Table):
        target = target()
    if isinstance(target, Table):
        return target.connection, [(target.schema_name, target.table_name)]
    raise DataJointError(f"The target must be a Schema or a table (class or object), not {type(target).__name__}")


def set_replica_identity(target: Schema | type[Table] | Table, mode: str = "full", dry_run: bool = True) -> dict:
    """PostgreSQL: `ALTER TABLE ... REPLICA IDENTITY FULL | DEFAULT` on a schema's tables or on one table.

    FULL makes the server log whole old rows on UPDATE and DELETE, as some change-data-capture consumers
    require; DEFAULT logs the primary key only. Returns `tables_analyzed`, `tables_modified` (0 in a dry
    run) and `ddl`, the SQL of the statements run or to be run. Other backends raise DataJointError.
    """
    normalized = mode.lower() if isinstance(mode, str) else mode
    if normalized not in REPLICA_IDENTITY_MODES:
        raise DataJointError(f"mode must be one of {', '.join(REPLICA_IDENTITY_MODES)}, not {mode!r}")
    connection, tables = tables_of(target)
    backend = connection.backend
    statements = [backend.replica_identity(backend.table(schema, name), normalized) for schema, name in tables]
    result: dict[str, Any] = {"tables_analyzed": len(tables), "tables_modified": 0,
                              "ddl": [connection.render(s) for s in statements]}  # fmt: skip
    if not dry_run:
        for statement, (schema, name) in zip(statements, tables, strict=True):
            connection.execute(statement, context=f"replica identity of `{schema}`.`{name}`")
            result["tables_modified"] += 1
    return result
