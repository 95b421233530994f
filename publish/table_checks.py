"""Checks of the Parquet tables of a bundle against their Table Schema: columns, types, row counts, primary
keys and foreign keys (PUB-10). Only key columns are read into memory.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PACKAGE = "data/datapackage.json"


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Key columns in a form Arrow can group and join: extension types as storage, enums decoded."""
    if isinstance(column.type, pa.ExtensionType):
        column = pa.chunked_array([c.storage for c in column.chunks], column.type.storage_type)
    if pa.types.is_dictionary(column.type):
        column = pa.chunked_array([c.dictionary_decode() for c in column.chunks])
    return column


def check_parquet(bundle, path: str, resource: dict, report, *, deep: bool) -> tuple[int, pa.Table | None]:
    """(rows, the key and foreign-key columns) of one table; problems go to the report."""
    name = resource.get("name", "?")
    try:
        with bundle.open(path) as handle:
            head = handle.read(4)
            handle.seek(-4, 2)
            tail = handle.read(4)
            if head != b"PAR1" or tail != b"PAR1":
                report.add(path, "", "not a Parquet file (the PAR1 magic is missing)")
                return 0, None
            handle.seek(0)
            parquet = pq.ParquetFile(handle)
            rows = parquet.metadata.num_rows
            schema = parquet.schema_arrow
            fields = resource.get("schema", {}).get("fields", [])
            _check_columns(path, parquet.metadata, schema, fields, report)
            if resource.get("_djRows") is not None and resource["_djRows"] != rows:
                report.add(PACKAGE, f"{name}/_djRows", f"is {resource['_djRows']}, {path} has {rows} rows")
            if not deep:
                return rows, None
            wanted = list(resource.get("schema", {}).get("primaryKey", []))
            for fk in resource.get("schema", {}).get("foreignKeys", []):
                wanted += [f for f in fk.get("fields", []) if f not in wanted]
            wanted = [w for w in wanted if w in schema.names]
            keys = parquet.read(columns=wanted) if wanted else None
    except (OSError, pa.ArrowException) as error:
        report.add(path, "", f"cannot be read as Parquet: {error}")
        return 0, None
    primary = resource.get("schema", {}).get("primaryKey", [])
    if keys is not None and primary and keys.num_rows:
        plain = pa.table({k: _plain(keys[k]) for k in primary})
        distinct = plain.group_by(primary).aggregate([]).num_rows
        if distinct != keys.num_rows:
            report.add(path, ",".join(primary), f"primary key not unique: {keys.num_rows - distinct} duplicate row(s)")
    return rows, keys


def _check_columns(path: str, metadata: pq.FileMetaData, schema: pa.Schema, fields: list[dict], report) -> None:
    described = [f.get("name") for f in fields]
    if described != schema.names:
        report.add(path, "columns", f"are {schema.names}, datapackage.json describes {described}")
        return
    for described_field in fields:
        arrow_field = schema.field(described_field["name"])
        declared = (arrow_field.metadata or {}).get(b"dj:type", b"").decode()
        if described_field.get("_djType") and declared != described_field["_djType"]:
            report.add(
                path,
                described_field["name"],
                f"declared type {declared!r}, datapackage.json says {described_field['_djType']!r}",
            )
        if described_field.get("constraints", {}).get("required") and _nulls(metadata, schema, arrow_field.name):
            report.add(path, arrow_field.name, "holds NULLs, but datapackage.json says it is required")


def _nulls(metadata: pq.FileMetaData, schema: pa.Schema, name: str) -> int:
    """NULLs in a column, from the row-group statistics (no data is read)."""
    index = schema.get_field_index(name)
    total = 0
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(index).statistics
        total += statistics.null_count if statistics is not None and statistics.has_null_count else 0
    return total


def check_foreign_keys(resources: list[dict], keys: dict, report) -> None:
    """Every non-null foreign-key value of a table appears in the referenced table of the bundle."""
    for resource in resources:
        child = keys.get(resource.get("name"))
        for fk in resource.get("schema", {}).get("foreignKeys", []):
            reference = fk.get("reference", {})
            parent = keys.get(reference.get("resource", resource.get("name")))
            fields, parent_fields = fk.get("fields", []), reference.get("fields", [])
            if child is None or parent is None or len(fields) != len(parent_fields):
                continue
            if not set(fields) <= set(child.column_names) or not set(parent_fields) <= set(parent.column_names):
                continue
            values = pa.table({f"k{i}": _plain(child[f]) for i, f in enumerate(fields)})
            mask = None
            for column in values.columns:
                valid = pc.is_valid(column)
                mask = valid if mask is None else pc.and_(mask, valid)
            values = values.filter(mask)
            targets = pa.table({f"k{i}": _plain(parent[f]) for i, f in enumerate(parent_fields)})
            missing = values.join(targets, keys=values.column_names, join_type="left anti").num_rows
            if missing:
                report.add(
                    f"data/{resource.get('path')}",
                    ",".join(fields),
                    f"{missing} row(s) reference rows of {reference.get('resource')} that the bundle does not hold",
                )
