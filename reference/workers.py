"""Worker processes and Dask workers for populate (POP-24): several workers that share only the database.

A worker is a fresh process: it inherits neither the parent's connection nor its table classes. It gets a
`WorkerSpec` instead: the connection settings, the schemas to activate with the classes bound to them
(imported by module and qualified name, as the fork-server and spawn start methods and Dask require), and
its keys.
In distributed mode every worker is offered every key, each starting at its own offset, and the jobs
table's atomic reservation (JOB-4) decides who computes what; in direct mode the keys are dealt out.
"""

from __future__ import annotations

import importlib
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .connection import Connection
from .errors import DataJointError

if TYPE_CHECKING:
    from .table import Table

POLL_SECONDS = 0.2  # how often the parent looks at its workers (and counts rows for its progress bar)


@dataclass(frozen=True)
class WorkerSpec:
    settings: dict[str, Any]
    schemas: tuple[tuple[str, tuple[str, ...]], ...]  # (database, class paths bound to it), in activation order
    target: str  # class path of the table to populate
    keys: tuple[dict, ...]
    options: dict[str, Any] = field(default_factory=dict)  # run_keys options
    jobs_config: dict[str, Any] = field(default_factory=dict)  # the parent's `jobs.*` settings


def class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def importable(cls: type) -> bool:
    return "<locals>" not in cls.__qualname__


def load_class(path: str) -> type:
    """`package.module:Class` (or `Class.Nested`) → the class."""
    module_name, _, qualname = path.partition(":")
    target: Any = importlib.import_module(module_name)
    for name in qualname.split("."):
        target = getattr(target, name)
    return target


def specs(table: Table, keys: list[dict], options: dict[str, Any], workers: int) -> list[WorkerSpec]:
    """One spec per worker: the whole list rotated (distributed mode) or every n-th key (direct mode)."""
    from .table import Part

    if not importable(type(table)):
        raise DataJointError(
            f"{type(table).__name__} is defined inside a function; worker processes import table classes, so "
            "define it at module level to populate with processes > 1 or an executor",
            rule="POP-24",
        )
    schemas = tuple(
        (schema.database, tuple(class_path(c) for c in schema.tables.values() if not issubclass(c, Part) and importable(c)))
        for schema in table.connection.schemas.values()
    )  # fmt: skip
    settings = dict(table.connection.settings)
    if options["reserve_jobs"]:
        shares = [keys[i * len(keys) // workers :] + keys[: i * len(keys) // workers] for i in range(workers)]
    else:
        shares = [keys[i::workers] for i in range(workers)]
    jobs_config = {key: value for key, value in table.connection.config.items() if key.startswith("jobs.")}
    return [WorkerSpec(settings, schemas, class_path(type(table)), tuple(s), options, jobs_config) for s in shares]


_one_at_a_time = threading.Lock()  # table classes are bound per process, so tasks in one process take turns


def run_worker(spec: WorkerSpec) -> dict:
    """The body of every worker: its own connection, the schemas activated, then populate's per-key loop."""
    with _one_at_a_time:
        connection = Connection(spec.settings)
        connection.config.update(spec.jobs_config)
        try:
            table = activate(connection, spec.schemas, spec.target)
            return table.run_keys(list(spec.keys), **spec.options)
        finally:
            connection.close()


def activate(connection: Connection, schemas: tuple[tuple[str, tuple[str, ...]], ...], target: str) -> Table:
    """Bind the named classes to their schemas on `connection`; the tables exist, so nothing is declared."""
    from .schema import Schema

    for database, paths in schemas:
        schema = Schema(database, connection=connection, create_schema=False)
        for path in paths:
            schema(load_class(path))
    return load_class(target)()


def run_parallel(table: Table, keys: list[dict], options: dict[str, Any], *, processes: int, executor: Any,
                 display: bool) -> dict:  # fmt: skip
    """POP-24: run the keys on `processes` spawned local processes, or on the workers of a Dask client."""
    if executor is not None:
        count = processes if processes > 1 else len(executor.scheduler_info()["workers"])
        futures = executor.map(run_worker, specs(table, keys, options, max(1, min(count, len(keys)))), pure=False)
        _wait(table, len(keys), [f.done for f in futures], display)
        return merge([f.result() for f in futures])
    work = specs(table, keys, options, min(processes, len(keys)))
    with ProcessPoolExecutor(len(work), mp_context=_start_method()) as pool:
        futures = [pool.submit(run_worker, spec) for spec in work]
        _wait(table, len(keys), [f.done for f in futures], display)
        try:
            return merge([f.result() for f in futures])
        except BrokenProcessPool:  # a worker died: a Pool would wait for its result for ever
            raise DataJointError(
                f"A worker process populating {type(table).__name__} ended without a result: it was killed, or it "
                "failed to start (a spawned worker imports the __main__ script again, so a script must guard its "
                "top level with `if __name__ == '__main__':`). Jobs it reserved return to the queue with "
                "`jobs.refresh()` after their orphan timeout",
                rule="POP-24",
            ) from None


def _start_method() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that has imported djspecs.reference once: each starts without importing
    djspecs again and, unlike a fork of the caller, inherits none of the caller's threads, locks or connections.
    The user's modules are imported afresh in every worker, never preloaded, so edited code is never run stale.
    Where there is no fork server (Windows), spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["djspecs.reference"])
    return context


def merge(results: list[dict]) -> dict:
    """POP-21: one result, as if a single process had computed every key."""
    return {
        "success_count": sum(r["success_count"] for r in results),
        "error_list": [entry for r in results for entry in r["error_list"]],
    }


def _wait(table: Table, total: int, finished: list[Callable[[], bool]], display: bool) -> None:
    """Block until every worker is done (so a failure in one never cuts another short in the middle of make);
    with `display`, a progress bar counts the rows the workers have committed."""
    if not display:
        while not all(done() for done in finished):
            time.sleep(POLL_SECONDS)
        return
    from rich.progress import Progress

    before = len(table)
    with Progress() as progress:
        bar = progress.add_task(f"populating {type(table).__name__} on {len(finished)} workers", total=total)
        while not all(done() for done in finished):
            progress.update(bar, completed=len(table) - before)
            time.sleep(POLL_SECONDS)
        progress.update(bar, completed=len(table) - before)
