"""One-shot migrations of schemas the reference writes: make existing tables what declaring them now would make.

Each function defaults to a dry run that reports what it would change; `dry_run=False` applies it. DataJoint
2.x's migrations of 0.14-era storage (external tables, old type comments) do not apply: the reference never
writes that state.
"""

from __future__ import annotations

from typing import Any

from . import catalog
from .codecs import storage_type
from .ddl import add_column
from .declare import JOB_METADATA_COLUMNS
from .deploy import tables_of
from .naming import tier_of
from .schema import Schema
from .table import Table


def rebuild_lineage(schema: Schema, dry_run: bool = True) -> dict[str, Any]:
    """LIN-5: recompute the schema's `~lineage` table from the foreign keys in the catalog.

    Repairs a schema whose lineage is missing (one made before `~lineage` existed, LIN-4) or out of date.
    Returns `tables_analyzed`, `lineage_entries` (the entries the rebuilt table holds), `changed`
    (`schema.table.attribute` → (recorded, recomputed) for every entry that differs; None for a missing one)
    and `status` (`dry_run` or `rebuilt`).
    """
    connection, database = schema.connection, schema.database
    recomputed = schema.recomputed_lineage()
    changed: dict[str, tuple[str | None, str | None]] = {}
    entries = 0
    for table, heading in recomputed.items():
        recorded = catalog.lineage(connection, database, table) or {}
        wanted = {a.name: a.lineage for a in heading if a.lineage}
        entries += len(wanted)
        for name in sorted(set(recorded) | set(wanted)):
            if recorded.get(name) != wanted.get(name):
                changed[f"{database}.{table}.{name}"] = (recorded.get(name), wanted.get(name))
    if not dry_run:
        schema.rebuild_lineage()
    return {"tables_analyzed": len(recomputed), "lineage_entries": entries, "changed": changed,
            "status": "dry_run" if dry_run else "rebuilt"}  # fmt: skip


def add_job_metadata_columns(target: Schema | type[Table] | Table, dry_run: bool = True) -> dict[str, Any]:
    """JOB-7: add the hidden job metadata columns to auto-populated tables declared without them.

    `target` is a schema (all its Imported and Computed tables) or one table; other tiers are left alone.
    Rows already present keep NULL start times and durations. Returns `tables_analyzed`, `tables_modified`,
    `columns_added` (0 and 0 in a dry run), `ddl` (the SQL run or to be run) and `details`, one entry per table.
    """
    connection, tables = tables_of(target)
    backend = connection.backend
    result: dict[str, Any] = {"tables_analyzed": 0, "tables_modified": 0, "columns_added": 0, "ddl": [],
                              "details": []}  # fmt: skip
    for schema, name in tables:
        if tier_of(name)[0] not in ("imported", "computed"):
            continue
        result["tables_analyzed"] += 1
        present = set(catalog.heading(connection, schema, name, {}).all_names)
        missing = [a for a in JOB_METADATA_COLUMNS if a.name not in present]
        statements = [
            statement
            for attribute in missing
            for statement in add_column(schema, name, attribute, backend, backend.column_type(storage_type(attribute.type)))
        ]  # fmt: skip
        result["ddl"] += [connection.render(s) for s in statements]
        status = "already_present" if not missing else "pending" if dry_run else "added"
        result["details"].append({"table": f"{schema}.{name}", "status": status, "columns": [a.name for a in missing]})
        if missing and not dry_run:
            for statement in statements:
                connection.execute(statement, context=f"add job metadata columns to `{schema}`.`{name}`")
            result["tables_modified"] += 1
            result["columns_added"] += len(missing)
            _forget_heading(connection, schema, name)
    return result


def _forget_heading(connection, schema: str, name: str) -> None:
    """Classes bound to the table read its heading again, so populate sees the new columns."""
    bound = connection.schemas.get(schema)
    if bound is not None and name in bound.tables:
        bound.tables[name]._heading = None
