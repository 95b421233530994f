"""Three-valued logic and the SQL expression evaluator of the oracle."""

from decimal import Decimal

import pytest

from djspecs.conformance.oracle import NotModelledError, OracleError
from djspecs.conformance.oracle.logic import and_, evaluate, not_, or_, parse

NAMES = ("a", "b", "s")


def value(text, row, group=None):
    return evaluate(parse(text, NAMES, error_class="DataJointError"), row, group)


@pytest.mark.parametrize(
    ("values", "conjunction", "disjunction"),
    [
        ([True, None], None, True),
        ([False, None], False, None),
        ([None, None], None, None),
        ([], True, False),
    ],
)
def test_kleene_and_or(values, conjunction, disjunction):
    assert and_(values) is conjunction
    assert or_(values) is disjunction


def test_not_keeps_unknown():
    assert (not_(True), not_(False), not_(None)) == (False, True, None)


@pytest.mark.parametrize(
    ("text", "row", "expected"),
    [
        ("a > 1", {"a": 2}, True),
        ("a > 1", {"a": None}, None),
        ("a <> 1 OR b = 2", {"a": None, "b": 2}, True),
        ("a <> 1 AND b = 2", {"a": None, "b": 2}, None),
        ("NOT a = 1", {"a": None}, None),
        ("a IS NULL", {"a": None}, True),
        ("a IS NOT NULL", {"a": None}, False),
        ("a IN (1, 2)", {"a": 2}, True),
        ("a IN (1, NULL)", {"a": 2}, None),
        ("a NOT IN (1, NULL)", {"a": 2}, None),
        ("a BETWEEN 1 AND 3", {"a": 3}, True),
        ("s LIKE 'r%'", {"s": "red"}, True),
        ("s LIKE 'r_d'", {"s": "reed"}, False),
        ("s NOT LIKE '%e%'", {"s": "red"}, False),
        ("s = 'o''range'", {"s": "o'range"}, True),
        ("a * 100 + b", {"a": 1, "b": 2}, 102),
        ("a - b", {"a": None, "b": 2}, None),
        ("a / b", {"a": 1, "b": 4}, Decimal("0.25")),
        ("a = 1.5", {"a": Decimal("1.5")}, True),
    ],
)
def test_expressions(text, row, expected):
    assert value(text, row) == expected


def test_an_unknown_attribute_raises_the_given_error_class():
    with pytest.raises(OracleError, match="Attribute `c` is not found") as error:
        parse("c > 1", NAMES, error_class="UnknownAttributeError")
    assert error.value.error_class == "UnknownAttributeError"


def test_quoted_text_is_not_an_attribute():
    assert value("s = 'c'", {"s": "c"}) is True


def test_unparsable_text_is_a_syntax_error():
    with pytest.raises(OracleError) as error:
        parse("a >", NAMES, error_class="DataJointError")
    assert error.value.error_class == "QuerySyntaxError"


GROUP = [{"a": 1, "b": 5}, {"a": 1, "b": None}, {"a": 1, "b": 7}]
EMPTY_MATCH = [{"a": 3, "b": None}]


@pytest.mark.parametrize(
    ("text", "group", "expected"),
    [
        ("count(*)", GROUP, 3),
        ("count(b)", GROUP, 2),
        ("count(DISTINCT a)", GROUP, 1),
        ("sum(b)", GROUP, 12),
        ("avg(b)", GROUP, Decimal(6)),
        ("min(b)", GROUP, 5),
        ("max(b) - min(b)", GROUP, 2),
        ("a", GROUP, 1),
        ("count(*)", EMPTY_MATCH, 1),
        ("count(b)", EMPTY_MATCH, 0),
        ("max(b)", EMPTY_MATCH, None),
        ("sum(b)", EMPTY_MATCH, None),
        ("count(*)", [], 0),
    ],
)
def test_aggregates_range_over_the_group(text, group, expected):
    assert value(text, group[0] if group else {}, group) == expected


def test_an_aggregate_outside_a_group_is_refused():
    with pytest.raises(OracleError) as error:
        value("count(*) > 1", {"a": 1})
    assert error.value.error_class == "QueryError"


def test_unmodelled_sql_is_reported_as_such():
    with pytest.raises(NotModelledError):
        value("a <=> b", {"a": 1, "b": 1})
