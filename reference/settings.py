"""Configuration: defaults, a project file, `DJ_*` environment variables and runtime assignment (CFG-1, CFG-2).

Precedence, highest first: values set at run time (`config["database.host"] = ...`), environment variables,
the project file `datajoint.json`, defaults. Unknown keys are refused.

CFG-4: a process started with `DJ_THREAD_SAFE=true` has no usable global configuration: `config` then refuses
every use, and each `dj.Instance` holds a Config of its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from .errors import DataJointError, ThreadSafetyError

DEFAULTS: dict[str, Any] = {
    "database.backend": "sqlite",  # the embedded default needs no server
    "database.host": "localhost",
    "database.port": None,  # None: the backend's standard port
    "database.user": None,
    "database.password": None,
    "database.name": None,  # PostgreSQL: the database (default postgres); SQLite: the file (default :memory:)
    "database.use_tls": False,
    "database.create_tables": True,
    "safemode": True,
    "loglevel": "INFO",
    "download_path": ".",  # where fetched <attach> files are written (CODEC-9)
    # CFG-1, CFG-2: how query previews are shown (rows, characters per column, the row count) and the
    # direction in which diagrams are laid out (API-5).
    "display.limit": 12,
    "display.width": 14,
    "display.show_tuple_count": True,
    "display.diagram_direction": "LR",
    "stores": None,  # STORE-1: {"default": name, "filepath_default": name, name: {"protocol": ..., ...}, ...}
    "jobs.auto_refresh": True,
    "jobs.keep_completed": False,
    "jobs.stale_timeout": 3600,
    "jobs.default_priority": 5,
    "jobs.version_method": None,
    "jobs.allow_new_pk_fields_in_computed_tables": False,
    "jobs.add_job_metadata": False,
}

# CFG-2: the environment variable of each key.
ENVIRONMENT = {
    "database.backend": "DJ_BACKEND",
    "database.host": "DJ_HOST",
    "database.port": "DJ_PORT",
    "database.user": "DJ_USER",
    "database.password": "DJ_PASS",
    "database.name": "DJ_DATABASE_NAME",
    "database.use_tls": "DJ_USE_TLS",
    "database.create_tables": "DJ_CREATE_TABLES",
    "loglevel": "DJ_LOG_LEVEL",
    "display.diagram_direction": "DJ_DIAGRAM_DIRECTION",
}
BACKENDS = ("sqlite", "postgresql", "mysql")
SECRET_KEYS = frozenset({"database.password"})


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _coerce(key: str, text: str) -> Any:
    default = DEFAULTS[key]
    if isinstance(default, bool) or key == "database.use_tls":
        return _flag(text)
    if key == "database.port" or isinstance(default, int):
        return int(text)
    return text


class Config(MutableMapping[str, Any]):
    """DataJoint's settings as a flat mapping of dotted keys."""

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        project_file: Path | None = None,
    ):
        self._values = dict(DEFAULTS)
        if project_file and project_file.exists():
            self.update(_flatten(json.loads(project_file.read_text(encoding="utf-8"))))
        environ = os.environ if environ is None else environ
        for key, variable in ENVIRONMENT.items():
            if variable in environ:
                self[key] = _coerce(key, environ[variable])
        self.update(values or {})

    def __getitem__(self, key: str) -> Any:
        self._check(key)
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._check(key)
        if key == "database.backend" and value not in BACKENDS:
            raise DataJointError(f"database.backend must be one of {', '.join(BACKENDS)}, not {value!r}", rule="BE-2")
        if key == "display.diagram_direction" and value not in ("LR", "TB"):
            raise DataJointError(f"display.diagram_direction must be LR or TB, not {value!r}", rule="API-5")
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        self._check(key)
        self._values[key] = DEFAULTS[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = {k: ("***" if k in SECRET_KEYS and v else v) for k, v in self._values.items()}
        return f"Config({shown})"

    @staticmethod
    def _check(key: str) -> None:
        if key not in DEFAULTS:
            raise DataJointError(f"Unknown configuration key {key!r}", rule="CFG-2")


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in tree.items():
        if isinstance(value, Mapping) and f"{prefix}{key}" not in DEFAULTS:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


class RefusedConfig:
    """CFG-4: `dj.config` in thread-safe mode; reading, writing or listing it raises ThreadSafetyError."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise ThreadSafetyError(
            "The global configuration is disabled in thread-safe mode (DJ_THREAD_SAFE); use dj.Instance(...).config",
            rule="CFG-4",
        )

    __getitem__ = __setitem__ = __delitem__ = __iter__ = __len__ = __contains__ = _refuse

    def __getattr__(self, name: str) -> Any:
        return self._refuse()

    def __repr__(self) -> str:
        return "RefusedConfig (thread-safe mode: use dj.Instance)"


THREAD_SAFE = _flag(os.environ.get("DJ_THREAD_SAFE", ""))  # CFG-4: read once, when the process imports dj
process_config = Config()
"""The process's configuration from defaults, the environment and assignments; `dj.Instance` starts from a copy."""
config: Config = RefusedConfig() if THREAD_SAFE else process_config  # type: ignore[assignment]
