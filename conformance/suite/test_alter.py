"""Altering a declared table to a changed definition (DEF-21, and PIPE-7 for alter inside a transaction).

Every test declares the small pipeline, alters one table through the adapter's `alter` and reads the result
back with `describe` and `fetch`: rows survive, secondary attributes and the table comment change, and
changes to the primary key, foreign keys or indexes are refused with the table left as it was.
"""

from __future__ import annotations

import pytest

from djspecs.conformance.errors import SpecError

from .pipeline import SESSIONS, SUBJECTS, pipeline

SUBJECT = "subject_id : int32\n---\nname : varchar(16)\nage = null : int32"


def rows(adapter, tables, name: str) -> list[dict]:
    found = adapter.fetch(adapter.expression(tables, {"table": name}))
    return sorted(found.rows, key=lambda row: [row[k] for k in found.primary_key])


def attributes(adapter, table) -> dict:
    return {a.name: a for a in adapter.describe(table).heading}


def assert_refused(adapter, tables, definition: str) -> None:
    """The alter raises NotImplementedError and Subject keeps its heading, key and rows."""
    before = adapter.describe(tables["Subject"])
    with pytest.raises(SpecError) as raised:
        adapter.alter(tables["Subject"], definition)
    assert raised.value.is_a("NotImplementedError"), raised.value
    after = adapter.describe(tables["Subject"])
    assert [(a.name, a.type) for a in after.heading] == [(a.name, a.type) for a in before.heading]
    assert after.primary_key == before.primary_key and after.indexes == before.indexes
    assert rows(adapter, tables, "Subject") == SUBJECTS


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_adds_a_secondary_attribute_and_keeps_the_rows(adapter, schema):
    tables = pipeline(adapter, schema)
    adapter.alter(tables["Subject"], SUBJECT + "\nweight = null : float64  # grams")
    weight = attributes(adapter, tables["Subject"])["weight"]
    assert (weight.type, weight.nullable, weight.comment) == ("float64", True, "grams")
    assert rows(adapter, tables, "Subject") == [{**row, "weight": None} for row in SUBJECTS]
    adapter.insert(tables["Subject"], [{"subject_id": 4, "name": "dee", "age": 1, "weight": 21.5}])
    assert rows(adapter, tables, "Subject")[-1]["weight"] == 21.5


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_drops_a_secondary_attribute(adapter, schema):
    tables = pipeline(adapter, schema)
    adapter.alter(tables["Subject"], "subject_id : int32\n---\nname : varchar(16)")
    assert list(attributes(adapter, tables["Subject"])) == ["subject_id", "name"]
    assert rows(adapter, tables, "Subject") == [{"subject_id": r["subject_id"], "name": r["name"]} for r in SUBJECTS]


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_changes_type_comment_and_default_of_secondary_attributes(adapter, schema):
    tables = pipeline(adapter, schema)
    adapter.alter(tables["Subject"], "subject_id : int32\n---\nname : varchar(40)  # full name\nage = null : int64")
    changed = attributes(adapter, tables["Subject"])
    assert (changed["name"].type, changed["name"].comment, changed["age"].type) == ("varchar(40)", "full name", "int64")
    assert rows(adapter, tables, "Subject") == SUBJECTS
    long_name = "x" * 40  # too long for the old varchar(16)
    adapter.insert(tables["Subject"], [{"subject_id": 4, "name": long_name, "age": 2**40}])
    assert rows(adapter, tables, "Subject")[-1] == {"subject_id": 4, "name": long_name, "age": 2**40}
    adapter.alter(tables["Session"], "-> Subject\nsession_id : int16\n---\nminutes = 45 : int32")
    adapter.insert(tables["Session"], [{"subject_id": 3, "session_id": 1}])
    assert [r["minutes"] for r in rows(adapter, tables, "Session")] == [s["minutes"] for s in SESSIONS] + [45]


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_makes_an_attribute_nullable(adapter, schema):
    tables = pipeline(adapter, schema)
    adapter.alter(tables["Subject"], "subject_id : int32\n---\nname = null : varchar(16)\nage = null : int32")
    assert attributes(adapter, tables["Subject"])["name"].nullable
    adapter.insert(tables["Subject"], [{"subject_id": 4, "name": None, "age": None}])
    assert rows(adapter, tables, "Subject")[-1]["name"] is None


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_renames_the_attribute_named_at_the_start_of_the_comment(adapter, schema):
    tables = pipeline(adapter, schema)
    adapter.alter(tables["Subject"], "subject_id : int32\n---\nfull_name : varchar(16)  # {name}\nage = null : int32")
    assert list(attributes(adapter, tables["Subject"])) == ["subject_id", "full_name", "age"]
    renamed = [{"subject_id": r["subject_id"], "full_name": r["name"], "age": r["age"]} for r in SUBJECTS]
    assert rows(adapter, tables, "Subject") == renamed


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_changes_the_table_comment(adapter, schema):
    tables = pipeline(adapter, schema)
    adapter.alter(tables["Subject"], "# subjects of the study\n" + SUBJECT)
    assert adapter.describe(tables["Subject"]).comment == "subjects of the study"
    assert rows(adapter, tables, "Subject") == SUBJECTS


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_with_the_declared_definition_changes_nothing(adapter, schema):
    tables = pipeline(adapter, schema)
    before = adapter.describe(tables["Subject"])
    adapter.alter(tables["Subject"], SUBJECT)
    assert adapter.describe(tables["Subject"]) == before
    assert rows(adapter, tables, "Subject") == SUBJECTS


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_refuses_a_new_primary_key_attribute(adapter, schema):
    tables = pipeline(adapter, schema)
    assert_refused(adapter, tables, "subject_id : int32\nlab_id : int32\n---\nname : varchar(16)\nage = null : int32")


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_refuses_a_primary_key_attribute_moved_below_the_divider(adapter, schema):
    tables = pipeline(adapter, schema)
    assert_refused(adapter, tables, "name : varchar(16)\n---\nsubject_id : int32\nage = null : int32")


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_refuses_a_new_primary_key_type(adapter, schema):
    tables = pipeline(adapter, schema)
    assert_refused(adapter, tables, "subject_id : int64\n---\nname : varchar(16)\nage = null : int32")


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_refuses_foreign_key_changes(adapter, schema):
    tables = pipeline(adapter, schema)
    tagged = adapter.declare(
        schema, [{"name": "Tag", "tier": "manual", "definition": "tag_id : int32\n---\n-> Subject"}]
    )
    adapter.insert(tagged["Tag"], [{"tag_id": 1, "subject_id": 1}])
    for definition in ("tag_id : int32\n---\nsubject_id : int32", "tag_id : int32\n---\n-> Session"):
        with pytest.raises(SpecError) as raised:
            adapter.alter(tagged["Tag"], definition)
        assert raised.value.is_a("NotImplementedError"), raised.value
    info = adapter.describe(tagged["Tag"])
    assert [(fk.parent, fk.attributes) for fk in info.foreign_keys] == [("Subject", {"subject_id": "subject_id"})]
    assert rows(adapter, {**tables, **tagged}, "Tag") == [{"tag_id": 1, "subject_id": 1}]


@pytest.mark.rules("DEF-21", requires=["definition.alter"])
def test_alter_refuses_index_changes(adapter, schema):
    tables = pipeline(adapter, schema)
    assert_refused(adapter, tables, SUBJECT + "\nindex(name)")
    assert_refused(adapter, tables, SUBJECT + "\nunique index(name)")


@pytest.mark.rules("PIPE-7", requires=["python.api", "transactions", "definition.alter"])
def test_no_alter_inside_a_transaction(adapter, schema):
    tables = pipeline(adapter, schema)
    with pytest.raises(SpecError) as raised, schema.connection.transaction:
        adapter.alter(tables["Subject"], SUBJECT + "\nweight = null : float64")
    assert raised.value.is_a("DataJointError"), raised.value
    assert "weight" not in attributes(adapter, tables["Subject"])
