"""Rows of a query as Arrow record batches, by the fastest path the backend allows (PUB-5).

PostgreSQL: ADBC (`adbc-driver-postgresql`, COPY in binary underneath) for statements without bound values;
MariaDB/MySQL: ConnectorX's Arrow stream for statements without bound values; otherwise, and on SQLite, a
streaming cursor (server-side on PostgreSQL and MariaDB) read in batches. Every path ends in the same cast
(`types.to_arrow`), so the path changes the speed, never the content.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any
from urllib.parse import quote

import pyarrow as pa
from sqlglot import exp

from djspecs.reference.fetch import statement

from .types import arrow_type, to_arrow

BATCH_ROWS = 50_000


def arrow_schema(heading) -> pa.Schema:
    """The canonical schema of a heading; each field carries its declared type (PUB-4)."""
    fields = []
    for attribute in heading:
        metadata = {"dj:type": attribute.type.text, "dj:kind": attribute.type.kind}
        if attribute.comment:
            metadata["dj:comment"] = attribute.comment
        if attribute.in_key:
            metadata["dj:primary_key"] = "true"
        fields.append(
            pa.field(attribute.name, arrow_type(attribute.type), nullable=not attribute.in_key, metadata=metadata)
        )
    return pa.schema(fields)


def _bound_values(select: exp.Expression) -> list:
    return [node.meta["value"] for node in select.walk(bfs=False) if isinstance(node, exp.Placeholder)]


def _cast(batch: pa.RecordBatch, heading, schema: pa.Schema) -> pa.RecordBatch:
    columns = [to_arrow(batch.column(i), heading[name].type) for i, name in enumerate(schema.names)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _rows_to_batch(rows: list[tuple], heading, schema: pa.Schema, backend) -> pa.RecordBatch:
    columns = []
    for i, name in enumerate(schema.names):
        declared = heading[name].type
        columns.append(to_arrow([backend.from_driver(row[i], declared) for row in rows], declared))
    return pa.RecordBatch.from_arrays(columns, schema=schema)


# --- the paths ---------------------------------------------------------------------------------------


def _postgres_uri(settings) -> str:
    user = quote(settings["database.user"] or "postgres", safe="")
    password = settings["database.password"]
    auth = f"{user}:{quote(password, safe='')}" if password else user
    port = settings["database.port"] or 5432
    return f"postgresql://{auth}@{settings['database.host']}:{port}/{settings['database.name'] or 'postgres'}"


def _adbc_batches(connection, sql: str) -> Iterator[pa.RecordBatch]:
    """ADBC's own API, not its DB-API module: that one imports pandas and pyarrow.dataset (most of a second)."""
    import adbc_driver_manager
    import adbc_driver_postgresql

    with (
        closing(adbc_driver_postgresql.connect(_postgres_uri(connection.settings))) as database,
        closing(adbc_driver_manager.AdbcConnection(database)) as raw,
        closing(adbc_driver_manager.AdbcStatement(raw)) as statement,
    ):
        statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(16 * 2**20)})
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        reader = pa.RecordBatchReader._import_from_c(stream.address)
        try:
            yield from reader
        finally:
            reader.close()


def _connectorx_batches(connection, sql: str) -> Iterator[pa.RecordBatch]:
    import connectorx

    s = connection.settings
    user, password = quote(s["database.user"] or "root", safe=""), quote(s["database.password"] or "", safe="")
    uri = f"mysql://{user}:{password}@{s['database.host']}:{s['database.port'] or 3306}"
    yield from connectorx.read_sql(uri, sql, return_type="arrow_stream", batch_size=BATCH_ROWS)


def _cursor_batches(connection, sql: str, params: list, heading, schema, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """The row-by-row path: a streaming cursor, `batch_rows` rows at a time."""
    backend = connection.backend
    if backend.name == "sqlite":  # an in-memory database exists on its own connection only
        raw, own = connection.raw, False
    else:
        raw, own = backend.connect(), True
    try:
        cursor = _streaming_cursor(raw, backend.name)
        cursor.execute(sql, tuple(params)) if params else cursor.execute(sql)
        while rows := cursor.fetchmany(batch_rows):
            yield _rows_to_batch(rows, heading, schema, backend)
        cursor.close()
    finally:
        if own:
            raw.close()


def _streaming_cursor(raw: Any, backend: str) -> Any:
    if backend == "postgresql":
        raw.autocommit = False  # a server-side cursor lives inside a transaction
        return raw.cursor(name=f"djspecs_export_{uuid.uuid4().hex}")
    if backend == "mysql":
        import pymysql.cursors

        return raw.cursor(pymysql.cursors.SSCursor)
    return raw.cursor()


FAST_PATHS: dict[str, tuple[str, Callable]] = {
    "postgresql": ("adbc_driver_postgresql", _adbc_batches),
    "mysql": ("connectorx", _connectorx_batches),
}


def choose_path(expression, method: str = "auto") -> str:
    """`arrow` (the backend's fast path) or `rows` (a streaming cursor); `auto` takes the fast one when it can."""
    backend = expression.connection.backend.name
    select = statement(expression, expression.heading.names)
    fast = FAST_PATHS.get(backend)
    possible = fast is not None and importlib.util.find_spec(fast[0]) is not None and not _bound_values(select)
    if method == "arrow" and not possible:
        raise ValueError(f"no Arrow path for this query on {backend} (driver missing or the query has bound values)")
    return "arrow" if method == "arrow" or (method == "auto" and possible) else "rows"


def record_batches(expression, *, method: str = "auto", batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The query's rows in primary-key order, as canonical record batches."""
    heading = expression.heading
    schema = arrow_schema(heading)
    order = ["KEY"] if expression.primary_key else None
    select = statement(expression, heading.names, order_by=order)
    connection = expression.connection
    sql = connection.render(select)
    if choose_path(expression, method) == "arrow":
        batches = FAST_PATHS[connection.backend.name][1](connection, sql)
        for batch in batches:
            for start in range(0, batch.num_rows, batch_rows):
                yield _cast(batch.slice(start, batch_rows), heading, schema)
        return
    yield from _cursor_batches(connection, sql, _bound_values(select), heading, schema, batch_rows)
