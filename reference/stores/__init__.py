"""Object stores (STORE-1 .. STORE-6): configuration, storage adapters per protocol, path layouts, fsspec access
and garbage collection."""

from .adapters import StorageAdapter, get_storage_adapter, register_storage_adapter, unregister_storage_adapter
from .backend import Store, journal
from .config import store_name, store_spec
from .paths import content_hash, hash_path, key_text, object_path

__all__ = [
    "Store",
    "StorageAdapter",
    "content_hash",
    "get_storage_adapter",
    "hash_path",
    "journal",
    "key_text",
    "object_path",
    "register_storage_adapter",
    "store_name",
    "store_spec",
    "unregister_storage_adapter",
]
