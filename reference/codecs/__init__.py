"""Codecs (CODEC-1 .. CODEC-12): the Codec interface, its registry, chains, and the built-in codecs.

The `<blob>` format (`pack`, `unpack`, `MatCell`, `MatStruct`) needs numpy and is imported on first use.
"""

from importlib import import_module
from typing import Any

from .base import Codec, get_codec, list_codecs, register_codec, unregister_codec
from .builtin import AttachCodec, BlobCodec, HashCodec
from .chain import Chain, decode, encode, resolve, storage_type
from .refs import NpyRef, ObjectRef
from .schema_addressed import FilepathCodec, NpyCodec, ObjectCodec, SchemaCodec
from .spark import SparkAdapter

__all__ = [
    "AttachCodec",
    "BlobCodec",
    "Chain",
    "Codec",
    "FilepathCodec",
    "HashCodec",
    "MatCell",
    "MatStruct",
    "NpyCodec",
    "NpyRef",
    "ObjectCodec",
    "ObjectRef",
    "SchemaCodec",
    "SparkAdapter",
    "decode",
    "encode",
    "get_codec",
    "list_codecs",
    "pack",
    "register_codec",
    "resolve",
    "storage_type",
    "unpack",
    "unregister_codec",
]

_LAZY = {"pack": "blob_pack", "unpack": "blob_unpack", "MatCell": "blob_types", "MatStruct": "blob_types"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
