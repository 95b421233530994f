"""`export`: tables, schemas, restrictions with their closure, or query results, to one bundle (PUB-1 .. PUB-9).

The order of writing is what lets one hashing pass serve every format: the Parquet files and the human
files first, then datapackage.json (hashes of the tables), then the RO-Crate (hashes of everything else in
data/), then the BagIt manifests (hashes of everything).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from djspecs import __version__

from . import bag, descriptors, objects, pipeline, transfer
from .datacite.citation import Citation, from_record
from .destination import Destination
from .parquet import ROW_GROUP_ROWS, write_table
from .selection import Item, resolve


@dataclass
class TableSummary:
    resource: str
    table: str | None  # `schema.table` of a base table, None for a query result
    path: str
    rows: int
    bytes: int
    sha256: str
    method: str


@dataclass
class ExportSummary:
    destination: str
    tables: list[TableSummary] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    doi: str = ""

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


class Progress:
    """What `export` reports as it goes; the CLI draws bars from it. The default does nothing."""

    def table(self, item: Item, total: int | None) -> None: ...

    def rows(self, count: int) -> None: ...


def export(
    source,
    destination,
    *,
    metadata=None,
    upstream: bool = True,
    downstream: bool = False,
    croissant: bool = False,
    method: str = "auto",
    row_group_rows: int = ROW_GROUP_ROWS,
    storage_options: dict | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    count_rows: bool = False,
    objects: bool = False,
) -> ExportSummary:
    """Export `source` (a Schema, a table, a query expression or a list of them) to a bundle at `destination`.

    `metadata` is a DataCite record: any object with `to_xml()` and `to_json()` (such as
    `djspecs.publish.datacite.Record`), or a dict that `Record.from_dict` accepts. `upstream` adds the rows
    the selection references; `downstream` adds the rows that reference the selection. `objects` copies the
    store objects that codec columns reference into data/objects/ (PUB-12).
    """
    items = resolve(source if isinstance(source, list | tuple) else [source], upstream=upstream, downstream=downstream)
    record = _record(metadata)
    record_json = record.to_json() if record is not None else None
    citation = from_record(record, fallback_title=f"Export of {', '.join(i.name for i in items)}")
    target = Destination(destination, storage_options=storage_options, overwrite=overwrite)
    target.check_free()
    progress = progress or Progress()
    staging = target.staging()
    try:
        summary = _write(staging, items, citation, record, record_json, progress, croissant=croissant,
                         method=method, row_group_rows=row_group_rows, count_rows=count_rows, export_objects=objects)  # fmt: skip
        target.commit(staging)
    except BaseException:
        target.abort(staging)
        raise
    summary.destination = target.url
    return summary


def _write(staging, items, citation: Citation, record, record_json, progress, *, croissant, method, row_group_rows,
           count_rows, export_objects) -> ExportSummary:  # fmt: skip
    connection = items[0].expression.connection
    summary = ExportSummary(destination="", doi=citation.doi)
    copied: dict[str, dict] = {}
    written, headings, resources = {}, {}, []
    resource_of = {item.base: item.name for item in items if item.base}
    for item in items:
        heading = item.expression.heading
        headings[item.name] = heading
        progress.table(item, len(item.expression) if count_rows else None)
        chosen = transfer.choose_path(item.expression, method)
        schema = transfer.arrow_schema(heading)
        result = write_table(
            staging,
            f"data/tables/{item.name}.parquet",
            schema,
            transfer.record_batches(item.expression, method=chosen),
            table_metadata={
                "resource": item.name,
                "table": ".".join(item.base) if item.base else None,
                "tier": item.tier,
                "primary_key": heading.primary_key,
                "djspecs": __version__,
            },  # fmt: skip
            row_group_rows=row_group_rows,
            on_rows=progress.rows,
        )
        written[item.name] = result.written
        if export_objects and (in_store := objects.store_columns({a.name: a.type for a in heading})):
            objects.copy_objects(staging, connection.settings, result.written.path, in_store, copied)
        table_schema = descriptors.table_schema(heading)
        if keys := descriptors.foreign_keys(item, resource_of):
            table_schema["foreignKeys"] = keys
        resources.append(descriptors.resource(item, result.written, result.rows, table_schema))
        summary.tables.append(
            TableSummary(
                item.name,
                ".".join(item.base) if item.base else None,
                result.written.path,
                result.rows,
                result.written.size,
                result.written.sha256,
                chosen,
            )
        )
    created = descriptors.now()
    document = pipeline.definitions_document(items, connection, written)
    diagram = pipeline.mermaid(document)
    _json(staging, "data/pipeline/definitions.json", document)
    staging.write_text("data/pipeline/diagram.mmd", diagram)
    staging.write_text("data/pipeline/diagram.svg", pipeline.svg(document))
    _json(staging, "data/pipeline/provenance.json", {**pipeline.provenance(connection, items), "exported": created,
                                                     "exported_by": f"djspecs {__version__}"})  # fmt: skip
    stats = {t.resource: t.rows for t in summary.tables}
    staging.write_text("data/README.md", pipeline.readme(citation, document, stats, diagram))
    staging.write_text("data/CITATION.cff", citation.cff())
    staging.write_text("data/citation.bib", citation.bibtex() + "\n")
    if record is not None:
        staging.write_text("data/datacite.xml", record.to_xml())
        _json(staging, "data/datacite.json", record_json)
    if croissant:
        tables = [(item, headings[item.name], written[item.name]) for item in items]
        _json(staging, "data/croissant.json", descriptors.croissant(citation, tables, created=created))
    package_name = "-".join(sorted({i.base[0] for i in items if i.base})) or "query-results"
    package = descriptors.datapackage(citation, resources, name=package_name.lower(), created=created)
    if export_objects:
        package[objects.PACKAGE_KEY] = [copied[path] for path in sorted(copied)]
    _json(staging, "data/datapackage.json", package)
    _json(staging, "data/ro-crate-metadata.json", descriptors.ro_crate(citation, staging.payload(), created=created))
    bag.write_tag_files(
        staging,
        {"Source-Organization": citation.publisher or "unknown", "External-Description": citation.title,
         "Bag-Software-Agent": f"djspecs {__version__}", **({"Internal-Sender-Identifier": citation.doi} if citation.doi else {})},
    )  # fmt: skip
    summary.files = len(staging.files)
    summary.bytes = staging.size()
    return summary


def _json(staging, path: str, document) -> None:
    staging.write_text(path, json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n")


def _record(metadata):
    if metadata is None or hasattr(metadata, "to_xml"):
        return metadata
    if isinstance(metadata, dict):
        try:
            from djspecs.publish.datacite import Record
        except ImportError as error:
            raise TypeError(
                "a DataCite record as a dict needs djspecs.publish.datacite; pass a record object"
            ) from error
        record = Record.from_dict(metadata)
        if problems := record.problems():
            raise ValueError("the DataCite record has problems:\n  " + "\n  ".join(problems))
        return record
    raise TypeError(
        f"metadata must be a DataCite record (with to_xml/to_json) or a dict, not {type(metadata).__name__}"
    )
