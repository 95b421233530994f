"""The oracle: a pure-Python evaluator of the neutral query algebra, written from the rules.

It evaluates a vector's query tree over the vector's rows with three-valued logic and no SQL database, so
the conformance suite can check any implementation, and the vectors themselves, against the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import NotModelledError, OracleError
from .heading import Attribute
from .operators import OPERATORS, Context
from .relation import Relation, Universal, read_relations

# The implementation-defined choices the oracle can follow, and the value it takes when none is given.
KNOBS = {"antijoin_null": ("not_exists", "not_in"), "string_collation": ("binary",)}


def evaluate(
    tables: Sequence[Mapping[str, Any]],
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    tree: Mapping[str, Any],
    *,
    knobs: Mapping[str, str] | None = None,
) -> Relation:
    """The result of a query tree over the given tables and rows, or the OracleError the rules prescribe."""
    chosen = {name: values[0] for name, values in KNOBS.items()} | dict(knobs or {})
    for name, value in chosen.items():
        if value not in KNOBS.get(name, ()):
            raise NotModelledError(f"the oracle does not model the knob value {name}={value}")
    result = Context(read_relations(tables, rows), chosen).evaluate(tree)
    if isinstance(result, Universal):
        raise OracleError("DataJointError", "dj.U(...) cannot be fetched; restrict or aggregate it first")
    return result


__all__ = ["KNOBS", "OPERATORS", "Attribute", "NotModelledError", "OracleError", "Relation", "evaluate"]
