"""Codecs and the <blob> byte format (CODEC, BLOB)."""

from __future__ import annotations

import struct
import zlib

import pytest

BLOB = ["python.api", "codec.blob"]


def blob_table(adapter, schema):
    definition = "item_id : int32\n---\npayload = null : <blob>"
    return adapter.declare(schema, [{"name": "Item", "tier": "manual", "definition": definition}])["Item"]


def stored_bytes(table, item_id: int) -> bytes:
    """The raw column value, read with the API's cursor (no decoding)."""
    cursor = (table & {"item_id": item_id}).proj("payload").cursor(as_dict=True)
    value = cursor.fetchone()["payload"]
    return bytes(value)


@pytest.mark.rules("BLOB-1", "BLOB-3", "CODEC-1", "FETCH-6", requires=BLOB)
def test_blob_header_and_type_codes(adapter, schema):
    item = blob_table(adapter, schema)
    item.insert([{"item_id": 1, "payload": {"a": [1, 2]}}, {"item_id": 2, "payload": None}])
    raw = stored_bytes(item, 1)
    assert raw.startswith(b"dj0\x00") and raw[4:5] == b"\x04"  # a Python dict: header dj0, type code 4
    assert (item & {"item_id": 1}).fetch1("payload") == {"a": [1, 2]}
    assert (item & {"item_id": 2}).fetch1("payload") is None  # CODEC-5: None bypasses the codec


@pytest.mark.rules("BLOB-2", "CODEC-4", "CODEC-5", requires=BLOB)
def test_large_blobs_are_compressed(adapter, schema):
    item = blob_table(adapter, schema)
    text = "repeat " * 500
    item.insert1({"item_id": 1, "payload": text})
    raw = stored_bytes(item, 1)
    assert raw.startswith(b"ZL123\x00")
    length = struct.unpack("<Q", raw[6:14])[0]
    assert len(zlib.decompress(raw[14:])) == length and (item & {"item_id": 1}).fetch1("payload") == text


@pytest.mark.rules("CODEC-2", "CODEC-3", "CODEC-6", requires=["python.api", "codec.custom"])
def test_custom_codecs_register_and_see_their_key(adapter, schema, api, conformance):
    seen = []
    codec_name = f"upper{conformance.schema_name().split('_')[-1]}"

    class Upper(api.Codec):  # CODEC-2: defining the subclass registers it under its name
        name = codec_name

        def get_dtype(self, is_store):
            if is_store:
                raise api.DataJointError("in-table only")
            return "varchar(32)"

        def encode(self, value, *, key=None, store_name=None):
            seen.append(key)
            return value.upper()

        def decode(self, stored, *, key=None):
            return stored.lower()

    definition = f"word_id : int32\n---\nword : <{codec_name}>"
    table = adapter.declare(schema, [{"name": "Word", "tier": "manual", "definition": definition}])
    table["Word"].insert1({"word_id": 1, "word": "abc"})
    assert table["Word"].fetch1("word") == "abc"
    assert seen and seen[0]["_field"] == "word" and seen[0]["word_id"] == 1 and seen[0]["_table"] == "word"


@pytest.mark.rules("CODEC-7", "CODEC-9", requires=["python.api", "codec.attach", "config"])
def test_attachments_are_fetched_into_download_path_without_clobbering(adapter, schema, tmp_path):
    definition = "doc_id : int32\n---\nreport : <attach>"
    doc = adapter.declare(schema, [{"name": "Doc", "tier": "manual", "definition": definition}])["Doc"]
    first, second = tmp_path / "a" / "notes.txt", tmp_path / "b" / "notes.txt"
    for path, text in ((first, b"first"), (second, b"second")):
        path.parent.mkdir()
        path.write_bytes(text)
    doc.insert([{"doc_id": 1, "report": str(first)}, {"doc_id": 2, "report": str(second)}])
    downloads = tmp_path / "downloads" / "nested"  # created when missing
    previous = adapter.configure({"download_path": str(downloads)})
    try:
        one = (doc & {"doc_id": 1}).fetch1("report")
        two = (doc & {"doc_id": 2}).fetch1("report")  # the same name, other bytes: a numbered name
        again = (doc & {"doc_id": 1}).fetch1("report")  # the same bytes: the file already there is reused
    finally:
        adapter.configure(previous)
    assert [str(one), str(two), str(again)] == [str(downloads / n) for n in ("notes.txt", "notes_1.txt", "notes.txt")]
    assert (downloads / "notes.txt").read_bytes() == b"first" and (downloads / "notes_1.txt").read_bytes() == b"second"
    assert sorted(p.name for p in downloads.iterdir()) == ["notes.txt", "notes_1.txt"]
    with pytest.raises(Exception):  # noqa: B017 (the rule refuses a directory without naming the error class)
        doc.insert1({"doc_id": 3, "report": str(tmp_path / "a")})
    assert len(doc()) == 2
