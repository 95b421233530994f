"""Store objects in bundles of databases the implementation wrote (PUB-12).

The implementation writes rows whose codec columns keep their values in the table (`<blob>`) and in a file
store (`<hash@>` and `<object@>`); djspecs.publish, told where the same store is, exports the rows with
the objects, validates them, and imports them into a fresh schema and a fresh store. The implementation
then fetches the loaded rows and decodes the same values; the objects are compared file by file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest

from djspecs.conformance.publishing import fresh_schema

STORES = ["publish.bundle", "store", "codec.blob", "codec.hash", "codec.object"]
ASSET = {"name": "Asset", "tier": "manual", "definition": (
    "asset : int16\n---\nsignal = null : <blob>\nraw = null : <hash@main>\n"
    "result = null : <object@main>")}  # fmt: skip
IN_STORE = ("raw", "result")
DECODED = ("signal", "raw")  # compared as fetched; `result` is compared by its files


@pytest.fixture
def point(adapter, publisher, tmp_path):
    """`point(folder)` makes store `main` a file store in `folder`, for the implementation and the publisher."""
    before = publisher.connection.settings["stores"]

    def point(folder: str) -> Path:
        location = tmp_path / folder
        location.mkdir()
        stores = {"default": "main", "main": {"protocol": "file", "location": str(location)}}
        adapter.configure_stores(stores)
        publisher.configure_stores(stores)
        return location

    yield point
    publisher.connection.settings["stores"] = before


def assets(tmp_path: Path) -> list[dict]:
    """One row with every codec, one all NULL, one that shares a hash-addressed value and stores a folder."""
    (tmp_path / "notes.txt").write_bytes(b"lab notes")
    (tmp_path / "run" / "sub").mkdir(parents=True)
    (tmp_path / "run" / "sub" / "b.txt").write_bytes(b"bbb")
    (tmp_path / "run" / "a.txt").write_bytes(b"a")
    return [
        {"asset": 1, "signal": np.arange(5, dtype=np.int16), "raw": b"hello", "result": tmp_path / "notes.txt"},
        {"asset": 2, "signal": None, "raw": None, "result": None},
        {"asset": 3, "signal": np.eye(2), "raw": b"hello", "result": tmp_path / "run"},
    ]  # fmt: skip


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def same(left, right) -> bool:
    try:
        np.testing.assert_equal(left, right)
    except AssertionError:
        return False
    return True


@pytest.mark.rules("PUB-12", requires=STORES)
def test_store_objects_travel_in_the_bundle(adapter, conformance, publisher, point, tmp_path):
    from djspecs.publish import export
    from djspecs.publish.importer import import_bundle
    from djspecs.publish.validate import validate

    source = point("source-store")
    with fresh_schema(adapter, conformance) as (name, schema):
        table = adapter.declare(schema, [ASSET])["Asset"]
        adapter.insert(table, assets(tmp_path))
        before = adapter.fetch(adapter.expression({"Asset": table}, {"table": "Asset"})).rows
        export(publisher.schema(name), tmp_path / "bundle", objects=True)
    stored = files(source)
    assert stored, "the implementation wrote no store objects"
    bag = tmp_path / "bundle"
    package = json.loads((bag / "data/datapackage.json").read_text())
    listed = {entry["path"]: entry for entry in package["djspecs:objects"]}
    assert sorted(listed) == sorted(f"objects/main/{path}" for path in stored)  # every object, once
    manifest = (bag / "manifest-sha256.txt").read_text()
    crate = {unquote(e["@id"]): e for e in json.loads((bag / "data/ro-crate-metadata.json").read_text())["@graph"]}
    for path, content in stored.items():
        entry, digest = listed[f"objects/main/{path}"], hashlib.sha256(content).hexdigest()
        assert (bag / "data/objects/main" / path).read_bytes() == content
        assert (entry["store"], entry["hash"], entry["bytes"]) == ("main", f"sha256:{digest}", len(content))
        assert f"{digest}  data/objects/main/{path}\n" in manifest
        assert crate[f"objects/main/{path}"]["sha256"] == digest
    assert [str(p) for p in validate(bag).problems] == []

    target_store = point("target-store")
    with fresh_schema(adapter, conformance) as (target, handle):
        loaded = import_bundle(bag, publisher.schema(target))
        assert loaded.objects == len(stored)
        assert files(target_store) == stored  # the same objects at the same paths of the same store
        table = adapter.declare(handle, [ASSET])["Asset"]  # the implementation takes up the imported table
        after = adapter.fetch(adapter.expression({"Asset": table}, {"table": "Asset"})).rows
    by_key = {row["asset"]: row for row in after}
    assert sorted(by_key) == sorted(row["asset"] for row in before)
    for row in before:
        for column in DECODED:
            assert same(row[column], by_key[row["asset"]][column]), (row["asset"], column)
        assert (row["result"] is None) == (by_key[row["asset"]]["result"] is None)


@pytest.mark.rules("PUB-12", requires=STORES)
def test_missing_or_altered_objects_are_named_by_their_file(adapter, conformance, publisher, point, tmp_path):
    from djspecs.publish import export
    from djspecs.publish.validate import validate

    point("store")
    with fresh_schema(adapter, conformance) as (name, schema):
        adapter.insert(adapter.declare(schema, [ASSET])["Asset"], assets(tmp_path))
        export(publisher.schema(name), tmp_path / "bundle", objects=True)
    objects = sorted(p for p in (tmp_path / "bundle/data/objects").rglob("*") if p.is_file())
    altered, missing = objects[0], objects[-1]
    altered.write_bytes(altered.read_bytes() + b"!")
    missing.unlink()
    problems = [str(p) for p in validate(tmp_path / "bundle").problems]
    for broken in (altered, missing):
        relative = broken.relative_to(tmp_path / "bundle").as_posix()
        assert any(p.startswith(relative) for p in problems), (relative, problems)


@pytest.mark.rules("PUB-12", requires=STORES)
def test_store_columns_without_objects_are_refused(adapter, conformance, publisher, point, tmp_path):
    from djspecs.publish import export
    from djspecs.publish.importer import BundleError, import_bundle

    point("store")
    with fresh_schema(adapter, conformance) as (name, schema):
        table = adapter.declare(schema, [ASSET])["Asset"]
        adapter.insert(table, assets(tmp_path))
        sql_name = adapter.describe(table).sql_name
        export(publisher.schema(name), tmp_path / "bundle")  # the rows' stored form, no objects
    assert not (tmp_path / "bundle/data/objects").exists()
    with fresh_schema(adapter, conformance) as (target, _):
        with pytest.raises(BundleError) as refused:
            import_bundle(tmp_path / "bundle", publisher.schema(target))
        assert publisher.schema(target).list_tables() == []
    named = str(refused.value)
    assert all(f"{sql_name}.{column}" in named for column in IN_STORE) and f"{sql_name}.signal" not in named
