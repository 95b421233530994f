"""The Codec interface and the registry of codecs by name (CODEC-2, CODEC-3).

Defining a subclass with a `name` registers it. Installed packages contribute codecs through the entry-point
groups `djspecs.codecs` and `datajoint.codecs` (and the legacy `datajoint.types`), read the first time a codec
is looked up or listed; classes from DataJoint packages that do not subclass this `Codec` are accepted when
they have the four methods of the interface.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ..errors import DataJointError
from ..plugins import EntryPoints

_registry: dict[str, Any] = {}
PLUGINS = EntryPoints(("djspecs.codecs", "datajoint.codecs", "datajoint.types"), "codec")


class Codec:
    """A codec turns Python values into values of a storage type and back.

    Subclasses set `name` and implement `get_dtype`, `encode` and `decode`; `validate` and
    `referenced_paths` are optional. `encode` and `decode` may also declare `context` (a dict with the
    schema, table, field and config) and `encode` may declare `store_name`; they get them only if they do.
    """

    name: ClassVar[str | None] = None

    def __init_subclass__(cls, *, register: bool = True, **options):
        super().__init_subclass__(**options)
        if register and cls.name is not None:
            register_codec(cls)

    def get_dtype(self, is_store: bool) -> str:
        """The storage type for the mode: a core type or another codec in angle brackets."""
        raise NotImplementedError

    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> Any:
        raise NotImplementedError

    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        raise NotImplementedError

    def validate(self, value: Any) -> None:
        """Raise TypeError or ValueError for a value this codec cannot take; runs before encode."""

    def referenced_paths(self, stored: Any) -> list[tuple[str, str | None]]:
        """(path, store) pairs a stored value points to, so that garbage collection keeps them (CODEC-3)."""
        if isinstance(stored, str):
            try:
                stored = json.loads(stored)
            except ValueError:
                return []
        if isinstance(stored, dict) and "path" in stored:
            return [(stored["path"], stored.get("store"))]
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} codec <{self.name}>>"


def register_codec(cls: type) -> None:
    """CODEC-2: add a codec class under its name; a second class for a name is an error."""
    name = cls.name
    if not isinstance(name, str) or not name:
        raise DataJointError(f"Codec name must be a non-empty string, got {name!r}", rule="CODEC-2")
    existing = _registry.get(name)
    if (
        existing is not None
        and type(existing).__qualname__ == cls.__qualname__
        and type(existing).__module__ == cls.__module__
    ):
        _registry[name] = cls()  # the same class defined again (a re-run module): harmless
        return
    if existing is not None:
        owner = f"{type(existing).__module__}.{type(existing).__qualname__}"
        raise DataJointError(f"Codec <{name}> already registered by {owner}", rule="CODEC-2")
    _registry[name] = cls()


def unregister_codec(name: str) -> None:
    _registry.pop(name, None)


def _register_plugin(name: str, loaded: Any) -> None:
    if all(hasattr(loaded, method) for method in ("get_dtype", "encode", "decode")):
        _registry[name] = loaded() if isinstance(loaded, type) else loaded


def _load_plugins() -> None:
    PLUGINS.load(known=_registry.__contains__, register=_register_plugin)


def get_codec(name: str) -> Any:
    """CODEC-2: the registered codec called `name`."""
    if name not in _registry:
        _load_plugins()
    try:
        return _registry[name]
    except KeyError:
        raise DataJointError(
            f"Codec <{name}> is not registered. Define a Codec subclass with name = '{name}' or install its package",
            rule="CODEC-5",
        ) from None


def list_codecs() -> list[str]:
    _load_plugins()
    return sorted(_registry)
