"""Behaviour tied to one backend, subquery joins, and deletes that need a prompt or meet unloaded schemas."""

from __future__ import annotations

import builtins

import pytest

from .pipeline import SUBJECTS, pipeline
from .world import compare, oracle_expectation, run_tree

SQLITE = ["backend.sqlite"]


@pytest.mark.rules("BE-4", requires=SQLITE + ["python.api"])
def test_sqlite_names_tables_schema_dot_table(adapter, schema):
    assert pipeline(adapter, schema, rows=False)["Session"].full_table_name == f'"{schema.database}.session"'


@pytest.mark.rules("BE-5", requires=SQLITE)
def test_sqlite_enforces_foreign_keys(adapter, schema):
    tables = pipeline(adapter, schema, rows=False)
    from djspecs.conformance.errors import SpecError

    with pytest.raises(SpecError) as raised:
        adapter.insert(tables["Session"], [{"subject_id": 9, "session_id": 1}])
    assert raised.value.is_a("IntegrityError")


@pytest.mark.rules("BE-6", requires=SQLITE)
def test_sqlite_checks_core_type_domains(adapter, schema):
    from djspecs.conformance.errors import SpecError

    definition = "k : int8\n---\nflag : bool\nword : varchar(3)"
    table = adapter.declare(schema, [{"name": "Domain", "tier": "manual", "definition": definition}])["Domain"]
    for row in (
        {"k": 200, "flag": True, "word": "a"},
        {"k": 1, "flag": 2, "word": "a"},
        {"k": 1, "flag": 1, "word": "abcd"},
    ):
        with pytest.raises(SpecError):
            adapter.insert(table, [row])
    adapter.insert(table, [{"k": -128, "flag": False, "word": "abc"}])


@pytest.mark.rules("BE-7", "DEF-3")
def test_comments_survive_declaration(adapter, schema):
    definition = "# animals of the lab\nanimal_id : int32  # the number on the cage\n---\nname : varchar(8)"
    table = adapter.declare(schema, [{"name": "Animal", "tier": "manual", "definition": definition}])["Animal"]
    info = adapter.describe(table)
    assert info.comment == "animals of the lab" and info.heading[0].comment == "the number on the cage"


@pytest.mark.rules("Q-35")
@pytest.mark.parametrize(
    "tree",
    [
        {"join": [{"aggr": {"table": "Subject"}, "source": {"table": "Session"}, "compute": {"n": "count(*)"}},
                  {"table": "Session"}]},
        {"join": [{"union": [{"proj": {"restrict": {"table": "Subject"}, "where": {"sql": "subject_id = 1"}}},
                             {"proj": {"restrict": {"table": "Subject"}, "where": {"sql": "subject_id = 3"}}}]},
                  {"proj": {"table": "Session"}, "attributes": ["minutes"]}]},
        {"join": [{"proj": {"table": "Session"}, "compute": {"subject_id2": "subject_id"}},
                  {"proj": {"table": "Subject"}, "attributes": ["name"]}]},
        {"join": [{"join": [{"table": "Subject"}, {"table": "Session"}]}, {"table": "Trial"}]},
    ],
    ids=["aggregation", "union", "computed", "several-tables"],
)  # fmt: skip
def test_joins_of_operands_that_need_a_subquery(adapter, schema, conformance, tree):
    from .pipeline import SESSIONS, TABLES, TRIALS

    tables = pipeline(adapter, schema)
    world = type("World", (), {"tables": TABLES, "rows": {"Subject": SUBJECTS, "Session": SESSIONS, "Trial": TRIALS}})
    expect = oracle_expectation(world, tree, conformance.knobs)
    assert compare(expect, run_tree(adapter, tables, tree)) == []


@pytest.mark.rules("DML-32", requires=["python.api", "config"])
def test_delete_with_prompt_commits_only_on_confirmation(adapter, schema, monkeypatch):
    subject = pipeline(adapter, schema)["Subject"]
    monkeypatch.setattr(builtins, "input", lambda *args: "no")
    (subject & {"subject_id": 3}).delete(prompt=True)
    assert len(subject()) == 3
    monkeypatch.setattr(builtins, "input", lambda *args: "yes")
    (subject & {"subject_id": 3}).delete(prompt=True)
    assert len(subject()) == 2


@pytest.mark.rules("DML-35", requires=["python.api"])
def test_delete_blocked_by_an_unloaded_schema_is_rolled_back(adapter, schema, api, conformance):
    tables = pipeline(adapter, schema)
    other = adapter.create_schema(conformance.schema_name())
    try:
        note = type("Note", (api.Manual,), {"definition": "-> Subject\nnote_id : int32"})
        adapter.api_schema(other)(note, context={"Subject": tables["Subject"]})
        note.insert1({"subject_id": 3, "note_id": 1})
        fresh = type(conformance.adapter.adapter)()  # a new connection that never loaded the other schema
        fresh.connect(conformance.backend, conformance.url)
        try:
            mine = fresh.create_schema(schema.database)
            subject = fresh.declare(mine, [{"name": "Subject", "tier": "manual", "definition": pipeline_subject()}])
            with pytest.raises(api.DataJointError):
                (subject["Subject"] & {"subject_id": 3}).delete(prompt=False)
            assert len(subject["Subject"]() & {"subject_id": 3}) == 1
        finally:
            fresh.close()
    finally:
        adapter.drop_schema(other)


def pipeline_subject() -> str:
    from .pipeline import TABLES

    return TABLES[0]["definition"]
