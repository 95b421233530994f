"""FreeTable, schema introspection and dj.Instance (API-1, API-4, CFG-4)."""

import os

import pytest

import djspecs.reference as dj
from tests.reference.pipeline import declare


def fill(schema):
    Subject, Session, Note = declare(schema)
    Subject.insert([{"subject_id": 1, "name": "Ann", "sex": "F"}, {"subject_id": 2, "name": "Bob", "sex": "M"}])
    Session.insert([{"subject_id": 1, "session_id": 1}, {"subject_id": 2, "session_id": 1}])
    Session.Trial.insert1({"subject_id": 1, "session_id": 1, "trial": 1, "score": 0.5})
    return Subject, Session, Note


def test_free_tables_fetch_restrict_insert_describe_and_delete(schema, connection):
    Subject, Session, _ = fill(schema)
    subject = dj.FreeTable(connection, f"{schema.database}.subject")
    assert isinstance(subject, dj.FreeTable) and isinstance(subject, dj.Table)
    assert subject.heading.names == ["subject_id", "name", "sex"] and subject.primary_key == ["subject_id"]
    assert (subject & {"sex": "M"}).fetch1("name") == "Bob"
    assert subject.describe() == Subject.describe()
    subject.insert1({"subject_id": 3, "name": "Cy"})
    assert len(Subject & {"subject_id": 3}) == 1
    assert (subject & {"subject_id": 1}).delete() == 1  # and, by cascade, its session and that session's trial
    assert len(Session()) == 1 and len(Session.Trial()) == 0
    for spelling in (Subject.full_table_name, Subject.full_name):  # as the backend quotes it, and with backticks
        assert len(dj.FreeTable(connection, spelling)) == 2


def test_free_tables_refuse_missing_tables_and_malformed_names(schema, connection):
    fill(schema)
    with pytest.raises(dj.MissingTableError):
        dj.FreeTable(connection, f"{schema.database}.no_such_table")
    with pytest.raises(dj.DataJointError, match="full table name"):
        dj.FreeTable(connection, "subject")


def test_schemas_hand_out_free_tables_by_class_or_sql_name(schema, connection):
    fill(schema)

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Session
        ---
        trials: int32
        """

        def make(self, key):
            self.insert1({**key, "trials": len(Session.Trial & key)})

    Session = schema.tables["session"]
    Summary.populate()
    assert schema["Subject"].full_name == schema["subject"].full_name == f"`{schema.database}`.`subject`"
    assert schema.get_table("Summary").table_name == "__summary"  # the tier prefix is found without being given
    assert schema["Session.Trial"].table_name == "session__trial" and len(schema["summary"]) == 2
    assert [t.table_name for t in schema] == schema.list_tables()
    assert all(isinstance(t, dj.FreeTable) for t in schema)
    assert "Summary" in schema and "session__trial" in schema and "Nothing" not in schema
    with pytest.raises(dj.MissingTableError):
        schema["Nothing"]


def test_make_classes_adds_the_classes_a_namespace_lacks(schema, connection):
    Subject, Session, Note = fill(schema)
    reopened = dj.Schema(schema.database, connection=connection, create_schema=False)
    namespace = reopened.make_classes({"Subject": "kept"})
    assert namespace["Subject"] == "kept" and {"Session", "Note"} <= set(namespace)
    assert len(namespace["Session"].Trial()) == 1 and len(namespace["Note"]()) == 0
    assert schema.make_classes({})["Note"] is Note  # a table bound to a class keeps it, even with no rows


def instance_for(connection, folder, **overrides) -> dj.Instance:
    """An Instance reaching the fixture's server (SQLite: a file, as in-memory databases are private)."""
    settings, backend = connection.settings, connection.backend.name
    database = str(folder / "instance.db") if backend == "sqlite" else settings["database.name"]
    inst = dj.Instance(settings["database.host"], settings["database.user"], settings["database.password"],
                       port=settings["database.port"], backend=backend, database__name=database, **overrides)  # fmt: skip
    inst.connection.on_statement = connection.on_statement  # its statements pass the fixture's SQL check
    return inst


def test_an_instance_has_its_own_configuration_and_connection(connection, tmp_path, monkeypatch):
    inst = instance_for(connection, tmp_path, jobs__add_job_metadata=True)
    assert inst.config is not dj.config and inst.connection is not dj.conn()
    assert inst.config["jobs.add_job_metadata"] is True and dj.config["jobs.add_job_metadata"] is False
    schema = inst.Schema(f"djspecs_instance_{os.getpid()}_{connection.backend.name}")
    try:
        assert schema.connection is inst.connection
        declared_with_instance_config(inst, schema, monkeypatch)
    finally:
        schema.drop()
        inst.connection.close()


def test_instance_arguments_are_configuration_keys(tmp_path):
    inst = dj.Instance("", None, None, backend="sqlite", **{"database.name": str(tmp_path / "lab.db")}, safemode=False)
    assert inst.config["database.name"].endswith("lab.db") and inst.config["safemode"] is False
    with pytest.raises(dj.DataJointError, match="Unknown configuration key"):
        dj.Instance("", None, None, backend="sqlite", database__nmae="x")
    with pytest.raises(dj.DataJointError, match="database.backend"):
        dj.Instance("", None, None, backend="oracle")


def declared_with_instance_config(inst: dj.Instance, schema, monkeypatch) -> None:
    """The instance's settings govern work on its connection: job metadata columns, the delete prompt."""

    class Unit(dj.Manual):
        definition = "unit: int32"

    class Rate(dj.Computed):
        definition = "-> Unit\n---\nrate: float64"

        def make(self, key):
            self.insert1({**key, "rate": 2.0})

    schema(Unit)
    schema(Rate)
    Unit.insert1({"unit": 1})
    Rate.populate()
    assert "_job_start_time" in Rate.heading.all_names  # inst.config["jobs.add_job_metadata"], not dj.config's
    rate = inst.FreeTable(f"{schema.database}.__rate")
    assert rate.to_dicts() == [{"unit": 1, "rate": 2.0}] and rate.connection is inst.connection
    answers = []
    monkeypatch.setattr("builtins.input", lambda prompt: answers.append(prompt) or "no")
    inst.config["safemode"] = True  # dj.config["safemode"] is False in these tests
    Unit.delete()
    assert len(answers) == 1 and len(Rate()) == 1
    inst.config["safemode"] = False
    assert Unit.delete() == 1 and len(Rate()) == 0 and len(answers) == 1
