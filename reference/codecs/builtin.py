"""The built-in codecs that hold whole values: `<blob>`, `<attach>` and `<hash@>` (CODEC-7 .. CODEC-9, STORE-3)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DataJointError
from ..stores import Store, content_hash, hash_path
from .base import Codec


def config_of(key: Mapping | None, context: Mapping | None) -> Mapping:
    """The configuration in effect: from `context`, else the `_config` entry of `key`, else dj.config."""
    if context and context.get("config") is not None:
        return context["config"]
    if key and key.get("_config") is not None:
        return key["_config"]
    from ..settings import config

    return config


class BlobCodec(Codec):
    """`<blob>`: any supported Python value in the `<blob>` byte format; `<blob@>` goes through `<hash@>`."""

    name = "blob"

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> bytes:
        from .blob_pack import pack  # numpy is needed only once blobs are used

        return pack(value, compress=True)

    def decode(self, stored: bytes, *, key: dict | None = None) -> Any:
        from .blob_unpack import unpack

        return unpack(stored)


class AttachCodec(Codec):
    """`<attach>`: a file as its UTF-8 name, a NUL byte and its bytes; fetched into download_path (CODEC-9)."""

    name = "attach"

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def validate(self, value: Any) -> None:
        if not isinstance(value, str | Path):
            raise TypeError(f"<attach> expects the path of a file, got {type(value).__name__}")

    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> bytes:
        path = Path(value)
        if path.is_dir():
            raise IsADirectoryError(f"<attach> does not take directories: {path}")
        if not path.exists():
            raise FileNotFoundError(f"Attachment file not found: {path}")
        return path.name.encode() + b"\0" + path.read_bytes()

    def decode(self, stored: bytes, *, key: dict | None = None, context: dict | None = None) -> str:
        name, separator, contents = bytes(stored).partition(b"\0")
        if not separator:
            raise DataJointError("An <attach> value has no NUL byte after the file name", rule="CODEC-7")
        folder = Path(config_of(key, context)["download_path"])
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / Path(name.decode()).name
        counter = 0
        while target.exists() and target.read_bytes() != contents:  # never overwrite a different file
            counter += 1
            target = folder / f"{Path(name.decode()).stem}_{counter}{Path(name.decode()).suffix}"
        if not target.exists():
            target.write_bytes(contents)
        return str(target)


class HashCodec(Codec):
    """`<hash@>`: bytes stored once per schema under their content hash; the column keeps the metadata."""

    name = "hash"

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError("<hash> requires @ (in-store storage only)", rule="CODEC-8")
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, bytes):
            raise TypeError(f"<hash> expects bytes, got {type(value).__name__}")

    def encode(
        self, value: bytes, *, key: dict | None = None, context: dict | None = None, store_name: str | None = None
    ) -> dict:
        config = config_of(key, context)
        schema = (context or {}).get("schema") or (key or {}).get("_schema")
        store = Store.configured(config, store_name)
        digest = content_hash(value)
        path = hash_path(digest, schema, hash_prefix=store.spec["hash_prefix"], subfolding=store.spec["subfolding"])
        if not store.exists(path):  # STORE-3: deduplicated within the schema
            store.put(path, value)
        return {"hash": digest, "path": path, "schema": schema, "store": store.name, "size": len(value)}

    def decode(self, stored: dict, *, key: dict | None = None, context: dict | None = None) -> bytes:
        store = Store.configured(config_of(key, context), stored.get("store"))
        data = store.get(stored["path"])
        if content_hash(data) != stored["hash"]:
            raise DataJointError(
                f"Hash mismatch in store '{store.name}': {stored['path']} should hash to {stored['hash']} but holds "
                f"{len(data)} bytes hashing to {content_hash(data)}; the object is corrupted",
                rule="STORE-3",
            )
        return data
