"""The type mapping (PUB-4): driver shapes are cast to one canonical Arrow type per declared type."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pyarrow as pa
import pytest

from djspecs.publish.types import arrow_type, canonical_json, table_schema_field, to_arrow, to_python
from djspecs.reference.types import classify


@pytest.mark.parametrize(
    ("native", "expected"),
    [("int", pa.int32()), ("int unsigned", pa.int64()), ("tinyint", pa.int8()), ("smallint unsigned", pa.int32()),
     ("bigint unsigned", pa.uint64()), ("double", pa.float64()), ("float", pa.float32()), ("timestamp", pa.timestamp("us", tz="UTC")),
     ("time", pa.large_string()), ("longblob", pa.large_binary()), ("text", pa.large_string())],
)  # fmt: skip
def test_native_types_of_datajoint_databases(native, expected):
    """PUB-4, TYPE-5: a DataJoint 2.x database may hold native columns (foreign keys among them)."""
    assert arrow_type(classify(native)) == expected


def test_driver_shapes_give_one_value():
    """PUB-4, PUB-5: text numerics, padded char, reordered JSON, naive timestamps and raw uuids are normalized."""
    decimal = to_arrow(pa.array(["12.500", None]), classify("decimal(6,3)"))
    assert decimal.type == pa.decimal128(6, 3) and decimal.to_pylist() == [Decimal("12.500"), None]
    assert to_arrow(pa.array(["ab  ", "abcd"]), classify("char(4)")).to_pylist() == ["ab", "abcd"]
    jsonb = to_arrow(pa.array(['{"b": 1, "a": [1, 2]}']), classify("json"))
    assert jsonb.type == pa.json_(pa.large_string()) and jsonb.storage.to_pylist() == ['{"a":[1,2],"b":1}']
    stamp = to_arrow(pa.array([dt.datetime(2024, 2, 29, 12)], pa.timestamp("us")), classify("datetime"))
    assert stamp.type == pa.timestamp("us", tz="UTC")
    raw = to_arrow(pa.array([uuid.UUID(int=7).bytes], pa.binary(16)), classify("uuid"))
    assert raw.to_pylist() == [uuid.UUID(int=7)]
    assert to_arrow(pa.array([1, 0, None], pa.int8()), classify("bool")).to_pylist() == [True, False, None]


def test_import_values_are_what_the_reference_inserts():
    stamp = to_arrow([dt.datetime(2024, 1, 1, 5)], classify("datetime"))
    assert to_python(stamp, classify("datetime")) == [dt.datetime(2024, 1, 1, 5)]
    assert to_python(to_arrow([{"k": [1]}], classify("json")), classify("json")) == [{"k": [1]}]


def test_canonical_json_sorts_keys_at_every_depth():
    assert canonical_json('{"b": {"d": 1, "c": 2}, "a": "é"}') == '{"a":"é","b":{"c":2,"d":1}}'
    assert canonical_json(2**70) == str(2**70)  # beyond orjson's integers: the standard library writes it


def test_table_schema_fields():
    assert table_schema_field("n", classify("int unsigned"), nullable=True, comment="") == {
        "name": "n", "_djType": "int unsigned", "type": "integer"
    }  # fmt: skip
    assert table_schema_field("b", classify("<blob>"), nullable=False, comment="raw")["format"] == "binary"


def test_native_spellings_of_a_datajoint_catalog_are_read_back():
    """PUB-11 regression: DataJoint 2.x writes no `:type:` comment on foreign-key columns, so a bundle of its
    PostgreSQL database names PostgreSQL's own spelling, which the importer must read as a native type."""
    from djspecs.publish.objects import column_types

    types = column_types(
        {"attributes": [{"name": "lab", "type": "character varying(8)"}, {"name": "n", "type": "int32"}]}
    )
    assert (types["lab"].kind, types["lab"].text) == ("native", "character varying(8)")
    assert arrow_type(types["lab"]) == pa.large_string() and types["n"].kind == "core"
