"""Run the spec's query vectors through an evaluator and compare the outcome with their `expect`.

The runner knows nothing of the evaluator: `evaluate(tables, rows, tree)` receives a vector's `given` and
query tree and returns a result, or raises `SpecError` naming an error class. The oracle is one evaluator;
implementation adapters plug in behind the same `compare`. Comparison follows spec/vectors/README.md:
rows as a multiset unless `order: given`, tagged values decoded, floats within a relative 1e-6.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from djspecs.spec import Vector

from .errors import SpecError
from .values import decode_row

FLOAT_TOLERANCE = 1e-6


class Result(Protocol):
    """What an evaluator returns for a query: attribute names in order, primary key, heading and rows."""

    @property
    def names(self) -> Sequence[str]: ...

    @property
    def primary_key(self) -> Sequence[str]: ...

    @property
    def heading(self) -> Sequence[Any]: ...

    @property
    def rows(self) -> Sequence[Mapping[str, Any]]: ...


Evaluate = Callable[[Sequence[Mapping[str, Any]], Mapping[str, Sequence[Mapping[str, Any]]], Mapping[str, Any]], Result]


def run_vector(vector: Vector, evaluate: Evaluate) -> list[str]:
    """The differences between what `evaluate` makes of a query vector and what the vector expects."""
    if vector.operation != "query":
        raise ValueError(f"{vector.id}: the runner evaluates query vectors, not {vector.operation!r}")
    try:
        outcome: Result | SpecError = evaluate(vector.tables, vector.rows, vector.do["query"])
    except SpecError as error:
        outcome = error
    return compare(vector.expect, outcome)


def compare(expect: Mapping[str, Any], outcome: Result | SpecError) -> list[str]:
    """Every way `outcome` differs from `expect`; an empty list when it conforms."""
    if "error" in expect:
        return _compare_error(expect["error"], outcome)
    if isinstance(outcome, SpecError):
        return [f"raised {outcome.error_class} ({outcome}) instead of returning a result"]
    differences = []
    for key, expected in expect.items():
        if key not in _COMPARISONS:
            differences.append(f"'{key}' cannot be compared for a query")
        else:
            differences += _COMPARISONS[key](expected, outcome, expect)
    return differences


def _compare_error(expected: str, outcome: Result | SpecError) -> list[str]:
    if not isinstance(outcome, SpecError):
        return [f"returned {len(outcome.rows)} rows instead of raising {expected}"]
    if not outcome.is_a(expected):
        return [f"raised {outcome.error_class} ({outcome}) instead of {expected}"]
    return []


def _compare_names(key: str, label: str) -> Callable[[Any, Result, Mapping], list[str]]:
    def compare_names(expected: list[str], result: Result, expect: Mapping) -> list[str]:
        actual = list(getattr(result, key))
        return [] if actual == expected else [f"{label} are {actual}, expected {expected}"]

    return compare_names


def _compare_heading(expected: list[Mapping[str, Any]], result: Result, expect: Mapping) -> list[str]:
    actual = {attribute.name: attribute for attribute in result.heading}
    differences = _compare_names("names", "attributes")([entry["name"] for entry in expected], result, expect)
    for entry in expected:
        attribute = actual.get(entry["name"])
        for field, value in entry.items():
            found = getattr(attribute, field, "(not reported)")
            if attribute is not None and found != value:
                differences.append(f"attribute {entry['name']}: {field} is {found!r}, expected {value!r}")
    return differences


def _compare_row_count(expected: int, result: Result, expect: Mapping) -> list[str]:
    actual = len(result.rows)
    return [] if actual == expected else [f"{actual} rows, expected {expected}"]


def _compare_rows(expected_rows: list[Mapping[str, Any]], result: Result, expect: Mapping) -> list[str]:
    expected = [decode_row(row) for row in expected_rows]
    actual = [dict(row) for row in result.rows]
    if expect.get("order") == "given":
        if len(actual) != len(expected):
            return [f"{len(actual)} rows in order {actual}, expected {len(expected)}: {expected}"]
        return [
            f"row {i}: {found}, expected {wanted}"
            for i, (wanted, found) in enumerate(zip(expected, actual, strict=True))
            if not rows_equal(wanted, found)
        ]
    unmatched = list(actual)
    missing = []
    for wanted in expected:
        found = next((i for i, row in enumerate(unmatched) if rows_equal(wanted, row)), None)
        if found is None:
            missing.append(wanted)
        else:
            del unmatched[found]
    return [f"missing row {row}" for row in missing] + [f"unexpected row {row}" for row in unmatched]


def rows_equal(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> bool:
    return expected.keys() == actual.keys() and all(values_equal(expected[k], actual[k]) for k in expected)


def values_equal(expected: Any, actual: Any) -> bool:
    """Equality of decoded values: NULL only equals NULL; a float on either side allows a relative 1e-6."""
    if expected is None or actual is None:
        return expected is None and actual is None
    numbers = (int, float, Decimal)
    if isinstance(expected, numbers) and isinstance(actual, numbers) and float in (type(expected), type(actual)):
        a, b = float(expected), float(actual)
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=FLOAT_TOLERANCE)
    return expected == actual


_COMPARISONS: dict[str, Callable[[Any, Result, Mapping], list[str]]] = {
    "heading": _compare_heading,
    "attributes": _compare_names("names", "attributes"),
    "primary_key": _compare_names("primary_key", "primary-key attributes"),
    "rows": _compare_rows,
    "order": lambda expected, result, expect: [],  # read by _compare_rows
    "row_count": _compare_row_count,
}
