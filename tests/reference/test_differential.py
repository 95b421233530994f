"""Differential test: random data and random query trees give the same rows on every backend and in the oracle.

Hypothesis draws rows for a small fixed pipeline and query trees of depth up to four in the neutral
format of spec/vectors/README.md; the reference evaluates each tree on the backend under test, the
oracle (a pure-Python evaluator written from the rules) evaluates it over the same rows, and the row
multisets must agree. A failure prints the tree and the rows, which reproduce it.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from djspecs.conformance.adapters.reference import ReferenceAdapter
from djspecs.conformance.errors import SpecError
from djspecs.conformance.oracle import evaluate as oracle
from djspecs.conformance.runner import evaluator
from djspecs.conformance.vectors import compare

TABLES = [
    {"name": "Subject", "tier": "manual", "definition": "subject_id: int32\n---\nage = null: int32\nname: varchar(8)"},
    {"name": "Session", "tier": "manual", "definition": "-> Subject\nsession_id: int32\n---\nminutes = null: int32"},
]
NAMES = ["ann", "bob", "cy", "Ann", "o'neil"]


@st.composite
def rows(draw):
    subjects = draw(st.lists(st.integers(1, 8), unique=True, max_size=6))
    subject_rows = [
        {"subject_id": s, "age": draw(st.none() | st.integers(0, 5)), "name": draw(st.sampled_from(NAMES))}
        for s in subjects
    ]
    keys = (
        draw(st.lists(st.tuples(st.sampled_from(subjects), st.integers(1, 3)), unique=True, max_size=8))
        if subjects
        else []
    )
    session_rows = [{"subject_id": s, "session_id": n, "minutes": draw(st.none() | st.integers(0, 9))} for s, n in keys]
    return {"Subject": subject_rows, "Session": session_rows}


SUBJECT_CONDITIONS = st.one_of(
    st.builds(lambda k: {"sql": f"age > {k}"}, st.integers(0, 5)),
    st.just({"sql": "age IS NULL"}),
    st.builds(lambda n: {"dict": {"name": n}}, st.sampled_from(NAMES)),
    st.builds(lambda k: {"dict": {"age": k}}, st.none() | st.integers(0, 5)),
    st.just({"query": {"table": "Session"}}),
    st.builds(lambda k: {"or": [{"sql": f"subject_id < {k}"}, {"sql": "age = 1"}]}, st.integers(1, 8)),
    st.builds(lambda k: {"not": {"and": [{"sql": f"subject_id > {k}"}, {"sql": "age < 3"}]}}, st.integers(1, 8)),
)


def restricted(base, conditions):
    return st.builds(
        lambda node, condition, anti: {"antirestrict" if anti else "restrict": node, "where": condition},
        base,
        conditions,
        st.booleans(),
    )


SUBJECTS = st.recursive(
    st.just({"table": "Subject"}),
    lambda inner: st.one_of(
        restricted(inner, SUBJECT_CONDITIONS),
        st.builds(lambda node: {"proj": node, "attributes": ["age"], "compute": {"older": "age + 1"}}, inner),
        st.builds(lambda node: {"top": node, "limit": 3, "order_by": "subject_id DESC"}, inner),
    ),
    max_leaves=4,
)

TREES = st.one_of(
    SUBJECTS,
    st.builds(lambda s: {"join": [s, {"table": "Session"}]}, SUBJECTS),
    st.builds(lambda s: {"aggr": s, "source": {"table": "Session"}, "compute": {"n": "count(session_id)"}}, SUBJECTS),
    st.builds(lambda s: {"aggr": s, "source": {"table": "Session"}, "compute": {"longest": "max(minutes)"}}, SUBJECTS),
    st.builds(lambda a, b: {"union": [{"proj": a}, {"proj": b}]}, SUBJECTS, SUBJECTS),
    st.builds(lambda s: {"restrict": {"universal": ["age"]}, "where": {"query": s}}, SUBJECTS),
    st.builds(lambda s: {"extend": [{"table": "Session"}, s]}, SUBJECTS.filter(lambda t: "proj" not in t)),
)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows(), tree=TREES)
def test_backend_agrees_with_the_oracle(schema, data, tree):
    for name in ("session", "subject"):  # empty what the previous example left, children first
        if name in schema.tables:
            schema.tables[name]().delete_quick()
    try:
        expect = {"rows": [dict(row) for row in oracle(TABLES, data, tree).rows]}
    except SpecError as error:  # a tree the oracle refuses must be refused with the same error class
        expect = {"error": error.error_class}
    try:
        outcome = evaluator(ReferenceAdapter(), schema)(TABLES, data, tree)
    except SpecError as error:
        outcome = error
    assert compare(expect, outcome) == [], f"tree={tree}\nrows={data}"
