"""Schema: binds table classes to a database schema and declares them (PIPE-3 .. PIPE-9, DEF-20).

Declaring runs the stages in order: parse the definition (parser), resolve it against the tables it
references (declare), build the statements (ddl), run them (connection), and record lineage (catalog).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlglot import exp

from . import catalog
from .connection import Connection, conn
from .ddl import column_types, create_table, type_comment
from .declare import Parent, TableSpec, resolve
from .errors import DataJointError, DefinitionError, MissingTableError
from .freetable import FreeTable
from .heading import Heading
from .naming import LINEAGE_TABLE, TIER_PREFIXES, check_length, snake_case, table_name
from .parser import parse_definition
from .table import Part, Table


class Schema:
    """`Schema(name)` activates a DataJoint schema; use it as a decorator on table classes."""

    def __init__(self, name: str, context: dict | None = None, *, connection: Connection | None = None,
                 create_schema: bool = True, create_tables: bool | None = None):  # fmt: skip
        self.database = name
        self.context = context
        self.connection = connection or conn()
        self.create_tables = (
            self.connection.config["database.create_tables"] if create_tables is None else create_tables
        )
        self.tables: dict[str, type[Table]] = {}  # SQL name → class
        self._populating: set[str] = set()
        # headings of the tables this object declared, as declared: children look their parents up here
        self._declared: dict[str, Heading] = {}
        if not catalog.schema_exists(self.connection, name):
            if not create_schema:
                raise DataJointError(f"Schema `{name}` has not yet been declared", rule="PIPE-4")
            with self.connection.declaring(name):  # concurrent CREATE SCHEMA IF NOT EXISTS can fail on PostgreSQL
                for statement in self.connection.backend.create_schema(name):
                    self.connection.execute(statement)
        self.connection.schemas[name] = self

    def __repr__(self) -> str:
        return f"Schema({self.database!r}, {self.connection.backend.name})"

    # --- decoration and declaration ----------------------------------------------------------------

    def __call__(self, cls: type[Table], *, context: dict | None = None) -> type[Table]:
        """PIPE-6: decorate a master class; its nested Part classes are declared after it."""
        if issubclass(cls, Part):
            raise DataJointError(
                f"The schema decorator should not be applied to Part tables ({cls.__name__})", rule="PIPE-6"
            )
        context = {**self._registry(), **(context or self.context or {})}
        self._declare(cls, table_name(cls.__name__, cls.tier), {**context, cls.__name__: cls})
        for part in _parts(cls):
            part.master = cls
            sql_name = table_name(part.__name__, "part", master=cls._table_name)
            self._declare(part, sql_name, {**context, cls.__name__: cls, "master": cls, part.__name__: part})
        if cls.tier == "lookup" and cls.contents:
            instance = cls()
            if len(instance) < len(cls.contents):
                instance.insert(cls.contents, skip_duplicates=True)
        return cls

    def _declare(self, cls: type[Table], sql_name: str, context: dict[str, Any]) -> None:
        cls._schema, cls._table_name, cls._heading = self, sql_name, None
        self.tables[sql_name] = cls
        present = catalog.table_names(self.connection, self.database, hidden=True)
        if sql_name in present or not self.create_tables:
            return
        if self.connection.in_transaction:
            raise DataJointError(f"Cannot declare new tables inside a transaction ({cls.__name__})", rule="PIPE-7")
        backend = self.connection.backend
        check_length(sql_name, backend.MAX_TABLE_NAME, backend=backend.name)
        definition = parse_definition(cls.definition, table=f"`{self.database}`.`{sql_name}`")
        if cls.tier == "part" and not _references_master(definition, context):
            raise DefinitionError(
                f"Part table {cls.__name__} must reference its master, with `-> master` or through another part of it",
                rule="DEF-19",
            )
        spec = resolve(
            definition,
            schema=self.database,
            name=sql_name,
            auto_populated=cls.tier in ("imported", "computed"),
            lookup=lambda name: self._parent(name, context),
            allow_new_key_attributes=self.connection.config["jobs.allow_new_pk_fields_in_computed_tables"],
            job_metadata=self.connection.config["jobs.add_job_metadata"],
        )
        self.execute_declaration(spec, lineage_exists=LINEAGE_TABLE in present)

    def execute_declaration(self, spec: TableSpec, *, lineage_exists: bool | None = None) -> None:
        """DEF-20: create the table of `spec` unless it exists (then nothing changes); `lineage_exists` is what a
        listing just read said of the `~lineage` table, if known.

        The check and the statements run under `Connection.declaring`, so processes declaring the same table at
        once all succeed and one of them creates it. Lineage is written first: where DDL commits statement by
        statement (MySQL), no process sees the table before its lineage. (If CREATE TABLE then fails there, the
        rows stay unread: lineage is read only for tables that exist, and a later declaration replaces them.)
        """
        backend, connection = self.connection.backend, self.connection
        with connection.declaring(spec.schema):
            if catalog.table_exists(connection, spec.schema, spec.name):
                return
            if not lineage_exists:
                connection.execute(catalog.lineage_table(connection, spec.schema))
            # LIN-5: rows of an earlier table of this name are replaced; a new ~lineage table has none
            catalog.write_lineage(connection, spec.schema, spec.name, spec.heading, replace=lineage_exists is not False)
            types, create_types = column_types(spec.heading.attributes, spec.schema, connection)
            for statement in create_types:
                connection.execute(statement)
            for statement in backend.declaration(create_table(spec, backend, types)):
                connection.execute(statement, context=f"declare `{spec.schema}`.`{spec.name}`")
            if backend.COMMENTS == "catalog":
                comments = [("", spec.comment)] + [(a.name, type_comment(a)) for a in spec.heading.attributes]
                connection.execute(backend.comment_rows(spec.schema, spec.name, comments))
        self._declared[spec.name] = spec.heading

    def _registry(self) -> dict[str, type[Table]]:
        """Classes declared through any schema on this connection, by class name; this schema's last."""
        found: dict[str, type[Table]] = {}
        for schema in sorted(self.connection.schemas.values(), key=lambda s: s is self):
            found.update({cls.__name__: cls for cls in schema.tables.values() if not issubclass(cls, Part)})
        return found

    def _parent(self, name: str, context: dict[str, Any]) -> Parent:
        """Resolve the text after `->`: a class in the context, `module.Class`, or `Master.Part`."""
        head, *rest = name.split(".")
        target = context[head]
        for attribute in rest:
            target = getattr(target, attribute, None)
            if target is None:
                raise KeyError(name)
        if not (isinstance(target, type) and issubclass(target, Table)) or target._schema is None:
            raise KeyError(name)
        schema = target._schema
        heading = target._heading or schema._declared.get(target._table_name) or target._load_heading()
        return Parent(schema.database, target._table_name, heading)

    # --- introspection -----------------------------------------------------------------------------

    def heading_of(self, sql_name: str) -> Heading:
        lineage = catalog.lineage(self.connection, self.database, sql_name)
        return catalog.heading(self.connection, self.database, sql_name, lineage)

    def list_tables(self) -> list[str]:
        """API-4: the schema's tables (hidden ones excluded), parents before children."""
        names = catalog.table_names(self.connection, self.database)
        keys = catalog.schema_foreign_keys(self.connection, self.database, names)
        parents = {n: {fk.parent_table for fk in keys[n] if fk.parent_schema == self.database} for n in names}
        ordered: list[str] = []
        while len(ordered) < len(names):
            ready = sorted(n for n in names if n not in ordered and parents[n] <= set(ordered))
            if not ready:
                raise DataJointError(f"Schema `{self.database}` has cyclic foreign keys", rule="PIPE-2")
            ordered += ready
        return ordered

    def _find_table(self, name: str) -> str | None:
        """API-4: the SQL name of a table given by class name (`Session`, `Session.Trial`) or SQL name, tier prefix optional."""
        if name[:1].isupper():
            name = "__".join(snake_case(part) for part in name.split("."))
        tables = self.list_tables()
        return next((prefix + name for prefix in ("", *TIER_PREFIXES.values()) if prefix + name in tables), None)

    def get_table(self, name: str) -> FreeTable:
        """API-4: a FreeTable for a table of this schema."""
        sql_name = self._find_table(name)
        if sql_name is None:
            raise MissingTableError(f"Table `{name}` does not exist in schema `{self.database}`", rule="API-4")
        return FreeTable(self.connection, f"{self.database}.{sql_name}")

    def __getitem__(self, name: str) -> FreeTable:
        return self.get_table(name)

    def __iter__(self) -> Iterator[FreeTable]:
        """API-4: the schema's tables as FreeTables, parents before children."""
        return (FreeTable(self.connection, f"{self.database}.{name}") for name in self.list_tables())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find_table(name) is not None

    def make_classes(self, into: dict[str, Any] | None = None) -> dict[str, type[Table]]:
        """API-4: a class for each table found, added to `into` (default: the schema's context) where it has none."""
        from .virtual import classes_of

        into = (self.context if self.context is not None else {}) if into is None else into
        for name, cls in classes_of(self).items():
            into.setdefault(name, cls)
        return into

    def recomputed_lineage(self) -> dict[str, Heading]:
        """LIN-5: each table's heading with the lineage its foreign keys give it, parents first (nothing written)."""
        known: dict[tuple[str, str], str] = {}
        result: dict[str, Heading] = {}
        for table in self.list_tables():
            inherited = {}
            for fk in catalog.foreign_keys(self.connection, self.database, table):
                parent = catalog.lineage(self.connection, fk.parent_schema, fk.parent_table) or {}
                for child, name in fk.attributes:
                    origin = f"{fk.parent_schema}.{fk.parent_table}.{name}"
                    inherited[child] = known.get((fk.parent_table, name)) or parent.get(name) or origin
            heading = catalog.heading(self.connection, self.database, table, {})
            lineage = {
                a.name: inherited.get(a.name) or (f"{self.database}.{table}.{a.name}" if a.in_key else None)
                for a in heading
            }
            known.update({(table, name): origin for name, origin in lineage.items() if origin})
            attributes = tuple(replace(a, lineage=lineage[a.name]) for a in heading.attributes if not a.hidden)
            result[table] = Heading(attributes)
        return result

    def rebuild_lineage(self) -> None:
        """LIN-5: recompute ~lineage from the foreign keys in the catalog, parents first."""
        self.connection.execute(catalog.lineage_table(self.connection, self.database))
        for table, heading in self.recomputed_lineage().items():
            catalog.write_lineage(self.connection, self.database, table, heading)
        for cls in self.tables.values():
            cls._heading = None
        self._declared.clear()

    @property
    def lineage(self) -> dict[str, str]:
        """LIN-6: `schema.table.attribute` → lineage for every attribute with one."""
        result = {}
        for table in catalog.table_names(self.connection, self.database):
            for attribute, origin in (catalog.lineage(self.connection, self.database, table) or {}).items():
                result[f"{self.database}.{table}.{attribute}"] = origin
        return result

    @property
    def jobs(self) -> list:
        """JOB-6: the jobs tables that exist in this schema, of the auto-populated classes bound to it."""
        from .jobs import jobs_table_name

        present = set(catalog.table_names(self.connection, self.database, hidden=True))
        return [
            cls.jobs
            for name, cls in self.tables.items()
            if cls.tier in ("imported", "computed") and jobs_table_name(name) in present
        ]

    def populating(self, table: Table) -> bool:
        return table.table_name in self._populating

    def drop(self) -> None:
        """Drop the whole schema and everything in it."""
        backend = self.connection.backend
        if not backend.DROPS_TABLES_WITH_SCHEMA:
            hidden = [n for n in catalog.table_names(self.connection, self.database, hidden=True) if n.startswith("~")]
            for name in [*reversed(self.list_tables()), *hidden]:
                self.connection.execute(exp.Drop(kind="TABLE", tables=[backend.table(self.database, name)]))
        for statement in backend.drop_schema(self.database):
            self.connection.execute(statement, context=f"drop schema `{self.database}`")
        for cls in self.tables.values():
            cls._heading = None
        self._declared.clear()
        self.connection.schemas.pop(self.database, None)


def list_schemas(connection: Connection | None = None) -> list[str]:
    """PIPE-3: the names of the schemas on the server (on SQLite, the schemas created in its file)."""
    return catalog.schema_names(connection or conn())


def _references_master(definition, context: dict[str, Any]) -> bool:
    """DEF-19 (DIS-20): a part references its master directly or through a sibling part."""
    master = context["master"]
    siblings = {part.__name__ for part in _parts(master)}
    for fk in definition.foreign_keys:
        head, _, rest = fk.reference.name.partition(".")
        target = context.get(head)
        if head == "master" or target is master and (not rest or rest in siblings) or head in siblings:
            return True
    return False


def _parts(cls: type[Table]) -> list[type[Part]]:
    """PIPE-6: nested classes whose names start with a capital letter and that subclass Part."""
    return [
        member
        for name, member in vars(cls).items()
        if name[:1].isupper() and isinstance(member, type) and issubclass(member, Part)
    ]
