"""The djspecs reference implementation of DataJoint Specs 2.0, usable as `import djspecs.reference as dj`.

Backends: SQLite (the default, embedded), PostgreSQL and MySQL/MariaDB. Every SQL statement is built as
a sqlglot expression tree and rendered for the backend's dialect.
"""

import logging

from . import codecs, deploy, errors, migrate
from .codecs import Codec, NpyRef, ObjectRef, SchemaCodec, SparkAdapter, get_codec, list_codecs
from .conditions import AndList, Not, Top
from .connection import Connection, conn
from .console import cli
from .errors import (
    AccessError,
    DataJointError,
    DuplicateError,
    IntegrityError,
    LostConnectionError,
    MissingTableError,
    QueryError,
    ThreadSafetyError,
    UnknownAttributeError,
)
from .expression import QueryExpression, U
from .freetable import FreeTable
from .instance import Instance
from .jobs import JobTable as Job
from .populate import AutoPopulate
from .schema import Schema, list_schemas
from .settings import Config, config
from .stores import StorageAdapter, gc, get_storage_adapter
from .table import Computed, Imported, Lookup, Manual, Part, Table, ValidationResult
from .virtual import VirtualModule, virtual_schema

logger = logging.getLogger("djspecs.reference")  # API-1: the logger every module of the reference writes to

# What this implementation offers, in the vocabulary of spec/capabilities.yaml; rules and vectors that
# need anything else are not applicable to it.
CAPABILITIES = frozenset(
    {"backend.sqlite", "backend.postgresql", "backend.mysql", "python.api", "types.native", "lineage", "introspection",
     "query.top", "query.universal", "definition.alter", "definition.describe", "fetch.pandas", "fetch.arrow", "transactions", "config",
     "codec.blob", "codec.attach", "codec.hash", "codec.object", "codec.filepath", "codec.npy", "codec.custom",
     "store", "store.s3", "populate", "populate.three_part", "populate.generator", "populate.processes", "populate.upstream", "jobs",
     "jobs.metadata", "diagram", "config.thread_safe"}
)  # fmt: skip

# The implementation-defined choices it makes (spec/capabilities.yaml, knobs).
KNOBS = {"antijoin_null": "not_exists", "string_collation": "binary"}

__all__ = [
    "CAPABILITIES",
    "KNOBS",
    "AccessError",
    "AndList",
    "AutoPopulate",
    "Codec",
    "Computed",
    "Config",
    "Connection",
    "DataJointError",
    "Diagram",
    "DuplicateError",
    "FreeTable",
    "Imported",
    "Instance",
    "IntegrityError",
    "Job",
    "Lookup",
    "LostConnectionError",
    "Manual",
    "MissingTableError",
    "Not",
    "NpyRef",
    "ObjectRef",
    "Part",
    "QueryError",
    "QueryExpression",
    "Schema",
    "SchemaCodec",
    "SparkAdapter",
    "StorageAdapter",
    "Table",
    "ThreadSafetyError",
    "Top",
    "U",
    "UnknownAttributeError",
    "ValidationResult",
    "VirtualModule",
    "cli",
    "codecs",
    "config",
    "conn",
    "deploy",
    "errors",
    "gc",
    "get_codec",
    "get_storage_adapter",
    "list_codecs",
    "list_schemas",
    "logger",
    "migrate",
    "virtual_schema",
]


def __getattr__(name: str):
    """API-1: MatCell and MatStruct need numpy, an optional dependency, and Diagram its own module; they load on
    first access."""
    if name in ("MatCell", "MatStruct"):
        return getattr(codecs, name)
    if name == "Diagram":
        from .diagram import Diagram

        return Diagram
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
