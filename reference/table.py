"""Tables as users see them: a base table is a query expression that can also insert, update, delete and drop.

`Table` is declared by decorating a class with a `Schema`. Class attributes such as `Session.insert`
forward to an instance, so the familiar DataJoint spelling works on the class itself (API-2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from . import algebra, catalog, graph, insert, update
from .compiler import Compiler, delete_statement
from .errors import DataJointError, UnknownAttributeError
from .expression import QueryExpression
from .heading import Heading
from .populate import AutoPopulate
from .stores import journal

if TYPE_CHECKING:
    from .schema import Schema


@dataclass(frozen=True)
class ValidationResult:
    is_valid: bool
    errors: list[tuple[int, str | None, str]]  # (row index, attribute or None, message)
    rows_checked: int

    def __bool__(self) -> bool:
        return self.is_valid


class TableMeta(type):
    """Forwards the API methods on a table class to an instance of it (API-2)."""

    FORWARDED = frozenset(
        {"insert", "insert1", "insert_dataframe", "validate", "delete", "delete_quick", "drop", "drop_quick", "update1", "to_dicts", "to_pandas",
         "to_arrow", "to_polars", "to_arrays", "parents", "children", "ancestors", "descendants", "parts", "keys", "fetch", "fetch1", "cursor", "head", "tail", "heading", "primary_key", "restrict", "proj", "aggr", "join", "extend", "describe", "alter", "table_name", "full_name", "full_table_name", "schema_name", "foreign_keys", "indexes", "comment", "populate", "progress", "key_source", "jobs"}
    )  # fmt: skip

    def __getattribute__(cls, name: str) -> Any:
        if name in TableMeta.FORWARDED and type.__getattribute__(cls, "_schema") is not None:
            return getattr(cls(), name)
        return type.__getattribute__(cls, name)

    @property
    def staged_insert1(cls):
        """CODEC-10: `with Table.staged_insert1 as staged:` writes objects in place, then inserts the row."""
        return cls().staged_insert1

    def __and__(cls, condition: Any) -> QueryExpression:
        return cls() & condition

    def __sub__(cls, condition: Any) -> QueryExpression:
        return cls() - condition

    def __mul__(cls, other: Any) -> QueryExpression:
        return cls() * other

    def __add__(cls, other: Any) -> QueryExpression:
        return cls() + other

    def __iter__(cls) -> Iterator[dict]:
        return iter(cls())

    def __len__(cls) -> int:
        return len(cls())


class Table(QueryExpression, metaclass=TableMeta):
    """A base table. Subclasses set `definition`; decorating with a Schema declares them."""

    definition: ClassVar[str] = ""
    tier: ClassVar[str] = ""
    _schema: ClassVar[Schema | None] = None
    _table_name: ClassVar[str] = ""
    _heading: ClassVar[Heading | None] = None

    def __init__(self):
        schema = self._schema  # the class's binding; a FreeTable binds its instances (API-4)
        if schema is None:
            raise DataJointError(
                f"Table class {type(self).__name__} is not bound to a schema; decorate it with a Schema"
            )
        node = algebra.TableNode(self._load_heading(), schema.database, self.table_name)
        super().__init__(node, schema.connection)

    @classmethod
    def _load_heading(cls) -> Heading:
        if cls._heading is None:
            cls._heading = cls._schema.heading_of(cls._table_name)
        return cls._heading

    @property
    def table_name(self) -> str:
        return self._table_name

    @property
    def schema_name(self) -> str:
        return self._schema.database

    @property
    def full_table_name(self) -> str:
        """NAME-6: the table's name as the backend writes it, quoted; one identifier on SQLite (BE-4)."""
        backend = self.connection.backend
        return backend.render(backend.table(self.schema_name, self.table_name))

    @property
    def full_name(self) -> str:
        return f"`{self.schema_name}`.`{self.table_name}`"

    def describe(self) -> str:
        """DEF-23: the definition text of the declared table, rebuilt from the database."""
        from .describe import describe

        return describe(self)

    def alter(self, prompt: bool | None = True, context: Mapping[str, Any] | None = None) -> None:
        """DEF-21: change the declared table to the class's current `definition` (secondary attributes and the
        table comment only). `prompt` shows the statements and asks first (None: as `safemode` says); `context`
        names the classes that foreign keys in the definition refer to."""
        from .alter import alter

        alter(self, prompt=prompt, context=context)

    def parents(self) -> list[str]:
        return graph.parents(self)

    def children(self) -> list[str]:
        return graph.children(self)

    def ancestors(self) -> list[str]:
        return graph.ancestors(self)

    def descendants(self) -> list[str]:
        return graph.descendants(self)

    def parts(self) -> list[str]:
        return graph.parts(self)

    @property
    def foreign_keys(self) -> list[catalog.ForeignKey]:
        return catalog.foreign_keys(self.connection, self.schema_name, self.table_name)

    @property
    def indexes(self) -> list[tuple[tuple[str, ...], bool]]:
        return catalog.indexes(self.connection, self.schema_name, self.table_name)

    @property
    def comment(self) -> str:
        return catalog.table_comment(self.connection, self.schema_name, self.table_name)

    # --- DML ---------------------------------------------------------------------------------------

    def insert(
        self, rows, *, skip_duplicates=False, ignore_extra_fields=False, allow_direct_insert=None, chunk_size=None
    ):
        """DML-1 .. DML-9; one transaction for the whole call unless `chunk_size` splits it."""
        if self.restricted:
            raise DataJointError(f"Cannot insert into a restricted table {self.full_name}")
        if self.tier in ("imported", "computed") and not (allow_direct_insert or self._schema.populating(self)):
            raise DataJointError(
                f"Inserts into an auto-populated table {self.full_name} can only be done inside its make method; "
                "use allow_direct_insert=True to override",
                rule="DML-9",
            )
        if isinstance(rows, QueryExpression):
            return self._insert_query(rows, skip_duplicates=skip_duplicates, ignore_extra_fields=ignore_extra_fields)
        rows = insert.as_dicts(rows, self.heading.names)
        chunks = [rows] if not chunk_size else [rows[i : i + chunk_size] for i in range(0, len(rows), chunk_size)]
        if len(chunks) > 1:  # every row is checked before the first chunk is written
            insert.prepare(self, rows, ignore_extra_fields=ignore_extra_fields, encode=False)
        for chunk in chunks:
            # Objects that codecs write for a chunk are removed again if the chunk is not inserted (CODEC-10).
            with journal():
                prepared = insert.prepare(self, chunk, ignore_extra_fields=ignore_extra_fields)
                self._insert_prepared(prepared, skip_duplicates)

    def _insert_prepared(self, prepared: list[dict], skip_duplicates: bool) -> None:
        statements = insert.statements(self, prepared, skip_duplicates=skip_duplicates)
        if self.connection.in_transaction or len(statements) == 1:
            for statement, params in statements:
                self.connection.execute(statement, params, context=f"insert into {self.full_name}")
        else:
            with self.connection.transaction:
                for statement, params in statements:
                    self.connection.execute(statement, params, context=f"insert into {self.full_name}")

    @property
    def staged_insert1(self):
        from .codecs.staged import staged_insert1

        return staged_insert1(self)

    def insert_dataframe(self, frame, index_as_pk: bool | None = None, **options):
        """DML-10: insert a DataFrame; an index named like the primary key becomes key columns (as to_pandas makes)."""
        names = [n for n in frame.index.names if n is not None]
        names_the_key = bool(names) and set(names) == set(self.primary_key)
        if index_as_pk and not names_the_key:
            raise DataJointError(
                f"{self.full_name}: index_as_pk=True needs an index named by the primary key "
                f"({', '.join(self.primary_key)}), not ({', '.join(map(str, frame.index.names))})", rule="DML-10"
            )  # fmt: skip
        keep_index = names_the_key if index_as_pk is None else index_as_pk
        return self.insert(frame.reset_index() if keep_index else frame.reset_index(drop=True), **options)

    def validate(self, rows, *, ignore_extra_fields: bool = False) -> ValidationResult:
        """DML-10: check rows against the heading without touching the database (keys and references unchecked)."""
        errors, checked = insert.problems(self, rows, ignore_extra_fields=ignore_extra_fields)
        return ValidationResult(not errors, errors, checked)

    def insert1(self, row, **options):
        return self.insert((row,), **options)

    def _insert_query(self, source: QueryExpression, *, skip_duplicates: bool, ignore_extra_fields: bool):
        """DML-7, DML-8: INSERT ... SELECT, run by the server."""
        names = source.heading.names
        if unknown := [n for n in names if n not in self.heading] if not ignore_extra_fields else []:
            raise DataJointError(
                f"`{unknown[0]}` of the query is not in the table heading of {self.full_name}", rule="DML-8"
            )
        names = [n for n in names if n in self.heading]
        select = Compiler(self.connection.backend).select_columns(source.node, names)
        statement = insert.select_statement(self, select, names, skip_duplicates=skip_duplicates)
        self.connection.execute(statement, context=f"insert into {self.full_name}")

    @property
    def restricted(self) -> bool:
        return not isinstance(self.node, algebra.TableNode)

    def update1(self, row: Mapping[str, Any]) -> None:
        """DML-20: change secondary attributes of exactly one existing row, found by its full primary key."""
        if self.restricted:
            raise DataJointError(f"Update cannot be applied to a restricted table {self.full_name}", rule="DML-20")
        if not isinstance(row, Mapping):
            raise DataJointError(
                f"update1 takes a mapping of attribute names to values, not {type(row).__name__}", rule="DML-20"
            )
        heading = self.heading
        if unknown := [name for name in row if name not in heading]:
            raise UnknownAttributeError(
                f"`{unknown[0]}` is not in the table heading of {self.full_name}", rule="DML-20"
            )
        if missing := [name for name in heading.primary_key if name not in row]:
            raise DataJointError(
                f"update1 needs the whole primary key of {self.full_name}; missing {', '.join(missing)}", rule="DML-20"
            )
        key = {name: row[name] for name in heading.primary_key}
        if len(self & key) != 1:
            raise DataJointError(
                f"Update can only be applied to one existing entry of {self.full_name}: {key}", rule="DML-20"
            )
        changes = {name: value for name, value in row.items() if name not in key}
        if changes:
            with journal():  # objects written for the new values go again if the update fails
                statement, params = update.statement(self, key, changes)
                self.connection.execute(statement, params, context=f"update {self.full_name}")

    def delete_quick(self, get_count: bool = False) -> int | None:
        """DML-36: one DELETE of the restricted rows, no cascade; fails on a foreign-key violation."""
        statement = delete_statement(self.node, self.connection.backend)
        cursor = self.connection.execute(statement, context=f"delete from {self.full_name}")
        return cursor.rowcount if get_count else None

    def delete(self, *, transaction: bool = True, prompt: bool | None = None, part_integrity: str = "enforce") -> int:
        from .delete import cascade_delete

        return cascade_delete(self, transaction=transaction, prompt=prompt, part_integrity=part_integrity)

    def drop(self, *, prompt: bool | None = None, part_integrity: str = "enforce") -> None:
        from .delete import drop

        drop(self, prompt=prompt, part_integrity=part_integrity)

    def drop_quick(self) -> None:
        from .delete import drop_quick

        drop_quick(self)


class Manual(Table):
    tier = "manual"


class Lookup(Table):
    tier = "lookup"
    contents: ClassVar[list] = []


class Imported(AutoPopulate, Table):
    tier = "imported"


class Computed(AutoPopulate, Table):
    tier = "computed"


class Part(Table):
    tier = "part"
    master: ClassVar[type[Table] | None] = None
