"""`djspecs worker MODULE:TABLE`: one populate worker, for clusters (SLURM job arrays, Kubernetes Jobs).

Every copy runs the distributed populate of the reference implementation: refresh the job queue, then
reserve and compute the pending keys one at a time. Copies coordinate only through the table's jobs table,
so any number of them may run on any number of machines with the same command (docs/workers.md).
"""

from __future__ import annotations

import importlib
import json
import os
import sys

import click
from rich.console import Console

console = Console(stderr=True)

CONNECTION_OPTIONS = {
    "backend": "database.backend",
    "host": "database.host",
    "port": "database.port",
    "user": "database.user",
    "password": "database.password",
    "database_name": "database.name",
}


@click.command()
@click.argument("target", metavar="MODULE:TABLE")
@click.option("--backend", type=click.Choice(["sqlite", "postgresql", "mysql"]), help="Default: DJ_BACKEND.")
@click.option("--host", help="Database server; default: DJ_HOST.")
@click.option("--port", type=int, help="Database port; default: DJ_PORT or the backend's.")
@click.option("--user", help="Database user; default: DJ_USER.")
@click.option("--password", envvar="DJ_PASS", help="Database password; default: DJ_PASS.")
@click.option("--database-name", help="PostgreSQL database, or the SQLite file; default: DJ_DATABASE_NAME.")
@click.option("--schema", "schema_name", help="Bind the module's table classes to this existing schema.")
@click.option("--restriction", "restrictions", multiple=True, help="JSON object or SQL text; repeatable (AND).")
@click.option("--max-calls", type=int, help="Compute at most this many keys.")
@click.option("--priority", type=int, help="Only jobs with this priority or a more urgent (lower) one.")
@click.option("--processes", type=int, default=1, show_default=True, help="Local worker processes.")
@click.option("--make-kwargs", help="JSON object of keyword arguments for make.")
@click.option("--refresh/--no-refresh", default=True, show_default=True, help="Refresh the job queue first.")
@click.option("--refresh-only", is_flag=True, help="Only refresh the job queue (run once before the workers).")
@click.option("--orphan-timeout", type=float, help="First return to pending the jobs reserved this many seconds ago.")
@click.option("--stop-on-error", is_flag=True, help="Stop at the first failing key instead of going on.")
@click.option("--progress", "display_progress", is_flag=True, help="Show a progress bar.")
def worker(target, schema_name, restrictions, max_calls, priority, processes, make_kwargs, refresh, refresh_only,
           orphan_timeout, stop_on_error, display_progress, **connection) -> None:  # fmt: skip
    """Populate MODULE:TABLE through its jobs table, together with any number of other workers."""
    import djspecs.reference as dj

    for option, key in CONNECTION_OPTIONS.items():
        if connection[option] is not None:
            dj.config[key] = connection[option]
    table = _table(target, schema_name)
    conditions = [_restriction(text) for text in restrictions]
    if refresh_only or orphan_timeout is not None:
        counts = table.jobs.refresh(*conditions, priority=priority, orphan_timeout=orphan_timeout)
        console.print(f"{type(table).__name__}: job queue refreshed {counts}")
    if refresh_only:
        return
    result = table.populate(
        *conditions,
        reserve_jobs=True,
        suppress_errors=not stop_on_error,
        max_calls=max_calls,
        priority=priority,
        processes=processes,
        make_kwargs=json.loads(make_kwargs) if make_kwargs else None,
        refresh=refresh,
        display_progress=display_progress,
    )
    console.print(f"{type(table).__name__}: {result['success_count']} computed, {len(result['error_list'])} failed")
    for key, message in result["error_list"]:
        console.print(f"  [red]{key}[/]: {message}")
    if result["error_list"]:
        sys.exit(1)


def _table(target: str, schema_name: str | None):
    """The table class named by MODULE:TABLE, imported from the working directory or the Python path."""
    import djspecs.reference as dj
    from djspecs.reference.table import Part, Table

    module_name, _, class_name = target.partition(":")
    if not class_name:
        raise click.BadParameter("expected MODULE:TABLE, e.g. pipeline.analysis:Spikes", param_hint="TARGET")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise click.ClickException(f"Cannot import {module_name}: {error}") from error
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and hasattr(cls, "populate")):
        raise click.ClickException(f"{module_name} has no auto-populated table {class_name}")
    if cls._schema is None:
        if not schema_name:
            raise click.ClickException(f"{class_name} is not bound to a schema: pass --schema NAME")
        schema = dj.Schema(schema_name, create_schema=False)
        for member in vars(module).values():
            if _declared_here(member, module.__name__, Table, Part):
                schema(member)
    return cls()


def _declared_here(member, module_name: str, table: type, part: type) -> bool:
    """A master table class defined in the module itself (not imported into it)."""
    is_master = isinstance(member, type) and issubclass(member, table) and not issubclass(member, part)
    return is_master and member.__module__ == module_name and bool(member.definition)


def _restriction(text: str):
    """A JSON object is a key-value restriction; anything else is SQL text."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, dict) else text
