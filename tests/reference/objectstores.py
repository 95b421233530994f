"""Fixtures for tests of codecs and object stores: a store of each protocol (file, memory, S3 on a local moto
server) configured on the test's connection, and the configuration restored afterwards (STORE-1)."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.support import require

PROTOCOLS = ("file", "memory", "s3")
S3_KEYS = {"access_key": "djspecs-test", "secret_key": "djspecs-test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session", name="s3_server")
def s3_server_fixture():
    """A moto S3 server on 127.0.0.1 at a free port, with one bucket; yields its endpoint and bucket."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        require(False, "moto[server] and s3fs are missing: pip install -e '.[dev]'")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"127.0.0.1:{port}"
    bucket = f"djspecs-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=f"http://{endpoint}", region_name="us-east-1",
                          aws_access_key_id=S3_KEYS["access_key"], aws_secret_access_key=S3_KEYS["secret_key"])  # fmt: skip
    client.create_bucket(Bucket=bucket)
    yield {"endpoint": endpoint, "bucket": bucket}
    server.stop()


def store_config(protocol: str, tmp_path, request) -> dict:
    """The configuration of one store of `protocol`, at a location no other test uses."""
    unique = uuid.uuid4().hex[:10]
    if protocol == "file":
        return {"protocol": "file", "location": str(tmp_path / "store")}
    if protocol == "memory":
        return {"protocol": "memory", "location": f"djspecs/{unique}"}
    s3 = request.getfixturevalue("s3_server")
    return {"protocol": "s3", "endpoint": s3["endpoint"], "bucket": s3["bucket"], "location": f"run/{unique}",
            "secure": False, **S3_KEYS}  # fmt: skip


@pytest.fixture(params=PROTOCOLS, name="stores")
def stores_fixture(request, connection, tmp_path):
    """Stores `main` (the default) and `cold` of one protocol on the test's connection; yields the settings."""
    main = store_config(request.param, tmp_path, request)
    cold = store_config(request.param, tmp_path / "cold", request)
    previous = (connection.settings["stores"], connection.settings["download_path"])
    connection.settings["stores"] = {"default": "main", "filepath_default": "main", "main": main, "cold": cold}
    connection.settings["download_path"] = str(tmp_path / "downloads")
    yield connection.settings
    connection.settings["stores"], connection.settings["download_path"] = previous
