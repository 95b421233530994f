"""Configuration: precedence of runtime values, environment variables, the project file and defaults (CFG-1, CFG-2)."""

import json

import pytest

import djspecs.reference as dj
from djspecs.reference.settings import Config


def test_environment_overrides_the_project_file_and_runtime_overrides_both(tmp_path):
    project = tmp_path / "datajoint.json"
    project.write_text(json.dumps({"database": {"host": "filehost", "port": 1111, "user": "fileuser"}}))
    config = Config(environ={"DJ_HOST": "envhost", "DJ_PORT": "2222"}, project_file=project)
    assert (config["database.host"], config["database.port"], config["database.user"]) == ("envhost", 2222, "fileuser")
    config = Config({"database.host": "runtime"}, environ={"DJ_HOST": "envhost"}, project_file=project)
    assert config["database.host"] == "runtime"
    assert Config(environ={})["database.backend"] == "sqlite"


def test_unknown_keys_and_backends_are_refused():
    config = Config(environ={})
    with pytest.raises(dj.DataJointError, match="Unknown configuration key"):
        config["database.hots"] = "x"
    with pytest.raises(dj.DataJointError, match="database.backend"):
        config["database.backend"] = "oracle"


def test_passwords_do_not_appear_in_the_repr():
    config = Config(environ={"DJ_PASS": "s3cret-value"})
    assert config["database.password"] == "s3cret-value"
    assert "s3cret-value" not in repr(config)


def test_sqlite_file_holds_data_across_connections(tmp_path):  # BE-4: one file holds every schema
    settings = {"database.backend": "sqlite", "database.name": str(tmp_path / "pipeline.db")}
    first = dj.Schema("lab", connection=dj.Connection(settings))

    @first
    class Animal(dj.Manual):
        definition = """
        animal: int32
        """

    Animal.insert1({"animal": 7})
    reopened = dj.virtual_schema("lab", connection=dj.Connection(settings))
    assert reopened.Animal.to_dicts() == [{"animal": 7}]
