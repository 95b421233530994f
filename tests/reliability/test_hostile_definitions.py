"""Hostile table definitions and class names: a DataJointError, or a table that works and drops cleanly.

DEF-1 .. DEF-22, NAME-1, NAME-7: definitions are parsed line by line and every name is checked before any
SQL is built; what the parser accepts becomes one CREATE TABLE whose identifiers are quoted and whose
defaults are literals. The canary table and the statement guard prove nothing else runs.
"""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

import djspecs.reference as dj
from tests.reliability.conftest import FULL, scale
from tests.reliability.corpus import load
from tests.reliability.harness import run_case

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # native types in hostile definitions (TYPE-5)
# the table, its comments and its ~lineage rows, in the transaction that serialises declarations (DEF-20)
DECLARE = (exp.Create, exp.Insert, exp.Delete, exp.Comment, exp.Transaction, exp.Commit, exp.Rollback)
_numbers = itertools.count()


def try_definition(arena, definition: str, class_name: str | None = None) -> None:
    cls = type(class_name or f"Hostile{next(_numbers)}", (dj.Manual,), {"definition": definition})

    def declare():
        arena.schema(cls)
        return cls

    with arena.guard.expect(*DECLARE):
        declared = run_case("definition", declare)
    arena.check()
    if isinstance(declared, dj.DataJointError):
        return
    with arena.guard.expect(exp.Drop, exp.Delete):
        assert len(declared()) == 0
        declared.describe()
        declared.drop()
    arena.check()


def test_corpus_definitions(arena):  # DEF-1, DEF-22
    for definition in load("definitions"):
        try_definition(arena, definition)


def test_hostile_class_names(arena):  # NAME-1
    for name in load("names"):
        if name.isprintable() and name.encode("utf-8", "replace").decode() == name:  # else Python refuses it
            try_definition(arena, "id: int32", class_name=name)


KEYWORDS = ["select", "from", "where", "table", "drop", "order", "group", "key", "index", "primary", "null", "default"]
names = st.sampled_from(KEYWORDS) | st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True) | st.text(max_size=20)
types = st.sampled_from(["int32", "int8", "float64", "varchar(10)", "enum('a', 'b')", "json", "bool", "date",
                         "decimal(5, 2)", "uuid", "bytes", "datetime(3)"]) | st.text(max_size=30)  # fmt: skip
defaults = st.none() | st.sampled_from(["null", "0", "'x'", '"y"', "CURRENT_TIMESTAMP"]) | st.text(max_size=20)
lines = st.builds(
    lambda n, d, t, c: f"{n}{'' if d is None else f' = {d}'}: {t}{f'  # {c}' if c else ''}",
    names, defaults, types, st.none() | st.text(max_size=20),
)  # fmt: skip
definitions = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda data: data.decode("latin-1")),
    st.lists(lines | st.sampled_from(["---", "-> Nothing", "index(a)", "# comment", ""]), min_size=1, max_size=8).map(
        "\n".join
    ),
)


@settings(max_examples=scale(40, 1500), deadline=None, derandomize=not FULL, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(definition=definitions)
def test_generated_definitions(arena, definition):  # DEF-1, DEF-22, NAME-7
    try_definition(arena, definition)
