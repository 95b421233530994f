"""Storage adapters (API-1, STORE-1) and the SparkAdapter contract of codecs (API-1)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import uuid

import numpy as np
import pytest

import djspecs.reference as dj
from djspecs.reference.settings import Config
from djspecs.reference.stores import Store, adapters, register_storage_adapter, store_spec, unregister_storage_adapter
from tests.reference.objectstores import s3_server_fixture, stores_fixture  # noqa: F401  (fixtures)
from tests.reference.test_codecs import declare


class ShelfAdapter(dj.StorageAdapter):
    """A third-party protocol: fsspec's memory file system under a `shelf` folder, which it requires."""

    protocol = "shelf"
    required_keys = ("location", "shelf")
    allowed_keys = ("label",)

    def create_filesystem(self, spec):
        import fsspec

        return fsspec.filesystem("memory")

    def root(self, spec):
        return f"/{spec['shelf']}/{spec['location']}"


@pytest.fixture
def shelf():
    register_storage_adapter(ShelfAdapter)
    yield dj.get_storage_adapter("shelf")
    unregister_storage_adapter("shelf")


def settings(stores: dict) -> Config:
    return Config({"stores": stores}, environ={})


@pytest.mark.parametrize("protocol", ["file", "memory", "s3", "gcs", "azure"])
def test_every_built_in_protocol_has_an_adapter(protocol):
    adapter = dj.get_storage_adapter(protocol)
    assert isinstance(adapter, dj.StorageAdapter) and adapter.protocol == protocol
    assert "location" in adapter.required_keys
    assert dj.get_storage_adapter(protocol.upper()) is adapter


def test_an_unknown_protocol_has_no_adapter():
    assert dj.get_storage_adapter("ftp") is None
    with pytest.raises(dj.DataJointError, match='Unknown protocol "ftp".*known: azure, file, gcs, memory, s3'):
        store_spec(settings({"main": {"protocol": "ftp", "location": "x"}}), "main")


def test_validate_spec_names_missing_and_unknown_keys():
    s3 = dj.get_storage_adapter("s3")
    s3.validate_spec({"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "x", "secure": False})
    with pytest.raises(dj.DataJointError, match="s3 store is missing: endpoint, bucket"):
        s3.validate_spec({"protocol": "s3", "location": "x"})
    with pytest.raises(dj.DataJointError, match=r"Invalid key\(s\) for a s3 store: container"):
        s3.validate_spec({"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "x", "container": "c"})
    with pytest.raises(dj.DataJointError, match=r'config.stores\["cold"\]: s3 store is missing: endpoint \[STORE-1\]'):
        store_spec(settings({"cold": {"protocol": "s3", "bucket": "lab", "location": "x"}}), "cold")


def test_paths_and_urls_per_protocol(tmp_path):
    file, s3 = dj.get_storage_adapter("file"), dj.get_storage_adapter("s3")
    local = {"protocol": "file", "location": str(tmp_path)}
    assert file.full_path(local, "/_hash/lab/abc") == f"{tmp_path.as_posix()}/_hash/lab/abc"
    assert file.get_url(local, file.full_path(local, "a b")) == (tmp_path / "a b").as_uri()
    bucket = {"protocol": "s3", "bucket": "lab", "location": "/pipelines/"}
    assert s3.full_path(bucket, "_hash/x") == "lab/pipelines/_hash/x"
    assert s3.full_path({**bucket, "location": ""}, "x") == "lab/x"
    assert s3.get_url(bucket, "lab/pipelines/x") == "s3://lab/pipelines/x"
    gcs, azure = dj.get_storage_adapter("gcs"), dj.get_storage_adapter("azure")
    assert gcs.get_url({}, gcs.full_path({"bucket": "b", "location": "l"}, "k")) == "gs://b/l/k"
    assert azure.full_path({"container": "c", "location": "l"}, "k") == "c/l/k"
    memory = dj.get_storage_adapter("memory")
    assert memory.full_path({"location": "djspecs/x"}, "k") == "/djspecs/x/k"


def test_the_store_opens_its_file_system_through_the_adapter(tmp_path):
    store = Store.configured(settings({"main": {"protocol": "file", "location": str(tmp_path / "s")}}), "main")
    assert store.adapter is dj.get_storage_adapter("file")
    store.put("deep/er/object", b"data")  # the file adapter's file system makes folders
    assert (tmp_path / "s" / "deep" / "er" / "object").read_bytes() == b"data"


def test_s3_defaults_come_from_its_adapter():
    spec = store_spec(
        settings({"cold": {"protocol": "s3", "endpoint": "e:9000", "bucket": "b", "location": "x"}}), "cold"
    )
    assert spec["secure"] is True


def test_a_third_party_adapter_registered_at_run_time_serves_a_store(shelf, schema):
    """A protocol no built-in adapter knows: its keys are checked and codecs read and write through it."""
    assert isinstance(shelf, ShelfAdapter) and "shelf" in adapters.protocols()
    location = uuid.uuid4().hex[:10]
    connection = schema.connection
    previous = connection.settings["stores"]
    connection.settings["stores"] = {
        "default": "main",
        "main": {"protocol": "shelf", "location": location, "shelf": "a"},
    }
    try:
        Raw = declare(schema, "raw_id : int32\n---\npayload : <hash@>", "Raw")
        Raw.insert1({"raw_id": 1, "payload": b"on the shelf"})
        assert Raw.fetch1("payload") == b"on the shelf"
        store = Store.configured(connection.settings, None)
        assert list(store.files("_hash")) and store.full("x") == f"/a/{location}/x"
        connection.settings["stores"]["main"]["colour"] = "red"
        with pytest.raises(dj.DataJointError, match=r"Invalid key\(s\) for a shelf store: colour"):
            Raw.insert1({"raw_id": 2, "payload": b"x"})
        del connection.settings["stores"]["main"]["shelf"]
        with pytest.raises(dj.DataJointError, match="shelf store is missing: shelf"):
            Store.configured(connection.settings, None)
    finally:
        connection.settings["stores"] = previous


def test_adapters_of_installed_packages_load_through_entry_points(monkeypatch):
    point = importlib.metadata.EntryPoint("shelf", f"{__name__}:ShelfAdapter", "datajoint.storage")
    broken = importlib.metadata.EntryPoint("broken", f"{__name__}:NoSuchAdapter", "djspecs.storage")
    groups = {"datajoint.storage": [point], "djspecs.storage": [broken]}
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: groups.get(group, []))
    monkeypatch.setattr(adapters.PLUGINS, "loaded", False)
    try:
        assert isinstance(dj.get_storage_adapter("shelf"), ShelfAdapter)
        assert dj.get_storage_adapter("broken") is None  # a plugin that fails to load is skipped, with a warning
    finally:
        unregister_storage_adapter("shelf")


def test_register_refuses_what_is_not_an_adapter():
    with pytest.raises(dj.DataJointError, match="not a storage adapter"):
        register_storage_adapter(object())


def test_only_codecs_with_spark_native_values_are_spark_adapters():
    """`<npy@>` opts in; the codecs whose decoded values have no fixed Spark-native shape do not."""
    adapting = {name for name in ("blob", "attach", "hash", "object", "npy", "filepath")
                if isinstance(dj.get_codec(name), dj.SparkAdapter)}  # fmt: skip
    assert adapting == {"npy"}

    class Celsius(dj.Codec, register=False):
        name = "celsius_spark_test"

        def to_spark(self, decoded, *, key=None):
            return float(decoded)

    assert isinstance(Celsius(), dj.SparkAdapter)


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.arange(6, dtype=np.int16).reshape(2, 3), [[0, 1, 2], [3, 4, 5]]),
        (np.array([0.5, np.inf]), [0.5, float("inf")]),
        (np.array([True, False]), [True, False]),
        (np.array(["ab", "c"]), ["ab", "c"]),
        (np.array(7, dtype=np.uint8), 7),
        (np.zeros((0, 2)), []),
    ],
)
def test_npy_to_spark_gives_nested_lists_of_primitives(array, expected):
    found = dj.get_codec("npy").to_spark(array)
    assert found == expected
    assert _primitive_shapes(found)


def _primitive_shapes(value) -> bool:
    if isinstance(value, list):
        return all(_primitive_shapes(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _primitive_shapes(v) for k, v in value.items())
    return value is None or isinstance(value, bool | int | float | str | bytes | dt.date)


@pytest.mark.parametrize("array", [np.array([1 + 2j]), np.array(["2024-01-02"], dtype="datetime64[ns]"),
                                   np.zeros(2, dtype=[("a", "i4")])])  # fmt: skip
def test_npy_to_spark_refuses_elements_without_a_spark_shape(array):
    with pytest.raises(dj.DataJointError, match="no Spark-native shape"):
        dj.get_codec("npy").to_spark(array)


def test_npy_to_spark_loads_a_stored_array(schema, stores):
    Rec = declare(schema, "rec_id : int32\n---\ntrace : <npy@>", "Rec")
    Rec.insert1({"rec_id": 1, "trace": np.linspace(0, 1, 3)})
    reference = Rec.fetch1("trace")
    assert dj.get_codec("npy").to_spark(reference) == [0.0, 0.5, 1.0]
