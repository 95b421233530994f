"""A drawn world loaded into the implementation for one hypothesis example, and compared with the oracle."""

from __future__ import annotations

from contextlib import contextmanager

from djspecs.conformance.errors import SpecError
from djspecs.conformance.oracle import NotModelledError
from djspecs.conformance.oracle import evaluate as oracle
from djspecs.conformance.vectors import compare


@contextmanager
def loaded(adapter, conformance, world):
    """A fresh schema holding the world's tables and rows; table handles by name. Dropped afterwards."""
    schema = adapter.create_schema(conformance.schema_name())
    try:
        tables = adapter.declare(schema, world.tables)
        for name in ("Subject", "Session", "Trial", "Pairing"):
            adapter.insert(tables[name], world.rows[name], allow_direct_insert=True)
        yield tables
    finally:
        adapter.drop_schema(schema)


def run_tree(adapter, tables, tree):
    """The implementation's Result for a tree, or the SpecError it raised."""
    try:
        return adapter.fetch(adapter.expression(tables, tree))
    except SpecError as error:
        return error


def oracle_expectation(world, tree, knobs) -> dict | None:
    """What the oracle says the tree gives (rows and key, or an error class); None if it does not model it."""
    try:
        relation = oracle(world.tables, world.rows, tree, knobs=knobs)
    except NotModelledError:
        return None
    except SpecError as error:
        return {"error": error.error_class}
    return {"primary_key": list(relation.primary_key), "rows": [dict(row) for row in relation.rows]}


def same_rows(first, second) -> list[str]:
    """Differences between two results' row multisets (floats within the comparison tolerance)."""
    return (
        compare({"rows": [dict(r) for r in first.rows]}, second) if not isinstance(second, SpecError) else [str(second)]
    )


__all__ = ["compare", "loaded", "oracle_expectation", "run_tree", "same_rows"]
