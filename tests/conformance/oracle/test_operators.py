"""The oracle's operators against the examples of the rules, and the knob of Q-16."""

import pytest

from djspecs.conformance.oracle import OracleError, evaluate

SUBJECT = {"name": "Subject", "tier": "manual", "definition": "subject_id: int32\n---\nsubject_name: varchar(20)"}
SESSION = {"name": "Session", "tier": "manual", "definition": "-> Subject\nsession_id: int32\n---\nduration: int32"}
EXPERIMENTER = {"name": "Experimenter", "tier": "manual", "definition": "experimenter_id: int32"}
VISIT = {
    "name": "Visit",
    "tier": "manual",
    "definition": "visit_id: int32\n---\n-> [nullable] Experimenter\nscore = null: int32",
}
TABLES = [SUBJECT, SESSION, EXPERIMENTER, VISIT]
ROWS = {
    "Subject": [
        {"subject_id": 1, "subject_name": "Ann"},
        {"subject_id": 2, "subject_name": "Bob"},
        {"subject_id": 3, "subject_name": "Cat"},
        {"subject_id": 4, "subject_name": "Dan"},
    ],
    "Session": [
        {"subject_id": 1, "session_id": 1, "duration": 30},
        {"subject_id": 1, "session_id": 2, "duration": 45},
        {"subject_id": 2, "session_id": 1, "duration": 60},
    ],
    "Experimenter": [{"experimenter_id": 10}, {"experimenter_id": 11}, {"experimenter_id": 12}],
    "Visit": [
        {"visit_id": 1, "experimenter_id": 10, "score": 5},
        {"visit_id": 2, "experimenter_id": None, "score": None},
        {"visit_id": 3, "experimenter_id": 11, "score": 1},
    ],
}
SUBJECTS = {"table": "Subject"}


def query(tree, **knobs):
    return evaluate(TABLES, ROWS, tree, knobs=knobs).rows


def key_values(rows, name):
    return sorted(row[name] for row in rows)


@pytest.mark.parametrize(("knob", "kept"), [("not_in", []), ("not_exists", [12])])
def test_antijoin_with_a_null_in_b_follows_the_knob(knob, kept):
    """Q-16: one NULL foreign key in B empties A - B under not_in, not under not_exists."""
    semijoin = {"restrict": {"table": "Experimenter"}, "where": {"query": {"table": "Visit"}}}
    antijoin = {"antirestrict": {"table": "Experimenter"}, "where": {"query": {"table": "Visit"}}}
    assert key_values(query(semijoin, antijoin_null=knob), "experimenter_id") == [10, 11]
    assert key_values(query(antijoin, antijoin_null=knob), "experimenter_id") == kept


def test_restriction_partitions_rows_with_unknown_ones_apart():
    """MR-TLP-RESTRICT: A is A & c, A - c and A & '(c) IS NULL', pairwise disjoint."""
    visits, condition = {"table": "Visit"}, "score > 2"
    parts = [
        query({"restrict": visits, "where": {"sql": condition}}),
        query({"antirestrict": visits, "where": {"sql": condition}}),
        query({"restrict": visits, "where": {"sql": f"({condition}) IS NULL"}}),
    ]
    assert [key_values(part, "visit_id") for part in parts] == [[1], [3], [2]]


def test_negated_mapping_negates_the_conjunction():
    """Q-18: A - {a, b} removes only the rows where both equalities hold."""
    tree = {"antirestrict": {"table": "Session"}, "where": {"dict": {"subject_id": 1, "duration": 45}}}
    assert [(row["subject_id"], row["session_id"]) for row in query(tree)] == [(1, 1), (2, 1)]


def test_top_examples_of_the_rules():
    """Q-70, Q-71, Q-15."""
    by_name_desc = {"top": SUBJECTS, "limit": 2, "order_by": "subject_name DESC"}
    assert [row["subject_id"] for row in query(by_name_desc)] == [4, 3]
    offset_only = {"top": SUBJECTS, "limit": None, "order_by": "KEY", "offset": 1}
    assert [row["subject_id"] for row in query(offset_only)] == [2, 3, 4]
    merged = {"top": {"top": SUBJECTS, "limit": 3, "order_by": "subject_id"}, "limit": 2, "order_by": None, "offset": 1}
    assert [row["subject_id"] for row in query(merged)] == [2, 3]
    reordered = {
        "top": {"top": SUBJECTS, "limit": 2, "order_by": "subject_id"},
        "limit": 1,
        "order_by": "subject_name DESC",
    }
    assert [row["subject_id"] for row in query(reordered)] == [2]
    restricted = {
        "restrict": {"top": SUBJECTS, "limit": 2, "order_by": "subject_id"},
        "where": {"sql": "subject_id > 1"},
    }
    assert [row["subject_id"] for row in query(restricted)] == [2]


@pytest.mark.parametrize("arguments", [{"limit": "2"}, {"order_by": [1]}, {"offset": 0.5}])
def test_top_arguments_of_the_wrong_type_raise_type_error(arguments):
    with pytest.raises(OracleError) as error:
        query({"top": SUBJECTS, **arguments})
    assert error.value.error_class == "TypeError"


def test_projection_examples_of_the_rules():
    """Q-22, Q-23: a computed attribute feeds a later projection; a rename keeps key membership."""
    twice = {"proj": SUBJECTS, "compute": {"twice": "subject_id * 2"}}
    assert key_values(query({"proj": twice, "compute": {"quad": "twice * 2"}}), "quad") == [4, 8, 12, 16]
    renamed = {"restrict": {"proj": SUBJECTS, "rename": {"sid": "subject_id"}}, "where": {"sql": "sid > 3"}}
    result = evaluate(TABLES, ROWS, {"proj": renamed})
    assert (result.primary_key, result.rows) == (("sid",), ({"sid": 4},))
    constant = evaluate(TABLES, ROWS, {"proj": SUBJECTS, "compute": {"missing": "NULL"}})
    assert constant.names == ("subject_id", "missing") and {row["missing"] for row in constant.rows} == {None}


def test_duplicating_a_key_attribute_adds_a_secondary_copy():
    result = evaluate(TABLES, ROWS, {"proj": {"table": "Session"}, "compute": {"sid": "(session_id)"}})
    assert (result.primary_key, result.names) == (("subject_id", "session_id"), ("subject_id", "session_id", "sid"))


def test_aggregation_examples_of_the_rules():
    """Q-35, Q-42, Q-61, Q-63."""
    counts = {"aggr": SUBJECTS, "source": {"table": "Session"}, "compute": {"n": "count(session_id)"}}
    joined = query({"join": [SUBJECTS, counts]})
    assert [(row["subject_name"], row["n"]) for row in joined] == [("Ann", 2), ("Bob", 1), ("Cat", 0), ("Dan", 0)]
    total = {"aggr": {"universal": []}, "source": {"table": "Session"}, "compute": {"n": "count(*)"}}
    assert query(total) == ({"n": 3},)
    empty = {"restrict": {"table": "Session"}, "where": {"bool": False}}
    assert query({**total, "source": empty}) == ({"n": 0},)
    assert query({"restrict": {"universal": []}, "where": {"query": empty}}) == ()


def test_union_with_secondaries_fills_nulls():
    """Q-51: keys of either operand once; the other operand's secondaries NULL where it lacks the key."""
    weights = {"proj": {"restrict": SUBJECTS, "where": {"sql": "subject_id < 3"}}, "rename": {"w": "subject_name"}}
    heights = {"proj": {"restrict": SUBJECTS, "where": {"sql": "subject_id > 1"}}, "rename": {"h": "subject_name"}}
    rows = query({"union": [weights, heights]})
    assert [(row["w"], row["h"]) for row in rows] == [("Ann", None), ("Bob", "Bob"), (None, "Cat"), (None, "Dan")]


def test_a_universal_set_cannot_be_the_result():
    with pytest.raises(OracleError):
        query({"universal": ["subject_id"]})


def test_mapping_values_for_uuid_attributes_are_parsed():
    """Q-12: a string for a uuid attribute is a UUID; a malformed one is refused."""
    tables = [{"name": "Blob", "tier": "manual", "definition": "blob_id: uuid"}]
    rows = {"Blob": [{"blob_id": {"type": "uuid", "value": "6f9619ff-8b86-d011-b42d-00c04fc964ff"}}]}
    found = {"restrict": {"table": "Blob"}, "where": {"dict": {"blob_id": "6F9619FF-8B86-D011-B42D-00C04FC964FF"}}}
    assert len(evaluate(tables, rows, found).rows) == 1
    with pytest.raises(OracleError, match="Badly formed UUID"):
        evaluate(tables, rows, {**found, "where": {"dict": {"blob_id": "not-a-uuid"}}})


def test_semantic_check_false_matches_namesakes_of_any_lineage():
    """LIN-3: A.restrict(Not(B), semantic_check=False) is the antijoin on every shared name."""
    others = {"proj": {"table": "Visit"}, "rename": {"subject_id": "visit_id"}}
    checked = {"antirestrict": SUBJECTS, "where": {"query": others}}
    with pytest.raises(OracleError, match="different lineages"):
        query(checked)
    assert key_values(query({**checked, "semantic_check": False}), "subject_id") == [4]
