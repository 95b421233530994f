"""Every vector of the spec, run against the reference on every backend (naming and types need no database).

The runner is `djspecs.conformance.runner` with the reference's adapter, the same code that `djspecs certify` runs; a
failure names the vector and lists every difference from its `expect`.
"""

import pytest

from djspecs.conformance.adapters.reference import ReferenceAdapter
from djspecs.conformance.runner import NEEDS_DATABASE, applicable, run
from djspecs.spec import load_vectors

# Vectors that need an undeclared capability, or another knob choice, are not applicable to the reference.
# Export vectors exercise djspecs.publish: tests/publish/test_vectors.py runs them on every backend.
ADAPTER = ReferenceAdapter()
VECTORS = [v for v in load_vectors() if applicable(v, ADAPTER.capabilities, ADAPTER.knobs) and v.operation != "export"]


@pytest.mark.parametrize("vector", [v for v in VECTORS if v.operation not in NEEDS_DATABASE], ids=lambda v: v.id)
def test_vector_without_database(vector):
    assert run(vector, ADAPTER) == []


@pytest.mark.parametrize("vector", [v for v in VECTORS if v.operation in NEEDS_DATABASE], ids=lambda v: v.id)
def test_vector_on_backend(vector, schema):
    assert run(vector, ADAPTER, schema) == []
