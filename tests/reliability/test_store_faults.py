"""Object store faults (STORE-3, STORE-5, CODEC-7, CODEC-10): a store that fails mid-upload, a missing object
and a corrupted object, on every backend with a memory store (a file store for the folder object).

The failing store is a wrapper around the store's fsspec file system that writes half of the bytes of its N-th
upload and then raises, so a partial object may be left behind by the store itself. Whatever happens: a clear
DataJointError naming the store and path, no row without its object, and after garbage collection no object
that no row references.
"""

from __future__ import annotations

import random
import uuid

import numpy as np
import pytest

import djspecs.reference as dj
from djspecs.reference.errors import MissingExternalFile
from djspecs.reference.stores import Store, gc
from tests.reference.test_codecs import raw_column
from tests.reliability.conftest import scale
from tests.reliability.harness import TALLY

ROWS = 4


class UploadCounter:
    """Uploads counted across every Store instance (codecs make a new Store per value)."""

    def __init__(self, fail_at: int):
        self.fail_at, self.uploads = fail_at, 0


class FailingUpload:
    """An fsspec file system proxy: the counter's `fail_at`-th upload writes half its bytes, then raises OSError."""

    def __init__(self, fs, counter: UploadCounter):
        self._fs, self.counter = fs, counter

    def pipe_file(self, path, data, **kwargs):
        self.counter.uploads += 1
        if self.counter.uploads == self.counter.fail_at:
            self._fs.pipe_file(path, data[: len(data) // 2], **kwargs)
            raise OSError(f"connection reset after {len(data) // 2} bytes")
        return self._fs.pipe_file(path, data, **kwargs)

    def __getattr__(self, name):
        return getattr(self._fs, name)


@pytest.fixture
def stored(fresh_schema, tmp_path):
    connection = fresh_schema.connection
    connection.settings["stores"] = {
        "default": "main",
        "main": {"protocol": "file", "location": str(tmp_path / "store")},
    }
    connection.settings["download_path"] = str(tmp_path / "downloads")

    @fresh_schema
    class Recording(dj.Manual):
        definition = """
        rec_id: int32
        ---
        trace: <blob@>
        raw: <hash@>
        output: <object@>
        """

    return fresh_schema, Recording, Store.configured(connection.settings, "main")


def rows(tmp_path, start: int) -> list[dict]:
    result = []
    for rec_id in range(start, start + ROWS):
        folder = tmp_path / f"run{rec_id}"
        (folder / "sub").mkdir(parents=True, exist_ok=True)
        (folder / "a.bin").write_bytes(bytes([rec_id % 256]) * 64)
        (folder / "sub" / "b.bin").write_bytes(uuid.uuid4().bytes * 8)
        trace, raw = np.arange(50.0) * rec_id, uuid.uuid4().bytes * 16
        result.append({"rec_id": rec_id, "trace": trace, "raw": raw, "output": folder})
    return result


def referenced_only(schema, store: Store) -> None:
    """Garbage collection leaves exactly the objects some row references (STORE-5)."""
    gc.collect(schema, store="main", dry_run=False)
    report = gc.collect(schema, store="main", dry_run=True)
    assert report.orphaned == [], f"objects left past garbage collection: {report.orphaned}"


def test_uploads_failing_at_random_points_leave_no_row_and_nothing_past_gc(stored, tmp_path, monkeypatch):
    """STORE-3, STORE-5: the insert fails as a whole with a DataJointError naming the store and the path."""
    schema, Recording, store = stored
    Recording.insert(rows(tmp_path, 0))
    kept = Recording.to_dicts(order_by="KEY")
    uploads_per_batch = ROWS * 4  # blob, hash and the two files of the folder
    rng = random.Random(f"uploads-{schema.connection.backend.name}")
    original_fs = Store.fs.func
    for attempt in range(scale(4, 40)):
        counter = UploadCounter(rng.randrange(1, uploads_per_batch + 1))
        monkeypatch.setattr(Store, "fs", property(lambda self, c=counter: FailingUpload(original_fs(self), c)))
        batch = rows(tmp_path, 100 + attempt * ROWS)
        with pytest.raises(dj.DataJointError) as raised:
            Recording.insert(batch)
        TALLY["object store: uploads failed mid-way"] += 1
        assert "Store 'main'" in str(raised.value) and "connection reset" in str(raised.value)
        assert "`recording`." in str(raised.value)  # the table and the attribute
        assert "_hash/" in str(raised.value) or "_schema/" in str(raised.value)  # the path of the object
        monkeypatch.setattr(Store, "fs", property(lambda self: original_fs(self)))
        assert len(Recording & "rec_id >= 100") == 0, "a row was written without its object"
        referenced_only(schema, store)
    assert Recording.to_dicts(order_by="KEY").__len__() == len(kept)
    for row in Recording.to_dicts(order_by="KEY"):  # the rows inserted before the faults still read back whole
        assert row["output"].listdir() == ["a.bin", "sub/b.bin"]


def test_a_missing_object_is_a_clear_error_that_names_its_path(stored, tmp_path):  # STORE-3
    schema, Recording, store = stored
    Recording.insert(rows(tmp_path, 0))
    for attribute in ("trace", "raw"):
        path = raw_column(Recording, attribute)[1]["path"]
        store.remove(path)
        TALLY["object store: objects removed"] += 1
        with pytest.raises(MissingExternalFile, match=path) as raised:
            (Recording & {"rec_id": 1}).fetch1(attribute)
        assert f"`recording`.{attribute}" in str(raised.value)
    assert (Recording & {"rec_id": 0}).fetch1("raw")  # the other rows are untouched


def test_a_corrupted_object_is_refused_on_fetch(stored, tmp_path):  # CODEC-7 (content hash), CODEC-1
    schema, Recording, store = stored
    Recording.insert(rows(tmp_path, 0))
    for attribute in ("trace", "raw"):
        path = raw_column(Recording, attribute)[2]["path"]
        data = bytearray(store.get(path))
        data[len(data) // 2] ^= 0x01
        store.put(path, bytes(data), record=False)
        TALLY["object store: objects corrupted"] += 1
        with pytest.raises(dj.DataJointError, match=path) as raised:
            (Recording & {"rec_id": 2}).fetch1(attribute)
        assert f"`recording`.{attribute}" in str(raised.value)
