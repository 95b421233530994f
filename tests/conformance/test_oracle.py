"""Every vector of the query and lineage areas, evaluated by the oracle, gives what the vector expects."""

from functools import partial

import pytest

from djspecs.conformance.oracle import evaluate
from djspecs.conformance.vectors import run_vector
from djspecs.spec import load_vectors

VECTORS = [vector for vector in load_vectors() if vector.area in ("query", "lineage")]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector.id for vector in VECTORS])
def test_vector(vector):
    assert run_vector(vector, partial(evaluate, knobs=vector.knobs)) == []
