"""The Python API's output methods and the laziness of expressions (FETCH, Q-1, Q-3, Q-4, Q-72)."""

from __future__ import annotations

import warnings

import pytest

from .pipeline import SUBJECTS, pipeline


@pytest.mark.rules("Q-1", requires=["python.api"])
def test_operators_leave_their_operands_unchanged(adapter, schema):
    t = pipeline(adapter, schema)
    subject = t["Subject"]()
    restricted = subject & {"subject_id": 1}
    projected = restricted.proj("name")
    assert len(subject) == 3 and len(restricted) == 1
    assert projected.heading.names == ["subject_id", "name"] and list(restricted.heading.names)[-1] == "age"


@pytest.mark.rules("Q-3", requires=["python.api"])
def test_operator_spelling_and_precedence(adapter, schema):
    t = pipeline(adapter, schema)
    subject, session = t["Subject"], t["Session"]
    keys = subject.proj()
    assert len(subject & keys * session.proj()) == len(subject & (keys * session.proj())) == 2
    assert len(subject - session) == 1 and len(keys - {"subject_id": 1} + (keys & "subject_id = 1")) == 3
    assert len(session.extend(subject)) == 3
    assert len(subject.aggr(session, n="count(*)")) == 3


@pytest.mark.rules("Q-4", requires=["python.api"])
def test_legacy_operators_name_their_replacements(adapter, schema, api):
    t = pipeline(adapter, schema, rows=False)
    with pytest.raises(api.DataJointError, match=r"join"):
        t["Subject"]() @ t["Session"]()
    with pytest.raises(api.DataJointError, match=r"restrict"):
        t["Subject"]() ^ t["Session"]()


@pytest.mark.rules("FETCH-1", requires=["python.api", "fetch.pandas"])
def test_output_methods(adapter, schema):
    subject = pipeline(adapter, schema)["Subject"]()
    assert subject.to_dicts(order_by="KEY") == SUBJECTS
    frame = subject.to_pandas()
    assert list(frame.index.names) == ["subject_id"] and len(frame) == 3
    assert subject.keys(order_by="KEY") == [{"subject_id": s["subject_id"]} for s in SUBJECTS]
    names, ages = subject.to_arrays("name", "age", order_by="KEY")
    assert list(names) == ["ann", "bob", "cy"] and len(ages) == 3
    assert len(subject.to_arrays()) == 3
    assert subject.head(2) == SUBJECTS[:2] and subject.tail(1) == SUBJECTS[-1:]


@pytest.mark.rules("FETCH-2", requires=["python.api"])
def test_fetch1_shapes(adapter, schema, api):
    subject = pipeline(adapter, schema)["Subject"]()
    one = subject & {"subject_id": 1}
    assert one.fetch1() == SUBJECTS[0]
    assert one.fetch1("name") == "ann" and one.fetch1("age", "name") == (3, "ann")
    assert one.fetch1("KEY") == {"subject_id": 1}
    with pytest.raises(api.DataJointError):
        subject.fetch1()
    with pytest.raises(api.DataJointError):
        (subject & {"subject_id": 9}).fetch1()


@pytest.mark.rules("FETCH-3", requires=["python.api"])
def test_iteration_yields_dicts(adapter, schema):
    subject = pipeline(adapter, schema)["Subject"]
    rows = list(iter(subject()))
    assert sorted(rows, key=lambda r: r["subject_id"]) == SUBJECTS and all(isinstance(r, dict) for r in rows)
    assert sorted(r["subject_id"] for r in subject) == [1, 2, 3]  # the class iterates like an instance


@pytest.mark.rules("FETCH-4", requires=["python.api"])
def test_fetch_is_deprecated_but_works(adapter, schema):
    subject = pipeline(adapter, schema)["Subject"]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        as_dicts = subject.fetch(as_dict=True, order_by="KEY")
        keys = subject.fetch("KEY", order_by="KEY")
    assert as_dicts == subject.to_dicts(order_by="KEY") and keys == subject.keys(order_by="KEY")
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


@pytest.mark.rules("FETCH-5", requires=["python.api"])
def test_len_bool_and_in(adapter, schema):
    t = pipeline(adapter, schema)
    subject, session = t["Subject"](), t["Session"]()
    assert len(subject) == 3 and len(session.proj()) == 3 and len(subject & session) == 2
    assert bool(subject) and not bool(subject & {"subject_id": 9})
    assert {"subject_id": 1} in subject and {"subject_id": 9} not in subject
    assert ({"subject_id": 3} in (subject & session)) == bool(subject & session & {"subject_id": 3})


@pytest.mark.rules("FETCH-6", requires=["python.api"])
def test_fetched_values_are_decoded_and_hidden_names_refused(adapter, schema, api):
    subject = pipeline(adapter, schema)["Subject"]()
    row = (subject & {"subject_id": 1}).fetch1()
    assert type(row["subject_id"]) is int and type(row["name"]) is str
    with pytest.raises((api.DataJointError, KeyError)):
        subject.to_arrays("_hidden_attribute")


@pytest.mark.rules("Q-72", requires=["python.api", "query.top"])
def test_fetch_ordering_arguments_act_as_a_top(adapter, schema, api):
    subject = pipeline(adapter, schema)["Subject"]()
    assert [r["subject_id"] for r in subject.to_dicts(order_by="subject_id DESC", limit=2)] == [3, 2]
    assert [r["subject_id"] for r in subject.to_dicts(limit=2, offset=1)] == [2, 3]
    top = subject & api.Top(2, "name DESC")
    assert [r["name"] for r in top.to_dicts(limit=1)] == ["cy"]  # inherits the Top's ordering
