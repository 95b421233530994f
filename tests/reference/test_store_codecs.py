"""Store-backed codecs on SQLite, PostgreSQL and MariaDB with file, memory and S3 stores (CODEC-1, CODEC-4,
CODEC-7, CODEC-10 .. CODEC-12): what the column holds, what the store holds, and what fetch returns."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest

import djspecs.reference as dj
from djspecs.reference.stores import Store
from tests.reference.blob_values import assert_same
from tests.reference.objectstores import s3_server_fixture, stores_fixture  # noqa: F401  (fixtures)
from tests.reference.test_codecs import declare, raw_column

TOKEN = r"[A-Za-z0-9_-]{8}"


def store(settings, name="main") -> Store:
    return Store.configured(settings, name)


def test_codec_1_blob_in_table_default_store_and_named_store(schema, stores):
    """CODEC-1: `<blob>` in the table, `<blob@>` in the default store, `<blob@cold>` in store cold."""
    Rec = declare(schema, "rec_id : int32\n---\nsmall : <blob>\nlarge : <blob@>\narchive : <blob@cold>")
    trace = np.linspace(0, 1, 500)
    Rec.insert1({"rec_id": 1, "small": [1], "large": trace, "archive": {"a": trace}})
    large, archive = raw_column(Rec, "large")[0], raw_column(Rec, "archive")[0]
    assert set(large) == {"hash", "path", "schema", "store", "size"} and large["store"] == "main"
    assert archive["store"] == "cold" and archive["path"].startswith(f"_hash/{schema.database}/")
    assert set(store(stores).files("_hash")) == {large["path"]}
    assert set(store(stores, "cold").files("_hash")) == {archive["path"]}
    row = Rec.fetch1()
    assert_same(row["large"], trace)
    assert_same(row["archive"], {"a": trace})


def test_codec_7_hash_metadata_and_bytes(schema, stores):
    """CODEC-7, STORE-3: the rule's example: b"hello" hashes to lvauakv4jmvhnolrtwiraf6fsi in the schema's section."""
    Raw = declare(schema, "raw_id : int32\n---\npayload : <hash@main>", "Raw")
    Raw.insert1({"raw_id": 1, "payload": b"hello"})
    db = schema.database
    assert raw_column(Raw, "payload") == [{"hash": "lvauakv4jmvhnolrtwiraf6fsi", "path": f"_hash/{db}/lvauakv4jmvhnolrtwiraf6fsi",
                                           "schema": db, "store": "main", "size": 5}]  # fmt: skip
    assert store(stores).get(f"_hash/{db}/lvauakv4jmvhnolrtwiraf6fsi") == b"hello"
    assert Raw.fetch1("payload") == b"hello"
    with pytest.raises(TypeError, match="expects bytes"):
        Raw.insert1({"raw_id": 2, "payload": "text"})


def test_codec_4_attach_through_hash_store(schema, stores, tmp_path):
    """CODEC-4, CODEC-7: `<attach@cold>` → `<hash@cold>` → json; fetch writes the file into download_path."""
    Doc = declare(schema, "doc_id : int32\n---\nreport : <attach@cold>", "Doc")
    source = tmp_path / "notes.txt"
    source.write_bytes(b"hi")
    Doc.insert1({"doc_id": 1, "report": source})
    stored = raw_column(Doc, "report")[0]
    assert stored["store"] == "cold" and store(stores, "cold").get(stored["path"]) == b"notes.txt\x00hi"
    fetched = Doc.fetch1("report")
    assert fetched == str(tmp_path / "downloads" / "notes.txt") and Path(fetched).read_bytes() == b"hi"


def test_codec_10_object_takes_bytes_files_directories_pairs_and_metadata(schema, stores, tmp_path):
    """CODEC-10, CODEC-7, STORE-4: each input kind lands under the row's schema-addressed path."""
    Result = declare(schema, "r_id : int32\n---\noutput : <object@>", "Result")
    (tmp_path / "output.h5").write_bytes(b"h5data")
    folder = tmp_path / "run3"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"aa")
    (folder / "sub" / "b.txt").write_bytes(b"bbb")
    Result.insert([
        {"r_id": 1, "output": b"\x00\x01"},
        {"r_id": 2, "output": str(tmp_path / "output.h5")},
        {"r_id": 3, "output": folder},
        {"r_id": 4, "output": (".zarr", b"zz")},
        {"r_id": 5, "output": (".bin", io.BytesIO(b"stream"))},
    ])  # fmt: skip
    stored = {row["r_id"]: row["output"] for row in Result.to_dicts()}
    metadata = dict(zip(sorted(stored), _by_key(Result), strict=True))
    base = f"_schema/{schema.database}/result"
    for r_id, ext in ((1, ""), (2, ".h5"), (3, ""), (4, ".zarr"), (5, ".bin")):
        assert re.fullmatch(rf"{base}/r_id={r_id}/output_{TOKEN}{re.escape(ext)}", metadata[r_id]["path"]), metadata[
            r_id
        ]
        assert set(metadata[r_id]) == {"path", "store", "size", "ext", "is_dir", "item_count", "timestamp"}
    assert metadata[2]["ext"] == ".h5" and metadata[3]["is_dir"] and metadata[3]["item_count"] == 2
    assert metadata[3]["size"] == 5 and metadata[1]["item_count"] is None
    assert stored[1].read() == b"\x00\x01" and stored[2].read() == b"h5data" and stored[5].read() == b"stream"
    assert stored[3].listdir() == ["a.txt", "sub/b.txt"] and stored[3].open("sub/b.txt").read() == b"bbb"
    Result.insert1({"r_id": 6, "output": metadata[1]})  # precomputed metadata is stored as it is
    assert (Result & {"r_id": 6}).fetch1("output").read() == b"\x00\x01"
    with pytest.raises(dj.DataJointError, match="not found"):
        Result.insert1({"r_id": 7, "output": str(tmp_path / "nothing")})


def _by_key(table) -> list:
    """The stored metadata of `output`, in r_id order."""
    rows = sorted(zip(raw_column(table, "r_id"), raw_column(table, "output"), strict=True), key=lambda pair: pair[0])
    return [stored for _, stored in rows]


def test_codec_11_npy_writes_standard_npy_files(schema, stores):
    """CODEC-11: a `.npy` file numpy reads without DataJoint; fetch is a lazy NpyRef; objects are refused."""
    Spikes = declare(schema, "unit_id : int32\n---\ntimes : <npy@main>", "Spikes")
    times = np.array([0.1, 0.5, 0.9])
    Spikes.insert1({"unit_id": 1, "times": times})
    stored = raw_column(Spikes, "times")[0]
    assert stored == {"path": stored["path"], "store": "main", "dtype": "float64", "shape": [3]}
    assert re.fullmatch(rf"_schema/{schema.database}/spikes/unit_id=1/times_{TOKEN}\.npy", stored["path"])
    assert_same(np.load(io.BytesIO(store(stores).get(stored["path"])), allow_pickle=False), times)
    ref = Spikes.fetch1("times")
    assert (ref.shape, ref.dtype, ref.is_loaded) == ((3,), np.dtype("float64"), False)
    assert_same(np.asarray(ref), times) and ref.is_loaded and ref[1] == 0.5 and len(ref) == 3
    for bad in (np.array([{}, []], dtype=object), [1, 2]):
        with pytest.raises(dj.DataJointError, match="<npy>"):
            Spikes.insert1({"unit_id": 2, "times": bad})
    assert len(Spikes) == 1


def test_codec_12_filepath_references_existing_files_only(schema, stores):
    """CODEC-12: a reference to a file in the store; reserved sections, other prefixes and missing files refused."""
    main = store(stores)
    main.put("raw/2024/cam1.mp4", b"video")
    stores["stores"]["main"]["filepath_prefix"] = "raw"
    Movie = declare(schema, "movie_id : int32\n---\nvideo : <filepath@>", "Movie")
    Movie.insert1({"movie_id": 1, "video": "raw/2024/cam1.mp4"})
    stored = raw_column(Movie, "video")[0]
    assert {k: stored[k] for k in ("path", "store", "size", "is_dir")} == {"path": "raw/2024/cam1.mp4", "store": "main", "size": 5, "is_dir": False}  # fmt: skip
    assert Movie.fetch1("video").read() == b"video"
    for path, error in (("_hash/lab/abc", "reserved section '_hash'"), ("_schema/x", "reserved section '_schema'"),
                        ("other/file", "must use prefix 'raw'")):  # fmt: skip
        with pytest.raises(ValueError, match=error):
            Movie.insert1({"movie_id": 2, "video": path})
    with pytest.raises(FileNotFoundError, match="missing.mp4"):
        Movie.insert1({"movie_id": 3, "video": "raw/2024/missing.mp4"})
    Movie.delete()
    assert main.get("raw/2024/cam1.mp4") == b"video"  # STORE-5: deleting the row never touches the file


def test_codec_failed_insert_leaves_no_row_and_no_object(schema, stores):
    """CODEC-10 (no data lost, nothing left behind): a refused value or a duplicate key removes what was written."""
    Result = declare(schema, "r_id : int32\n---\noutput : <object@>\nblob = null : <blob@>", "Result")
    with pytest.raises(TypeError, match="output"):
        Result.insert(
            [{"r_id": 1, "output": b"first", "blob": np.ones(300)}, {"r_id": 2, "output": 12345, "blob": None}]
        )
    assert len(Result) == 0 and store(stores).files("_schema") == {} and store(stores).files("_hash") == {}
    Result.insert1({"r_id": 1, "output": b"kept"})
    with pytest.raises(dj.DuplicateError):
        Result.insert1({"r_id": 1, "output": b"duplicate", "blob": [7]})
    assert len(store(stores).files("_schema")) == 1 and store(stores).files("_hash") == {}
    assert Result.fetch1("output").read() == b"kept"


def test_codec_corrupted_or_missing_object_is_an_error_naming_it(schema, stores):
    """STORE-3: a hash mismatch on fetch is an error naming table, attribute and path; never silent data."""
    Rec = declare(schema, "rec_id : int32\n---\nvalue : <blob@>\nraw : <object@>")
    Rec.insert1({"rec_id": 1, "value": np.arange(10), "raw": b"12345"})
    value, raw = raw_column(Rec, "value")[0], raw_column(Rec, "raw")[0]
    store(stores).put(value["path"], b"tampered", record=False)
    with pytest.raises(dj.DataJointError, match=rf"`rec`\.value.*{re.escape(value['path'])}.*corrupted"):
        Rec.fetch1("value")
    store(stores).put(raw["path"], b"123", record=False)
    with pytest.raises(dj.DataJointError, match=rf"{re.escape(raw['path'])} holds 3 bytes, 5 were stored"):
        Rec.fetch1("raw").read()
    store(stores).remove(value["path"])
    with pytest.raises(dj.errors.MissingExternalFile, match=r"`rec`\.value.*is missing"):
        Rec.fetch1("value")


def test_codec_10_staged_insert_writes_in_place_and_cleans_up(schema, stores):
    """CODEC-10: staged objects go to their final paths; a failing block leaves no row and no object."""
    Result = declare(schema, "r_id : int32\n---\noutput : <object@>\nextra = null : <object@cold>", "Result")
    with Result.staged_insert1 as staged:
        staged.rec["r_id"] = 1
        with staged.open("output", ".bin") as file:
            file.write(b"streamed")
        chunks = staged.store("extra", ".zarr")
        chunks["0.0"], chunks[".zarray"] = b"chunk", b"{}"
    row = Result.fetch1()
    assert row["output"].read() == b"streamed" and row["output"].path.endswith(".bin")
    assert row["extra"].is_dir and row["extra"].item_count == 2 and row["extra"].listdir() == [".zarray", "0.0"]
    assert re.fullmatch(rf"_schema/{schema.database}/result/r_id=1/extra_{TOKEN}\.zarr", row["extra"].path)
    with pytest.raises(RuntimeError, match="boom"), Result.staged_insert1 as staged:
        staged.rec["r_id"] = 2
        staged.store("extra", ".zarr")["0"] = b"partial"
        with staged.open("output") as file:
            file.write(b"partial")
        raise RuntimeError("boom")
    assert len(Result) == 1
    assert len(store(stores).files("_schema")) == 1 and len(store(stores, "cold").files("_schema")) == 2
    with pytest.raises(dj.DataJointError, match="missing r_id"), Result.staged_insert1 as staged:
        staged.open("output")
    with pytest.raises(dj.DataJointError, match="not an <object@> attribute"), Result.staged_insert1 as staged:
        staged.rec["r_id"] = 3
        staged.open("r_id")


def test_codec_10_object_refs_verify_and_download(schema, stores, tmp_path):
    """CODEC-7: an ObjectRef checks its object against the metadata and copies files and directories locally."""
    folder = tmp_path / "run"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"a")
    (folder / "sub" / "b.txt").write_bytes(b"bb")
    Result = declare(schema, "r_id : int32\n---\noutput : <object@>", "Result")
    Result.insert([{"r_id": 1, "output": b"bytes"}, {"r_id": 2, "output": folder}])
    file, directory = (Result & {"r_id": 1}).fetch1("output"), (Result & {"r_id": 2}).fetch1("output")
    assert file.verify() and directory.verify()
    assert file.download(tmp_path / "dl").read_bytes() == b"bytes"
    assert (directory.download(tmp_path / "dl") / "sub" / "b.txt").read_bytes() == b"bb"
    store(stores).put(file.path, b"longer bytes", record=False)
    store(stores).remove(f"{directory.path}/a.txt")
    assert not file.verify() and not directory.verify()
    Result.update1({"r_id": 1, "output": b"replaced"})
    assert (Result & {"r_id": 1}).fetch1("output").read() == b"replaced"
