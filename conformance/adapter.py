"""The adapter protocol: what an implementation provides so that the conformance suite can drive it.

An adapter is a class with a no-argument constructor. The suite calls `connect(backend, url)` once, then
works with *handles* it never looks inside (a schema, a declared table, an expression). The suite speaks
the neutral formats of spec/vectors/README.md: tables as `{name, tier, definition, master?}`, rows as
dicts of Python values, expressions as the operator trees (`restrict`, `antirestrict`, `proj`, `join`,
`extend`, `aggr`, `union`, `universal`, `top`).

Errors: when the *implementation* reports an error, the adapter raises `SpecError` naming the class of
the spec's vocabulary it corresponds to (`Adapter.reporting()` does this for every exception raised inside
its block; an exception outside the vocabulary keeps its own class name and fails the comparison). Any
other exception escaping an adapter method is a fault of the adapter: the suite reports it as `error`,
naming the method and the rule under test, never as a verdict on the implementation.

A third party writes `class MyAdapter(djspecs.conformance.adapter.Adapter)` in its own package and runs
`pytest --pyargs djspecs.conformance --impl mypkg.module:MyAdapter`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from djspecs.spec import load_vocabulary

from .errors import SpecError

BACKENDS = ("sqlite", "postgresql", "mysql")
BUILTIN = {
    "reference": "djspecs.conformance.adapters.reference:ReferenceAdapter",
    "datajoint": "djspecs.conformance.adapters.datajoint:DataJointAdapter",
}


@dataclass(frozen=True)
class Attribute:
    """One attribute of a fetched heading; `type` is the declared type (TYPE-9)."""

    name: str
    type: str = ""
    in_key: bool = False
    nullable: bool = False
    default: Any = None
    comment: str = ""


@dataclass(frozen=True)
class Result:
    """What `fetch` returns: attribute names in heading order, the primary key, the heading and the rows."""

    names: list[str]
    primary_key: list[str]
    heading: list[Attribute]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class ForeignKey:
    parent: str  # the class name of the parent table, as the suite declared it
    attributes: dict[str, str]  # child attribute -> parent attribute


@dataclass(frozen=True)
class TableInfo:
    """What `describe` reports about a declared table (DEF rules)."""

    heading: list[Attribute]
    primary_key: list[str]
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)  # (attributes, unique)
    comment: str = ""
    sql_name: str = ""


class Adapter:
    """Base class of adapters. Subclasses override the methods below; the defaults raise NotImplementedError."""

    name: str = "unnamed"
    version: str = "0"
    capabilities: frozenset[str] = frozenset()  # spec/capabilities.yaml, capabilities
    knobs: Mapping[str, str] = {}  # spec/capabilities.yaml, knobs: the implementation's choices

    # ---- connection -------------------------------------------------------------------------------
    def connect(self, backend: str, url: str | None) -> None:
        """Connect to `backend` (one of BACKENDS) at `url` (None: the implementation's default)."""
        raise NotImplementedError

    def server_version(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection."""

    # ---- schemas and tables -----------------------------------------------------------------------
    def create_schema(self, name: str) -> Any:
        raise NotImplementedError

    def drop_schema(self, schema: Any) -> None:
        raise NotImplementedError

    def declare(self, schema: Any, tables: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Declare tables in order; table handles by class name (parts too). `make`s come from `populate`."""
        raise NotImplementedError

    def describe(self, table: Any) -> TableInfo:
        raise NotImplementedError

    def table_name(
        self, class_name: str, tier: str, master: str | None = None, master_tier: str | None = None, backend=None
    ) -> str:
        """The SQL table name derived from a class name (NAME rules), checked against `backend`'s length limit."""
        raise NotImplementedError

    def native_type(self, declared: str, backend: str) -> str:
        """The column type a declared type becomes on `backend` (TYPE rules)."""
        raise NotImplementedError

    # ---- data -----------------------------------------------------------------------------------------
    def insert(self, table: Any, rows: Sequence[Mapping[str, Any]], **options: Any) -> None:
        raise NotImplementedError

    def expression(self, tables: Mapping[str, Any], tree: Mapping[str, Any]) -> Any:
        """An expression handle for an operator tree over the declared `tables`."""
        raise NotImplementedError

    def fetch(self, expression: Any) -> Result:
        raise NotImplementedError

    def delete(self, expression: Any) -> int:
        """Delete the rows of a restricted table with cascade, without a prompt; the number of rows deleted."""
        raise NotImplementedError

    def populate(self, table: Any, make: Callable[[dict[str, Any]], Sequence[Mapping[str, Any]]]) -> int:
        """Populate an auto-populated table; `make(key)` returns its rows for the key. The success count."""
        raise NotImplementedError

    # ---- the Python API (capability python.api) -------------------------------------------------------
    def api(self) -> Any:
        """The module offering DataJoint's Python API (`Manual`, `Schema`, `U`, ...)."""
        raise NotImplementedError

    def api_schema(self, schema: Any) -> Any:
        """The API's schema object (the class decorator) for a schema handle."""
        raise NotImplementedError

    def alter(self, table: Any, definition: str) -> None:
        """Give the table class `definition` and alter the declared table to it, without a prompt (capability
        `definition.alter`; optional: adapters without it are not asked)."""
        raise NotImplementedError

    # ---- hooks for tests that set up what the API cannot (optional) -------------------------------------
    def drop_lineage_table(self, schema: Any) -> None:
        """Drop the schema's `~lineage` table, as a schema made by an older version lacks it (LIN-4)."""
        raise NotImplementedError

    def instance_arguments(self) -> dict[str, Any]:
        """Keyword arguments of `api().Instance(...)` that reach the server under test (CFG-4; `config.thread_safe`).

        They must be plain values (JSON): the suite also passes them to a fresh process started in thread-safe mode.
        """
        raise NotImplementedError

    def configure_stores(self, stores: Mapping[str, Any]) -> None:
        """Set the `stores` configuration (STORE rules; capability `store`)."""
        raise NotImplementedError

    def configure(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """Set configuration keys (such as `download_path`) where the connection under test reads them, and
        return their previous values, so that a test can put them back (capability `config`)."""
        raise NotImplementedError

    def diagram_tables(self, diagram: Any) -> list[str]:
        """The full table names (as `full_table_name` writes them) of the tables a `dj.Diagram` shows (API-5)."""
        raise NotImplementedError

    # ---- errors ---------------------------------------------------------------------------------------
    def error_class(self, error: BaseException) -> str:
        """The spec error class an implementation's exception stands for (default: by class names in its MRO)."""
        vocabulary = load_vocabulary().errors
        return next((c.__name__ for c in type(error).__mro__ if c.__name__ in vocabulary), type(error).__name__)

    @contextmanager
    def reporting(self) -> Iterator[None]:
        """Turn every exception raised inside the block into a SpecError of the implementation."""
        try:
            yield
        except SpecError:
            raise
        except Exception as error:
            raise ImplementationError(self.error_class(error), f"{type(error).__name__}: {error}", error) from error


class ImplementationError(SpecError):
    """An error the implementation reported, under any class name (one outside the vocabulary fails a test)."""

    def __init__(self, error_class: str, message: str, error: BaseException | None = None):
        Exception.__init__(self, message)
        self.error_class = error_class
        vocabulary = load_vocabulary().errors
        found = tuple(c.__name__ for c in type(error).__mro__ if c.__name__ in vocabulary) if error else ()
        self.classes = (error_class, *(c for c in found if c != error_class))


class AdapterError(Exception):
    """A fault of an adapter (or of loading one): names the adapter, the method and the rule under test."""


METHODS = (
    "connect",
    "server_version",
    "close",
    "create_schema",
    "drop_schema",
    "declare",
    "describe",
    "table_name",
    "native_type",
    "insert",
    "expression",
    "fetch",
    "delete",
    "populate",
    "api",
    "api_schema",
    "drop_lineage_table",
    "configure_stores",
    "configure",
    "instance_arguments",
    "error_class",
)


def load_adapter(spec: str) -> Adapter:
    """An adapter instance from a built-in name or an import path `package.module:Class`."""
    path = BUILTIN.get(spec, spec)
    module_name, _, class_name = path.partition(":")
    if not class_name:
        raise AdapterError(f"--impl {spec!r}: give a built-in name ({', '.join(BUILTIN)}) or 'package.module:Class'")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise AdapterError(f"--impl {spec!r}: cannot import the adapter: {error}") from None
    try:
        adapter = cls()
    except Exception as error:
        raise AdapterError(f"adapter {path}: its constructor raised {type(error).__name__}: {error}") from None
    missing = [name for name in ("name", "version", "capabilities", *METHODS) if not hasattr(adapter, name)]
    if missing:
        raise AdapterError(f"adapter {path} lacks {', '.join(missing)} (see djspecs.conformance.adapter.Adapter)")
    return adapter
