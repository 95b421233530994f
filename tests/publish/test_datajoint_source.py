"""Export from a schema that DataJoint 2.x declared and filled, found by introspection alone: `<blob>` columns
are exported as the bytes DataJoint stored, with their codec as the declared type, and DataJoint's jobs tables
are named in the provenance (PUB-3, PUB-4, PUB-6)."""

from __future__ import annotations

import glob
import json
import os
import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import djspecs.reference as dj
from djspecs.publish import export
from djspecs.publish.validate import validate
from tests.publish.conftest import connect
from tests.reference.conftest import SERVERS
from tests.support import require

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import datajoint
    except ImportError:  # a machine without the dev extra
        datajoint = None


@pytest.mark.parametrize("backend", ["mysql", "postgresql"])
def test_export_a_datajoint_schema_with_blobs(backend, tmp_path):
    require(datajoint is not None, "datajoint is missing: pip install 'datajoint[postgres]>=2.3'")
    numpy = pytest.importorskip("numpy")
    connection = connect(backend)
    settings = SERVERS[backend]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        instance = datajoint.Instance(host=settings["database.host"], user=settings["database.user"],
                                      password=settings.get("database.password", ""), backend=backend, use_tls=False)  # fmt: skip
    instance.config.safemode = False
    name = f"djspecs_pub_dj_{os.getpid()}_{backend[:2]}"
    schema = instance.Schema(name)
    try:

        @schema
        class Recording(datajoint.Manual):
            definition = """
            recording_id : int32
            ---
            label : varchar(20)
            trace : <blob>
            """

        @schema
        class Mean(datajoint.Computed):
            definition = """
            -> Recording
            ---
            mean : float64
            """

            def make(self, key):
                self.insert1({**key, "mean": float((Recording & key).fetch1("trace").mean())})

        Recording.insert(
            [{"recording_id": i, "label": f"r{i}", "trace": numpy.arange(i + 3, dtype="float64")} for i in range(3)]
        )
        Mean.populate(reserve_jobs=True)  # DataJoint declares the jobs table ~~mean
        stored = {row[0]: bytes(row[1]) for row in connection.query(_raw_select(connection, name))}
        source = dj.Schema(name, connection=connection, create_schema=False, create_tables=False)
        summary = export(source, tmp_path / "dj")
        assert [t.rows for t in summary.tables] == [3, 3]
        report = validate(tmp_path / "dj")
        assert report.ok, [str(p) for p in report.problems]
        provenance = json.loads((tmp_path / "dj" / "data" / "pipeline" / "provenance.json").read_text())
        assert [j["jobs_table"] for j in provenance["jobs"]] == [f"{name}.~~mean"]
        table = pq.read_table(glob.glob(f"{tmp_path}/dj/data/tables/*.manual.recording.parquet")[0])
        assert table.schema.field("trace").type == pa.large_binary()
        assert table.schema.field("trace").metadata[b"dj:type"] == b"<blob>"
        assert {r["recording_id"]: r["trace"] for r in table.to_pylist()} == stored
    finally:
        connection.schemas.pop(name, None)
        schema.drop()
        instance.connection.close()


def _raw_select(connection, schema: str):
    """SELECT recording_id, trace FROM the DataJoint table, built as a sqlglot tree."""
    from sqlglot import exp

    table = connection.backend.table(schema, "recording")
    return exp.select(exp.column("recording_id", quoted=True), exp.column("trace", quoted=True)).from_(table)
