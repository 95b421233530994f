"""Store configuration: the `stores` setting, checked and completed with layout defaults (STORE-1, STORE-2, STORE-6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import DataJointError
from .adapters import get_storage_adapter, protocols

LAYOUT_DEFAULTS = {
    "subfolding": None,
    "partition_pattern": None,
    "token_length": 8,
    "hash_prefix": "_hash",
    "schema_prefix": "_schema",
    "filepath_prefix": None,
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
    protocol = str(stores[name].get("protocol", "")).lower()
    adapter = get_storage_adapter(protocol)
    if adapter is None:
        raise DataJointError(
            f'Unknown protocol "{protocol}" in config.stores["{name}"]; known: {", ".join(protocols())}', rule="STORE-1"
        )
    spec = {**LAYOUT_DEFAULTS, **getattr(adapter, "defaults", {}), **stores[name], "protocol": protocol}
    try:
        adapter.validate_spec(spec)
    except Exception as error:  # a plugin's adapter may raise its own error class
        raise DataJointError(f'config.stores["{name}"]: {error}', rule="STORE-1") from None
    token = spec["token_length"]
    if isinstance(token, bool) or not isinstance(token, int):
        raise DataJointError(f'config.stores["{name}"].token_length must be an integer', rule="STORE-1")
    _check_sections(name, spec)
    return {**spec, "name": name}


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
