"""The one mapping of DataJoint types to Arrow/Parquet, Table Schema v2 and Croissant (PUB-4).

Every column is cast to the Arrow type given here whatever the driver returned, so a table exported from
PostgreSQL, MariaDB or SQLite gives the same Parquet content. Values are normalized where the backends store
them differently: JSON is re-serialized with sorted keys and no spaces, `char(n)` loses the trailing spaces
PostgreSQL pads it with, datetimes are UTC by DataJoint's convention and are marked so.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from djspecs.reference.codecs.chain import storage_type
from djspecs.reference.errors import DataJointError
from djspecs.reference.types import DeclaredType

_INTEGERS = {"int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64()}
_INTEGER_BITS = {"int8": 8, "int16": 16, "int32": 32, "int64": 64}


def arrow_type(declared: DeclaredType) -> pa.DataType:
    """The Arrow type a column of this declared type is exported as."""
    name, params = declared.name, declared.params
    if declared.kind == "codec" or declared.is_blob_like:
        return pa.large_binary()
    if declared.kind == "native":
        return native_arrow_type(declared.text)
    if name in _INTEGERS:
        return _INTEGERS[name]
    simple = {
        "float32": pa.float32(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "char": pa.large_string(),
        "varchar": pa.large_string(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "json": pa.json_(pa.large_string()),
        "uuid": pa.uuid(),
        "bytes": pa.large_binary(),
    }
    if name in simple:
        return simple[name]
    if name == "decimal":
        precision, scale = params
        return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
    if name == "enum":
        return pa.dictionary(pa.int8() if len(params) < 128 else pa.int16(), pa.string())
    raise ValueError(f"no Arrow type for the core type {declared.text!r}")


_NATIVE_INTEGERS = {"tinyint": 8, "smallint": 16, "mediumint": 32, "int": 32, "integer": 32, "bigint": 64, "serial": 32}


def native_arrow_type(text: str) -> pa.DataType:
    """Native types (TYPE-5), as a DataJoint 2.x database may hold them: integers (unsigned ones one size up),
    floating point, numeric, time and text; anything else is kept as its text."""
    words = re.sub(r"\(.*?\)", "", text.lower()).split()
    head, unsigned = (words[0] if words else ""), "unsigned" in words
    if head in _NATIVE_INTEGERS:
        bits = _NATIVE_INTEGERS[head] * (2 if unsigned and head != "bigint" else 1)
        return pa.uint64() if head == "bigint" and unsigned else _INTEGERS[f"int{min(bits, 64)}"]
    if head in ("float", "real"):
        return pa.float32() if head == "float" and "(" not in text else pa.float64()
    if head == "double":
        return pa.float64()
    if head == "timestamp":
        return pa.timestamp("us", tz="UTC")
    if head == "year":
        return pa.int16()
    return pa.large_string()


def table_schema_field(name: str, declared: DeclaredType, *, nullable: bool, comment: str) -> dict:
    """A Frictionless Table Schema v2 field; the declared type is kept under `_djType`."""
    field: dict[str, Any] = {"name": name, "_djType": declared.text}
    if comment:
        field["description"] = comment
    kind = declared.name if declared.kind == "core" else _native_kind(declared)
    if kind in _INTEGERS:
        bits = _INTEGER_BITS[kind]
        field.update(type="integer", constraints={"minimum": -(2 ** (bits - 1)), "maximum": 2 ** (bits - 1) - 1})
    elif kind == "integer":
        field["type"] = "integer"
    elif kind in ("float32", "float64", "decimal"):
        field["type"] = "number"
    elif kind == "bool":
        field["type"] = "boolean"
    elif kind in ("char", "varchar"):
        field.update(type="string", constraints={"maxLength": declared.params[0]})
    elif kind == "enum":
        field.update(type="string", categories=list(declared.params), constraints={"enum": list(declared.params)})
    elif kind == "date":
        field["type"] = "date"
    elif kind == "datetime":
        field["type"] = "datetime"
    elif kind == "uuid":
        field.update(type="string", format="uuid")
    elif kind == "json":
        field["type"] = "any"
    elif kind == "text":
        field["type"] = "string"
    else:
        field.update(type="string", format="binary")
    if not nullable:
        field.setdefault("constraints", {})["required"] = True
    return field


def _native_kind(declared: DeclaredType) -> str:
    """The core type whose description fits a codec or native column best."""
    if declared.kind == "codec" or declared.is_blob_like:
        return "binary"
    arrow = native_arrow_type(declared.text)
    if pa.types.is_integer(arrow):
        return "integer"
    return "float64" if pa.types.is_floating(arrow) else "datetime" if pa.types.is_timestamp(arrow) else "text"


def croissant_type(declared: DeclaredType) -> str:
    name = declared.name if declared.kind == "core" else _native_kind(declared)
    if name in _INTEGERS or name == "integer":
        return "sc:Integer"
    return {
        "float32": "sc:Float",
        "float64": "sc:Float",
        "decimal": "sc:Float",
        "bool": "sc:Boolean",
        "date": "sc:Date",
        "datetime": "sc:DateTime",
    }.get(name, "sc:Text")


# --- casting -----------------------------------------------------------------------------------------


def canonical_json(value: Any) -> str | None:
    """JSON text with sorted keys and no spaces, so PostgreSQL's jsonb and MariaDB's JSON give equal bytes.

    orjson writes it (fast, and one writer everywhere keeps the bytes stable); integers beyond 64 bits, which
    orjson refuses, go through the standard library.
    """
    if value is None:
        return None
    if isinstance(value, str | bytes):
        value = orjson.loads(value)
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _uuid_bytes(value: Any) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    return (value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))).bytes


def _python_storage(values: Sequence[Any], declared: DeclaredType) -> list:
    """Python values as the storage of the Arrow type (the row-by-row path and odd driver types)."""
    name = declared.name if declared.kind == "core" else None
    if name == "json":
        return [canonical_json(v) for v in values]
    if name == "uuid":
        return [_uuid_bytes(v) for v in values]
    if name == "char":
        return [v.rstrip(" ") if isinstance(v, str) else v for v in values]
    if name == "decimal":
        return [decimal.Decimal(v) if isinstance(v, str | float | int) else v for v in values]
    if name == "datetime":
        return [v.replace(tzinfo=dt.UTC) if isinstance(v, dt.datetime) and v.tzinfo is None else v for v in values]
    if name == "bool":
        return [None if v is None else bool(v) for v in values]
    if _json_codec(declared):  # PostgreSQL's driver gives dicts, MariaDB's and SQLite's give text
        return [None if v is None else canonical_json(v).encode() for v in values]
    if declared.kind != "core":
        if arrow_type(declared) == pa.large_string():  # native text, time, enum...: their text
            return [None if v is None else v if isinstance(v, str) else str(v) for v in values]
        return [bytes(v) if isinstance(v, bytearray | memoryview) else v for v in values]
    return list(values)


def _enum_array(values: pa.Array, declared: DeclaredType, target: pa.DictionaryType) -> pa.Array:
    """PUB-4: the dictionary is the declared values in declared order, never what the data happen to hold."""
    dictionary = pa.array(declared.params, pa.string())
    strings = pc.cast(values.dictionary_decode() if pa.types.is_dictionary(values.type) else values, pa.string())
    indices = pc.index_in(strings, value_set=dictionary)
    unknown = pc.sum(pc.and_(pc.is_null(indices), pc.is_valid(strings))).as_py()
    if unknown:
        raise ValueError(f"{unknown} value(s) outside the declared enum {list(declared.params)}")
    return pa.DictionaryArray.from_arrays(pc.cast(indices, target.index_type), dictionary)


def to_arrow(values: pa.Array | Sequence[Any], declared: DeclaredType) -> pa.Array:
    """A column cast to its canonical Arrow type; Arrow input is cast in Arrow where it can be."""
    target = arrow_type(declared)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        if isinstance(values.type, pa.ExtensionType) and values.type != target:
            values = values.storage  # e.g. ADBC's opaque numeric (text) and its json
        if values.type == target:
            return values
        if pa.types.is_dictionary(target):
            return _enum_array(values, declared, target)
        if (cast := _arrow_cast(values, declared, target)) is not None:
            return cast
        values = values.to_pylist()
    if pa.types.is_dictionary(target):
        return _enum_array(pa.array(values, pa.string()), declared, target)
    storage = _python_storage(values, declared)
    if isinstance(target, pa.ExtensionType):
        return pa.ExtensionArray.from_storage(target, pa.array(storage, target.storage_type))
    return pa.array(storage, target)


def _json_codec(declared: DeclaredType) -> bool:
    """A codec column stored as json (the metadata of store codecs); exported as canonical JSON bytes."""
    if declared.kind != "codec":
        return False
    try:
        return storage_type(declared).name == "json"
    except DataJointError:  # a codec this process does not know: its stored bytes as they are
        return False


def _arrow_cast(values: pa.Array, declared: DeclaredType, target: pa.DataType) -> pa.Array | None:
    """The cast done by Arrow itself where it gives the canonical value; None sends the values through Python."""
    if _json_codec(declared):
        return None
    source, name = values.type, declared.name if declared.kind == "core" else None
    text = pa.types.is_string(source) or pa.types.is_large_string(source)
    if name == "char" and text:
        return pc.cast(pc.utf8_rtrim(values, characters=" "), target)
    if name == "decimal" and (text or pa.types.is_decimal(source)):
        return pc.cast(values, target)
    if name == "uuid" and pa.types.is_fixed_size_binary(source) and source.byte_width == 16:
        return pa.ExtensionArray.from_storage(target, values)
    if name == "datetime" and pa.types.is_timestamp(source):
        return pc.cast(values, target)
    if name in ("json", "char", "decimal", "uuid", "datetime") or isinstance(target, pa.ExtensionType):
        return None
    return pc.cast(values, target)


def to_python(column: pa.Array, declared: DeclaredType) -> list:
    """Values of an exported column as the reference inserts them (the import path)."""
    values = column.to_pylist()
    name = declared.name if declared.kind == "core" else None
    if name == "json":
        return [None if v is None else json.loads(v) for v in values]
    if name == "uuid":
        return [None if v is None else uuid.UUID(bytes=v) if isinstance(v, bytes) else v for v in values]
    if name == "datetime":
        return [None if v is None else v.astimezone(dt.UTC).replace(tzinfo=None) for v in values]
    return values
