"""Jobs tables: the per-table queue `~~name` that distributed populate works from (JOB-1 .. JOB-6).

A job is one key of an auto-populated table's key source. Workers coordinate only through this table:
`refresh` queues keys, `reserve` claims one with a single conditional UPDATE (the database serialises
competing claims), and `complete` or `error` records how the job ended.
"""

from __future__ import annotations

import logging
import os
import platform
import traceback
from typing import Any

from sqlglot import exp

from . import catalog, codecs
from .backends.base import placeholder
from .compiler import Compiler, column
from .conditions import Not
from .declare import resolve
from .errors import DataJointError, DuplicateError
from .expression import U
from .insert import prepare, statements
from .parser import parse_definition
from .populate import error_message
from .provenance import code_version
from .table import Table

log = logging.getLogger("djspecs.reference")

STATUSES = ("pending", "reserved", "success", "error", "ignore")
ERROR_MESSAGE_LENGTH = 2047
TRUNCATED = "...truncated"
JOBS_PREFIX = "~~"

# JOB-1: the columns after the key. The stack is the traceback text in the `<blob>` format, as DataJoint stores it.
SECONDARY = f"""---
status          : enum('pending', 'reserved', 'success', 'error', 'ignore')
priority        : int8
created_time=CURRENT_TIMESTAMP(3) : datetime(3)
scheduled_time=CURRENT_TIMESTAMP(3) : datetime(3)
reserved_time=null  : datetime(3)
completed_time=null : datetime(3)
duration=null   : float64
error_message="" : varchar({ERROR_MESSAGE_LENGTH})
error_stack=null : <blob>
user=""         : varchar(255)
host=""         : varchar(255)
pid=0           : int32
connection_id=0 : int64
version=""      : varchar(64)
INDEX (status, priority, scheduled_time)
"""


def jobs_table_name(target_table_name: str) -> str:
    """JOB-1: `~~` and the target's SQL name without its leading underscores."""
    return JOBS_PREFIX + target_table_name.lstrip("_")


def definition(target: Table) -> str:
    """JOB-1: the key is the target's primary-key attributes that come from foreign keys, with their types."""
    from_parents = {child for fk in target.foreign_keys for child, _ in fk.attributes}
    lines = [f"# Job queue for {target.full_name}"]
    for name in target.primary_key:
        if name in from_parents:
            lines.append(f"{name} : {target.heading[name].type.text}")
        else:
            log.warning("The jobs table of %s leaves out `%s`, which comes from no foreign key", target.full_name, name)
    return "\n".join(lines) + "\n" + SECONDARY


class JobTable(Table):
    """The jobs table of one auto-populated table. Instances come from `Target.jobs`."""

    tier = "jobs"
    target: type[Table] | None = None

    @classmethod
    def placeholder(cls, target: type[Table]) -> type[JobTable]:
        """The jobs-table class of `target`, declared on first use (JOB-1)."""
        schema = target._schema
        name = jobs_table_name(target._table_name)
        bound = type(f"{target.__name__}Jobs", (cls,), {"_schema": schema, "_table_name": name, "target": target})
        if not catalog.table_exists(schema.connection, schema.database, name):
            _declare(bound, definition(target()))
        return bound

    # --- views (JOB-6) -----------------------------------------------------------------------------

    def _status(self, status: str):
        return self & {"status": status}

    @property
    def pending(self):
        return self._status("pending")

    @property
    def reserved(self):
        return self._status("reserved")

    @property
    def errors(self):
        return self._status("error")

    @property
    def ignored(self):
        return self._status("ignore")

    @property
    def completed(self):
        return self._status("success")

    def progress(self) -> dict[str, int]:
        """JOB-6: the number of jobs in each state, and the total."""
        counts = dict.fromkeys(STATUSES, 0)
        for row in U("status").aggr(self, n="count(*)").to_dicts():
            counts[row["status"]] = int(row["n"])
        return {**counts, "total": sum(counts.values())}

    def delete(self, **_options) -> int:
        """JOB-6: remove the restricted jobs, without a prompt."""
        return self.delete_quick(get_count=True)

    def drop(self, **_options) -> None:
        """Drop the queue; the next `Target.jobs` declares it afresh."""
        self.connection.execute(exp.Drop(kind="TABLE", tables=[self._sql_table()], exists=True))
        self.target._jobs_class = None

    # --- the queue (JOB-2 .. JOB-5) ----------------------------------------------------------------

    def refresh(self, *restrictions, delay: float = 0, priority: int | None = None,
                stale_timeout: float | None = None, orphan_timeout: float | None = None) -> dict[str, int]:  # fmt: skip
        """JOB-3: queue new keys, re-pend lost successes, drop stale jobs, recover orphaned reservations."""
        target = self.target()
        priority = self.connection.config["jobs.default_priority"] if priority is None else priority
        stale_timeout = self.connection.config["jobs.stale_timeout"] if stale_timeout is None else stale_timeout
        source = target.key_source.proj()
        result = {"added": 0, "removed": 0, "orphaned": 0, "re_pended": 0}
        todo = target._todo(restrictions).restrict(Not(self), semantic_check=False)
        if keys := todo.keys():
            scheduled = self._server_time(delay)
            rows = [{**key, "status": "pending", "priority": priority, "scheduled_time": scheduled} for key in keys]
            for statement, params in statements(
                self, prepare(self, rows, ignore_extra_fields=False), skip_duplicates=True
            ):
                cursor = self.connection.execute(statement, params, context=f"refresh {self.full_name}")
                result["added"] += cursor.rowcount
        if self.connection.config["jobs.keep_completed"]:
            lost = self.completed.restrict(source, semantic_check=False).restrict(
                Not(target.proj()), semantic_check=False
            )
            lost_keys = lost.keys()
            for key in lost_keys:
                result["re_pended"] += self._set(key, {"status": "pending", "priority": priority}, only_if="success")
        now = self.connection.backend.now
        if stale_timeout:
            stale = self.restrict(Not(source), semantic_check=False) - {"status": "ignore"}
            result["removed"] += (stale & (column("created_time") < now(-stale_timeout))).delete_quick(get_count=True)
        if orphan_timeout is not None:
            orphans = (self.reserved & (column("reserved_time") < now(-orphan_timeout))).keys()
            for key in orphans:
                changes = {"status": "pending", "reserved_time": exp.null()}
                result["orphaned"] += self._set(key, changes, only_if="reserved")
        return result

    def reserve(self, key: dict[str, Any]) -> bool:
        """JOB-4: claim a pending, due job with one conditional UPDATE; True when this worker won it."""
        backend = self.connection.backend
        changes = {"status": "reserved", "host": platform.node(), "pid": os.getpid(), **backend.session_identity(),
                   "version": code_version(self.connection.config), "reserved_time": backend.now()}  # fmt: skip
        return self._set(key, changes, only_if="pending", due=column("scheduled_time") <= backend.now()) == 1

    def complete(self, key: dict[str, Any], duration: float | None = None) -> None:
        """JOB-5: a finished job leaves the queue, or stays as `success` when jobs.keep_completed is set."""
        if not self.connection.config["jobs.keep_completed"]:
            (self & self._key(key)).delete_quick()
            return
        self._set(key, {"status": "success", "completed_time": self.connection.backend.now(), "duration": duration})

    def error(self, key: dict[str, Any], error_message: str, error_stack: str | None = None) -> None:
        """JOB-5: record a failure; a long message is cut to 2047 characters ending in `...truncated`."""
        if len(error_message) > ERROR_MESSAGE_LENGTH:
            error_message = error_message[: ERROR_MESSAGE_LENGTH - len(TRUNCATED)] + TRUNCATED
        # JOB-1: bound as a raw value, so packed here as the `<blob>` codec would (DataJoint reads it back).
        stack = None if error_stack is None else codecs.pack(error_stack)
        changes = {"status": "error", "completed_time": self.connection.backend.now(),
                   "error_message": error_message, "error_stack": stack}  # fmt: skip
        self._set(key, changes)

    def ignore(self, key: dict[str, Any]) -> None:
        """JOB-5: mark a key to be left alone, inserting its job when it has none."""
        key = self._key(key)
        if self._set(key, {"status": "ignore"}) == 0:
            try:
                self.insert1({**key, "status": "ignore", "priority": self.connection.config["jobs.default_priority"]})
            except DuplicateError:  # another worker queued it meanwhile
                self._set(key, {"status": "ignore"})

    def record_failure(self, key: dict[str, Any], error: BaseException) -> None:
        """POP-22: the job of a failed make becomes `error`, with the message and the stack."""
        self.error(key, error_message(error), "".join(traceback.format_exception(error)))

    # --- helpers -----------------------------------------------------------------------------------

    def _key(self, key: dict[str, Any]) -> dict[str, Any]:
        return {name: key[name] for name in self.primary_key}

    def _sql_table(self) -> exp.Table:
        return self.connection.backend.table(self.schema_name, self.table_name)

    def _server_time(self, offset: float):
        (value,) = self.connection.query(exp.select(self.connection.backend.now(offset)))[0]
        return self.connection.backend.from_driver(value, self.heading["scheduled_time"].type)

    def _set(self, key: dict[str, Any], changes: dict[str, Any], *, only_if: str | None = None,
             due: exp.Expression | None = None) -> int:  # fmt: skip
        """One UPDATE of the job of `key`, only while its status is `only_if` (when given); the rows it changed.

        Values in `changes` are bound as parameters; sqlglot expressions (server time) are kept as they are.
        """
        where = [Compiler(self.connection.backend).condition(self._key(key), self.heading, column)]
        if only_if is not None:
            where.append(column("status").eq(placeholder(only_if)))
        if due is not None:
            where.append(due)
        assignments = [column(n).eq(v if isinstance(v, exp.Expression) else placeholder(v)) for n, v in changes.items()]
        statement = update(self._sql_table(), assignments, exp.and_(*where))
        return self.connection.execute(statement, context=f"update {self.full_name}").rowcount


def update(table: exp.Table, assignments: list[exp.Expression], where: exp.Expression) -> exp.Update:
    """An UPDATE built in statement order, so its bound values are collected in the order they are rendered."""
    return exp.Update(this=table, expressions=assignments, where=exp.Where(this=where))


def _declare(cls: type[JobTable], text: str) -> None:
    schema = cls._schema
    if schema.connection.in_transaction:
        raise DataJointError(f"Cannot declare the jobs table of {cls.target.__name__} inside a transaction")
    definition = parse_definition(text, table=f"`{schema.database}`.`{cls._table_name}`")
    spec = resolve(definition, schema=schema.database, name=cls._table_name, auto_populated=False, lookup=_no_parent)
    schema.execute_declaration(spec)  # JOB-1: workers making the first use at once wait for one to declare it


def _no_parent(name: str):
    """A jobs table references no table: its key attributes are declared with their types."""
    raise KeyError(name)
