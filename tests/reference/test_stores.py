"""Object stores (STORE-1 .. STORE-6): configuration checks, the hash- and schema-addressed layouts, and garbage
collection, on SQLite, PostgreSQL and MariaDB with file, memory and S3 stores."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

import djspecs.reference as dj
from djspecs.reference.settings import Config
from djspecs.reference.stores import Store, content_hash, hash_path, key_text, object_path, store_spec
from djspecs.reference.stores.paths import token
from tests.reference.objectstores import s3_server_fixture, stores_fixture  # noqa: F401  (fixtures)
from tests.reference.test_codecs import declare, raw_column


def settings(stores: dict) -> Config:
    return Config({"stores": stores}, environ={})


S3 = {"protocol": "s3", "endpoint": "s3.example.org:9000", "bucket": "lab", "location": "pipelines"}


def test_store_1_configuration_is_checked_and_completed():
    """STORE-1: defaults applied, s3 secure by default; missing, unknown and unconfigured stores refused."""
    spec = store_spec(
        settings({"default": "main", "main": {"protocol": "file", "location": "/data"}, "cold": S3}), None
    )
    assert spec == {"protocol": "file", "location": "/data", "name": "main", "subfolding": None, "partition_pattern": None,
                    "token_length": 8, "hash_prefix": "_hash", "schema_prefix": "_schema", "filepath_prefix": None}  # fmt: skip
    assert store_spec(settings({"cold": S3}), "cold")["secure"] is True
    bad = {
        "missing: endpoint": {"default": "cold", "cold": {"protocol": "s3", "bucket": "lab", "location": "x"}},
        r"Invalid key\(s\).*bucket": {"default": "main", "main": {"protocol": "file", "location": "/d", "bucket": "x"}},
        'Unknown protocol "ftp"': {"default": "main", "main": {"protocol": "ftp", "location": "/d"}},
        "'main' is used but not configured": {"default": "main"},
        "token_length must be an integer": {"default": "m", "m": {"protocol": "file", "location": "/d", "token_length": "8"}},
    }  # fmt: skip
    for message, stores in bad.items():
        with pytest.raises(dj.DataJointError, match=message):
            store_spec(settings(stores), None)
    with pytest.raises(dj.DataJointError, match="Unknown configuration key"):
        Config({"store": {}}, environ={})


def test_store_1_stores_come_from_the_project_file(tmp_path):
    """STORE-1, CFG-1: `stores` is read whole from datajoint.json."""
    project = tmp_path / "datajoint.json"
    project.write_text('{"stores": {"default": "main", "main": {"protocol": "memory", "location": "x"}}}')
    assert store_spec(Config(environ={}, project_file=project), "")["protocol"] == "memory"


@pytest.mark.parametrize("prefixes", [{"hash_prefix": "managed", "schema_prefix": "managed/objects"},
                                      {"hash_prefix": "/same/", "schema_prefix": "same"},
                                      {"schema_prefix": "_schema", "filepath_prefix": "_schema/raw"}])  # fmt: skip
def test_store_2_sections_never_overlap(prefixes):
    """STORE-2: equal or nested prefixes are refused when the store is used; separate ones are accepted."""
    with pytest.raises(dj.DataJointError, match="overlap"):
        store_spec(settings({"default": "m", "m": {"protocol": "file", "location": "/d", **prefixes}}), None)
    separate = {"hash_prefix": "_hash", "schema_prefix": "_schema", "filepath_prefix": "raw"}
    assert store_spec(settings({"default": "m", "m": {"protocol": "file", "location": "/d", **separate}}), None)


def test_store_3_hash_and_paths_of_the_rule_examples():
    """STORE-3: Base32 MD5 without padding; the path with and without subfolding; the hash of empty content."""
    assert content_hash(b"hello") == "lvauakv4jmvhnolrtwiraf6fsi" and content_hash(b"") == "2qoyzwmpaczaj2mabgmoz6ccpy"
    assert hash_path("lvauakv4jmvhnolrtwiraf6fsi", "lab", hash_prefix="_hash") == "_hash/lab/lvauakv4jmvhnolrtwiraf6fsi"
    folded = hash_path("lvauakv4jmvhnolrtwiraf6fsi", "lab", hash_prefix="/_hash/", subfolding=[2, 2])
    assert folded == "_hash/lab/lv/au/lvauakv4jmvhnolrtwiraf6fsi"


def test_store_3_deduplicates_per_schema_and_reads_the_stored_path(schema, stores):
    """STORE-3: one object for equal content; later layout changes do not lose existing objects."""
    Raw = declare(schema, "raw_id : int32\n---\npayload : <hash@>", "Raw")
    Raw.insert([{"raw_id": 1, "payload": b"same"}, {"raw_id": 2, "payload": b"same"}])
    main = Store.configured(stores, None)
    assert list(main.files("_hash")) == [f"_hash/{schema.database}/{content_hash(b'same')}"]
    stores["stores"]["main"].update(hash_prefix="moved", subfolding=[1, 1])
    Raw.insert1({"raw_id": 3, "payload": b"new"})
    digest = content_hash(b"new")
    paths = {stored["path"] for stored in raw_column(Raw, "payload")}
    assert paths == {
        f"_hash/{schema.database}/{content_hash(b'same')}",
        f"moved/{schema.database}/{digest[0]}/{digest[1]}/{digest}",
    }
    assert sorted(Raw.to_arrays("payload")) == [b"new", b"same", b"same"]


def test_store_4_key_values_as_path_segments():
    """STORE-4: numbers, datetimes, dates, unsafe and long strings."""
    assert [key_text(v) for v in (5, 2.5, dt.datetime(2024, 1, 2, 13, 45), dt.date(2024, 1, 2), "plain", "a/b")] == [
        "5", "2.5", "2024-01-02T13-45-00", "2024-01-02", "plain", "a%2Fb"]  # fmt: skip
    long = "x" * 150
    assert re.fullmatch(r"x{50}_[0-9a-f]{8}", key_text(long))
    assert all(len(token(n)) == max(4, min(16, n)) for n in (1, 4, 8, 16, 40))
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", token())


def test_store_4_object_paths_with_and_without_partitions():
    """STORE-4: the rule's examples, with `{attr}` partition placeholders taken in pattern order."""
    key = {"subject_id": 5, "session_date": dt.date(2024, 1, 2)}
    plain = object_path("lab", "recording", "raw", key, None, schema_prefix="_schema")
    assert re.fullmatch(r"_schema/lab/recording/subject_id=5/session_date=2024-01-02/raw_[\w-]{8}", plain)
    parted = object_path("lab", "recording", "raw", key, "dat", schema_prefix="_schema", partition_pattern="{subject_id}/{missing}", token_length=5)  # fmt: skip
    assert re.fullmatch(r"_schema/subject_id=5/lab/recording/session_date=2024-01-02/raw_[\w-]{5}\.dat", parted)
    both = object_path("lab", "t", "f", key, ".npy", schema_prefix="objects", partition_pattern="{session_date}/{subject_id}")  # fmt: skip
    assert re.fullmatch(r"objects/session_date=2024-01-02/subject_id=5/lab/t/f_[\w-]{8}\.npy", both)


def test_store_4_object_path_in_the_database(schema, stores):
    """STORE-4: the path of an inserted object follows the store's partition pattern and token length."""
    stores["stores"]["main"].update(partition_pattern="{subject_id}", token_length=12)
    Recording = declare(schema, "subject_id : int32\nsession_date : date\n---\nraw : <object@>", "Recording")
    Recording.insert1({"subject_id": 5, "session_date": dt.date(2024, 1, 2), "raw": b"..."})
    path = raw_column(Recording, "raw")[0]["path"]
    assert re.fullmatch(
        rf"_schema/subject_id=5/{schema.database}/recording/session_date=2024-01-02/raw_[\w-]{{12}}", path
    )


def test_store_5_rows_never_delete_objects_garbage_collection_does(schema, stores):
    """STORE-5: delete leaves objects; collect reports orphans, deletes only when asked, keeps shared hashes."""
    Rec = declare(schema, "rec_id : int32\n---\nvalue : <blob@>\nraw = null : <object@>\nlink = null : <filepath@>")
    main = Store.configured(stores, None)
    main.put("raw/outside.bin", b"mine")
    shared = np.arange(100)
    Rec.insert([{"rec_id": 1, "value": shared, "raw": b"one", "link": "raw/outside.bin"},
                {"rec_id": 2, "value": shared, "raw": b"two", "link": None},
                {"rec_id": 3, "value": [3], "raw": None, "link": None}])  # fmt: skip
    stored = set(main.files("_hash")) | set(main.files("_schema"))
    assert len(stored) == 4
    (Rec & "rec_id in (1, 3)").delete()
    assert set(main.files("_hash")) | set(main.files("_schema")) == stored
    report = dj.gc.collect(schema, dry_run=True, progress=True)
    assert set(report.orphaned) == {p for p in stored if "/rec_id=1/" in p or p.endswith(_hash_of([3]))}
    assert report.deleted == [] and len(report.stored) == 4 and "would delete 2" in str(report)
    assert set(main.files("_hash")) | set(main.files("_schema")) == stored
    collected = dj.gc.GarbageCollector(schema, store="main").collect(dry_run=False)
    assert sorted(collected.deleted) == sorted(report.orphaned) and collected.orphaned_bytes > 0
    assert len(set(main.files("_hash")) | set(main.files("_schema"))) == 2
    assert main.get("raw/outside.bin") == b"mine"
    assert Rec.fetch1("value").tolist() == list(range(100)) and Rec.fetch1("raw").read() == b"two"
    assert dj.gc.collect(schema).orphaned == []


def _hash_of(value) -> str:
    from djspecs.reference.codecs import pack

    return content_hash(pack(value))


def test_store_5_directory_objects_are_kept_whole(schema, stores, tmp_path):
    """STORE-5: the files of a referenced directory object are covered by its path."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"a")
    (folder / "b.txt").write_bytes(b"b")
    Rec = declare(schema, "rec_id : int32\n---\nraw : <object@>")
    Rec.insert1({"rec_id": 1, "raw": folder})
    report = dj.gc.collect(schema)
    assert len(report.stored) == 2 and report.orphaned == []


def test_store_6_empty_store_name_selects_the_default(schema, stores):
    """STORE-6: `@` alone uses stores.default; without one, using the attribute is an error."""
    Rec = declare(schema, "rec_id : int32\n---\ntrace : <blob@>")
    Rec.insert1({"rec_id": 1, "trace": np.zeros(3)})
    assert raw_column(Rec, "trace")[0]["store"] == "main"
    assert list(Store.configured(stores, "main").files("_hash"))
    del stores["stores"]["default"]
    with pytest.raises(dj.DataJointError, match="stores.default is not configured"):
        Rec.insert1({"rec_id": 2, "trace": np.zeros(3)})
    assert len(Rec) == 1
