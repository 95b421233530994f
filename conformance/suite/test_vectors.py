"""Every vector of spec/vectors, run through the adapter: one test per vector, marked with its rules."""

from __future__ import annotations

import pytest

from djspecs.conformance.publishing import run_export
from djspecs.conformance.runner import NEEDS_DATABASE, run
from djspecs.spec import load_vectors


def _cases():
    for vector in load_vectors():
        marks = pytest.mark.rules(*vector.rules, requires=vector.requires)
        yield pytest.param(vector, dict(vector.knobs), id=vector.id, marks=marks)


@pytest.mark.parametrize(("vector", "knobs"), list(_cases()))
def test_vector(vector, knobs, adapter, request):
    """The implementation does what the vector expects (spec/vectors/README.md)."""
    if vector.operation == "export":  # rows written by the implementation, the bundle by djspecs.publish
        fixtures = (request.getfixturevalue(f) for f in ("conformance", "publisher", "tmp_path"))
        differences = run_export(vector, adapter, *fixtures)
    else:
        schema = request.getfixturevalue("schema") if vector.operation in NEEDS_DATABASE else None
        differences = run(vector, adapter, schema)
    assert differences == [], f"{vector.id} ({vector.description}):\n" + "\n".join(differences)
