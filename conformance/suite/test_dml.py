"""Changing data through the Python API: atomic inserts, query inserts, update1, deletes and drops (DML)."""

from __future__ import annotations

import pytest

from .pipeline import SESSIONS, SUBJECTS, pipeline


@pytest.mark.rules("DML-7", requires=["python.api"])
def test_an_insert_call_is_all_or_nothing(adapter, schema, api):
    subject = pipeline(adapter, schema, rows=False)["Subject"]
    with pytest.raises(api.DataJointError):
        subject.insert([{"subject_id": 1, "name": "a"}, {"subject_id": 1, "name": "b"}])
    assert len(subject()) == 0


@pytest.mark.rules("DML-8", requires=["python.api"])
def test_query_insert_needs_every_source_attribute_in_the_target(adapter, schema, api):
    tables = pipeline(adapter, schema)
    copy = adapter.declare(
        schema, [{"name": "Copy", "tier": "manual", "definition": "subject_id : int32\n---\nname : varchar(16)"}]
    )
    copy["Copy"].insert(tables["Subject"].proj("name"))
    assert len(copy["Copy"]()) == 3
    with pytest.raises((api.DataJointError, KeyError)):
        copy["Copy"].insert(tables["Subject"]())  # `age` has no column in Copy


@pytest.mark.rules("DML-20", "DML-21", requires=["python.api"])
def test_update1_changes_one_row_and_respects_foreign_keys(adapter, schema, api):
    tables = pipeline(adapter, schema)
    tables["Subject"].update1({"subject_id": 2, "age": 7})
    assert (tables["Subject"] & {"subject_id": 2}).fetch1("age") == 7
    with pytest.raises(api.DataJointError):
        tables["Subject"].update1({"subject_id": 9, "age": 1})  # no such row
    with pytest.raises(api.DataJointError):
        tables["Subject"].update1({"age": 1})  # no primary key
    with pytest.raises(api.DataJointError):
        tables["Subject"].update1({"subject_id": 1, "nope": 1})  # no such attribute
    tables["Subject"].update1({"subject_id": 1, "age": None})  # back to the default, NULL
    assert (tables["Subject"] & {"subject_id": 1}).fetch1("age") is None
    pair = adapter.declare(schema, [{"name": "Pair", "tier": "manual",
                                     "definition": "pair_id : int32\n---\n-> Subject"}])["Pair"]  # fmt: skip
    pair.insert1({"pair_id": 1, "subject_id": 1})
    with pytest.raises(api.DataJointError):
        pair.update1({"pair_id": 1, "subject_id": 42})  # DML-21: no such parent


@pytest.mark.rules("DML-30", "DML-31", "DML-42", requires=["python.api"])
def test_delete_cascades_through_renamed_foreign_keys(adapter, schema):
    tables = pipeline(adapter, schema)
    mentor = adapter.declare(schema, [{"name": "Mentor", "tier": "manual",
                                       "definition": "-> Subject\n---\n-> Subject.proj(mentor_id='subject_id')"}])  # fmt: skip
    mentor["Mentor"].insert([{"subject_id": 2, "mentor_id": 1}, {"subject_id": 3, "mentor_id": 3}])
    adapter.delete(tables["Subject"] & {"subject_id": 1})
    assert sorted(r["subject_id"] for r in tables["Subject"].to_dicts()) == [2, 3]
    assert [r["subject_id"] for r in tables["Session"].to_dicts()] == [2]
    assert len(tables["Trial"]()) == 0
    assert [r["subject_id"] for r in mentor["Mentor"].to_dicts()] == [3]  # DML-31: reached through mentor_id


@pytest.mark.rules("DML-34", requires=["python.api"])
def test_parts_are_not_deleted_without_their_master(adapter, schema, api):
    tables = pipeline(adapter, schema)
    with pytest.raises(api.DataJointError):
        (tables["Trial"] & {"trial": 1}).delete(prompt=False)
    assert len(tables["Trial"]()) == 2
    (tables["Trial"] & {"trial": 1}).delete(prompt=False, part_integrity="cascade")
    assert len(tables["Trial"]()) == 0 and len(tables["Session"] & {"subject_id": 1, "session_id": 1}) == 0


@pytest.mark.rules("DML-36", requires=["python.api"])
def test_delete_quick_does_not_cascade(adapter, schema, api):
    tables = pipeline(adapter, schema)
    (tables["Subject"] & {"subject_id": 3}).delete_quick()
    assert len(tables["Subject"]()) == 2
    with pytest.raises(api.DataJointError):
        (tables["Subject"] & {"subject_id": 1}).delete_quick()  # sessions refer to it
    assert len(tables["Subject"]()) == 2


@pytest.mark.rules("DML-37", requires=["python.api"])
def test_drop_removes_the_table_and_its_descendants(adapter, schema, api):
    tables = pipeline(adapter, schema)
    with pytest.raises(api.DataJointError):
        (tables["Subject"] & {"subject_id": 1}).drop(prompt=False)  # only unrestricted tables drop
    tables["Session"].drop(prompt=False)
    assert "session" not in schema.list_tables() and "session__trial" not in schema.list_tables()
    assert tables["Subject"].to_dicts(order_by="KEY") == SUBJECTS


@pytest.mark.rules("DML-40", "DML-33", requires=["python.api", "transactions"])
def test_transactions_commit_or_roll_back(adapter, schema, api):
    tables = pipeline(adapter, schema)
    connection = schema.connection
    with connection.transaction:
        tables["Subject"].insert1({"subject_id": 8, "name": "kept"})
    with pytest.raises(ZeroDivisionError), connection.transaction:
        tables["Subject"].insert1({"subject_id": 9, "name": "lost"})
        raise ZeroDivisionError
    assert {r["subject_id"] for r in tables["Subject"].to_dicts()} == {1, 2, 3, 8}
    with connection.transaction:
        (tables["Session"] & {"subject_id": 2}).delete(prompt=False, transaction=False)  # DML-33
    assert len(tables["Session"]()) == len(SESSIONS) - 1


@pytest.mark.rules("DML-5", requires=["python.api", "dml.replace"])
def test_replace_overwrites_the_row(adapter, schema):
    subject = pipeline(adapter, schema)["Subject"]
    subject.insert([{"subject_id": 1, "name": "new", "age": None}], replace=True)
    assert (subject & {"subject_id": 1}).fetch1("name") == "new"


@pytest.mark.rules("DML-10", requires=["python.api", "fetch.pandas"])
def test_dataframes_insert_back_and_rows_validate_without_the_database(adapter, schema, api):
    subject = pipeline(adapter, schema, rows=False)["Subject"]
    adapter.insert(subject, SUBJECTS)
    frame = subject.to_pandas()  # indexed by the primary key
    before = sorted(subject.to_dicts(), key=lambda row: row["subject_id"])
    subject.delete_quick()
    subject.insert_dataframe(frame)  # the index becomes subject_id again
    assert sorted(subject.to_dicts(), key=lambda row: row["subject_id"]) == before
    subject.delete_quick()
    subject.insert_dataframe(frame.reset_index())  # an unnamed default index is dropped
    assert len(subject()) == 3
    result = subject.validate(
        [{"subject_id": 9, "name": "ok"}, {"subject_id": 8}, {"subject_id": 7, "name": "x", "nickname": "y"}]
    )
    assert (result.is_valid, result.rows_checked, bool(result)) == (False, 3, False)
    assert sorted({(row, attribute) for row, attribute, _ in result.errors}) == [(1, "name"), (2, "nickname")]
    assert subject.validate([{"subject_id": 7, "name": "x", "nickname": "y"}], ignore_extra_fields=True).is_valid
    assert len(subject()) == 3  # validating wrote nothing
