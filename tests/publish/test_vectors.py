"""The publish vectors of spec/vectors/publish/ run through djspecs.publish on every backend (PUB-7, PUB-10,
PUB-11): the given tables are declared and filled, the source expressions exported, and the bundle's row
counts, validity and importability compared with the vector's expectation."""

from __future__ import annotations

import pytest

import djspecs.reference as dj
from djspecs.conformance.adapters.builder import Builder
from djspecs.conformance.adapters.reference import declare_classes
from djspecs.conformance.values import decode_row
from djspecs.publish import export
from djspecs.publish.importer import BundleError, import_bundle
from djspecs.publish.validate import validate
from djspecs.spec import load_vectors
from tests.publish.conftest import BACKENDS

VECTORS = [v for v in load_vectors() if v.area == "publish"]


def test_there_are_publish_vectors():
    assert len(VECTORS) >= 6 and all(v.operation == "export" for v in VECTORS)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_publish_vector(vector, backend, new_schema, tmp_path):
    classes = declare_classes(new_schema(backend), vector.tables)
    for name, rows in vector.rows.items():
        classes[name].insert([decode_row(r) for r in rows], allow_direct_insert=True)
    spec, expect = vector.do["export"], vector.expect["bundle"]
    builder = Builder(dj, classes)
    summary = export(
        [builder.expression(node) for node in spec["source"]],
        tmp_path / "bundle",
        upstream=spec.get("upstream", True),
        downstream=spec.get("downstream", False),
    )
    names = {cls._table_name: name for name, cls in classes.items()}
    counts = {names[t.table.split(".", 1)[1]]: t.rows for t in summary.tables}
    if "tables" in expect:
        assert counts == expect["tables"]
    if "valid" in expect:
        assert validate(tmp_path / "bundle").ok == expect["valid"]
    if "importable" in expect:
        try:
            import_bundle(tmp_path / "bundle", new_schema("sqlite"))
            imported = True
        except BundleError:
            imported = False
        assert imported == expect["importable"]
