"""Object stores (STORE-1 .. STORE-6): configuration, path layouts, fsspec access and garbage collection."""

from .backend import Store, journal
from .config import store_name, store_spec
from .paths import content_hash, hash_path, key_text, object_path

__all__ = ["Store", "content_hash", "hash_path", "journal", "key_text", "object_path", "store_name", "store_spec"]
