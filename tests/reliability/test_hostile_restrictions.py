"""Hostile restrictions, keys and attribute names: a DataJointError or the correct rows, never other SQL.

Q-11, Q-12: a dict restriction compares visible attributes by bound values and ignores other keys.
Q-13: string restrictions are one SQL expression over the heading; statements, subqueries, other tables
and unknown functions are refused. Deleting through a hostile restriction removes exactly the rows it
selects. The canary table and the statement guard prove nothing else runs.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

import djspecs.reference as dj
from tests.reliability.conftest import FULL, scale
from tests.reliability.corpus import load
from tests.reliability.harness import run_case
from tests.reliability.targets import declare_target, seed

HOSTILE_NAMES = load("names")
RESTRICTIONS = load("restrictions")


@pytest.fixture
def seeded(arena):
    Target = declare_target(arena.schema)
    return Target, seed(Target)


def by_name(rows, name):
    return [row for row in rows if row["name"] == name]


def check_name_restriction(arena, Target, rows, name) -> None:
    with arena.guard.expect():
        found = run_case("dict restriction value", lambda: (Target & {"name": name}).to_dicts(order_by="KEY"))
    if not isinstance(found, dj.DataJointError):
        assert found == by_name(rows, name), f"restriction by name {name!r}"
    arena.check()


def test_dict_restrictions_with_hostile_values(arena, seeded):
    Target, rows = seeded
    for name in HOSTILE_NAMES + [row["name"] for row in rows]:
        check_name_restriction(arena, Target, rows, name)


def test_dict_restrictions_with_hostile_keys_are_ignored(arena, seeded):
    Target, rows = seeded
    for key in HOSTILE_NAMES:
        with arena.guard.expect():
            found = run_case("dict restriction key", lambda key=key: (Target & {key: "a"}).to_dicts(order_by="KEY"))
        if not isinstance(found, dj.DataJointError):
            assert found == (by_name(rows, "a") if key == "name" else rows), f"restriction by key {key!r}"
        arena.check()


def test_hostile_attribute_names_in_projection_fetch_and_order(arena, seeded):  # Q-20, FETCH-1
    Target, rows = seeded
    for name in HOSTILE_NAMES:
        cases = {
            "proj": lambda name=name: Target.proj(name).to_dicts(order_by="KEY"),
            "rename": lambda name=name: Target.proj(**{name: "id"}).to_dicts(),
            "fetch": lambda name=name: Target.to_arrays(name),
            "order_by": lambda name=name: Target.to_dicts(order_by=name),
        }
        for what, action in cases.items():
            with arena.guard.expect():
                found = run_case(f"attribute name in {what}", action)
            if what == "order_by" and not isinstance(found, dj.DataJointError):
                assert sorted(found, key=lambda r: r["id"]) == rows
            arena.check()


def check_string_restriction(arena, Target, rows, text, *, delete: bool) -> None:
    with arena.guard.expect():
        found = run_case("string restriction", lambda: (Target & text).to_dicts(order_by="KEY"))
    arena.check()
    if isinstance(found, dj.DataJointError) or not delete:
        return
    with arena.guard.expect(exp.Delete, exp.Transaction, exp.Commit, exp.Rollback):
        run_case("delete through a string restriction", lambda: (Target & text).delete())
    arena.check()
    assert Target.to_dicts(order_by="KEY") == [row for row in rows if row not in found], text
    Target.insert(found)


def test_corpus_string_restrictions_select_and_delete_only_their_rows(arena, seeded):  # Q-13, DML-30
    Target, rows = seeded
    for text in RESTRICTIONS:
        check_string_restriction(arena, Target, rows, text, delete=True)


FRAGMENTS = [
    "id", "name", "txt", "=", "<>", "'", "''", "\"", "`", ";", "--", "/*", "*/", "(", ")", "1", "0", "OR", "AND",
    "NOT", "NULL", "IS", "IN", "LIKE", "'%'", "SELECT", "FROM", "canary", "DROP", "TABLE", "DELETE", "UNION",
    "SLEEP(1)", "\\", "%s", "?", "#", "\x00", "ä",
]  # fmt: skip
restrictions = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(FRAGMENTS) | st.sampled_from(HOSTILE_NAMES[:30]), max_size=12).map(" ".join),
    st.builds(lambda a, b: f"{a} = '{b}'", st.sampled_from(["id", "name", "txt"]), st.text(max_size=30)),
)


@settings(max_examples=scale(80, 3000), deadline=None, derandomize=not FULL, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(text=restrictions)
def test_generated_string_restrictions(arena, seeded, text):
    Target, rows = seeded
    check_string_restriction(arena, Target, rows, text, delete=False)


@settings(max_examples=scale(40, 1500), deadline=None, derandomize=not FULL, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(name=st.text(max_size=60) | st.text(alphabet=st.characters(codec=None), max_size=10))
def test_generated_dict_restriction_values(arena, seeded, name):
    Target, rows = seeded
    check_name_restriction(arena, Target, rows, name)


PERCENT = ["name LIKE 'a%'", "name LIKE '%s'", "name = '%s'", "name LIKE '%%'", "id % 2 = 0", "name = '%(x)s'"]


def test_percent_signs_mean_the_same_with_and_without_bound_values(arena, seeded):
    """`%` in SQL text reaches the server unchanged whether or not the statement also binds values."""
    Target, rows = seeded
    Target.insert1({"id": 100, "name": "a%b"})
    for text in PERCENT:
        with arena.guard.expect():
            alone = (Target & text).to_dicts(order_by="KEY")
            bound = ((Target - {"id": 999_999}) & text).to_dicts(order_by="KEY")  # binds 999999
        assert alone == bound, text
        assert alone != [] or text in ("name LIKE '%s'", "name = '%s'", "name = '%(x)s'"), text
    arena.check()
