"""Export → validate → import → export round trips on every backend and across backends (PUB-3, PUB-4,
PUB-5, PUB-11)."""

from __future__ import annotations

import glob

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from djspecs.publish import export
from djspecs.publish.importer import import_bundle
from djspecs.publish.validate import validate
from tests.publish.conftest import BACKENDS, datacite_record, declare_pipeline


def tables_of(bundle: str) -> dict[str, pa.Table]:
    """Each Parquet table of a bundle by SQL table name, without the metadata that names its origin."""
    found = {}
    for path in sorted(glob.glob(f"{bundle}/data/tables/*.parquet")):
        table = pq.read_table(path)
        name = path.rsplit("/", 1)[1].split(".", 1)[1].removesuffix(".parquet")
        found[name] = table.replace_schema_metadata(None)
    return found


def assert_same_content(left: str, right: str) -> None:
    a, b = tables_of(left), tables_of(right)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name].schema.equals(b[name].schema, check_metadata=True), name
        assert a[name].equals(b[name]), f"{name} differs:\n{a[name].to_pylist()}\n{b[name].to_pylist()}"


@pytest.fixture
def official_xsd(monkeypatch):
    """Validation checks the DataCite XML against the official 4.7 XSD from ../shared."""
    from tests.publish.datacite_support import shared_datacite
    from tests.support import require

    folder = shared_datacite()
    require(folder is not None, "the official DataCite 4.7 XSD is missing: set DJSPECS_DATACITE_XSD")
    monkeypatch.setenv("DJSPECS_DATACITE_XSD", str(folder / "metadata.xsd"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_core_type_round_trips(backend, new_schema, tmp_path, official_xsd):
    """PUB-4, PUB-6, PUB-11: export with a DataCite record, validate (its XML against the XSD), import into an
    empty schema on the same backend, export again: equal."""
    source = new_schema(backend)
    declare_pipeline(source)
    first = export(source, tmp_path / "first", metadata=datacite_record(), croissant=True)
    assert first.rows == 4 + 8 + 8 and first.doi == "10.80507/djspecs-test-1"
    report = validate(tmp_path / "first")
    assert report.ok, [str(p) for p in report.problems]
    assert (report.rows, report.tables, report.doi) == (20, 3, "10.80507/djspecs-test-1")
    target = new_schema(backend)
    loaded = import_bundle(tmp_path / "first", target)
    assert loaded.tables == {"subject": 4, "session": 8, "__analysis": 8} and loaded.foreign_keys_checked == 2
    export(target, tmp_path / "second")
    assert_same_content(tmp_path / "first", tmp_path / "second")


def test_postgres_to_mariadb_to_sqlite_gives_identical_parquet(new_schema, tmp_path):
    """PUB-11: PostgreSQL → bundle → MariaDB → bundle → SQLite → bundle: every table equal at every step."""
    source = new_schema("postgresql")
    declare_pipeline(source)
    export(source, tmp_path / "pg")
    mariadb = new_schema("mysql")
    import_bundle(tmp_path / "pg", mariadb)
    export(mariadb, tmp_path / "mariadb.zip")
    sqlite = new_schema("sqlite")
    import_bundle(tmp_path / "mariadb.zip", sqlite)
    export(sqlite, tmp_path / "sqlite")
    (tmp_path / "mariadb").mkdir()
    import zipfile

    with zipfile.ZipFile(tmp_path / "mariadb.zip") as archive:
        archive.extractall(tmp_path / "mariadb")
    assert_same_content(tmp_path / "pg", tmp_path / "mariadb" / "mariadb")
    assert_same_content(tmp_path / "pg", tmp_path / "sqlite")


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_fast_path_and_row_path_agree(backend, new_schema, tmp_path):
    """PUB-5: the Arrow path (ADBC, ConnectorX) and the streaming cursor give the same Parquet content."""
    schema = new_schema(backend)
    declare_pipeline(schema)
    fast = export(schema, tmp_path / "fast", method="arrow")
    slow = export(schema, tmp_path / "slow", method="rows")
    assert {t.method for t in fast.tables} == {"arrow"} and {t.method for t in slow.tables} == {"rows"}
    assert_same_content(tmp_path / "fast", tmp_path / "slow")
    assert [t.sha256 for t in fast.tables] == [t.sha256 for t in slow.tables]


def test_parquet_carries_types_and_row_groups(new_schema, tmp_path):
    """PUB-3, PUB-4: zstd, row groups of the requested size, the declared type of every column, enum dictionary
    in declared order, UTC timestamps, uuid and json logical types."""
    schema = new_schema("sqlite")
    declare_pipeline(schema)
    export(schema, tmp_path / "b", row_group_rows=3)
    path = glob.glob(f"{tmp_path}/b/data/tables/*.manual.session.parquet")[0]
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 3  # 8 rows in groups of 3 (batches are merged, never one per batch)
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
    arrow = parquet.schema_arrow
    assert arrow.field("mood").type == pa.dictionary(pa.int8(), pa.string())
    assert pq.read_table(path).column("mood").chunk(0).dictionary.to_pylist() == ["happy", "sad", "ok"]
    assert arrow.field("started").type == pa.timestamp("us", tz="UTC")
    assert arrow.field("weight").type == pa.decimal128(8, 2)
    assert {f.name: f.metadata[b"dj:type"].decode() for f in arrow}["mood"] == "enum('happy', 'sad', 'ok')"
    logical = {parquet.schema.column(i).name: str(parquet.schema.column(i).logical_type) for i in range(len(arrow))}
    assert logical["uid"] == "UUID" and logical["meta"] == "JSON"
    assert parquet.metadata.row_group(0).sorting_columns[0].column_index == 0
