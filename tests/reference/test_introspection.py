"""Opening a schema without its code: tables in dependency order, headings from the catalog (API-4, TYPE-9)."""

import djspecs.reference as dj
from tests.reference.pipeline import declare


def test_virtual_schema_reads_and_writes(schema, connection):
    Subject, Session, _ = declare(schema)
    Subject.insert1({"subject_id": 1, "name": "Ann", "sex": "F"})
    lab = dj.virtual_schema(schema.database, connection=connection)
    assert lab.schema.list_tables() == ["subject", "session", "note", "session__trial"]
    assert lab.Subject.to_dicts() == [{"subject_id": 1, "name": "Ann", "sex": "F"}]
    heading = lab.Subject.heading
    assert [a.type.text for a in heading] == ["int32", "varchar(30)", "enum('F', 'M')"]
    assert heading["name"].comment == "nickname"
    lab.Session.insert1({"subject_id": 1, "session_id": 1})
    lab.Session.Trial.insert1({"subject_id": 1, "session_id": 1, "trial": 1, "score": 0.5})
    assert lab.Session.Trial.primary_key == ["subject_id", "session_id", "trial"]
    assert (lab.Subject & {"subject_id": 1}).delete() == 1
    assert len(Session.Trial()) == 0


def test_lineage_is_recorded(schema):  # SYS-2, LIN-1, LIN-5
    Subject, Session, _ = declare(schema)
    assert Session.heading["subject_id"].lineage == f"{schema.database}.subject.subject_id"
    assert Session.heading["session_id"].lineage == f"{schema.database}.session.session_id"
    assert Session.heading["ok"].lineage is None
    assert "~lineage" not in schema.list_tables()


def test_declaration_is_idempotent(schema, connection):  # DEF-20
    Subject, _, _ = declare(schema)
    Subject.insert1({"subject_id": 1})
    before = connection.statements
    declare(schema)
    assert Subject.fetch1("subject_id") == 1
    assert connection.statements - before < 30  # catalog reads only: nothing is created twice
