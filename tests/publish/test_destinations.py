"""Destinations through fsspec (PUB-9): a zip, memory and S3 (a local moto server), each validated and
imported from where it was written; an upload that fails half-way leaves nothing on S3."""

from __future__ import annotations

import socket

import pytest

from djspecs.publish import export
from djspecs.publish.importer import import_bundle
from djspecs.publish.validate import validate
from tests.publish.conftest import declare_pipeline


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """storage_options for a bucket on a moto S3 server on 127.0.0.1."""
    server_module = pytest.importorskip("moto.server")
    s3fs = pytest.importorskip("s3fs")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    options = {"key": "testing", "secret": "testing", "client_kwargs": {"endpoint_url": f"http://127.0.0.1:{port}"}}
    s3fs.S3FileSystem(**options).mkdir("djspecs-bundles")
    yield options
    server.stop()


def test_zip_bundle_has_one_top_folder_and_validates(new_schema, tmp_path):
    """PUB-9: RFC 8493 §4 serialization: one top-level folder named after the bundle."""
    import zipfile

    tables = declare_pipeline(new_schema("sqlite"))
    export(tables["Session"] & {"subject_id": 1}, tmp_path / "mice.zip")
    with zipfile.ZipFile(tmp_path / "mice.zip") as archive:
        assert {name.split("/")[0] for name in archive.namelist()} == {"mice"}
    assert validate(tmp_path / "mice.zip").ok
    assert import_bundle(tmp_path / "mice.zip", new_schema("sqlite")).rows == 3


def test_memory_destination(new_schema):
    tables = declare_pipeline(new_schema("sqlite"))
    summary = export(tables["Subject"], f"memory://djspecs/{id(tables)}/subjects")
    report = validate(summary.destination)
    assert report.ok and report.rows == 4


def test_s3_destination_round_trip(s3, new_schema):
    """PUB-9: export to S3, validate there, import from there."""
    tables = declare_pipeline(new_schema("postgresql"))
    url = f"s3://djspecs-bundles/{id(tables)}/analysis"
    export(tables["Analysis"] & {"subject_id": 4}, url, storage_options=s3)
    report = validate(url, storage_options=s3)
    assert report.ok, [str(p) for p in report.problems]
    loaded = import_bundle(url, new_schema("mysql"), storage_options=s3)
    assert loaded.tables == {"subject": 1, "session": 2, "__analysis": 2}
    export(tables["Subject"], url + ".zip", storage_options=s3)
    assert validate(url + ".zip", storage_options=s3).ok


def test_failed_upload_leaves_nothing_on_s3(s3, new_schema, monkeypatch):
    """PUB-9: the fifth file fails to upload; the files already sent are removed again."""
    import fsspec
    import s3fs

    tables = declare_pipeline(new_schema("sqlite"))
    real_url_to_fs, sent = fsspec.core.url_to_fs, []

    def url_to_flaky_fs(url, **options):
        filesystem, path = real_url_to_fs(url, **options)
        upload = filesystem.put_file

        def flaky(lpath, rpath, *args, **kwargs):
            sent.append(rpath)
            if len(sent) == 5:
                raise OSError("connection reset by peer")
            return upload(lpath, rpath, *args, **kwargs)

        monkeypatch.setattr(filesystem, "put_file", flaky)
        return filesystem, path

    monkeypatch.setattr(fsspec.core, "url_to_fs", url_to_flaky_fs)
    url = f"s3://djspecs-bundles/{id(tables)}/broken"
    with pytest.raises(OSError, match="connection reset"):
        export(tables["Subject"], url, storage_options=s3)
    monkeypatch.undo()
    filesystem = s3fs.S3FileSystem(**s3)
    filesystem.invalidate_cache()
    assert len(sent) == 5 and not filesystem.exists(url)
