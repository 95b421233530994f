"""Database passwords never appear in logs, error messages, tracebacks, configuration dumps or CLI output.

A test user gets a distinctive password on each server; the test connects with it (and with a wrong one),
makes the usual failures happen (a refused login, a server error, a lost connection, a refused write),
writes every artefact to a folder, and searches the folder for both passwords with the reusable scanner
of secret_scan.py. The scanner itself is shown to find a planted secret in every form it knows.
"""

import logging
import traceback
import zipfile

import pytest
from click.testing import CliRunner

import djspecs.reference as dj
from djspecs.cli import main
from tests.reliability.conftest import open_connection, settings_for, unique_name
from tests.reliability.secret_scan import find_in_text, find_secrets
from tests.reliability.servers import create_user, drop_user, kill, server_id


def test_the_scanner_finds_a_planted_secret_in_every_form(tmp_path):
    secret = "Plant3d-s3cret-é"
    (tmp_path / "clean.txt").write_text("nothing here")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "log.txt").write_text(f"password={secret}")
    (tmp_path / "utf16.txt").write_bytes(f"x{secret}x".encode("utf-16-le"))
    (tmp_path / "escaped.json").write_text('{"p": "Plant3d-s3cret-\\u00e9"}')
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner/manifest.json", f'"{secret}"' * 50)
    where = sorted(leak.where.replace(str(tmp_path), "") for leak in find_secrets(tmp_path, [secret]))
    assert where == ["/bundle.zip!inner/manifest.json", "/deep/er/log.txt", "/escaped.json", "/utf16.txt"]
    assert find_in_text("safe", [secret], where="text") == []
    assert secret not in str(find_secrets(tmp_path, [secret])[0])  # a report never repeats the secret


class Artefacts:
    """Everything a run shows a person: log records, messages, reprs and tracebacks of every error."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    def write(self, label: str, text: str) -> None:
        self.count += 1
        (self.folder / f"{self.count:03d}-{label}.txt").write_text(text, encoding="utf-8", errors="backslashreplace")

    def error(self, label: str, error: BaseException) -> None:
        self.write(label, "\n".join([str(error), repr(error), *map(repr, error.args),
                                     "".join(traceback.format_exception(error))]))  # fmt: skip

    def attempt(self, label: str, action, expected=dj.DataJointError) -> None:
        with pytest.raises(expected) as caught:
            action()
        self.error(label, caught.value)


@pytest.fixture
def logs(tmp_path):
    """Every log record at DEBUG (statements and their parameters included) into a file."""
    handler = logging.FileHandler(tmp_path / "debug.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root, previous = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield tmp_path / "debug.log"
    root.removeHandler(handler)
    root.setLevel(previous)
    handler.close()


def test_passwords_never_leak(server_backend, tmp_path, logs, monkeypatch):
    admin = open_connection(server_backend)
    user = unique_name("djspecs_secret")
    password, wrong = "Pw-" + unique_name("k9") + "-'\"`;\\", "Wr0ng-" + unique_name("z7") + "-§"
    schema = dj.Schema(unique_name("djspecs_secrets"), connection=admin)

    @schema
    class Item(dj.Manual):
        definition = """
        item: int32
        """

    Item.insert1({"item": 1})
    create_user(admin, user, password, read_schema=schema.database)
    artefacts = Artefacts(tmp_path)
    try:
        credentials = {"database.user": user, "database.password": password}
        config = dj.Config(settings_for(server_backend, **credentials))
        connection = dj.Connection(config)
        artefacts.write("dumps", "\n".join([repr(config), str(config), repr(connection), repr(connection.backend)]))
        reader = dj.Schema(schema.database, connection=connection, create_schema=False)
        Readable = type("Item", (dj.Manual,), {"definition": Item.definition})
        reader(Readable)
        assert Readable.to_dicts() == [{"item": 1}]
        artefacts.attempt("refused write", lambda: Readable.insert1({"item": 2}), dj.AccessError)
        artefacts.attempt("server error", lambda: Readable.to_dicts(order_by="nosuch"))
        artefacts.attempt("bad restriction", lambda: (Readable & "nosuch = 1").to_dicts())

        def lose():
            with connection.transaction:
                Readable.to_dicts()
                kill(admin, server_id(connection))
                Readable.to_dicts()

        artefacts.attempt("lost connection", lose, dj.LostConnectionError)
        refusals = [("unknown user", unique_name("ghost"), wrong), ("unknown user", unique_name("ghost"), password)]
        if server_backend == "mysql":  # this PostgreSQL trusts local logins, so it never checks a password
            refusals.append(("wrong password", user, wrong))
        for label, name, secret in refusals:
            refused = dj.Connection(
                settings_for(server_backend, **{"database.user": name, "database.password": secret})
            )
            artefacts.attempt(label, refused.server_version)
        # the CLI reads the password from DJ_PASS; its output when the login fails is an artefact too
        monkeypatch.setenv("DJ_USER", user)
        monkeypatch.setenv("DJ_PASS", wrong)
        monkeypatch.setenv("DJ_HOST" if server_backend == "mysql" else "DJ_PG_HOST", "127.0.0.1")
        result = CliRunner().invoke(main, ["certify", "--backend", server_backend, "--out", str(tmp_path / "cert")])
        artefacts.write("cli", result.output + "".join(traceback.format_exception(result.exception or Exception())))
        connection.close()
    finally:
        drop_user(admin, user)
        schema.drop()
        admin.close()
    assert logs.stat().st_size > 0 and artefacts.count >= 8
    leaks = find_secrets(tmp_path, [password, wrong])
    assert leaks == [], "\n".join(map(str, leaks))
