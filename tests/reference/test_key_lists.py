"""Restriction by a list of keys (Q-11, Q-12): one row-value IN list per set of attributes, with the meaning of
the OR of the keys' conjunctions, NULLs included, on lists longer than SQLite's expression depth."""

import pytest

import djspecs.reference as dj
from tests.reference.pipeline import declare


@pytest.fixture
def trials(schema):
    Subject, Session, _ = declare(schema)
    Subject.insert([{"subject_id": s, "sex": None if s == 3 else "F"} for s in (1, 2, 3)])
    Session.insert([{"subject_id": s, "session_id": k} for s in (1, 2, 3) for k in range(2)])
    Session.Trial.insert(
        {"subject_id": s, "session_id": k, "trial": t, "score": None if t == 0 else t}
        for s in (1, 2, 3)
        for k in range(2)
        for t in range(600)
    )
    return Subject, Session.Trial


def keys(expression):
    return sorted((r["subject_id"], r["session_id"], r["trial"]) for r in expression.to_dicts())


def test_a_list_of_1000_keys_keeps_exactly_those_rows(trials):
    _, Trial = trials
    wanted = [
        {"subject_id": s, "session_id": k, "trial": t} for s in (1, 2) for k in range(2) for t in range(0, 500, 2)
    ]
    assert len(wanted) == 1000
    assert keys(Trial & wanted) == sorted((w["subject_id"], w["session_id"], w["trial"]) for w in wanted)
    assert len(Trial - wanted) == len(Trial) - 1000


def test_keys_naming_different_attributes_and_a_null_combine_as_or(trials):
    Subject, Trial = trials
    mixed = [{"subject_id": 1, "session_id": 0, "trial": 5}, {"trial": 7, "subject_id": 2, "session_id": 1},
             {"subject_id": 3, "session_id": 1, "trial": 9}, {"subject_id": 3, "session_id": 1, "score": None}]  # fmt: skip
    assert keys(Trial & mixed) == [(1, 0, 5), (2, 1, 7), (3, 1, 0), (3, 1, 9)]
    assert len(Trial - mixed) == len(Trial) - 4
    assert [r["subject_id"] for r in (Subject & [{"sex": None}, {"subject_id": 1}]).to_dicts()] == [1, 3]
    assert len(Subject - [{"subject_id": 1}, {"subject_id": 2, "sex": "M"}]) == 2  # a NULL sex is not "M"


def test_a_key_naming_no_attribute_matches_every_row(trials):
    Subject, _ = trials
    assert len(Subject & [{"subject_id": 1}, {"unknown": 4}]) == 3
    assert len(Subject - [{"unknown": 4}]) == 0
    assert len(Subject & []) == 0


def test_values_are_normalized_and_checked_as_in_a_single_key(trials):
    Subject, _ = trials
    assert len(Subject & [{"subject_id": 2.0}, {"subject_id": 3}]) == 2
    for bad in ({"subject_id": "3"}, {"subject_id": 2**40}):
        with pytest.raises(dj.DataJointError) as single:
            len(Subject & bad)
        with pytest.raises(dj.DataJointError) as listed:
            len(Subject & [{"subject_id": 1}, bad])
        assert str(listed.value) == str(single.value)


def test_integer_keys_past_the_parameter_limit_go_inline(trials, connection, monkeypatch):
    _, Trial = trials
    wanted = [{"subject_id": 1, "session_id": 1, "trial": t} for t in range(100)]
    bound = []
    check = connection.on_statement
    monkeypatch.setattr(connection, "on_statement", lambda s: (bound.append(len(connection.bound_values(s))), check(s)))
    monkeypatch.setattr(connection.backend, "MAX_PARAMETERS", 30)
    assert keys(Trial & wanted) == [(1, 1, t) for t in range(100)]
    assert bound == [0]
