"""Secrets in publish artefacts, and the DataCite client under a random mix of faults (PUB-9, DOI minting).

An export is made through a database login with a distinctive password and a DOI minted against the local
DataCite server with distinctive credentials; the bundle, the receipt and every DEBUG log record are written
to one folder and searched with secret_scan.find_secrets. Single retries, give-up and the slow-answer case are
tested in tests/publish/test_datacite_client.py; here a random sequence of 429/500/503 answers and stalls
hits several mints, and each key must still end as exactly one findable DOI.
"""

from __future__ import annotations

import json
import logging
import random

import pytest

import djspecs.reference as dj
from djspecs.publish import export
from djspecs.publish.datacite import Record
from djspecs.publish.datacite.client import DataCiteClient
from djspecs.publish.datacite.credentials import Credentials
from djspecs.publish.datacite.local_server import LocalDataCite
from djspecs.publish.datacite.transport import Transport
from tests.publish.conftest import datacite_record, declare_pipeline
from tests.publish.datacite_support import kernel, shared_datacite, xsd  # noqa: F401  (fixtures)
from tests.publish.test_datacite_record import GOOD
from tests.reliability.conftest import open_connection, scale, settings_for, unique_name
from tests.reliability.harness import TALLY
from tests.reliability.secret_scan import find_secrets
from tests.reliability.servers import create_user, drop_user

PREFIX = "10.80507"


@pytest.fixture
def logs(tmp_path):
    handler = logging.FileHandler(tmp_path / "debug.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root, previous = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield tmp_path / "debug.log"
    root.removeHandler(handler)
    root.setLevel(previous)
    handler.close()


def test_no_password_or_datacite_credential_in_a_bundle_receipt_or_log(server_backend, xsd, tmp_path, logs):  # noqa: F811
    admin = open_connection(server_backend)
    user, password = unique_name("djspecs_pubsecret"), "DbPw-" + unique_name("q4") + "-;'\"`"
    repository, dc_password, api_key = "DJS.SECRET", "DcPw-" + unique_name("m2"), "DcKey-" + unique_name("x8")
    schema = dj.Schema(unique_name("djspecs_pubsecret"), connection=admin)
    try:
        declare_pipeline(schema)
        create_user(admin, user, password, read_schema=schema.database)
        reader = dj.Connection(settings_for(server_backend, **{"database.user": user, "database.password": password}))
        source = dj.Schema(schema.database, connection=reader, create_schema=False)
        summary = export(source, tmp_path / "bundle", metadata=datacite_record(), croissant=True)
        export(source, tmp_path / "bundle.zip", metadata=datacite_record())
        (tmp_path / "summary.txt").write_text(repr(summary) + repr(reader) + repr(reader.settings))
        reader.close()
        with LocalDataCite({repository: dc_password}, prefixes={repository: [PREFIX]},
                           api_keys={api_key: repository}, xsd=xsd) as server:  # fmt: skip
            for credentials in (Credentials.of(repository, dc_password), Credentials.of(api_key=api_key)):
                client = DataCiteClient(Transport(credentials, server.url, retries=2, sleep=lambda s: None), PREFIX)
                server.inject(method="PUT", status=500, times=1)
                receipt = client.mint(Record.from_dict({**GOOD, "doi": None}), key=f"k-{credentials.method}")
                (tmp_path / f"receipt-{credentials.method}.json").write_text(json.dumps(receipt.to_dict()))
                (tmp_path / f"client-{credentials.method}.txt").write_text(repr(client) + repr(credentials))
    finally:
        drop_user(admin, user)
        schema.drop()
        admin.close()
    TALLY["secrets: publish artefacts scanned"] += sum(1 for p in tmp_path.rglob("*") if p.is_file())
    assert logs.stat().st_size > 0 and (tmp_path / "bundle" / "bagit.txt").exists()
    leaks = find_secrets(tmp_path, [password, dc_password, api_key])
    assert leaks == [], "\n".join(map(str, leaks))


def test_a_random_mix_of_datacite_faults_never_mints_twice(xsd):  # noqa: F811
    rng = random.Random("datacite-faults")
    keys = [f"bundle-{i}" for i in range(scale(3, 12))]
    with LocalDataCite({"DJS.R": "pw"}, prefixes={"DJS.R": [PREFIX]}, xsd=xsd) as server:
        transport = Transport(Credentials.of("DJS.R", "pw"), server.url, timeout=0.5, retries=4, sleep=lambda s: None)
        client = DataCiteClient(transport, PREFIX, xsd=xsd)
        for key in keys:
            for _ in range(rng.randrange(1, 4)):
                fault = rng.choice([{"status": 429}, {"status": 500}, {"status": 503}, {"stall": 0.8}])
                server.inject(method=rng.choice(["PUT", "GET"]), times=1, **fault)
                TALLY["publish: DataCite faults injected"] += 1
            receipt = client.mint(Record.from_dict({**GOOD, "doi": None}), key=key)
            assert receipt.state == "findable"
            assert client.mint(Record.from_dict({**GOOD, "doi": None}), key=key).doi == receipt.doi
        assert len(server.registry.entries) == len(keys), "a key was minted twice"
        assert {entry.state for entry in server.registry.entries.values()} == {"findable"}
