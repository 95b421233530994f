"""Store configuration: the `stores` setting, checked and completed with layout defaults (STORE-1, STORE-2, STORE-6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import DataJointError

LAYOUT_DEFAULTS = {
    "subfolding": None,
    "partition_pattern": None,
    "token_length": 8,
    "hash_prefix": "_hash",
    "schema_prefix": "_schema",
    "filepath_prefix": None,
}
_LAYOUT = (*LAYOUT_DEFAULTS, "stage", "protocol", "location")
# STORE-1: the keys each protocol needs, and the keys it knows besides the layout keys. `memory` is this
# implementation's protocol for an in-process store (fsspec's memory file system), configured like `file`.
REQUIRED = {
    "file": ("protocol", "location"),
    "memory": ("protocol", "location"),
    "s3": ("protocol", "endpoint", "bucket", "location"),
    "gcs": ("protocol", "bucket", "location"),
    "azure": ("protocol", "container", "location"),
}
KNOWN = {
    "file": _LAYOUT,
    "memory": _LAYOUT,
    "s3": (*_LAYOUT, "endpoint", "bucket", "access_key", "secret_key", "secure", "proxy_server"),
    "gcs": (*_LAYOUT, "bucket", "token", "project"),
    "azure": (*_LAYOUT, "container", "account_name", "account_key", "connection_string"),
}


def store_name(settings: Mapping[str, Any], name: str | None, *, filepath: bool = False) -> str:
    """STORE-6: the store a codec type names; `''` or None selects stores.default (stores.filepath_default)."""
    if name:
        return name
    stores = settings["stores"] or {}
    key = "filepath_default" if filepath else "default"
    default = stores.get(key)
    if not default:
        raise DataJointError(
            f"stores.{key} is not configured: name a store after @ or set dj.config['stores']['{key}']",
            rule="STORE-6",
        )
    if not isinstance(default, str):
        raise DataJointError(f"stores.{key} must be the name of a store, not {default!r}", rule="STORE-6")
    return default


def store_spec(settings: Mapping[str, Any], name: str | None, *, filepath: bool = False) -> dict[str, Any]:
    """The checked configuration of a store, with its name under `name` and the layout defaults applied."""
    name = store_name(settings, name, filepath=filepath)
    stores = settings["stores"] or {}
    if name in ("default", "filepath_default") or not isinstance(stores.get(name), Mapping):
        raise DataJointError(f"Store '{name}' is used but not configured in stores", rule="STORE-1")
    spec = {**LAYOUT_DEFAULTS, **stores[name]}
    protocol = str(spec.get("protocol", "")).lower()
    if protocol not in REQUIRED:
        raise DataJointError(
            f'Unknown protocol "{protocol}" in config.stores["{name}"]; known: {", ".join(REQUIRED)}', rule="STORE-1"
        )
    if missing := [key for key in REQUIRED[protocol] if key not in spec]:
        raise DataJointError(f'config.stores["{name}"] is missing: {", ".join(missing)}', rule="STORE-1")
    if unknown := sorted(key for key in spec if key not in KNOWN[protocol]):
        raise DataJointError(f'Invalid key(s) in config.stores["{name}"]: {", ".join(unknown)}', rule="STORE-1")
    if protocol == "s3":
        spec.setdefault("secure", True)
    token = spec["token_length"]
    if isinstance(token, bool) or not isinstance(token, int):
        raise DataJointError(f'config.stores["{name}"].token_length must be an integer', rule="STORE-1")
    _check_sections(name, spec)
    return {**spec, "protocol": protocol, "name": name}


def _check_sections(name: str, spec: Mapping[str, Any]) -> None:
    """STORE-2: the hash, schema and filepath sections are distinct and none contains another."""
    sections = [(key, str(spec[key]).strip("/") + "/") for key in ("hash_prefix", "schema_prefix", "filepath_prefix")
                if spec.get(key)]  # fmt: skip
    for index, (key, prefix) in enumerate(sections):
        for other, other_prefix in sections[index + 1 :]:
            if prefix.startswith(other_prefix) or other_prefix.startswith(prefix):
                raise DataJointError(
                    f'config.stores["{name}"]: {key} "{spec[key]}" and {other} "{spec[other]}" overlap. '
                    "Storage section prefixes must be mutually exclusive.",
                    rule="STORE-2",
                )
