"""Object stores: configuration, hash- and schema-addressed paths, filepath references (STORE, CODEC-10..12)."""

from __future__ import annotations

import base64
import hashlib

import pytest

STORE = ["python.api", "store"]


@pytest.fixture
def store(adapter, tmp_path):
    """A file store named `main`, the default for `@` without a name and for `<filepath@>`."""
    location = tmp_path / "store"
    location.mkdir()
    adapter.configure_stores({"default": "main", "filepath_default": "main",
                              "main": {"protocol": "file", "location": str(location)}})  # fmt: skip
    return location


def declare(adapter, schema, definition):
    return adapter.declare(schema, [{"name": "Item", "tier": "manual", "definition": definition}])["Item"]


@pytest.mark.rules("STORE-6", requires=STORE + ["codec.hash"])
def test_an_empty_store_name_selects_the_default_store(adapter, schema, store):
    item = declare(adapter, schema, "item_id : int32\n---\ndata : <hash@>")
    item.insert1({"item_id": 1, "data": b"default"})
    assert [p for p in store.rglob("*") if p.is_file()]


@pytest.mark.rules("STORE-3", "STORE-5", "STORE-1", requires=STORE + ["codec.hash"])
def test_hash_addressed_objects(adapter, schema, store):
    item = declare(adapter, schema, "item_id : int32\n---\ndata : <hash@main>")
    payload = b"some bytes to store"
    item.insert1({"item_id": 1, "data": payload})
    digest = base64.b32encode(hashlib.md5(payload).digest()).decode().lower().rstrip("=")
    found = [p for p in store.rglob("*") if p.is_file()]
    assert [p.name for p in found] == [digest] and found[0].parent.name == schema.database
    assert (item & {"item_id": 1}).fetch1("data") == payload
    (item & {"item_id": 1}).delete(prompt=False)
    assert found[0].exists()  # STORE-5: removed only by garbage collection


@pytest.mark.rules("STORE-2", requires=STORE + ["codec.hash"])
def test_overlapping_sections_are_refused(adapter, schema, api, tmp_path):
    adapter.configure_stores({"default": "main", "main": {"protocol": "file", "location": str(tmp_path),
                                                          "hash_prefix": "data", "schema_prefix": "data/objects"}})  # fmt: skip
    item = declare(adapter, schema, "item_id : int32\n---\ndata : <hash@main>")
    with pytest.raises(api.DataJointError):
        item.insert1({"item_id": 1, "data": b"x"})


@pytest.mark.rules("STORE-4", "CODEC-10", requires=STORE + ["codec.object"])
def test_schema_addressed_objects(adapter, schema, store, tmp_path):
    item = declare(adapter, schema, "item_id : int32\n---\nblob_file : <object@main>")
    source = tmp_path / "source.txt"
    source.write_text("hello")
    item.insert1({"item_id": 7, "blob_file": source})
    files = [p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file()]
    assert len(files) == 1 and f"{schema.database}/item/item_id=7/blob_file_" in files[0] and files[0].endswith(".txt")


@pytest.mark.rules("CODEC-11", requires=STORE + ["codec.npy"])
def test_npy_files(adapter, schema, store, api):
    import numpy as np

    item = declare(adapter, schema, "item_id : int32\n---\narray : <npy@main>")
    item.insert1({"item_id": 1, "array": np.arange(4)})
    files = [p for p in store.rglob("*.npy")]
    assert len(files) == 1 and list(np.load(files[0], allow_pickle=False)) == [0, 1, 2, 3]
    with pytest.raises(api.DataJointError):
        item.insert1({"item_id": 2, "array": np.array([object()], dtype=object)})


@pytest.mark.rules("CODEC-12", requires=STORE + ["codec.filepath"])
def test_filepath_references_existing_files_only(adapter, schema, store, api):
    (store / "raw").mkdir()
    (store / "raw" / "scan.tif").write_bytes(b"tif")
    item = declare(adapter, schema, "item_id : int32\n---\nscan : <filepath@main>")
    item.insert1({"item_id": 1, "scan": "raw/scan.tif"})
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1  # nothing was copied
    with pytest.raises((api.DataJointError, FileNotFoundError)):  # the rule says refused, not with which class
        item.insert1({"item_id": 2, "scan": "raw/missing.tif"})
