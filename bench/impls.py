"""The three implementations measured side by side: the reference, DataJoint 2.x and the raw driver.

Each declares the same tables (bench/data.py) in its own schema, is filled with the same rows through
the raw driver (untimed), and offers `work(operation)`: the timed call and its untimed setup. The raw
driver runs exactly the SQL the reference compiles, on the reference's tables, and builds the same
Python result (dicts, a DataFrame indexed by the primary key, an Arrow table).
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

from sqlglot import exp

import djspecs.reference as rdj
from djspecs.reference import fetch as reference_fetch
from djspecs.reference.compiler import Compiler

from . import data, pipeline, raw
from .timing import Work

with warnings.catch_warnings():  # "No datajoint.json found": DataJoint is configured per Instance
    warnings.simplefilter("ignore")
    try:
        import datajoint
    except ImportError:
        datajoint = None
logging.getLogger("datajoint").setLevel(logging.ERROR)  # it logs every row count of a delete
rdj.config["safemode"] = False  # no confirmation prompts in a benchmark

QUERIES = ("fetch_dicts", "fetch_pandas", "fetch_arrow", "restrict_keys", "join3", "aggregate", "union", "universal")


def _make(self, key, spin=0):
    """A trivial make: one row computed from the key, after `spin` steps of computation (as bench.pipeline.Result's)."""
    data.spin(spin)
    self.insert1({**key, "doubled": 2 * key["item_id"]})


def declare_datajoint(schema) -> dict[str, type]:
    """The benchmark's tables as DataJoint classes (DataJoint forks its workers, so local classes serve)."""
    context: dict[str, type] = {}
    for cls in pipeline.TABLES:
        base = datajoint.Computed if cls.tier == "computed" else datajoint.Manual
        namespace = {"definition": cls.definition, "__module__": __name__}
        if base is datajoint.Computed:
            namespace["make"] = _make
        context[cls.__name__] = type(cls.__name__, (base,), namespace)
        schema(context[cls.__name__])
    return context


class Implementation:
    name: str

    def __init__(self, backend: str, settings: dict[str, Any], sizes: data.Sizes, schema_name: str):
        self.backend, self.settings, self.sizes, self.schema_name = backend, settings, sizes, schema_name
        self.loader = raw.connect(backend, settings)
        self.keys = data.restriction_keys(sizes)

    def target(self, table: str) -> exp.Table:
        return raw.table(self.backend, self.schema_name, table)

    def clear(self, *tables: str) -> None:
        for table in tables:
            raw.execute(self.loader, self.backend, exp.delete(self.target(table)))

    def load(self, rows: dict[str, list[tuple]]) -> None:
        """Untimed: replace the contents of tables (children cleared first, parents loaded first)."""
        self.clear(*reversed(list(rows)))
        for table, table_rows in rows.items():
            raw.write(self.loader, self.backend, self.target(table), data.COLUMNS[table], table_rows)

    def fill_pipeline(self) -> None:
        self.load(data.pipeline_rows(self.sizes))

    def fill_bulk(self, n: int) -> None:
        rows = [tuple(r.values()) for r in data.bulk_dicts(n)]
        self.load({"bulk": rows})

    def work(self, operation: str, size: int) -> Work | None:
        method = getattr(self, f"op_{operation}", None)
        return method(size) if method else None

    def close(self) -> None:
        self.loader.close()


class _Library(Implementation):
    """What the reference and DataJoint share: the same user-level calls on their own classes."""

    lib: Any
    tables: dict[str, type]

    def expression(self, operation: str):
        t, lib, half, keys = self.tables, self.lib, self.sizes.subjects // 2, self.keys
        if operation.startswith("fetch_"):
            return t["Bulk"]()
        return {
            "restrict_keys": lambda: t["Trial"] & keys,
            "join3": lambda: t["Subject"] * t["Session"] * t["Trial"] & f"subject_id < {half}",
            "aggregate": lambda: t["Session"].aggr(t["Trial"], n="count(*)", mean_x="avg(x)"),
            "union": lambda: (t["Trial"] & "y < 10").proj() + (t["Trial"] & "y >= 90").proj(),
            "universal": lambda: lib.U("y") & t["Trial"],
        }[operation]()

    def five_operators(self):
        """Restrict, join, project, aggregate, top: the expression whose compile time is measured."""
        t = self.tables
        joined = (t["Subject"] & "subject_id > 3") * t["Session"]
        projected = joined.proj("minutes", double="minutes * 2")
        counted = t["Subject"].aggr(projected, n="count(session_id)", total="sum(double)")
        return counted & self.lib.Top(10, "n DESC")

    def _query(self, operation: str) -> Work:
        method = {"fetch_pandas": "to_pandas", "fetch_arrow": "to_arrow"}.get(operation, "to_dicts")
        return Work(run=lambda: getattr(self.expression(operation), method)())

    def op_insert(self, size: int) -> Work:
        rows = data.bulk_dicts(size)
        return Work(run=lambda: self.tables["Bulk"].insert(rows), setup=lambda: self.clear("bulk"))

    def op_cascade_delete(self, size: int) -> Work:
        doomed = data.doomed_roots(self.sizes)
        return Work(run=lambda: (self.tables["Root"] & f"root_id < {doomed}").delete(),
                    setup=lambda: self.load(data.cascade_rows(self.sizes)))  # fmt: skip

    def populate_setup(self) -> None:
        self.clear(self.result_table)
        self.load({"item": [(i,) for i in range(self.sizes.jobs)]})

    def op_populate_direct(self, size: int) -> Work:
        return Work(run=lambda: self.tables["Result"].populate(), setup=self.populate_setup)

    def _reserve(self, processes: int, *, compute: bool = False) -> Work:
        def setup():
            self.populate_setup()
            self.clear_jobs()

        def run():
            if compute:  # the first keys only, each make computing for about 5 ms
                restriction = f"item_id < {self.sizes.computations}"
                return self.tables["Result"].populate(restriction, reserve_jobs=True, processes=processes,
                                                      make_kwargs={"spin": data.SPIN})  # fmt: skip
            return self.tables["Result"].populate(reserve_jobs=True, processes=processes)

        # no memory sampling: its thread would be running when the workers fork, and a fork taken while another
        # thread holds a lock can leave the child waiting on that lock for ever
        return Work(run=run, setup=setup, sample_memory=False)

    def op_populate_reserve_1(self, size: int) -> Work:
        return self._reserve(1)

    def op_populate_reserve_2(self, size: int) -> Work:
        return self._reserve(2)

    def op_populate_reserve_4(self, size: int) -> Work:
        return self._reserve(4)

    def op_populate_compute_1(self, size: int) -> Work:
        return self._reserve(1, compute=True)

    def op_populate_compute_2(self, size: int) -> Work:
        return self._reserve(2, compute=True)

    def op_populate_compute_4(self, size: int) -> Work:
        return self._reserve(4, compute=True)

    def __getattr__(self, name: str):
        if name.startswith("op_") and name[3:] in QUERIES:
            return lambda size: self._query(name[3:])
        raise AttributeError(name)


class Reference(_Library):
    name = "reference"
    lib = rdj
    result_table = "__result"

    def __init__(self, backend, settings, sizes, schema_name):
        super().__init__(backend, settings, sizes, schema_name)
        self.connection = rdj.Connection({"database.backend": backend, **settings})
        self.schema = rdj.Schema(schema_name, connection=self.connection)
        self.tables = pipeline.bind(self.schema)
        self.declared = 0

    def clear_jobs(self) -> None:
        jobs = getattr(self.tables["Result"], "jobs", None)
        if jobs is not None:
            jobs.delete_quick()

    def op_compile(self, size: int) -> Work:
        node, backend = self.five_operators().node, self.connection.backend
        return Work(run=lambda: backend.render(Compiler(backend).select(node)), sample_memory=False)

    def op_declare_10(self, size: int) -> Work:
        """A fresh schema of ten tables per run; `statements` counts what the connection ran."""
        work = Work(run=lambda: None)
        state = {}

        def setup():
            if "schema" in state:
                state["schema"].drop()
            self.declared += 1
            state["name"] = f"{self.schema_name}_decl{self.declared}"

        def run():
            before = self.connection.statements
            schema = rdj.Schema(state["name"], connection=self.connection)
            context = {}
            for name, definition in data.DECLARED:
                context[name] = type(name, (rdj.Manual,), {"definition": definition, "__module__": __name__})
                schema(context[name])
            state["schema"] = schema
            work.statements = self.connection.statements - before

        work.run, work.setup, work.teardown = run, setup, lambda: state.get("schema") and state["schema"].drop()
        return work

    def close(self) -> None:
        self.schema.drop()
        self.connection.close()
        super().close()


class DataJoint(_Library):
    name = "datajoint"
    result_table = "__result"

    def __init__(self, backend, settings, sizes, schema_name):
        super().__init__(backend, settings, sizes, schema_name)
        self.lib = datajoint
        with warnings.catch_warnings():  # MariaDB is "best effort" for DataJoint; it says so at every connection
            warnings.simplefilter("ignore")
            self.instance = datajoint.Instance(host=settings["database.host"], user=settings["database.user"],
                                               password=settings.get("database.password", ""), backend=backend,
                                               use_tls=False)  # fmt: skip
        self.instance.config.safemode = False
        self.statements = 0
        connection = self.instance.connection
        execute = connection._execute_query

        def counted(*args, **kwargs):  # every statement DataJoint runs goes through this one method
            self.statements += 1
            return execute(*args, **kwargs)

        connection._execute_query = counted
        self.schema = self.instance.Schema(schema_name, context={})
        self.tables = declare_datajoint(_Binder(self.schema))
        self.declared = 0

    def clear_jobs(self) -> None:
        self.tables["Result"].jobs.delete()

    def op_compile(self, size: int) -> Work:
        expression = self.five_operators()
        return Work(run=expression.make_sql, sample_memory=False)

    def op_declare_10(self, size: int) -> Work:
        work = Work(run=lambda: None)
        state = {}

        def setup():
            if "schema" in state:
                state["schema"].drop()
            self.declared += 1
            state["name"] = f"{self.schema_name}_decl{self.declared}"

        def run():
            before = self.statements
            context: dict[str, type] = {}
            schema = self.instance.Schema(state["name"], context=context)
            for name, definition in data.DECLARED:
                context[name] = type(name, (datajoint.Manual,), {"definition": definition, "__module__": __name__})
                schema(context[name])
            state["schema"] = schema
            work.statements = self.statements - before

        work.run, work.setup, work.teardown = run, setup, lambda: state.get("schema") and state["schema"].drop()
        return work

    def close(self) -> None:
        self.schema.drop()
        self.instance.connection.close()
        super().close()


class _Binder:
    """Makes DataJoint resolve `-> Parent` in a context dict that grows as tables are declared."""

    def __init__(self, schema):
        self.schema = schema

    def __call__(self, cls):
        self.schema.context[cls.__name__] = cls
        return self.schema(cls)


class Raw(Implementation):
    """The raw driver on the reference's tables, running the SQL the reference compiles."""

    name = "raw"

    def __init__(self, reference: Reference):
        super().__init__(reference.backend, reference.settings, reference.sizes, reference.schema_name)
        self.reference = reference
        self.connection = raw.connect(self.backend, self.settings)

    def op_insert(self, size: int) -> Work:
        rows = data.bulk_dicts(size)
        columns = data.COLUMNS["bulk"]

        def run():
            raw.write(self.connection, self.backend, self.target("bulk"), columns,
                      [tuple(row[c] for c in columns) for row in rows])  # fmt: skip

        return Work(run=run, setup=lambda: self.clear("bulk"))

    def _sql(self, expression) -> tuple[str, list]:
        select = reference_fetch.statement(expression, expression.heading.names)
        return self.reference.connection.render(select), self.reference.connection.bound_values(select)

    def __getattr__(self, name: str):
        if not (name.startswith("op_") and name[3:] in QUERIES):
            raise AttributeError(name)
        operation = name[3:]
        expression = self.reference.expression(operation)
        sql, params = self._sql(expression)
        key = expression.primary_key

        def dicts():
            names, rows = raw.fetch(self.connection, sql, params)
            return [dict(zip(names, row, strict=True)) for row in rows]

        def pandas():
            import pandas as pd

            names, rows = raw.fetch(self.connection, sql, params)
            return pd.DataFrame.from_records(rows, columns=names).set_index(key)

        def arrow():
            import pyarrow as pa

            names, rows = raw.fetch(self.connection, sql, params)
            return pa.table(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))

        run = {"fetch_pandas": pandas, "fetch_arrow": arrow}.get(operation, dicts)
        return lambda size: Work(run=run)

    def op_cascade_delete(self, size: int) -> Work:
        """Three DELETEs, children first, in one transaction: what a cascade must do at least."""
        doomed = data.doomed_roots(self.sizes)
        below = exp.column("root_id") < exp.Literal.number(doomed)

        def run():
            cursor = self.connection.cursor()
            cursor.execute("BEGIN")
            for table in ("leaf", "mid", "root"):
                cursor.execute(raw.render(self.backend, exp.delete(self.target(table), where=below)))
            cursor.execute("COMMIT")

        return Work(run=run, setup=lambda: self.reference.load(data.cascade_rows(self.sizes)))

    def close(self) -> None:
        self.connection.close()
        super().close()


def unique_name(tag: str) -> str:
    return f"djbench_{tag}_{os.getpid()}"
