"""Garbage collection of stored objects that no row refers to any more (STORE-5).

Rows never remove objects when they are deleted: hash-addressed objects may be shared by several rows of
a schema. `GarbageCollector(schema, ..., store=name).collect()` scans the codec columns of the schemas,
lists the objects of those schemas in the store's managed sections, and reports the unreferenced ones;
`collect(dry_run=False)` also deletes them. `<filepath@>` targets lie outside the managed sections and
are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from .. import catalog
from ..backends.base import identifier
from ..errors import DataJointError
from .backend import Store
from .config import store_name


@dataclass
class Report:
    """What one collection found; `deleted` is empty on a dry run."""

    store: str
    dry_run: bool
    referenced: set[str] = field(default_factory=set)
    stored: dict[str, int] = field(default_factory=dict)  # path → size, in the collected schemas' sections
    orphaned: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def orphaned_bytes(self) -> int:
        return sum(self.stored[p] for p in self.orphaned)

    def __str__(self) -> str:
        action = "would delete" if self.dry_run else "deleted"
        count = len(self.orphaned) if self.dry_run else len(self.deleted)
        return (
            f"store '{self.store}': {len(self.stored)} objects stored, {len(self.referenced)} referenced, "
            f"{len(self.orphaned)} orphaned ({self.orphaned_bytes} bytes); {action} {count}"
        )


class GarbageCollector:
    """Collects the unreferenced objects of some schemas in one store (the default store when not named)."""

    def __init__(self, *schemas: Any, store: str | None = None, progress: bool = False):
        if not schemas:
            raise DataJointError("Garbage collection needs at least one schema", rule="STORE-5")
        self.schemas = schemas
        self.settings = schemas[0].connection.settings
        self.store = Store.configured(self.settings, store)
        self.progress = progress  # a rich progress bar over the tables scanned

    def references(self) -> set[str]:
        """Paths in this store that some row of the schemas refers to (CODEC-3 referenced_paths)."""
        from rich.progress import track

        found: set[str] = set()
        tables = [(s, t) for s in self.schemas for t in catalog.table_names(s.connection, s.database)]
        for schema, table in track(tables, description="Scanning references", disable=not self.progress):
            for attribute in schema.heading_of(table).attributes:
                if attribute.type.kind == "codec":
                    found.update(self._column_references(schema, table, attribute))
        return found

    def _column_references(self, schema: Any, table: str, attribute: Any) -> set[str]:
        from ..codecs import Codec, resolve

        try:
            chain = resolve(attribute.type)
        except DataJointError:  # an unregistered codec: read its values as standard metadata
            chain = None
        if chain is not None and chain.store is None:
            return set()  # in-table values point to nothing
        connection, found = schema.connection, set()
        query = exp.select(identifier(attribute.name)).from_(connection.backend.table(schema.database, table))
        for (raw,) in connection.query(query):
            if raw is None:
                continue
            value = connection.backend.from_driver(raw, chain.storage) if chain else raw
            for codec in chain.codecs if chain else (Codec(),):
                for path, store in codec.referenced_paths(value):
                    if store_name(self.settings, store) == self.store.name:
                        found.add(path)
        return found

    def stored(self) -> dict[str, int]:
        """Objects of the schemas in the hash and schema sections of the store, path → size."""
        spec, result = self.store.spec, {}
        names = {schema.database for schema in self.schemas}
        hash_section, schema_section = (str(spec[k] or "").strip("/") for k in ("hash_prefix", "schema_prefix"))
        for name in names:
            result.update(self.store.files(f"{hash_section}/{name}" if hash_section else name))
        for path, size in self.store.files(schema_section).items():
            segments = path.split("/")[1 if schema_section else 0 :]
            while segments and "=" in segments[0]:  # STORE-4: partition segments come before the schema
                segments = segments[1:]
            if segments and segments[0] in names:
                result[path] = size
        return result

    def collect(self, dry_run: bool = True) -> Report:
        """Report the orphaned objects; delete them too when `dry_run` is False."""
        referenced = self.references()
        stored = self.stored()
        orphaned = sorted(path for path in stored if not _covered(path, referenced))
        report = Report(self.store.name, dry_run, referenced, stored, orphaned)
        if not dry_run:
            for path in orphaned:
                self.store.remove(path)
                report.deleted.append(path)
        return report


def _covered(path: str, referenced: set[str]) -> bool:
    """A referenced path covers itself, the files of a directory object, and a directory's manifest."""
    if path in referenced:
        return True
    parts = path.split("/")
    for end in range(1, len(parts)):
        if "/".join(parts[:end]) in referenced:
            return True
    return path.endswith(".manifest.json") and path[: -len(".manifest.json")] in referenced


def collect(*schemas: Any, store: str | None = None, dry_run: bool = True, progress: bool = False) -> Report:
    """STORE-5: `GarbageCollector(*schemas, store=store).collect(dry_run)`."""
    return GarbageCollector(*schemas, store=store, progress=progress).collect(dry_run=dry_run)
