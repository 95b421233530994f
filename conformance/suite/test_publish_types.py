"""The type mapping and the transfer paths of bundles, on drawn rows the implementation wrote (PUB-4, PUB-5).

Rows of every core type (the suite's value strategies, plus float32, char, enum, json and bytes) are inserted
through the adapter; the exported Parquet columns must carry the Arrow type the rule names, the declared
type in `dj:type`, and the inserted values in their canonical form. The mapping is written out here from the
rule's text, not taken from djspecs.publish. uuid has a test of its own, with fixed values. The refusal of a
value outside an enum is not reachable this way (no database the implementation wrote holds one); the
publisher's own tests check it (tests/publish/test_faults.py).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from djspecs.conformance.publishing import fresh_schema
from djspecs.conformance.strategies import CORE_TYPES, TEXT

PUBLISH = ["publish.bundle"]
MOODS = ("happy", "sad", "ok")
ENUM = "enum('happy', 'sad', 'ok')"
JSON = st.dictionaries(
    TEXT,
    st.recursive(
        st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=6,
    ),
    max_size=4,
)
VALUES = {
    **CORE_TYPES,
    "float32": st.integers(-4000, 4000).map(lambda n: n / 4),
    "char(4)": TEXT.filter(lambda text: len(text) <= 4),
    ENUM: st.sampled_from(MOODS),
    "json": JSON,
    "bytes": st.binary(max_size=12),
}
TYPES = sorted(VALUES)
# PUB-4, as the rule states it: the Arrow type of each declared type.
ARROW = {"int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(), "float32": pa.float32(),
         "float64": pa.float64(), "bool": pa.bool_(), "decimal(6,2)": pa.decimal128(6, 2), "varchar(12)": pa.large_string(),
         "char(4)": pa.large_string(), "date": pa.date32(), "datetime": pa.timestamp("us", tz="UTC"),
         "bytes": pa.large_binary()}  # fmt: skip
COLUMNS = {declared: f"c{i}" for i, declared in enumerate(TYPES)}


def table_spec() -> dict:
    lines = [f"{COLUMNS[t]} = null : {t}" for t in TYPES]
    return {"name": "Typed", "tier": "manual", "definition": "k : int32\n---\n" + "\n".join(lines)}


@st.composite
def typed_rows(draw) -> list[dict]:
    keys = draw(st.lists(st.integers(-(2**31), 2**31 - 1), unique=True, max_size=5))
    return [{"k": k, **{COLUMNS[t]: draw(st.none() | VALUES[t]) for t in TYPES}} for k in keys]


def canonical(declared: str, value):
    """The value a Parquet column holds for an inserted value (PUB-4)."""
    if value is None:
        return None
    if declared == "char(4)":
        return value.rstrip(" ")
    if declared == "datetime":
        return value.replace(tzinfo=dt.UTC)
    if declared == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value


def written_and_exported(conformance, publisher, rows, folder, methods=("auto",)) -> list[Path]:
    """The rows inserted through the adapter, the schema exported by each transfer method; the table's files."""
    from djspecs.publish import export

    adapter = conformance.guarded("PUB-4", "PUB-5")
    with fresh_schema(adapter, conformance) as (name, schema):
        table = adapter.declare(schema, [table_spec()])["Typed"]
        adapter.insert(table, rows)
        for method in methods:
            export(publisher.schema(name), folder / method, method=method)
    return [next((folder / method).glob("data/tables/*.parquet")) for method in methods]


@pytest.mark.rules("PUB-4", requires=PUBLISH)
@given(rows=typed_rows())
def test_columns_have_the_arrow_type_of_their_declared_type(conformance, publisher, tmp_path_factory, rows):
    (path,) = written_and_exported(conformance, publisher, rows, tmp_path_factory.mktemp("types"))
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    content = parquet.read().to_pydict()
    order = sorted(range(len(rows)), key=lambda i: rows[i]["k"])
    assert content["k"] == [rows[i]["k"] for i in order]
    for declared, column in COLUMNS.items():
        field = schema.field(column)
        if declared == ENUM:
            assert field.type == pa.dictionary(pa.int8(), pa.string())
            if rows:  # the declared values in declared order, whichever the rows hold
                assert parquet.read(columns=[column]).column(0).combine_chunks().dictionary.to_pylist() == list(MOODS)
        elif declared == "json":
            assert field.type.extension_name == "arrow.json"
        else:
            assert field.type == ARROW[declared], column
        assert _same_type(field.metadata[b"dj:type"].decode(), declared)
        assert content[column] == [canonical(declared, rows[i][column]) for i in order], declared
    assert [f.logical_type.type for f in parquet.schema if f.name == COLUMNS["json"]] == ["JSON"]


def _same_type(found: str, declared: str) -> bool:
    """Declared types compare without the spaces an implementation may drop (`enum('a','b')`)."""
    return found.replace(" ", "") == declared.replace(" ", "")


@pytest.mark.rules("PUB-4", requires=PUBLISH)
def test_uuid_columns_are_the_uuid_extension(conformance, publisher, tmp_path):
    from djspecs.publish import export

    adapter = conformance.guarded("PUB-4")
    spec = {"name": "Ids", "tier": "manual", "definition": "k : int32\n---\nid = null : uuid"}
    rows = [{"k": 1, "id": uuid.UUID(int=2**128 - 1)}, {"k": 2, "id": None}, {"k": 3, "id": uuid.UUID(int=5)}]
    with fresh_schema(adapter, conformance) as (name, schema):
        adapter.insert(adapter.declare(schema, [spec])["Ids"], rows)
        export(publisher.schema(name), tmp_path / "bundle")
    (path,) = (tmp_path / "bundle/data/tables").glob("*.parquet")
    parquet = pq.ParquetFile(path)
    assert parquet.schema_arrow.field("id").type.extension_name == "arrow.uuid"
    assert [str(c.logical_type) for c in parquet.schema if c.name == "id"] == ["UUID"]
    assert parquet.read().column("id").to_pylist() == [r["id"] for r in rows]


def paths_agree(conformance, publisher, tmp_path_factory, rows) -> None:
    """PUB-5: the backend's Arrow path and the streaming cursor write byte-identical Parquet files."""
    fast, slow = written_and_exported(conformance, publisher, rows, tmp_path_factory.mktemp("paths"), ("arrow", "rows"))
    assert pq.read_table(fast).equals(pq.read_table(slow))
    assert fast.read_bytes() == slow.read_bytes()  # the same schema, metadata and row groups as well


@pytest.mark.rules("PUB-5", requires=[*PUBLISH, "backend.postgresql"])
@given(rows=typed_rows())
def test_adbc_and_cursor_give_the_same_content(conformance, publisher, tmp_path_factory, rows):
    paths_agree(conformance, publisher, tmp_path_factory, rows)


@pytest.mark.rules("PUB-5", requires=[*PUBLISH, "backend.mysql"])
@given(rows=typed_rows())
def test_connectorx_and_cursor_give_the_same_content(conformance, publisher, tmp_path_factory, rows):
    paths_agree(conformance, publisher, tmp_path_factory, rows)
