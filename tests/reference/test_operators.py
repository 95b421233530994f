"""The algebra's general rules on real data: laziness (Q-1), closure (Q-2), Python spelling (Q-3), operands that
must be joined as finished results (Q-35) and unions that fill missing secondaries with NULL (Q-51)."""

import pytest

import djspecs.reference as dj
from tests.reference.pipeline import declare


@pytest.fixture
def pipeline(schema):
    Subject, Session, Note = declare(schema)
    Subject.insert([{"subject_id": i, "name": f"n{i}", "sex": "F" if i % 2 else None} for i in range(1, 5)])
    Session.insert([{"subject_id": s, "session_id": k} for s in (1, 2, 3) for k in range(s)])
    Session.Trial.insert([{"subject_id": 2, "session_id": 1, "trial": t, "score": t / 2} for t in range(3)])
    Note.insert([{"subject_id": 3, "session_id": 2, "note_id": 1, "text": "late"}])
    return Subject, Session, Note


def rows(expression, *names):
    return sorted(tuple(row[n] for n in names) for row in expression.to_dicts())


def test_building_expressions_sends_nothing(pipeline, connection):
    Subject, Session, _ = pipeline
    before = connection.statements
    subject, session = Subject(), Session()
    expression = (subject & "subject_id > 1") * session
    expression = expression.proj(twice="session_id * 2") - {"subject_id": 3}
    expression = Subject.aggr(expression, n="count(*)") + Subject.proj()
    assert connection.statements == before
    assert len(expression) == 4 and connection.statements > before


def test_operators_leave_their_operands_unchanged(pipeline):
    Subject, Session, _ = pipeline
    subject = Subject()
    restricted = subject & {"subject_id": 1}
    subject.proj("name")
    subject * Session
    assert len(subject) == 4 and len(restricted) == 1
    assert subject.heading.names == ["subject_id", "name", "sex"]


def test_every_result_is_an_operand_of_every_operator(pipeline):
    Subject, Session, _ = pipeline
    results = {
        "restrict": Subject & "subject_id < 3",
        "antirestrict": Subject - Session,
        "project": Subject.proj("name", tag="subject_id + 1"),
        "join": Subject * Session,
        "aggregate": Subject.aggr(Session, n="count(session_id)"),
        "union": (Subject.proj() & "subject_id = 4") + (Subject.proj() & Session),
        "universal": dj.U("name") & Subject,
    }
    for name, result in results.items():
        assert set(result.primary_key) <= set(result.heading.names), name
        n = len(result)
        assert n > 0, name
        assert len(result & {"subject_id": 1}) + len(result - {"subject_id": 1}) == n, name
        assert len(result.proj()) == n, name
        if all(result.heading[k].lineage for k in result.primary_key):  # LIN-2: no lineage, no matching
            assert len(result.proj() + result.proj()) == n, name
        assert len(result * Subject.proj()) <= n * 4, name


def test_python_precedence_of_the_operators(pipeline):
    Subject, Session, Note = pipeline
    # `*` binds tighter than `&`: A & B * C is A & (B * C).
    assert rows(Subject & Session * Note, "subject_id") == rows(Subject & (Session * Note), "subject_id") == [(3,)]
    # `*` binds tighter than `-`: A - B * C is A - (B * C).
    assert rows(Subject - Session * Note, "subject_id") == [(1,), (2,), (4,)]
    # `+` and `-` bind tighter than `&`: A & B + C is A & (B + C).
    union = Session.proj() & "subject_id = 1"
    assert rows(Subject & union + (Session.proj() & "subject_id = 3"), "subject_id") == [(1,), (3,)]


def test_join_with_an_aggregation_uses_its_finished_rows(pipeline):
    Subject, Session, _ = pipeline
    counts = Subject.aggr(Session, n="count(session_id)")
    joined = counts * Session
    assert rows(joined, "subject_id", "session_id", "n") == [
        (1, 0, 1),
        (2, 0, 2),
        (2, 1, 2),
        (3, 0, 3),
        (3, 1, 3),
        (3, 2, 3),
    ]


def test_join_on_a_renamed_attribute_uses_the_new_name(pipeline):
    Subject, Session, _ = pipeline
    joined = Subject.proj("name", sid="subject_id") * Session.proj(sid="subject_id")
    assert joined.primary_key == ["sid", "session_id"]
    assert rows(joined, "sid", "session_id", "name") == [
        (1, 0, "n1"),
        (2, 0, "n2"),
        (2, 1, "n2"),
        (3, 0, "n3"),
        (3, 1, "n3"),
        (3, 2, "n3"),
    ]


def test_join_with_a_union_operand(pipeline):
    Subject, Session, Note = pipeline
    union = (Session.proj() & "subject_id = 1") + (Session.proj() & "subject_id = 3")
    joined = union * Note
    assert rows(joined, "subject_id", "session_id", "note_id") == [(3, 2, 1)]


def test_join_of_a_join_with_shared_names(pipeline):
    Subject, Session, Note = pipeline
    left = Subject * Session  # a FROM with two tables; its result joins on subject_id and session_id
    joined = left * Note
    assert rows(joined, "subject_id", "session_id", "name", "text") == [(3, 2, "n3", "late")]


def test_union_fills_missing_secondaries_with_null(pipeline):
    Subject, Session, _ = pipeline
    left = Subject.proj("name") & "subject_id < 3"
    right = Subject.proj(label="sex") & "subject_id > 1"
    union = left + right
    assert union.heading.names == ["subject_id", "name", "label"]
    assert rows(union, "subject_id", "name", "label") == [
        (1, "n1", None),
        (2, "n2", None),
        (3, None, "F"),
        (4, None, None),
    ]
