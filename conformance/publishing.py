"""djspecs.publish's side of the PUB tests: a reference connection of its own to the database the
implementation under test writes, which finds the implementation's tables by introspection alone.

The suite declares tables and inserts rows through the adapter; the publisher then opens the same schema by
name (`virtual_schema`: the catalog and the `:type:` comments), exports it with `djspecs.publish`, and can
import a bundle into a schema the adapter created, so that the implementation fetches the loaded rows back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from djspecs.spec import Vector

from .servers import connection_settings
from .values import decode_row


def capabilities() -> frozenset[str]:
    """`publish.bundle` when djspecs.publish can run here: it needs djspecs' `publish` extra (pyarrow, requests,
    xmlschema, ...). Without it the PUB rules are not applicable to any adapter, rather than failing."""
    try:
        import djspecs.publish.export  # noqa: F401
    except ImportError:
        return frozenset()
    return frozenset({"publish.bundle"})


class Publisher:
    """A reference connection to the backend and URL of the suite (SQLite: the same database file)."""

    def __init__(self, backend: str, url: str | None):
        import djspecs.reference as dj

        self.connection = dj.Connection({"database.backend": backend, **connection_settings(backend, url)})

    def schema(self, name: str):
        """The reference's view of an existing schema; it declares nothing."""
        from djspecs.reference.schema import Schema

        return Schema(name, connection=self.connection, create_schema=False, create_tables=False)

    def tables(self, name: str) -> dict[str, type]:
        """Table classes of an existing schema by class name (parts too), found by introspection."""
        from djspecs.reference.table import Part
        from djspecs.reference.virtual import virtual_schema

        self.connection.schemas.pop(name, None)  # look again: the implementation may have declared more since
        found: dict[str, type] = {}
        for cls in vars(virtual_schema(name, connection=self.connection)).values():
            if isinstance(cls, type):
                found[cls.__name__] = cls
                found.update({p: v for p, v in vars(cls).items() if isinstance(v, type) and issubclass(v, Part)})
        return found

    def expression(self, name: str, tree: dict):
        """A reference expression for a neutral operator tree over the tables of schema `name`."""
        import djspecs.reference as dj

        from .adapters.builder import Builder

        return Builder(dj, self.tables(name)).expression(tree)

    def configure_stores(self, stores: dict[str, Any]) -> None:
        """The stores the exporter reads objects from and the importer writes them to (PUB-12)."""
        self.connection.settings["stores"] = dict(stores)

    def close(self) -> None:
        self.connection.close()


@contextmanager
def fresh_schema(adapter, conformance) -> Iterator[tuple[str, Any]]:
    """A new empty schema of the implementation: its name (for introspection) and its handle. Dropped after."""
    name = conformance.schema_name()
    handle = adapter.create_schema(name)
    try:
        yield name, handle
    finally:
        adapter.drop_schema(handle)


def run_export(vector: Vector, adapter, conformance, publisher: Publisher, folder: Path) -> list[str]:
    """An `export` vector: the given rows written through the adapter, the sources exported by djspecs.publish,
    and the bundle's row counts, validity and importability compared with the vector's `expect`."""
    from djspecs.publish import export
    from djspecs.publish.importer import BundleError, import_bundle
    from djspecs.publish.validate import validate

    spec, expect = vector.do["export"], vector.expect["bundle"]
    differences = []
    with fresh_schema(adapter, conformance) as (name, schema):
        handles = adapter.declare(schema, vector.tables)
        for table, rows in vector.rows.items():
            adapter.insert(handles[table], [decode_row(r) for r in rows], allow_direct_insert=True)
        sources = [publisher.expression(name, node) for node in spec["source"]]
        summary = export(sources, folder / "bundle", upstream=spec.get("upstream", True),
                         downstream=spec.get("downstream", False))  # fmt: skip
        names = {f"{name}.{cls._table_name}": class_name for class_name, cls in publisher.tables(name).items()}
    counts = {names.get(t.table, t.table): t.rows for t in summary.tables}
    if "tables" in expect and counts != expect["tables"]:
        differences.append(f"the bundle holds {counts}, expected {expect['tables']}")
    if "valid" in expect and (report := validate(folder / "bundle")).ok != expect["valid"]:
        differences.append(f"valid is {report.ok}, expected {expect['valid']}: {[str(p) for p in report.problems]}")
    if "importable" in expect:
        with fresh_schema(adapter, conformance) as (target, _):
            try:
                import_bundle(folder / "bundle", publisher.schema(target))
                imported = True
            except BundleError:
                imported = False
        if imported != expect["importable"]:
            differences.append(f"importable is {imported}, expected {expect['importable']}")
    return differences
