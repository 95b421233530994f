"""The three backends; everything that differs between them lives in these modules and nowhere else."""

from collections.abc import Mapping
from typing import Any

from .base import Backend
from .mysql import MySQLBackend
from .postgres import PostgresBackend
from .sqlite import SQLiteBackend

BACKENDS: dict[str, type[Backend]] = {b.name: b for b in (SQLiteBackend, PostgresBackend, MySQLBackend)}


def backend_for(settings: Mapping[str, Any]) -> Backend:
    return BACKENDS[settings["database.backend"]](settings)


__all__ = ["BACKENDS", "Backend", "MySQLBackend", "PostgresBackend", "SQLiteBackend", "backend_for"]
