"""The vector runner's comparison: multisets, order, tagged values, tolerance and error classes."""

from dataclasses import dataclass

import pytest

from djspecs.conformance.errors import SpecError
from djspecs.conformance.vectors import compare, run_vector
from djspecs.spec import load_vectors


@dataclass
class Result:
    names: tuple
    primary_key: tuple
    rows: tuple
    heading: tuple = ()


def result(*rows):
    return Result(names=tuple(rows[0]) if rows else (), primary_key=("a",), rows=rows)


def test_rows_compare_as_a_multiset_unless_order_is_given():
    assert compare({"rows": [{"a": 2}, {"a": 1}]}, result({"a": 1}, {"a": 2})) == []
    assert compare({"order": "given", "rows": [{"a": 2}, {"a": 1}]}, result({"a": 1}, {"a": 2})) != []
    assert compare({"rows": [{"a": 1}, {"a": 1}]}, result({"a": 1})) == ["missing row {'a': 1}"]


def test_tagged_values_and_float_tolerance():
    expect = {"rows": [{"a": {"type": "decimal", "value": "1.50"}, "b": 0.1, "c": {"type": "float", "value": "nan"}}]}
    assert compare(expect, result({"a": 1.5, "b": 0.1000000001, "c": float("nan")})) == []
    assert compare({"rows": [{"a": 0.1}]}, result({"a": 0.1001})) != []
    assert compare({"rows": [{"a": None}]}, result({"a": 0})) != []


def test_names_key_and_count():
    expect = {"attributes": ["a", "b"], "primary_key": ["a"], "row_count": 1}
    assert compare(expect, result({"a": 1, "b": 2})) == []
    assert len(compare({"attributes": ["b", "a"], "row_count": 2}, result({"a": 1, "b": 2}))) == 2


def test_an_expected_error_accepts_its_subclasses_only():
    assert compare({"error": "DataJointError"}, SpecError("UnknownAttributeError", "x")) == []
    assert compare({"error": "UnknownAttributeError"}, SpecError("DataJointError", "x")) != []
    assert compare({"error": "DataJointError"}, result({"a": 1})) != []
    assert compare({"rows": []}, SpecError("DataJointError", "x")) != []


def test_keys_that_do_not_describe_a_query_result_are_reported():
    assert compare({"sql_name": "subject"}, result()) == ["'sql_name' cannot be compared for a query"]


def test_spec_errors_name_classes_of_the_vocabulary():
    with pytest.raises(ValueError, match="not an error class"):
        SpecError("NoSuchError", "x")


def test_the_runner_takes_query_vectors_only():
    declare = next(vector for vector in load_vectors() if vector.operation == "declare")
    with pytest.raises(ValueError, match="query vectors"):
        run_vector(declare, lambda tables, rows, tree: result())
