"""The dj namespace, its error tree, configuration keys, servers and backends (API, CFG, BE, NAME-6, TYPE-7)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from djspecs.conformance.plugin import NOT_APPLICABLE

from .pipeline import pipeline

NAMES = ["config", "conn", "Connection", "Instance", "Schema", "VirtualModule", "virtual_schema", "list_schemas", "Table", "FreeTable", "AutoPopulate", "Job", "Manual", "Lookup", "Imported", "Computed", "Part", "Not", "AndList", "Top", "U", "Diagram", "MatCell", "MatStruct", "Codec", "SchemaCodec", "list_codecs", "get_codec", "ObjectRef", "NpyRef", "SparkAdapter", "StorageAdapter", "get_storage_adapter", "errors", "migrate", "deploy", "DataJointError", "ThreadSafetyError", "logger", "cli", "ValidationResult", "gc"]  # fmt: skip
# key_source, populate and progress belong to auto-populated classes: test_populate uses them on the class.
CLASS_MEMBERS = ["describe", "alter", "heading", "primary_key", "proj", "aggr", "join", "extend", "to_dicts", "to_pandas", "to_polars", "to_arrow", "to_arrays", "keys", "fetch", "fetch1", "head", "tail", "descendants", "ancestors", "parts", "parents", "children", "insert", "insert1", "insert_dataframe", "update1", "validate", "drop", "drop_quick", "delete", "delete_quick", "staged_insert1"]  # fmt: skip
ERRORS = {"LostConnectionError": "DataJointError", "QueryError": "DataJointError", "MissingTableError": "DataJointError",
          "MissingExternalFile": "DataJointError", "BucketInaccessible": "DataJointError",
          "ThreadSafetyError": "DataJointError", "QuerySyntaxError": "QueryError", "AccessError": "QueryError",
          "DuplicateError": "QueryError", "IntegrityError": "QueryError", "UnknownAttributeError": "QueryError",
          "MissingAttributeError": "QueryError"}  # fmt: skip


@pytest.mark.rules("API-1", requires=["python.api"])
def test_the_namespace_exports_the_documented_names(api):
    missing = [name for name in NAMES if not hasattr(api, name)]
    assert missing == [], f"dj lacks {missing}"


@pytest.mark.rules("API-2", requires=["python.api"])
def test_table_classes_act_as_their_instances(adapter, schema):
    subject = pipeline(adapter, schema)["Subject"]
    missing = [name for name in CLASS_MEMBERS if not hasattr(subject, name)]
    assert missing == [], f"the table class lacks {missing}"
    assert len(subject & {"subject_id": 1}) == 1 and len(subject - {"subject_id": 1}) == 2
    assert len(subject * subject.proj()) == 3 and len(list(subject)) == 3


@pytest.mark.rules("API-3", requires=["python.api"])
def test_errors_form_one_tree(api):
    errors = api.errors
    assert errors.DataJointError is api.DataJointError and errors.ThreadSafetyError is api.ThreadSafetyError
    wrong = {name: parent for name, parent in ERRORS.items()
             if not issubclass(getattr(errors, name), getattr(errors, parent))}  # fmt: skip
    assert wrong == {}


@pytest.mark.rules("NAME-6", requires=["python.api"])
def test_full_table_names_are_quoted_per_backend(adapter, schema, conformance):
    full = pipeline(adapter, schema, rows=False)["Session"].full_table_name
    quote = {"mysql": "`", "postgresql": '"', "sqlite": '"'}[conformance.backend]
    if conformance.backend == "sqlite":
        assert full == f'"{schema.database}.session"'  # BE-4: one identifier on SQLite
    else:
        assert full == f"{quote}{schema.database}{quote}.{quote}session{quote}"


@pytest.mark.rules("TYPE-7", "BE-3")
def test_text_is_utf8_and_compared_as_the_knob_says(adapter, schema, conformance):
    tables = adapter.declare(schema, [{"name": "Word", "tier": "manual", "definition": "word : varchar(16)"}])
    adapter.insert(tables["Word"], [{"word": "Straße"}, {"word": "漢字"}, {"word": "Abc"}])
    found = adapter.fetch(adapter.expression(tables, {"table": "Word"}))
    assert sorted(r["word"] for r in found.rows) == sorted(["Straße", "漢字", "Abc"])
    lower = adapter.fetch(
        adapter.expression(tables, {"restrict": {"table": "Word"}, "where": {"dict": {"word": "abc"}}})
    )
    binary = conformance.knobs.get("string_collation", "binary") == "binary"
    assert len(lower.rows) == (0 if binary else 1), f"string_collation is declared {conformance.knobs}"


@pytest.mark.rules("TYPE-7")
def test_trailing_spaces_are_part_of_a_string(adapter, schema, conformance):
    """'a' and 'a ' are two keys: a padding collation would refuse the second as a duplicate of the first."""
    tables = adapter.declare(schema, [{"name": "Tag", "tier": "manual", "definition": "tag : varchar(8)"}])
    adapter.insert(tables["Tag"], [{"tag": "a"}, {"tag": "a "}, {"tag": " a"}])
    stored = adapter.fetch(adapter.expression(tables, {"table": "Tag"}))
    assert sorted(r["tag"] for r in stored.rows) == [" a", "a", "a "]
    padded = adapter.fetch(adapter.expression(tables, {"restrict": {"table": "Tag"}, "where": {"dict": {"tag": "a "}}}))
    assert [r["tag"] for r in padded.rows] == ["a "]


@pytest.mark.rules("BE-1")
def test_the_server_is_a_supported_version(conformance):
    version = conformance.server_version
    mariadb = re.search(r"(\d+)\.(\d+)\.\d+-MariaDB", version)  # MariaDB may prefix "5.5.5-" for old clients
    numbers = tuple(int(n) for n in (mariadb.groups() if mariadb else re.findall(r"\d+", version)[:2]))
    if conformance.backend == "postgresql":
        assert numbers >= (15, 0), version
    elif conformance.backend == "mysql":
        assert numbers >= ((10, 11) if "MariaDB" in version else (8, 0)), version
    else:
        pytest.skip(NOT_APPLICABLE + "BE-1 names MySQL, MariaDB and PostgreSQL versions")


@pytest.mark.rules("BE-2", "CFG-2", requires=["config", "python.api"])
def test_configuration_keys_and_defaults(api):
    config = api.config
    for key in ("database.host", "database.user", "database.password", "database.port", "database.backend",
                "database.create_tables", "safemode", "loglevel", "download_path"):  # fmt: skip
        config[key]  # every key exists
    assert config["database.host"] and config["safemode"] in (True, False)
    with pytest.raises((api.DataJointError, KeyError, ValueError, AttributeError)):
        config["database.no_such_key"] = 1


@pytest.mark.rules("CFG-1", requires=["config", "python.api"])
def test_run_time_values_win(api):
    config = api.config
    before = config["display.limit"]
    try:
        config["display.limit"] = 7
        assert config["display.limit"] == 7
    finally:
        config["display.limit"] = before


@pytest.mark.rules("CFG-3", requires=["config", "jobs", "python.api"])
def test_jobs_settings_defaults(api):
    config = api.config
    assert config["jobs.auto_refresh"] is True and config["jobs.keep_completed"] is False
    assert config["jobs.stale_timeout"] == 3600 and config["jobs.default_priority"] == 5
    assert config["jobs.add_job_metadata"] is False


@pytest.mark.rules("CFG-4", requires=["python.api", "config.thread_safe"])
def test_instances_hold_their_own_configuration_and_connection(adapter, schema, api):
    inst = api.Instance(**adapter.instance_arguments())
    assert inst.config is not api.config and inst.connection is not None
    before = api.config["display.limit"]
    inst.config["display.limit"] = before + 5
    assert inst.config["display.limit"] == before + 5 and api.config["display.limit"] == before
    bound = inst.Schema(schema.database)
    assert bound.connection is inst.connection

    class Animal(api.Manual):
        definition = "animal_id : int32\n---\nspecies : varchar(16)"

    bound(Animal)
    Animal.insert1({"animal_id": 7, "species": "mouse"})
    assert inst.FreeTable(f"{schema.database}.animal").to_dicts() == [{"animal_id": 7, "species": "mouse"}]
    inst.connection.close()


@pytest.mark.rules("CFG-4", requires=["python.api", "config.thread_safe"])
def test_thread_safe_mode_refuses_global_state(adapter, schema, api):
    """Thread-safe mode is read at process start: a fresh process runs thread_safe.py with DJ_THREAD_SAFE=true."""
    script = Path(__file__).with_name("thread_safe.py")
    command = [sys.executable, str(script), api.__name__, json.dumps(adapter.instance_arguments()), schema.database]
    result = subprocess.run(command, env={**os.environ, "DJ_THREAD_SAFE": "true"}, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    not_refused = {what: mro for what, mro in report["refused"].items() if not mro or "ThreadSafetyError" not in mro}
    assert not_refused == {}, f"in thread-safe mode these did not raise ThreadSafetyError: {not_refused}"
    assert report["rows"] == [{"subject_id": 1, "name": "Ann"}] and report["same_connection"] is True
