"""One Parquet file per table or query, streamed: batches are grouped into row groups so memory stays bounded.

zstd compression, statistics and the page index on, rows in primary-key order (declared as the sorting
columns), and the table's DataJoint description in the schema metadata (PUB-3, PUB-4).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from .staging import Staging, Written

ROW_GROUP_ROWS = 1_000_000
ROW_GROUP_BYTES = 128 * 2**20
MEDIA_TYPE = "application/vnd.apache.parquet"


@dataclass(frozen=True)
class ParquetResult:
    written: Written
    rows: int
    row_groups: int


def write_table(
    staging: Staging,
    path: str,
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
    *,
    table_metadata: dict,
    row_group_rows: int = ROW_GROUP_ROWS,
    row_group_bytes: int = ROW_GROUP_BYTES,
    compression_level: int = 3,
    on_rows=None,
) -> ParquetResult:
    """Write the batches to `path` inside the staging folder and return its hash, size and counts."""
    schema = schema.with_metadata({"dj:table": json.dumps(table_metadata, sort_keys=True)})
    key = [i for i, field in enumerate(schema) if (field.metadata or {}).get(b"dj:primary_key") == b"true"]
    handle = staging.open(path)
    writer = pq.ParquetWriter(
        handle,
        schema,
        compression="zstd",
        compression_level=compression_level,
        write_statistics=True,
        write_page_index=True,
        sorting_columns=[pq.SortingColumn(i) for i in key] or None,
        store_schema=True,
    )
    pending: list[pa.RecordBatch] = []
    pending_rows = pending_bytes = rows = groups = 0

    def flush(whole: bool) -> None:
        """Write full row groups of `row_group_rows` (all pending rows when `whole`); keep the rest pending."""
        nonlocal pending, pending_rows, pending_bytes, groups
        table = pa.Table.from_batches(pending, schema)
        size = table.num_rows if whole else (table.num_rows // row_group_rows) * row_group_rows
        if size:
            group = size if whole and pending_bytes >= row_group_bytes else row_group_rows
            writer.write_table(table.slice(0, size), row_group_size=group)
            groups += -(-size // group)
        pending = table.slice(size).to_batches()
        pending_rows = table.num_rows - size
        pending_bytes = sum(b.nbytes for b in pending)

    try:
        for batch in batches:
            pending.append(batch)
            pending_rows += batch.num_rows
            pending_bytes += batch.nbytes
            rows += batch.num_rows
            if on_rows:
                on_rows(batch.num_rows)
            if pending_rows >= row_group_rows or pending_bytes >= row_group_bytes:
                flush(whole=pending_bytes >= row_group_bytes)
        if pending_rows:
            flush(whole=True)
    finally:
        writer.close()
    return ParquetResult(staging.record(path, handle), rows, groups)
