"""Hostile values inserted into every core type: refused with a DataJointError, or stored and read back exactly.

TYPE-8, DML-2: a value is checked against its attribute's type before it reaches the server; whatever
passes must come back as the value the type defines. The canary table and the statement guard show that
no value changes what SQL runs (values are bound parameters, never spliced into SQL text).
"""

import datetime as dt
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from djspecs.reference.values import is_missing, normalize
from tests.reliability.conftest import FULL, scale
from tests.reliability.corpus import load
from tests.reliability.harness import run_case
from tests.reliability.targets import declare_target

_ids = itertools.count(1000)


def expected_value(value, attribute, defaults):
    """What a stored value must read back as: the type's canonical value, the default for a missing one (TYPE-8)."""
    if is_missing(value, attribute):
        return defaults[attribute.name]
    return normalize(value, attribute, "target")


def as_json_numbers(value):
    """JSON has one number type, kept by PostgreSQL as exact decimal text: compare numbers as floats."""
    return json.loads(json.dumps(value), parse_int=float)


def same(fetched, expected, kind: str) -> bool:
    if expected is None:
        return fetched is None
    if kind == "json":
        return as_json_numbers(fetched) == as_json_numbers(expected)
    return fetched == expected and type(fetched) is type(expected)


def try_value(arena, target, name: str, value) -> None:
    Target, defaults = target
    key = next(_ids)
    with arena.guard.expect(exp.Insert):
        outcome = run_case(f"value ({name})", lambda: Target.insert1({"id": key, name: value}))
    stored = Target & {"id": key}
    if outcome is not None:  # refused: nothing was written
        assert len(stored) == 0, f"a refused value left a row: {value!r}"
    else:
        fetched = stored.fetch1(name)
        attribute = Target.heading[name]
        expected = expected_value(value, attribute, defaults)
        assert same(fetched, expected, attribute.type.name), (
            f"{name}: stored {value!r}, read back {fetched!r}, expected {expected!r}"
        )
    arena.check()


@pytest.fixture
def target(arena):
    """The target table, and the values of a row inserted with nothing but its key (the defaults)."""
    Target = declare_target(arena.schema)
    Target.insert1({"id": 0})
    return Target, (Target & {"id": 0}).fetch1()


def test_corpus_values_are_refused_or_stored_exactly(arena, target):  # TYPE-8, DML-2
    for name, values in load("values").items():
        for value in values:
            try_value(arena, target, name, value)


ATTRIBUTES = ["name", "i8", "i64", "f", "d", "flag", "txt", "day", "t", "j", "u", "b", "e"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
hostile_values = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec=None), max_size=50),  # lone surrogates and NUL included
    st.binary(max_size=100),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.uuids(),
    json_values,
)


@settings(max_examples=scale(60, 1500), deadline=None, derandomize=not FULL, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(name=st.sampled_from(ATTRIBUTES), value=hostile_values)
def test_generated_values_are_refused_or_stored_exactly(arena, target, name, value):  # TYPE-8, DML-2
    try_value(arena, target, name, value)
