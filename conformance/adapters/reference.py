"""The reference implementation (djspecs.reference) behind the adapter protocol."""

from __future__ import annotations

import warnings

import djspecs
import djspecs.reference as dj
from djspecs.reference import naming
from djspecs.reference.backends import BACKENDS
from djspecs.reference.settings import Config
from djspecs.reference.types import classify

from .. import publishing
from ..adapter import Adapter, Attribute, ForeignKey, Result, TableInfo
from ..servers import connection_settings
from .builder import Builder

TIERS = {"manual": dj.Manual, "lookup": dj.Lookup, "imported": dj.Imported, "computed": dj.Computed, "part": dj.Part}


def declare_classes(schema, tables, api=dj, known: dict | None = None) -> dict[str, type]:
    """Declare vector-format tables in order; parts attach to their masters before decoration.

    `api` is a module with DataJoint's Python API (the reference's, or DataJoint's own); `known` holds the
    classes declared earlier in the same schema, which foreign keys may name. Auto-populated tables get a
    `make` that inserts what the suite's make returns (see `populate`).
    """
    tiers = {"manual": api.Manual, "lookup": api.Lookup, "imported": api.Imported, "computed": api.Computed}
    classes: dict[str, type] = dict(known or {})
    for spec in tables:
        if spec["tier"] == "part":
            continue
        body = {"definition": spec["definition"]}
        if spec["tier"] in ("imported", "computed"):
            body["make"] = _make
        cls = type(spec["name"], (tiers[spec["tier"]],), body)
        for part in (t for t in tables if t.get("master") == spec["name"]):
            setattr(cls, part["name"], type(part["name"], (api.Part,), {"definition": part["definition"]}))
        schema(cls, context=dict(classes))
        classes[spec["name"]] = cls
        classes.update({p["name"]: getattr(cls, p["name"]) for p in tables if p.get("master") == spec["name"]})
    return classes


def _make(self, key):
    """The make of every auto-populated table the suite declares: insert what the suite's make returns."""
    self.insert([dict(row) for row in type(self).suite_make(dict(key))])


class ReferenceAdapter(Adapter):
    name = "djspecs-reference"
    version = djspecs.__version__
    # publish.bundle: djspecs ships djspecs.publish, which exports the reference's databases (with its extra).
    capabilities = dj.CAPABILITIES | publishing.capabilities()
    knobs = dict(dj.KNOBS)

    def __init__(self):
        self.declared: dict[int, dict[str, type]] = {}  # classes declared so far, by schema handle

    def connect(self, backend, url):
        dj.config["safemode"] = False
        self.backend, self.url = backend, url
        self.connection = dj.Connection({"database.backend": backend, **connection_settings(backend, url)})
        with self.reporting():
            self.connection.server_version()

    def server_version(self):
        return self.connection.server_version()

    def close(self):
        self.connection.close()

    def configure_stores(self, stores):
        with self.reporting():
            self.connection.settings["stores"] = dict(stores)  # codecs read the stores of their connection
            dj.config["stores"] = dict(stores)

    def configure(self, settings):
        with self.reporting():
            previous = {key: self.connection.settings[key] for key in settings}
            for key, value in settings.items():
                self.connection.settings[key] = value  # what codecs of this connection read
                dj.config[key] = value
            return previous

    def create_schema(self, name):
        with self.reporting():
            return dj.Schema(name, connection=self.connection)

    def drop_schema(self, schema):
        with self.reporting():
            schema.drop()

    def declare(self, schema, tables):
        known = self.declared.setdefault(id(schema), {})
        with self.reporting():
            classes = declare_classes(schema, tables, known=known)
        known.update(classes)
        return classes

    def describe(self, table):
        instance = table()
        heading = instance.heading
        names = {sql_name: cls.__name__ for sql_name, cls in table._schema.tables.items()}
        return TableInfo(
            heading=[self._attribute(heading[name]) for name in heading.names],
            primary_key=list(heading.primary_key),
            foreign_keys=[
                ForeignKey(names.get(fk.parent_table, fk.parent_table), dict(fk.attributes))
                for fk in instance.foreign_keys
            ],
            indexes=[(tuple(a), u) for a, u in instance.indexes],
            comment=instance.comment,
            sql_name=instance._table_name,
        )

    @staticmethod
    def _attribute(a) -> Attribute:
        return Attribute(a.name, a.type.text, a.in_key, a.nullable, a.default, a.comment)

    def alter(self, table, definition):
        with self.reporting():
            table.definition = definition
            table.alter(prompt=False, context=self.declared.get(id(table._schema)))

    def table_name(self, class_name, tier, master=None, master_tier=None, backend=None):
        with self.reporting():
            master_name = naming.table_name(master, master_tier) if master else None
            name = naming.table_name(class_name, tier, master=master_name)
            if backend:
                limits = BACKENDS[backend]
                naming.check_length(name, limits.MAX_TABLE_NAME, backend=limits.name)
            return name

    def native_type(self, declared, backend):
        with self.reporting():
            target = BACKENDS[backend](Config())
            kind = dj.codecs.storage_type(classify(declared))  # a codec resolves to its storage type (CODEC-7)
            return target.column_type(kind).sql(dialect=target.check_dialect)

    def insert(self, table, rows, **options):
        with self.reporting():
            table.insert([dict(r) for r in rows], **options)

    def expression(self, tables, tree):
        with self.reporting():
            return Builder(dj, tables).expression(tree)

    def fetch(self, expression):
        with self.reporting():
            heading, rows = expression.heading, expression.to_dicts()
        attributes = [self._attribute(heading[name]) for name in heading.names]
        return Result(list(heading.names), list(heading.primary_key), attributes, rows)

    def delete(self, expression):
        with self.reporting(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return expression.delete(prompt=False)

    def populate(self, table, make):
        with self.reporting():
            table.suite_make = staticmethod(make)
            return table.populate()["success_count"]

    def drop_lineage_table(self, schema):
        from sqlglot import exp

        with self.reporting():
            table = self.connection.backend.table(schema.database, "~lineage")
            self.connection.execute(exp.Drop(kind="TABLE", tables=[table]))

    def instance_arguments(self):
        settings = connection_settings(self.backend, self.url)
        return {"host": settings.get("database.host", ""), "user": settings.get("database.user"),
                "password": settings.get("database.password"), "port": settings.get("database.port"),
                "backend": self.backend, "database__name": settings.get("database.name")}  # fmt: skip

    def api(self):
        return dj

    def diagram_tables(self, diagram):
        return diagram.table_names

    def api_schema(self, schema):
        return schema


__all__ = ["TIERS", "ReferenceAdapter", "declare_classes"]
