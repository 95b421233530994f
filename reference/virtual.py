"""Open a schema without its code: one class per table, rebuilt from the catalog (API-4, NAME-5)."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

from .connection import Connection
from .naming import class_name, tier_of
from .schema import Schema
from .table import Computed, Imported, Lookup, Manual, Part, Table

TIER_CLASSES: dict[str, type[Table]] = {"manual": Manual, "lookup": Lookup, "imported": Imported, "computed": Computed}


def bind(schema: Schema, sql_name: str, base: type[Table]) -> type[Table]:
    """A table class bound to an existing table, without declaring anything."""
    cls = type(class_name(sql_name), (base,), {"__module__": f"virtual.{schema.database}"})
    cls._schema, cls._table_name, cls._heading = schema, sql_name, None
    schema.tables[sql_name] = cls
    return cls


def _class_of(schema: Schema, sql_name: str, base: type[Table]) -> type[Table]:
    """The class already bound to the table (never tested for truth: a table class's length is its row count)."""
    return schema.tables[sql_name] if sql_name in schema.tables else bind(schema, sql_name, base)


def classes_of(schema: Schema) -> dict[str, type[Table]]:
    """A class per table of the schema by class name, parts nested in their masters; bound tables keep their class.

    Tables whose names follow no tier pattern get no class (NAME-5).
    """
    classes: dict[str, type[Table]] = {}
    masters: dict[str, type[Table]] = {}
    for sql_name in schema.list_tables():
        tier, master = tier_of(sql_name)
        if tier in TIER_CLASSES:
            masters[sql_name] = cls = _class_of(schema, sql_name, TIER_CLASSES[tier])
            classes[cls.__name__] = cls
        elif tier == "part" and master in masters:
            part = _class_of(schema, sql_name, Part)
            part.master = masters[master]
            setattr(masters[master], part.__name__, part)
    return classes


def virtual_schema(name: str, *, connection: Connection | None = None) -> SimpleNamespace:
    """A namespace with one class per table of an existing schema (`classes_of`) and the schema itself."""
    schema = Schema(name, connection=connection, create_schema=False, create_tables=False)
    return SimpleNamespace(schema=schema, **classes_of(schema))


class VirtualModule(ModuleType):
    """`dj.VirtualModule(module_name, schema_name)`: a module whose attributes are the classes of `virtual_schema`."""

    def __init__(self, module_name: str, schema_name: str, *, connection: Connection | None = None):
        super().__init__(module_name)
        self.__dict__.update(vars(virtual_schema(schema_name, connection=connection)))
