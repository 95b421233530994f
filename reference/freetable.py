"""FreeTable: a table opened by its full name, without a class of its own (API-1, API-4).

`schema[name]`, `schema.get_table(name)` and iteration over a schema hand out FreeTables; an `Instance` makes
them on its own connection (CFG-4).
"""

from __future__ import annotations

from . import catalog
from .connection import Connection, conn
from .errors import DataJointError, MissingTableError
from .heading import Heading
from .table import Table


def split_full_name(full_name: str) -> tuple[str, str]:
    """(schema, table) from `schema.table`, `` `schema`.`table` ``, `"schema"."table"` or SQLite's `"schema.table"`."""
    database, dot, name = full_name.replace("`", "").replace('"', "").partition(".")
    if not (dot and database and name):
        raise DataJointError(f"A full table name is `schema`.`table`, not {full_name!r}", rule="API-4")
    return database, name


class FreeTable(Table):
    """`FreeTable(connection, "schema.table")`, or `FreeTable("schema.table")` on the global connection.

    It fetches, restricts, inserts, deletes, drops and describes like a declared table; its heading is read
    from the catalog once, when it is made. Its binding lives on the instance, not on a class.
    """

    def __init__(self, connection: Connection | str, full_table_name: str | None = None):
        if full_table_name is None:  # CFG-4: the global connection, refused in thread-safe mode
            connection, full_table_name = conn(), connection
        database, name = split_full_name(full_table_name)
        if not catalog.table_exists(connection, database, name):
            raise MissingTableError(f"Table `{database}`.`{name}` does not exist", rule="API-4")
        schema = connection.schemas.get(database)
        if schema is None:
            from .schema import Schema

            schema = Schema(database, connection=connection, create_schema=False, create_tables=False)
        self._schema, self._table_name = schema, name
        self._heading = schema.heading_of(name)
        super().__init__()

    def _load_heading(self) -> Heading:
        return self._heading

    def __repr__(self) -> str:
        return f"FreeTable({self.full_name})"
