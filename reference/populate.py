"""Auto-populated tables: key_source, make in its three forms, and populate (POP rules).

Each `make` runs in its own transaction (POP-10): the master row and its part rows commit together or not
at all. Direct mode computes the keys missing from the table; distributed mode (`reserve_jobs=True`) works
from the jobs table (jobs.py) and reserves each key first. Worker processes and Dask are in workers.py.
"""

from __future__ import annotations

import datetime
import hashlib
import inspect
import logging
import pickle
import signal
import threading
import time
from collections.abc import Mapping
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from .backends.base import placeholder
from .compiler import Compiler, column, driver_value
from .errors import DataJointError
from .provenance import code_version
from .upstream import Upstream
from .values import normalize

if TYPE_CHECKING:
    from .jobs import JobTable

log = logging.getLogger("djspecs.reference")

# JOB-7: the hidden columns that record when, how long and with which code version a row was computed.
JOB_METADATA = ("_job_start_time", "_job_duration", "_job_version")


class AutoPopulate:
    """Mixed into Imported and Computed tables."""

    @property
    def key_source(self):
        """POP-2: the join of the parents named in the primary key, each projected to its key (renames applied)."""
        names = self.heading.names
        parents = sorted(
            (fk for fk in self.foreign_keys if all(self.heading[child].in_key for child, _ in fk.attributes)),
            key=lambda fk: names.index(fk.attributes[0][0]),
        )
        if not parents:
            raise DataJointError(
                f"A table must have dependencies from its primary key for auto-populate to work ({self.full_name})",
                rule="POP-2",
            )
        source = None
        for fk in parents:
            parent = self._schema_of(fk.parent_schema).tables[fk.parent_table]()
            renames = {child: name for child, name in fk.attributes if child != name}
            projected = parent.proj(**renames)
            source = projected if source is None else source * projected
        return source

    def _schema_of(self, name: str):
        try:
            return self.connection.schemas[name]
        except KeyError:
            raise DataJointError(f"The schema `{name}` of a parent of {self.full_name} is not loaded") from None

    def _todo(self, restrictions):
        source = self.key_source
        if missing := [n for n in source.primary_key if n not in self.heading]:
            raise DataJointError(f"The populate target lacks attribute {missing[0]} of its key_source", rule="POP-2")
        for restriction in restrictions:
            source = source & restriction
        return source.proj() - self.proj()

    def progress(self, *restrictions, display: bool = False) -> tuple[int, int]:
        """POP-26: (remaining, total) over the key source."""
        total = self.key_source
        for restriction in restrictions:
            total = total & restriction
        remaining, count = len(self._todo(restrictions)), len(total)
        if display:
            log.info("%s: %d/%d done, %d remaining", type(self).__name__, count - remaining, count, remaining)
        return remaining, count

    @property
    def jobs(self) -> JobTable:
        """JOB-1: this table's jobs table, declared on first use."""
        from .jobs import JobTable

        cls = type(self)
        bound = cls.__dict__.get("_jobs_class")
        if bound is None or bound._schema is not cls._schema:
            bound = JobTable.placeholder(cls)
            cls._jobs_class = bound
        return bound()

    def populate(
        self,
        *restrictions,
        suppress_errors: bool = False,
        return_exception_objects: bool = False,
        reserve_jobs: bool = False,
        max_calls: int | None = None,
        display_progress: bool = False,
        processes: int = 1,
        make_kwargs: Mapping[str, Any] | None = None,
        priority: int | None = None,
        refresh: bool | None = None,
        executor: Any = None,
    ) -> dict:
        """POP-20 .. POP-24: call make for every pending key; returns success_count and error_list.

        `processes=n` runs the keys in n local worker processes; `executor`, a `dask.distributed.Client`,
        runs them on its workers. Either way each worker has its own connection (workers.py).
        """
        if self.connection.in_transaction:
            raise DataJointError("Populate cannot be called during a transaction", rule="POP-20")
        if self.restricted:
            raise DataJointError(
                "Cannot call populate on a restricted table; pass restrictions as arguments", rule="POP-20"
            )
        keys = self._pending(restrictions, reserve_jobs, max_calls, priority, refresh)
        options = {"suppress_errors": suppress_errors, "return_exception_objects": return_exception_objects,
                   "make_kwargs": dict(make_kwargs or {}), "reserve_jobs": reserve_jobs}  # fmt: skip
        if keys and (processes > 1 or executor is not None):
            from .workers import run_parallel

            return run_parallel(self, keys, options, processes=processes, executor=executor, display=display_progress)
        return self.run_keys(keys, display=display_progress, **options)

    def _pending(self, restrictions, reserve_jobs, max_calls, priority, refresh) -> list[dict]:
        """POP-23: direct mode lists key source minus table; distributed mode lists due pending jobs."""
        if not reserve_jobs:
            return self._todo(restrictions).keys(order_by="KEY")[:max_calls]
        jobs = self.jobs
        if self.connection.config["jobs.auto_refresh"] if refresh is None else refresh:
            jobs.refresh(*restrictions, priority=priority, delay=-1)  # due at once, whatever the clocks say
        due = jobs.pending & (column("scheduled_time") <= self.connection.backend.now())
        if restrictions:
            due = due.restrict(self._todo(restrictions), semantic_check=False)
        if priority is not None:
            due = due & (column("priority") <= placeholder(priority))
        return due.keys(order_by=["priority", "scheduled_time", "KEY"], limit=max_calls)

    def run_keys(self, keys: list[dict], *, reserve_jobs: bool, suppress_errors: bool,
                 return_exception_objects: bool, make_kwargs: dict, display: bool = False) -> dict:  # fmt: skip
        """Compute `keys` one by one in this process; with reserve_jobs, each is reserved first (JOB-4)."""
        jobs = self.jobs if reserve_jobs else None
        result = {"success_count": 0, "error_list": []}
        with _sigterm_as_exit(jobs is not None):
            for key in _progress(keys, display, type(self).__name__):
                try:
                    if self._populate1(key, make_kwargs, jobs):
                        result["success_count"] += 1
                except SystemExit:
                    raise
                except BaseException as error:  # POP-22: KeyboardInterrupt is recorded like any error
                    if not suppress_errors:
                        raise
                    log.error("Error making %s -> %s: %s", key, self.full_name, error_message(error))
                    result["error_list"].append((key, error if return_exception_objects else error_message(error)))
        return result

    def _populate1(self, key: dict, make_kwargs: dict, jobs: JobTable | None = None) -> bool:
        """One key; False when it was skipped (reserved by another worker, or computed meanwhile)."""
        if jobs is not None and not jobs.reserve(key):
            return False
        started, clock = datetime.datetime.now(), time.monotonic()
        try:
            done = self._make1(key, make_kwargs, started, clock)
        except BaseException as error:
            if jobs is not None:
                jobs.record_failure(key, error)
            raise
        if jobs is not None:
            jobs.complete(key, duration=time.monotonic() - clock)
        return done

    def _make1(self, key: dict, make_kwargs: dict, started: datetime.datetime, clock: float) -> bool:
        """Plain make, three-part make (POP-12) or generator make (POP-13), in one transaction (POP-10)."""
        generator = inspect.isgeneratorfunction(type(self).make)
        three_part = type(self).make is AutoPopulate.make
        if three_part and not all(hasattr(self, n) for n in ("make_fetch", "make_compute", "make_insert")):
            raise NotImplementedError(
                f"{type(self).__name__} must define make, or make_fetch, make_compute and make_insert"
            )
        with self._making(key):
            return self._run_make(key, make_kwargs, started, clock, generator, three_part)

    def _run_make(self, key, make_kwargs, started, clock, generator, three_part) -> bool:
        if generator or three_part:
            fetched = self._fetch(key, make_kwargs, generator)
            computed = self._compute(key, fetched, generator, make_kwargs)
        with self.connection.transaction, self._populating():
            if self._holds(key):
                return False  # POP-11: computed meanwhile
            if not (generator or three_part):
                self.make(dict(key), **make_kwargs)
            else:
                again = self._fetch(key, make_kwargs, generator)
                if _fingerprint(again) != _fingerprint(fetched):
                    raise DataJointError(
                        "Referential integrity failed! The `make_fetch` data has changed", rule="POP-12"
                    )
                self._insert(key, computed, generator, make_kwargs)
            self._record_metadata(key, started, time.monotonic() - clock)
        return True

    def _holds(self, key: dict) -> bool:
        """POP-11: whether the table holds the key, by `SELECT 1 ... LIMIT 1` built and rendered once per populate."""
        heading, backend = self.heading, self.connection.backend
        visible = heading.names
        names = tuple(name for name in key if name in visible)
        probes = self.__dict__.setdefault("_probes", {})
        if names not in probes:
            where = [column(n).eq(placeholder()) for n in names]
            query = exp.select(exp.Literal.number(1)).from_(backend.table(self.schema_name, self.table_name))
            bound = [driver_value(backend, heading[n]) for n in names]
            probes[names] = (query.where(*where, copy=False).limit(1, copy=False) if where else query.limit(1)), bound
        query, bound = probes[names]
        params = [convert(key[name]) for convert, name in zip(bound, names, strict=True)]
        return bool(self.connection.query(query, params))

    def _record_metadata(self, key: dict, started: datetime.datetime, duration: float) -> None:
        """JOB-7: when the table has the hidden job columns, one UPDATE sets them for the key's rows."""
        if JOB_METADATA[0] not in self.heading.all_names:
            return
        from .jobs import update

        backend, heading = self.connection.backend, self.heading
        values = dict(zip(JOB_METADATA, (started, duration, code_version(self.connection.config)), strict=True))
        assignments = [
            column(n).eq(placeholder(backend.to_driver(normalize(v, heading[n], self.full_name), heading[n].type)))
            for n, v in values.items()
        ]
        where = Compiler(backend).condition(key, heading, column)
        statement = update(backend.table(self.schema_name, self.table_name), assignments, where)
        self.connection.execute(statement, context=f"job metadata of {self.full_name}")

    def make(self, key: dict, **kwargs) -> None:
        """POP-1: override `make`, or define `make_fetch`, `make_compute` and `make_insert` instead."""
        raise NotImplementedError(
            f"{type(self).__name__} must define make, or make_fetch, make_compute and make_insert"
        )

    def _fetch(self, key, make_kwargs, generator):
        if generator:
            return next(self.make(dict(key), **make_kwargs))
        return _as_tuple(self.make_fetch(dict(key), **make_kwargs), "make_fetch")

    def _compute(self, key, fetched, generator, make_kwargs):
        if generator:
            steps = self.make(dict(key), **make_kwargs)
            next(steps)
            computed = steps.send(None)
            steps.close()
            return computed
        return _as_tuple(self.make_compute(dict(key), *fetched), "make_compute")

    def _insert(self, key, computed, generator, make_kwargs):
        if generator:
            steps = self.make(dict(key), **make_kwargs)
            next(steps)
            with suppress(StopIteration):
                steps.send(computed)
            steps.close()
        else:
            self.make_insert(dict(key), *computed)

    @property
    def upstream(self) -> Upstream:
        """POP-5: inside make, the ancestors of this table restricted to the rows the key depends on."""
        upstream = self.__dict__.get("_upstream")
        if upstream is None:
            raise DataJointError(f"self.upstream of {self.full_name} is available only inside make", rule="POP-5")
        return upstream

    @contextmanager
    def _making(self, key: dict):
        """POP-5: one upstream trace per make call, built when first read."""
        self._upstream = Upstream(self, dict(key))
        try:
            yield
        finally:
            self._upstream = None

    @contextmanager
    def _populating(self):
        """POP-25: inserts into this table and its parts are allowed while make runs."""
        names = {self.table_name, *(n for n in self._schema.tables if n.startswith(self.table_name + "__"))}
        self._schema._populating.update(names)
        try:
            yield
        finally:
            self._schema._populating.difference_update(names)


def error_message(error: BaseException) -> str:
    """POP-21: the class name, then `: ` and the text when there is one."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _as_tuple(value: Any, step: str) -> tuple:
    if not isinstance(value, tuple):
        raise DataJointError(f"{step} must return a tuple, not {type(value).__name__}", rule="POP-12")
    return value


def _fingerprint(value: Any) -> str:
    """A stable digest of fetched data, to notice that it changed between the two fetches (POP-12)."""
    try:
        return hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        return hashlib.sha256(repr(value).encode()).hexdigest()


@contextmanager
def _sigterm_as_exit(active: bool):
    """POP-24: during a distributed populate, SIGTERM stops the worker as SystemExit, so its job goes through
    the error path instead of staying reserved; only the main thread can install the handler."""
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit("SIGTERM received")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress(keys: list, display: bool, name: str):
    if not display:
        yield from keys
        return
    from rich.progress import track

    yield from track(keys, description=f"populating {name}")
