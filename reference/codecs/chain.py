"""Codec chains: resolving a codec type to its core storage type, and running encoders and decoders (CODEC-4 .. CODEC-6)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import DataJointError
from ..types import DeclaredType, classify
from .base import get_codec


@dataclass(frozen=True)
class Chain:
    """The codecs of a codec type, outermost first, the core type they end in, and the store (None: in-table)."""

    codecs: tuple[Any, ...]
    storage: DeclaredType
    store: str | None


def resolve(declared: DeclaredType) -> Chain:
    """CODEC-4: follow get_dtype until a core type; a store named outside carries inward; cycles are errors."""
    codecs, seen, current, store = [], [], declared, declared.store
    while current.kind == "codec":
        if current.name in seen:
            raise DataJointError(f"Circular codec reference detected: <{current.name}>", rule="CODEC-4")
        seen.append(current.name)
        if current.store is not None:
            store = current.store
        codec = get_codec(current.name)
        codecs.append(codec)
        inner = codec.get_dtype(store is not None)
        try:
            current = classify(inner)
        except DataJointError as error:
            raise DataJointError(
                f"Codec <{current.name}> names the storage type {inner!r}: {error}", rule="CODEC-3"
            ) from None
        if current.kind == "native":
            raise DataJointError(
                f"Codec <{codecs[-1].name}> must resolve to a core type, not {inner!r}", rule="CODEC-4"
            )
    return Chain(tuple(codecs), current, store)


def storage_type(declared: DeclaredType) -> DeclaredType:
    """The core type a column of this declared type holds (the type itself unless it is a codec)."""
    return resolve(declared).storage if declared.kind == "codec" else declared


@functools.cache
def _accepts(function: Any, parameter: str) -> bool:
    try:
        return parameter in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _method(codec: Any, name: str) -> Any:
    """The unbound method (stable per class, so the signature check is cached once per class)."""
    return getattr(type(codec), name, getattr(codec, name))


def encode(declared: DeclaredType, value: Any, *, schema: str, table: str, field: str, config: Mapping,
           primary_key: Mapping[str, Any]) -> tuple[Any, DeclaredType]:  # fmt: skip
    """CODEC-3, CODEC-6: validate, then run the encoders outermost first; the stored value and its core type."""
    chain = resolve(declared)
    chain.codecs[0].validate(value)
    key = {"_schema": schema, "_table": table, "_field": field, "_config": config, **primary_key}
    context = {"schema": schema, "table": table, "field": field, "config": config}
    for codec in chain.codecs:
        options = {}
        if _accepts(_method(codec, "encode"), "store_name"):
            options["store_name"] = chain.store
        if _accepts(_method(codec, "encode"), "context"):
            options["context"] = context
        value = codec.encode(value, key=dict(key), **options)
    return value, chain.storage


def decode(declared: DeclaredType, stored: Any, *, config: Mapping) -> Any:
    """CODEC-4: run the decoders innermost first; a NULL is None without any decoder (CODEC-5)."""
    if stored is None:
        return None
    for codec in reversed(resolve(declared).codecs):
        options = {"context": {"config": config}} if _accepts(_method(codec, "decode"), "context") else {}
        stored = codec.decode(stored, key={"_config": config}, **options)
    return stored
