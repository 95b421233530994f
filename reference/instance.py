"""dj.Instance: a configuration and a connection of its own, for services that act for several users (CFG-4).

In thread-safe mode (`DJ_THREAD_SAFE=true` at process start) the global `dj.config` and `dj.conn()` are
refused; each request or tenant then works through its own Instance, whose settings no other one sees.
"""

from __future__ import annotations

import copy
from typing import Any

from .connection import Connection
from .freetable import FreeTable
from .schema import Schema
from .settings import Config, process_config


def config_key(name: str) -> str:
    """A keyword argument as a configuration key: `database__name` → `database.name` (DataJoint's spelling)."""
    return name.replace("__", ".")


class Instance:
    """`Instance(host, user, password, port=None, use_tls=None, backend=None, **config_overrides)`.

    `inst.config` starts as a copy of the process's configuration with the arguments applied; keys are given
    as `database__name=...` or `**{"database.name": ...}`. Without a port, a backend given here uses its
    standard port. On SQLite, host, user and password are not used and `database__name` names the file.
    """

    def __init__(self, host: str, user: str | None, password: str | None, port: int | None = None,
                 use_tls: bool | None = None, backend: str | None = None, **config_overrides: Any):  # fmt: skip
        config = Config(copy.deepcopy(dict(process_config)))
        if backend is not None:
            config["database.backend"] = backend
        given = {"database.host": host, "database.user": user, "database.password": password}
        if port is not None or backend is not None:
            given["database.port"] = port  # None: the backend's standard port, not one set for another backend
        if use_tls is not None:
            given["database.use_tls"] = use_tls
        for key, value in {**given, **{config_key(k): v for k, v in config_overrides.items()}}.items():
            config[key] = value
        self.config = config
        self.connection = Connection(config=config)

    def Schema(self, name: str, context: dict | None = None, *, create_schema: bool = True,
               create_tables: bool | None = None) -> Schema:  # fmt: skip
        """A schema on this instance's connection, declared under this instance's configuration."""
        return Schema(
            name, context, connection=self.connection, create_schema=create_schema, create_tables=create_tables
        )

    def FreeTable(self, full_table_name: str) -> FreeTable:
        """A FreeTable on this instance's connection."""
        return FreeTable(self.connection, full_table_name)

    def __repr__(self) -> str:
        return f"Instance({self.connection!r}, {self.config['database.host']!r})"
