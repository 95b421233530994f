"""Store-only codecs: `<object@>` and `<npy@>` (schema-addressed, STORE-4) and `<filepath@>` (CODEC-10 .. CODEC-12)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from ..errors import DataJointError
from ..stores import Store, object_path
from .base import Codec
from .builtin import config_of
from .refs import NpyRef, ObjectRef
from .spark import array_to_spark


def _where(key: dict | None, context: dict | None) -> tuple[str, str, str, dict]:
    """CODEC-6: schema, SQL table name, field and the primary-key values of the row being inserted."""
    key, context = dict(key or {}), context or {}
    names = [context.get(n) or key.get(f"_{n}") for n in ("schema", "table", "field")]
    return names[0], names[1], names[2], {k: v for k, v in key.items() if not k.startswith("_")}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class SchemaCodec(Codec, register=False):
    """Objects that belong to one row, at a path built from schema, table and key."""

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError(f"<{self.name}> requires @ (store only)", rule="CODEC-8")
        return "json"

    def place(self, key, context, store_name, ext: str | None) -> tuple[Store, str]:
        store = Store.configured(config_of(key, context), store_name)
        schema, table, field, primary_key = _where(key, context)
        path = object_path(schema, table, field, primary_key, ext, schema_prefix=store.spec["schema_prefix"],
                           partition_pattern=store.spec["partition_pattern"], token_length=store.spec["token_length"])  # fmt: skip
        return store, path


class ObjectCodec(SchemaCodec):
    """`<object@>`: bytes, a file, a directory, an (ext, data) pair, or metadata from a staged write."""

    name = "object"

    def validate(self, value: Any) -> None:
        if isinstance(value, bytes | str | Path) or (isinstance(value, tuple) and len(value) == 2):
            return
        if isinstance(value, dict) and "path" in value:
            return
        raise TypeError(f"<object> expects bytes, a path or an (ext, data) pair, got {type(value).__name__}")

    def encode(self, value: Any, *, key=None, context=None, store_name=None) -> dict:
        if isinstance(value, dict):
            return value
        ext, content, folder = None, None, None
        if isinstance(value, bytes):
            content = value
        elif isinstance(value, tuple):
            ext, data = value
            content = data.read() if hasattr(data, "read") else bytes(data)
        else:
            source = Path(value)
            if not source.exists():
                raise DataJointError(f"<object> source not found: {source}", rule="CODEC-10")
            folder = source if source.is_dir() else None
            ext = None if folder else source.suffix or None
            content = None if folder else source.read_bytes()
        store, path = self.place(key, context, store_name, ext)
        if folder is not None:
            store.put_folder(folder, path)
            files = [f for f in folder.rglob("*") if f.is_file()]
            size, count = sum(f.stat().st_size for f in files), len(files)
        else:
            store.put(path, content)
            size, count = len(content), None
        return {"path": path, "store": store.name, "size": size, "ext": ext, "is_dir": folder is not None,
                "item_count": count, "timestamp": _now()}  # fmt: skip

    def decode(self, stored: dict, *, key=None, context=None) -> ObjectRef:
        return ObjectRef(stored, Store.configured(config_of(key, context), stored.get("store")))


class NpyCodec(SchemaCodec):
    """`<npy@>`: a numpy array as a standard `.npy` file, written without pickles (CODEC-11)."""

    name = "npy"

    def validate(self, value: Any) -> None:
        import numpy as np

        if not isinstance(value, np.ndarray):
            raise DataJointError(f"<npy> requires a numpy.ndarray, got {type(value).__name__}", rule="CODEC-11")
        if value.dtype.hasobject:
            raise DataJointError("<npy> does not take arrays of object dtype", rule="CODEC-11")

    def encode(self, value: Any, *, key=None, context=None, store_name=None) -> dict:
        import numpy as np

        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        store, path = self.place(key, context, store_name, ".npy")
        store.put(path, buffer.getvalue())
        return {"path": path, "store": store.name, "dtype": str(value.dtype), "shape": list(value.shape)}

    def decode(self, stored: dict, *, key=None, context=None) -> NpyRef:
        return NpyRef(stored, Store.configured(config_of(key, context), stored.get("store")))

    def to_spark(self, decoded: Any, *, key: dict | None = None) -> Any:
        """SparkAdapter: the array (an NpyRef loads it) as nested lists, one level per dimension."""
        return array_to_spark(decoded, self.name)


class FilepathCodec(Codec):
    """`<filepath@>`: a reference to a file already in the store, outside its managed sections (CODEC-12)."""

    name = "filepath"

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError("<filepath> requires @ (<filepath@> or <filepath@store>)", rule="CODEC-8")
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, str | Path):
            raise TypeError(f"<filepath> expects a path relative to the store, got {type(value).__name__}")

    def encode(self, value: Any, *, key=None, context=None, store_name=None) -> dict:
        store = Store.configured(config_of(key, context), store_name, filepath=True)
        path = Path(value).as_posix().lstrip("/")
        for section in ("hash_prefix", "schema_prefix"):
            prefix = str(store.spec[section] or "").strip("/")
            if prefix and (path + "/").startswith(prefix + "/"):
                raise ValueError(f"<filepath@> cannot use reserved section '{prefix}' ({section}): {path}")
        allowed = str(store.spec["filepath_prefix"] or "").strip("/")
        if allowed and not path.startswith(allowed + "/"):
            raise ValueError(f"<filepath@> must use prefix '{allowed}' (filepath_prefix): {path}")
        if not store.exists(path):
            raise FileNotFoundError(f"File not found in store '{store.name}': {path}")
        is_dir = store.isdir(path)
        return {"path": path, "store": store.name, "size": None if is_dir else store.size(path), "is_dir": is_dir,
                "timestamp": _now()}  # fmt: skip

    def decode(self, stored: dict, *, key=None, context=None) -> ObjectRef:
        return ObjectRef(stored, Store.configured(config_of(key, context), stored.get("store"), filepath=True))

    def referenced_paths(self, stored: Any) -> list[tuple[str, str | None]]:
        return []  # STORE-5: filepath targets are never collected
