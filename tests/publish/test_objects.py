"""Codec columns and store objects in bundles (PUB-12): export with the objects, validate them, import them into
a fresh store, and fetch the same decoded values; a bundle without objects is refused for store columns."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

import djspecs.reference as dj
from djspecs.publish import export
from djspecs.publish.importer import BundleError, import_bundle
from djspecs.publish.validate import validate
from djspecs.reference.virtual import virtual_schema
from tests.publish.conftest import BACKENDS, declare_pipeline
from tests.reference.blob_values import assert_same

ASSET = """
# codec columns: in the table, hash-addressed and schema-addressed in store main
-> Subject
asset : int16
---
signal = null : <blob>
raw = null : <hash@main>
result = null : <object@main>
report = null : <attach@main>
"""


@pytest.fixture
def store_at(tmp_path):
    """`store_at(connection, folder)` points store `main` of the connection at a file store in `folder`."""
    touched = []

    def point(connection, folder: str) -> Path:
        if not touched:
            touched.append((connection, connection.settings["stores"], connection.settings["download_path"]))
        location = tmp_path / folder
        connection.settings["stores"] = {"default": "main", "main": {"protocol": "file", "location": str(location)}}
        connection.settings["download_path"] = str(tmp_path / f"{folder}-downloads")
        return location

    yield point
    for connection, stores, downloads in touched:
        connection.settings["stores"], connection.settings["download_path"] = stores, downloads


def declare_assets(schema: dj.Schema, tmp_path: Path):
    """The every-core-type pipeline plus Asset: one row with every codec filled, one all NULL, one sharing a hash."""
    tables = declare_pipeline(schema)

    @schema
    class Asset(dj.Manual):
        definition = ASSET

    (tmp_path / "notes.txt").write_bytes(b"lab notes")
    folder = tmp_path / "run"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.txt").write_bytes(b"bbb")
    Asset.insert([
        {"subject_id": 1, "asset": 1, "signal": {"trace": np.linspace(0, 1, 50), "n": 3}, "raw": b"hello",
         "result": b"\x00\x01", "report": tmp_path / "notes.txt"},
        {"subject_id": 1, "asset": 2, "signal": None, "raw": None, "result": None, "report": None},
        {"subject_id": 2, "asset": 3, "signal": np.arange(4, dtype=np.int16), "raw": b"hello", "result": folder,
         "report": None},
    ])  # fmt: skip
    return {**tables, "Asset": Asset}


def decoded(table) -> list[dict]:
    """Each row's codec values as plain data: object references read, attachments read from their file."""
    rows = []
    for row in table.to_dicts(order_by="asset"):
        result = row["result"]
        if result is not None:
            result = {n: result.open(n).read() for n in result.listdir()} if result.is_dir else result.read()
        rows.append(
            {**row, "result": result, "report": None if row["report"] is None else Path(row["report"]).read_bytes()}
        )
    return rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_pub_12_store_objects_round_trip(backend, new_schema, store_at, tmp_path):
    """PUB-12, PUB-11: export with objects → validate → import into an empty schema and an empty store → the
    fetched, decoded values equal the source's (blob, hash, object file and folder, attachment, NULLs)."""
    source = new_schema(backend)
    store_at(source.connection, "source-store")
    tables = declare_assets(source, tmp_path)
    before = decoded(tables["Asset"])
    summary = export(source, tmp_path / "bundle", objects=True)
    assert summary.rows == 4 + 8 + 8 + 3
    package = json.loads((tmp_path / "bundle/data/datapackage.json").read_text())
    listed = {entry["path"]: entry for entry in package["djspecs:objects"]}
    # "hello" is stored once though two rows reference it; the folder object contributes its one file
    assert len(listed) == 4 and all(p.startswith("objects/main/") for p in listed)
    manifest = (tmp_path / "bundle/manifest-sha256.txt").read_text()
    crate = json.loads((tmp_path / "bundle/data/ro-crate-metadata.json").read_text())["@graph"]
    crate_sha256 = {urllib.parse.unquote(e["@id"]): e.get("sha256") for e in crate}
    for path, entry in listed.items():
        digest = entry["hash"].removeprefix("sha256:")
        assert f"{digest}  data/{path}\n" in manifest and crate_sha256[path] == digest
    report = validate(tmp_path / "bundle")
    assert report.ok, [str(p) for p in report.problems]
    assert report.objects == 4

    target = new_schema(backend)
    fresh = store_at(source.connection, "target-store")
    loaded = import_bundle(tmp_path / "bundle", target)
    assert loaded.objects == 4 and loaded.tables["asset"] == 3 and loaded.foreign_keys_checked == 3
    assert sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()) == sorted(
        p.removeprefix("objects/main/") for p in listed
    )
    Asset = virtual_schema(target.database, connection=target.connection).Asset
    after = decoded(Asset)
    assert [{k: v for k, v in r.items() if k != "signal"} for r in after] == [
        {k: v for k, v in r.items() if k != "signal"} for r in before
    ]
    for left, right in zip(before, after, strict=True):
        assert_same(left["signal"], right["signal"])
    assert after[0]["raw"] == b"hello" and after[2]["result"] == {"sub/b.txt": b"bbb"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_pub_12_store_columns_without_objects_are_refused(backend, new_schema, store_at, tmp_path):
    """PUB-12: a bundle exported without objects names each store column when imported; with shared_store the
    rows load and decode from the store both sides share."""
    source = new_schema(backend)
    store_at(source.connection, "shared-store")
    declare_assets(source, tmp_path)
    export(source, tmp_path / "bundle")
    assert not (tmp_path / "bundle/data/objects").exists()
    target = new_schema(backend)
    with pytest.raises(BundleError, match=r"asset\.raw, asset\.result, asset\.report") as refused:
        import_bundle(tmp_path / "bundle", target)
    assert "asset.signal" not in str(refused.value) and not target.list_tables()
    import_bundle(tmp_path / "bundle", target, shared_store=True)
    Asset = virtual_schema(target.database, connection=target.connection).Asset
    assert (Asset & {"asset": 1}).fetch1("raw") == b"hello"


def test_pub_12_validate_reports_missing_and_corrupted_objects(new_schema, store_at, tmp_path):
    """PUB-10, PUB-12: a corrupted object and a deleted object are each reported by their file; import refuses."""
    source = new_schema("sqlite")
    store_at(source.connection, "store")
    declare_assets(source, tmp_path)
    export(source, tmp_path / "bundle", objects=True)
    objects = sorted(p for p in (tmp_path / "bundle/data/objects").rglob("*") if p.is_file())
    corrupted, deleted = objects[0], objects[1]
    corrupted.write_bytes(corrupted.read_bytes() + b"!")
    deleted.unlink()
    problems = [str(p) for p in validate(tmp_path / "bundle").problems]
    name = lambda path: path.relative_to(tmp_path / "bundle").as_posix()  # noqa: E731
    assert any(p.startswith(name(corrupted)) and "sha256" in p for p in problems), problems
    assert any(p.startswith(name(corrupted)) and "bytes" in p for p in problems), problems
    assert any(p.startswith(name(deleted)) and "missing" in p for p in problems), problems
    with pytest.raises(BundleError, match="does not validate"):
        import_bundle(tmp_path / "bundle", new_schema("sqlite"))


def test_pub_12_a_folder_object_travels_with_its_manifest_sidecar(new_schema, store_at, tmp_path):
    """PUB-12 regression: DataJoint 2.x writes `<folder>.manifest.json` beside a folder object and checks the
    folder against it; the sidecar is part of the object, so it is exported and restored with the folder."""
    source = new_schema("sqlite")
    store = store_at(source.connection, "source-store")
    declare_assets(source, tmp_path)
    (folder,) = [p for p in store.rglob("result_*") if p.is_dir()]
    sidecar = folder.with_name(folder.name + ".manifest.json")
    sidecar.write_text('{"files": [{"path": "sub/b.txt", "size": 3}]}')
    export(source, tmp_path / "bundle", objects=True)
    relative = sidecar.relative_to(store).as_posix()
    package = json.loads((tmp_path / "bundle/data/datapackage.json").read_text())
    assert f"objects/main/{relative}" in {entry["path"] for entry in package["djspecs:objects"]}
    target = store_at(source.connection, "target-store")
    import_bundle(tmp_path / "bundle", new_schema("sqlite"))
    assert (target / relative).read_bytes() == sidecar.read_bytes()
