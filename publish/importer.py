"""`import_bundle`: load a bundle into an empty schema on any backend (PUB-11).

Checksums first: a bundle that does not validate is refused before anything is declared. Tables are then
declared from the bundled definitions, parents first, rows are loaded in the same order in batches, and
every foreign key of every loaded table is checked with a query at the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import pyarrow.parquet as pq

from djspecs.reference import catalog, insert
from djspecs.reference.codecs.chain import storage_type
from djspecs.reference.conditions import Matching, Not
from djspecs.reference.declare import Parent, resolve
from djspecs.reference.errors import DataJointError
from djspecs.reference.heading import Heading
from djspecs.reference.parser import parse_definition
from djspecs.reference.schema import Schema
from djspecs.reference.table import Part
from djspecs.reference.virtual import TIER_CLASSES, bind

from . import bag, objects
from .selection import table_expression
from .types import to_python
from .validate import Bundle, validate


@dataclass
class ImportSummary:
    schema: str
    tables: dict[str, int] = field(default_factory=dict)  # SQL table name → rows loaded
    foreign_keys_checked: int = 0
    objects: int = 0  # store objects written to the target's stores
    object_bytes: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


class BundleError(DataJointError):
    """A bundle that cannot be imported; the message lists every problem."""


def import_bundle(
    url, schema: Schema, *, storage_options=None, batch_rows: int = 10_000, on_rows=None, shared_store: bool = False
) -> ImportSummary:
    """Load the bundle at `url` into `schema`, which must hold no tables.

    Codec columns load their stored form unchanged. The objects of store columns come from the bundle's
    data/objects/ (PUB-12); a bundle without them is refused unless `shared_store` says the target already
    reaches the same store objects.
    """
    report = validate(url, storage_options=storage_options, deep=False)
    if not report.ok:
        raise BundleError(
            f"{url} does not validate; nothing was imported:\n  " + "\n  ".join(map(str, report.problems))
        )
    if schema.list_tables():
        raise BundleError(f"schema `{schema.database}` already holds tables; import needs an empty schema")
    bundle = Bundle(url, storage_options)
    document = json.loads(bundle.read_text("data/pipeline/definitions.json"))
    tables = document["tables"]
    _check_names(tables)
    package = json.loads(bundle.read_text("data/datapackage.json"))
    entries = package.get(objects.PACKAGE_KEY)
    if entries is None and not shared_store:
        _refuse_store_columns(tables)
    sql_of = {table["class"]: table["table"] for table in tables}
    for table in tables:
        _declare(schema, table, sql_of)
    summary = ImportSummary(schema.database)
    if entries:
        manifest, _ = bag.parse_manifest(bundle.read_text(bag.MANIFEST), bag.MANIFEST)
        summary.object_bytes = objects.restore_objects(bundle, entries, manifest, schema.connection.settings)
        summary.objects = len(entries)
    for table in tables:
        summary.tables[table["table"]] = _load(bundle, schema, table, batch_rows, on_rows)
    summary.foreign_keys_checked = check_foreign_keys(schema, [t["table"] for t in tables])
    return summary


def _check_names(tables: list[dict]) -> None:
    """All tables go into one schema: their SQL names and class names must not collide."""
    for key in ("table", "class"):
        seen: dict[str, str] = {}
        for table in tables:
            if table[key] in seen:
                raise BundleError(
                    f"the bundle holds two tables named {table[key]!r} ({seen[table[key]]} and {table['resource']}); "
                    "they cannot be imported into one schema"
                )
            seen[table[key]] = table["resource"]


def _refuse_store_columns(tables: list[dict]) -> None:
    """PUB-12: rows whose objects are not in the bundle would reference objects the target may not have."""
    columns = [f"{t['table']}.{name}" for t in tables for name in objects.store_columns(objects.column_types(t))]
    if columns:
        raise BundleError(
            f"the bundle holds no store objects, but these columns keep their values in a store: {', '.join(columns)}; "
            "export with objects=True (--objects), or import with shared_store=True if the target reads the same "
            "store",
            rule="PUB-12",
        )


def _declare(schema: Schema, table: dict, sql_of: dict[str, str]) -> None:
    where = f"`{schema.database}`.`{table['table']}`"

    def lookup(name: str) -> Parent:
        if name not in sql_of:
            raise BundleError(f"{where} references {name}, which the bundle does not hold", rule="PUB-7")
        return Parent(schema.database, sql_of[name], schema.heading_of(sql_of[name]))

    definition = parse_definition(table["definition"], table=where)
    spec = resolve(
        definition,
        schema=schema.database,
        name=table["table"],
        auto_populated=table["tier"] in ("imported", "computed"),
        lookup=lookup,
        allow_new_key_attributes=True,
    )
    schema.execute_declaration(spec)


def _load(bundle: Bundle, schema: Schema, table: dict, batch_rows: int, on_rows) -> int:
    target = bind(schema, table["table"], TIER_CLASSES.get(table["tier"], Part))()
    stored = _Stored(target)
    types = {name: storage_type(declared) for name, declared in objects.column_types(table).items()}
    loaded = 0
    with bundle.open("data/" + table["path"]) as handle:
        for batch in pq.ParquetFile(handle).iter_batches(batch_size=batch_rows):
            columns = {name: to_python(batch.column(name), types[name]) for name in batch.schema.names}
            rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
            if rows:
                target._insert_prepared(insert.prepare(stored, rows, ignore_extra_fields=False), False)
            loaded += len(rows)
            if on_rows:
                on_rows(len(rows))
    return loaded


class _Stored:
    """A table seen with each codec column as its storage type, so that insert takes the stored form as it is
    (nothing is encoded twice, nothing is written to a store)."""

    def __init__(self, table):
        heading = table.heading
        self.heading = Heading(
            tuple(replace(a, type=storage_type(a.type)) for a in heading.attributes), heading.lineage_known
        )
        self.connection, self.full_name = table.connection, table.full_name
        self.schema_name, self.table_name = table.schema_name, table.table_name


def check_foreign_keys(schema: Schema, tables: list[str]) -> int:
    """Query every foreign key of the tables: each non-null reference must find its parent row (DML-6)."""
    connection, checked, broken = schema.connection, 0, []
    for name in tables:
        child = table_expression(connection, (schema.database, name))
        for fk in catalog.foreign_keys(connection, schema.database, name):
            parent = table_expression(connection, (fk.parent_schema, fk.parent_table))
            orphans = len(child.restrict(Not(Matching(parent.node, fk.attributes)), semantic_check=False))
            checked += 1
            if orphans:
                broken.append(f"{name} → {fk.parent_table}: {orphans} row(s) without a parent")
    if broken:
        raise BundleError("foreign keys not satisfied after import:\n  " + "\n  ".join(broken), rule="DML-6")
    return checked
