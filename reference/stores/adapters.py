"""Storage adapters (API-1, STORE-1): one object per store protocol that checks a store's configuration and
opens its fsspec file system.

The built-in protocols are `file`, `memory` (an in-process store, this implementation's addition), `s3`, `gcs`
and `azure`. Installed packages add protocols through the entry-point groups `djspecs.storage` and
`datajoint.storage` (DataJoint 2.x's group), read the first time a protocol is not found among the registered
ones; `register_storage_adapter` adds one at run time.
"""

from __future__ import annotations

import posixpath
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from ..errors import DataJointError
from ..plugins import EntryPoints

# STORE-1: the keys every protocol takes besides its own.
COMMON_KEYS = frozenset(
    {"protocol", "location", "subfolding", "partition_pattern", "token_length", "hash_prefix", "schema_prefix",
     "filepath_prefix", "stage"}
)  # fmt: skip


class StorageAdapter(ABC):
    """A store protocol: the keys its configuration needs and knows, and how to open its file system.

    `allowed_keys` lists the protocol's own keys; the common layout keys (COMMON_KEYS) are always allowed.
    `defaults` are filled into a store's configuration before it is checked. Paths given to `full_path` are
    relative to the store's location; `get_url` takes the full path `full_path` returns.
    """

    protocol: ClassVar[str]
    required_keys: ClassVar[tuple[str, ...]] = ()
    allowed_keys: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[Mapping[str, Any]] = {}

    @abstractmethod
    def create_filesystem(self, spec: Mapping[str, Any]):
        """An fsspec file system for a store with this configuration."""

    def validate_spec(self, spec: Mapping[str, Any]) -> None:
        """STORE-1: a needed key that is missing, or a key the protocol does not know, is a DataJointError
        (`store_spec` adds the store's name and the rule to the message)."""
        if missing := [key for key in self.required_keys if key not in spec]:
            raise DataJointError(f"{self.protocol} store is missing: {', '.join(missing)}")
        known = COMMON_KEYS | set(self.allowed_keys) | set(self.required_keys)
        if unknown := sorted(key for key in spec if key not in known):
            raise DataJointError(f"Invalid key(s) for a {self.protocol} store: {', '.join(unknown)}")

    def root(self, spec: Mapping[str, Any]) -> str:
        """The file-system path of the store's location."""
        return str(spec.get("location") or "").strip("/")

    def full_path(self, spec: Mapping[str, Any], relpath: str) -> str:
        return posixpath.join(self.root(spec), relpath.lstrip("/"))

    def get_url(self, spec: Mapping[str, Any], path: str) -> str:
        return f"{self.protocol}://{path}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for protocol {self.protocol!r}>"


class FileAdapter(StorageAdapter):
    protocol = "file"
    required_keys = ("location",)

    def create_filesystem(self, spec):
        import fsspec

        return fsspec.filesystem("file", auto_mkdir=True)

    def root(self, spec):
        return Path(spec["location"]).absolute().as_posix()

    def get_url(self, spec, path):
        return Path(path).as_uri()


class MemoryAdapter(StorageAdapter):
    """An in-process store (fsspec's memory file system), configured like `file`."""

    protocol = "memory"
    required_keys = ("location",)

    def create_filesystem(self, spec):
        import fsspec

        return fsspec.filesystem("memory")

    def root(self, spec):
        return "/" + super().root(spec)


class _BucketAdapter(StorageAdapter):
    """Object stores whose paths begin with a bucket (or container) name."""

    bucket_key: ClassVar[str] = "bucket"
    scheme: ClassVar[str]

    def root(self, spec):
        location = super().root(spec)
        return f"{spec[self.bucket_key]}/{location}" if location else spec[self.bucket_key]

    def get_url(self, spec, path):
        return f"{self.scheme}://{path}"


class S3Adapter(_BucketAdapter):
    protocol, scheme = "s3", "s3"
    required_keys = ("endpoint", "bucket", "location")
    allowed_keys = ("access_key", "secret_key", "secure", "proxy_server")
    defaults = {"secure": True}

    def create_filesystem(self, spec):
        import fsspec

        endpoint = spec["endpoint"]
        if not endpoint.startswith(("http://", "https://")):
            endpoint = f"{'https' if spec.get('secure', True) else 'http'}://{endpoint}"
        proxy = spec.get("proxy_server")
        return fsspec.filesystem(
            "s3",
            key=spec.get("access_key") or None,
            secret=spec.get("secret_key") or None,
            client_kwargs={"endpoint_url": endpoint},
            config_kwargs={"proxies": {"http": proxy, "https": proxy}} if proxy else {},
        )


class GcsAdapter(_BucketAdapter):
    protocol, scheme = "gcs", "gs"
    required_keys = ("bucket", "location")
    allowed_keys = ("token", "project")

    def create_filesystem(self, spec):
        import fsspec

        return fsspec.filesystem("gcs", token=spec.get("token"), project=spec.get("project"))


class AzureAdapter(_BucketAdapter):
    protocol, scheme, bucket_key = "azure", "az", "container"
    required_keys = ("container", "location")
    allowed_keys = ("account_name", "account_key", "connection_string")

    def create_filesystem(self, spec):
        import fsspec

        return fsspec.filesystem("abfs", account_name=spec.get("account_name"), account_key=spec.get("account_key"),
                                 connection_string=spec.get("connection_string"))  # fmt: skip


_registry: dict[str, Any] = {a.protocol: a() for a in (FileAdapter, MemoryAdapter, S3Adapter, GcsAdapter, AzureAdapter)}
PLUGINS = EntryPoints(("djspecs.storage", "datajoint.storage"), "storage adapter")


def register_storage_adapter(adapter: Any) -> None:
    """Add an adapter (an instance, or a class to instantiate) under its protocol; a later one replaces it."""
    if isinstance(adapter, type):
        adapter = adapter()
    protocol = getattr(adapter, "protocol", None)
    if not isinstance(protocol, str) or not protocol or not callable(getattr(adapter, "create_filesystem", None)):
        raise DataJointError(
            f"{adapter!r} is not a storage adapter: it needs a protocol and create_filesystem", rule="API-1"
        )
    _registry[protocol.lower()] = adapter


def unregister_storage_adapter(protocol: str) -> None:
    _registry.pop(protocol.lower(), None)


def _load_plugins() -> None:
    PLUGINS.load(
        known=lambda name: name.lower() in _registry, register=lambda _, adapter: register_storage_adapter(adapter)
    )


def get_storage_adapter(protocol: str) -> Any:
    """The adapter of a store protocol, built in or from a plugin; None when no adapter knows the protocol."""
    protocol = str(protocol).lower()
    if protocol not in _registry:
        _load_plugins()
    return _registry.get(protocol)


def protocols() -> list[str]:
    _load_plugins()
    return sorted(_registry)
