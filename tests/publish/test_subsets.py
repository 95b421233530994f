"""Subsets with their closure (PUB-7): a restriction brings its upstream rows, on request its downstream rows,
and the bundle re-imports into an empty database with every foreign key satisfied."""

from __future__ import annotations

import glob

import pyarrow.parquet as pq
import pytest

from djspecs.publish import export
from djspecs.publish.importer import BundleError, import_bundle
from djspecs.publish.validate import validate
from tests.publish.conftest import declare_pipeline


def rows_of(bundle, suffix: str) -> list[dict]:
    paths = glob.glob(f"{bundle}/data/tables/*.{suffix}.parquet")
    return pq.read_table(paths[0]).to_pylist() if paths else []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_restriction_brings_its_upstream_rows(backend, new_schema, tmp_path):
    """PUB-7: exporting Analysis & {subject 2} brings Session and Subject rows of subject 2 only."""
    tables = declare_pipeline(new_schema(backend))
    summary = export(tables["Analysis"] & {"subject_id": 2}, tmp_path / "subset")
    assert {t.resource.split(".", 1)[1]: t.rows for t in summary.tables} == {
        "manual.subject": 1,
        "manual.session": 2,
        "computed.analysis": 2,
    }
    assert [r["subject_id"] for r in rows_of(tmp_path / "subset", "manual.subject")] == [2]
    assert validate(tmp_path / "subset").ok
    target = new_schema("sqlite")
    loaded = import_bundle(tmp_path / "subset", target)
    assert loaded.rows == 5 and loaded.foreign_keys_checked == 2


def test_downstream_rows_come_on_request(new_schema, tmp_path):
    """PUB-7: Subject & {subject 3} with downstream=True brings its sessions and their analyses, and nothing of
    other subjects; without it, the subject alone."""
    tables = declare_pipeline(new_schema("postgresql"))
    alone = export(tables["Subject"] & {"subject_id": 3}, tmp_path / "alone")
    assert [t.rows for t in alone.tables] == [1]
    closed = export(tables["Subject"] & {"subject_id": 3}, tmp_path / "closed", downstream=True)
    assert [t.rows for t in closed.tables] == [1, 2, 2]
    assert {r["subject_id"] for r in rows_of(tmp_path / "closed", "computed.analysis")} == {3}
    loaded = import_bundle(tmp_path / "closed", new_schema("mysql"))
    assert loaded.tables == {"subject": 1, "session": 2, "__analysis": 2}


def test_union_of_restrictions_and_whole_tables(new_schema, tmp_path):
    """PUB-7: two restrictions of one table are OR-ed; a whole table given with a restriction stays whole."""
    tables = declare_pipeline(new_schema("sqlite"))
    session = tables["Session"]
    summary = export([session & {"session": 1}, session & {"session": 6}], tmp_path / "two")
    assert {t.resource.split(".", 1)[1]: t.rows for t in summary.tables} == {"manual.subject": 2, "manual.session": 2}
    whole = export([session & {"session": 1}, tables["Session"]], tmp_path / "whole")
    assert [t.rows for t in whole.tables] == [4, 8]


def test_without_upstream_the_bundle_cannot_be_imported(new_schema, tmp_path):
    """PUB-7: upstream=False exports the rows alone; importing names the table the bundle lacks."""
    tables = declare_pipeline(new_schema("sqlite"))
    export(tables["Session"] & {"session": 1}, tmp_path / "bare", upstream=False)
    assert validate(tmp_path / "bare").ok
    with pytest.raises(BundleError, match="references Subject, which the bundle does not hold"):
        import_bundle(tmp_path / "bare", new_schema("sqlite"))


def test_query_results_export_and_import_as_tables(new_schema, tmp_path):
    """PUB-3: a query expression (a join with a projection) is exported and re-imported as a table."""
    tables = declare_pipeline(new_schema("mysql"))
    query = (tables["Session"] * tables["Subject"]).proj("name", "f32")
    summary = export(query, tmp_path / "query")
    assert [t.rows for t in summary.tables] == [8]
    target = new_schema("postgresql")
    loaded = import_bundle(tmp_path / "query", target)
    assert loaded.rows == 8


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_closure_by_subquery_equals_closure_by_keys(backend, new_schema, tmp_path, monkeypatch):
    """PUB-7: when a closure has too many keys to list, it is a subquery; both give the same rows."""
    from djspecs.publish import selection

    tables = declare_pipeline(new_schema(backend))
    export(tables["Analysis"] & "subject_id > 2", tmp_path / "keys")
    monkeypatch.setattr(selection, "MATERIALIZE_KEYS", 0)
    export(tables["Analysis"] & "subject_id > 2", tmp_path / "subquery")
    for suffix in ("manual.subject", "manual.session", "computed.analysis"):
        assert rows_of(tmp_path / "keys", suffix) == rows_of(tmp_path / "subquery", suffix)
    assert [r["subject_id"] for r in rows_of(tmp_path / "subquery", "manual.subject")] == [3, 4]


@pytest.mark.parametrize("backend", ["sqlite", "mysql"])
def test_part_table_with_renamed_nullable_reference(backend, new_schema, tmp_path):
    """PUB-7, PUB-11: a part's rows bring their master and the lookup rows named by a renamed nullable key."""
    import djspecs.reference as dj

    schema = new_schema(backend)

    @schema
    class Kind(dj.Lookup):
        definition = "kind : varchar(8)"
        contents = [{"kind": "a"}, {"kind": "b"}, {"kind": "c"}]

    @schema
    class Visit(dj.Manual):
        definition = "visit : int32\n---\n-> Kind"

        class Step(dj.Part):
            definition = "-> master\nstep : int16\n---\n-> [nullable] Kind.proj(alt='kind')"

    Visit.insert([{"visit": 1, "kind": "a"}, {"visit": 2, "kind": "c"}])
    Visit.Step.insert([{"visit": 1, "step": 1, "alt": "b"}, {"visit": 2, "step": 1, "alt": None}])
    summary = export(Visit.Step & {"visit": 1}, tmp_path / "steps")
    assert {t.table.split(".", 1)[1]: t.rows for t in summary.tables} == {"#kind": 2, "visit": 1, "visit__step": 1}
    loaded = import_bundle(tmp_path / "steps", new_schema("postgresql"))
    assert loaded.tables == {"#kind": 2, "visit": 1, "visit__step": 1} and loaded.foreign_keys_checked == 3


def test_a_table_selected_by_one_restriction_is_read_through_it(new_schema):
    """The selected table's query is the user's restriction itself, not a semijoin of the table on itself (which
    doubled the server's work); its upstream tables keep their closure conditions."""
    from djspecs.publish.selection import resolve

    tables = declare_pipeline(new_schema("sqlite"))
    chosen = tables["Session"] & "session < 3"
    by_table = {item.base[1]: item.expression for item in resolve([chosen])}
    assert by_table["session"].node is chosen.node
    assert by_table["subject"].node is not tables["Subject"]().node  # restricted to the sessions' subjects
    two = resolve([tables["Session"] & {"session": 1}, tables["Session"] & {"session": 6}])
    assert len(next(i for i in two if i.base[1] == "session").expression) == 2  # several restrictions: OR-ed
