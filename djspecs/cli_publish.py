"""`djspecs export`, `validate` and `import`: thin wrappers over djspecs.publish, with progress bars and a
closing summary (rows, bytes, files, checksums, DOI)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()


def _connection(backend, host, port, user, password, database):
    from djspecs.reference import Connection, DataJointError
    from djspecs.reference.settings import Config

    settings = {"database.backend": backend}
    for key, value in (("host", host), ("port", port), ("user", user), ("password", password), ("name", database)):
        if value is not None:
            settings[f"database.{key}"] = value
    connection = Connection(Config(settings))
    try:
        connection.server_version()
    except DataJointError as error:
        raise click.ClickException(f"cannot reach the {backend} backend: {error}") from None
    return connection


def server_options(function):
    """--backend, --host, --port, --user, --password, --database (else the DJ_* environment variables)."""
    options = [
        click.option(
            "--backend", default="sqlite", show_default=True, type=click.Choice(["sqlite", "postgresql", "mysql"])
        ),
        click.option("--host", help="Server host (default: DJ_HOST or localhost)."),
        click.option("--port", type=int, help="Server port (default: the backend's)."),
        click.option("--user", help="User name."),
        click.option("--password", envvar="DJ_PASS", help="Password (default: DJ_PASS)."),
        click.option("--database", help="PostgreSQL database, or the SQLite file."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _storage_options(pairs) -> dict:
    options = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        options[key] = json.loads(value) if value[:1] in "{[" else value
    return options


def _bars() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


@click.command("export")
@click.argument("destination")
@server_options
@click.option("--schema", "schemas", multiple=True, required=True, help="Schema to export from (repeatable).")
@click.option("--table", "tables", multiple=True, help="Only this table (class or SQL name; repeatable).")
@click.option("--where", "restrictions", multiple=True, type=(str, str), metavar="TABLE CONDITION",
              help="Export rows of TABLE matching CONDITION (a JSON object or SQL), with their upstream rows.")  # fmt: skip
@click.option("--downstream", is_flag=True, help="Also export the rows that depend on the selection.")
@click.option("--no-upstream", is_flag=True, help="Do not add the upstream rows the selection references.")
@click.option("--datacite", type=click.Path(exists=True, dir_okay=False), help="DataCite record (REST JSON).")
@click.option("--croissant", is_flag=True, help="Also write croissant.json.")
@click.option("--method", default="auto", show_default=True, type=click.Choice(["auto", "arrow", "rows"]))
@click.option("--overwrite", is_flag=True, help="Replace an existing bundle at DESTINATION.")
@click.option("--objects", is_flag=True, help="Copy the store objects of codec columns into the bundle.")
@click.option("--storage-option", "storage", multiple=True, metavar="KEY=VALUE", help="fsspec option (repeatable).")
def export_command(destination, backend, host, port, user, password, database, schemas, tables, restrictions,
                   downstream, no_upstream, datacite, croissant, method, overwrite, objects, storage) -> None:  # fmt: skip
    """Export tables, restrictions with their closure, or whole schemas to a bundle at DESTINATION
    (a folder, a .zip, memory:// or s3:// URL)."""
    from djspecs.publish import Progress as ExportProgress
    from djspecs.publish import export
    from djspecs.reference import DataJointError

    connection = _connection(backend, host, port, user, password, database)
    try:
        sources = _sources(connection, schemas, tables, restrictions)
        metadata = json.loads(Path(datacite).read_text(encoding="utf-8")) if datacite else None
        with _bars() as bars:

            class Bars(ExportProgress):
                task = None

                def table(self, item, total):
                    self.task = bars.add_task(item.name, total=total)

                def rows(self, count):
                    bars.advance(self.task, count)

            summary = export(sources, destination, metadata=metadata, upstream=not no_upstream, downstream=downstream,
                             croissant=croissant, method=method, overwrite=overwrite, count_rows=True, objects=objects,
                             storage_options=_storage_options(storage), progress=Bars())  # fmt: skip
    except (DataJointError, ValueError, TypeError, OSError) as error:
        raise click.ClickException(str(error)) from None
    table = Table("resource", "rows", "bytes", "sha256", "transfer", title=f"Bundle written to {summary.destination}")
    for t in summary.tables:
        table.add_row(t.resource, f"{t.rows:,}", f"{t.bytes:,}", t.sha256[:16] + "…", t.method)
    console.print(table)
    console.print(
        f"{summary.rows:,} rows in {len(summary.tables)} tables; {summary.files} files, {summary.bytes:,} bytes, "
        f"{summary.files} SHA-256 checksums" + (f"; DOI {summary.doi}" if summary.doi else "; no DOI")
    )


def _sources(connection, schemas, tables, restrictions) -> list:
    from djspecs.publish.selection import table_expression
    from djspecs.reference import catalog
    from djspecs.reference.naming import class_name

    def find(name: str):
        for schema in schemas:
            for sql in catalog.table_names(connection, schema):
                if name in (sql, class_name(sql)):
                    return table_expression(connection, (schema, sql))
        raise click.BadParameter(f"no table {name!r} in {', '.join(schemas)}")

    sources = [find(name) for name in tables]
    for name, condition in restrictions:
        try:
            parsed = json.loads(condition)
        except ValueError:
            parsed = condition
        sources.append(find(name) & parsed)
    if not sources:
        from djspecs.reference import Schema

        sources = [Schema(s, connection=connection, create_schema=False, create_tables=False) for s in schemas]
    return sources


@click.command("validate")
@click.argument("bundle")
@click.option("--quick", is_flag=True, help="Skip the key checks that read Parquet columns.")
@click.option("--storage-option", "storage", multiple=True, metavar="KEY=VALUE", help="fsspec option (repeatable).")
def validate_command(bundle, quick, storage) -> None:
    """Check a bundle: BagIt checksums, the Frictionless descriptor, Parquet files, RO-Crate, Croissant, DataCite."""
    from djspecs.publish.validate import validate
    from djspecs.reference import DataJointError

    with _bars() as bars:
        task = bars.add_task("checksums", total=None)
        try:
            report = validate(bundle, deep=not quick, storage_options=_storage_options(storage),
                              on_file=lambda _path, _size: bars.advance(task))  # fmt: skip
        except DataJointError as error:
            raise click.ClickException(str(error)) from None
    if report.problems:
        table = Table("file", "field", "problem", title=f"{len(report.problems)} problem(s) in {bundle}")
        for problem in report.problems:
            table.add_row(problem.file, problem.field, problem.message)
        console.print(table)
    console.print(
        f"{report.files} files, {report.bytes:,} payload bytes checked; {report.tables} tables, {report.rows:,} rows"
        + (f"; DOI {report.doi}" if report.doi else "")
    )
    if not report.ok:
        raise SystemExit(1)
    console.print("[bold green]valid[/]")


@click.command("import")
@click.argument("bundle")
@server_options
@click.option("--schema", "schema_name", required=True, help="The schema to create and load (must be empty).")
@click.option("--shared-store", is_flag=True, help="Store columns without objects in the bundle: the target's "
              "stores already hold the objects.")  # fmt: skip
@click.option("--storage-option", "storage", multiple=True, metavar="KEY=VALUE", help="fsspec option (repeatable).")
def import_command(bundle, backend, host, port, user, password, database, schema_name, shared_store, storage) -> None:
    """Load a bundle into an empty schema: validated first, tables declared, rows loaded parents first."""
    from djspecs.publish.importer import import_bundle
    from djspecs.reference import DataJointError, Schema

    connection = _connection(backend, host, port, user, password, database)
    try:
        schema = Schema(schema_name, connection=connection)
        with _bars() as bars:
            task = bars.add_task(f"loading into {schema_name}", total=None)
            summary = import_bundle(bundle, schema, storage_options=_storage_options(storage), shared_store=shared_store,
                                    on_rows=lambda n: bars.advance(task, n))  # fmt: skip
    except DataJointError as error:
        raise click.ClickException(str(error)) from None
    table = Table("table", "rows", title=f"Imported into {backend} schema {schema_name}")
    for name, rows in summary.tables.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"{summary.rows:,} rows; {summary.foreign_keys_checked} foreign keys checked, all satisfied"
                  + (f"; {summary.objects} store objects ({summary.object_bytes:,} bytes) written" if summary.objects else ""))  # fmt: skip


COMMANDS = (export_command, validate_command, import_command)
