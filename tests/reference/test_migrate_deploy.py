"""dj.migrate (one-shot repairs) and dj.deploy (idempotent deploy-time settings) on the three backends."""

import pytest
from sqlglot import exp

import djspecs.reference as dj
from tests.reference.pipeline import declare


def test_rebuild_lineage_reports_then_repairs_a_damaged_lineage_table(schema, connection):
    Subject, Session, _ = declare(schema)
    recorded = schema.lineage
    lineage_table = connection.backend.table(schema.database, "~lineage")
    connection.execute(exp.delete(lineage_table, where=exp.column("table_name").eq(exp.Literal.string("session"))))
    key = f"{schema.database}.session.subject_id"
    assert key not in schema.lineage
    report = dj.migrate.rebuild_lineage(schema)  # a dry run by default
    assert report["status"] == "dry_run" and report["tables_analyzed"] == 4
    assert report["changed"][key] == (None, recorded[key]) and key not in schema.lineage
    assert report["lineage_entries"] == len(recorded)
    applied = dj.migrate.rebuild_lineage(schema, dry_run=False)
    assert applied["status"] == "rebuilt" and schema.lineage == recorded
    assert Session.heading["subject_id"].lineage == f"{schema.database}.subject.subject_id"
    assert dj.migrate.rebuild_lineage(schema)["changed"] == {}


def test_add_job_metadata_columns_retrofits_auto_populated_tables(schema, connection):
    @schema
    class Unit(dj.Manual):
        definition = "unit: int32"

    @schema
    class Rate(dj.Computed):
        definition = """
        -> Unit
        ---
        rate: float64
        """

        def make(self, key):
            self.insert1({**key, "rate": 1.5})

    Unit.insert([{"unit": 1}, {"unit": 2}])
    Rate.populate({"unit": 1})
    assert "_job_start_time" not in Rate.heading.all_names
    preview = dj.migrate.add_job_metadata_columns(schema)
    assert preview["tables_analyzed"] == 1 and preview["tables_modified"] == 0  # Unit is not auto-populated
    assert preview["details"][0]["status"] == "pending" and len(preview["ddl"]) >= 3
    assert "_job_start_time" not in dj.FreeTable(connection, f"{schema.database}.__rate").heading.all_names
    applied = dj.migrate.add_job_metadata_columns(Rate, dry_run=False)
    assert applied["tables_modified"] == 1 and applied["columns_added"] == 3
    metadata = ["_job_start_time", "_job_duration", "_job_version"]
    assert Rate.heading.all_names[-3:] == metadata and Rate.heading.names == ["unit", "rate"]
    assert [Rate.heading[n].type.text for n in metadata] == ["datetime(3)", "float32", "varchar(64)"]  # SYS-5
    Rate.populate()
    assert len(Rate & "_job_start_time IS NULL") == 1 and len(Rate & "_job_start_time IS NOT NULL") == 1
    again = dj.migrate.add_job_metadata_columns(schema, dry_run=False)
    assert again["tables_modified"] == 0 and again["ddl"] == [] and again["details"][0]["status"] == "already_present"


def replica_identity(connection, schema: str, table: str) -> str:
    """PostgreSQL's record of a table's replica identity: d (default) or f (full)."""
    cursor = connection.raw.cursor()
    cursor.execute(
        "SELECT c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s",
        (schema, table),
    )
    return cursor.fetchone()[0]


def test_set_replica_identity_on_postgresql_and_refused_elsewhere(schema, connection):
    Subject, _, _ = declare(schema)
    if connection.backend.name != "postgresql":
        with pytest.raises(dj.DataJointError, match="PostgreSQL"):
            dj.deploy.set_replica_identity(schema)
        return
    preview = dj.deploy.set_replica_identity(schema)
    assert preview["tables_analyzed"] == 4 and preview["tables_modified"] == 0
    assert f'ALTER TABLE "{schema.database}"."subject" REPLICA IDENTITY FULL' in preview["ddl"]
    assert replica_identity(connection, schema.database, "subject") == "d"
    for _ in range(2):  # idempotent: a second run leaves the same state
        assert dj.deploy.set_replica_identity(schema, dry_run=False)["tables_modified"] == 4
        assert {replica_identity(connection, schema.database, t) for t in schema.list_tables()} == {"f"}
    assert dj.deploy.set_replica_identity(Subject, mode="DEFAULT", dry_run=False)["tables_modified"] == 1
    assert replica_identity(connection, schema.database, "subject") == "d"
    assert replica_identity(connection, schema.database, "session") == "f"
    with pytest.raises(dj.DataJointError, match="mode"):
        dj.deploy.set_replica_identity(Subject, mode="nothing")
