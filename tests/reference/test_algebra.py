"""Algebra rules the vectors cannot express: operators of the Python API, connections, lineage listing, SQL text."""

import pytest

import djspecs.reference as dj
from tests.reference.pipeline import declare


def test_removed_operators_name_their_replacement(schema):
    Subject, Session, _ = declare(schema)
    with pytest.raises(dj.DataJointError, match="join"):
        Subject() @ Session()
    with pytest.raises(dj.DataJointError, match="restrict"):
        Subject() ^ Session()


def test_operands_must_share_a_connection(schema, tmp_path):
    Subject, _, _ = declare(schema)
    other = dj.Schema(
        "elsewhere", connection=dj.Connection({"database.backend": "sqlite", "database.name": str(tmp_path / "x.db")})
    )
    Elsewhere = type("Elsewhere", (dj.Manual,), {"definition": "subject_id: int32"})
    other(Elsewhere)
    with pytest.raises(dj.DataJointError, match="different connections"):
        Subject() * Elsewhere()
    with pytest.raises(dj.DataJointError, match="different connections"):
        Subject() & Elsewhere()


def test_schema_lists_the_lineage_of_every_attribute(schema):  # LIN-6
    declare(schema)
    lineage = schema.lineage
    assert lineage[f"{schema.database}.session.subject_id"] == f"{schema.database}.subject.subject_id"
    assert f"{schema.database}.subject.name" not in lineage


def test_sql_text_is_parsed_checked_and_translated(schema, connection):
    Subject, Session, _ = declare(schema)
    Subject.insert([{"subject_id": i, "name": f"n{i}"} for i in range(3)])
    Session.insert([{"subject_id": 1, "session_id": s} for s in range(3)])
    with pytest.raises(dj.UnknownAttributeError, match="`nmae`"):
        Subject & "nmae = 'x'"
    with pytest.raises(dj.DataJointError, match="Cannot parse"):
        Subject & "name = = 'x'"
    assert len(Subject & "name = 'n1' OR `subject_id` = 2") == 2
    names = Subject.aggr(Session, ids="GROUP_CONCAT(session_id SEPARATOR ',')")
    assert sorted((names & {"subject_id": 1}).fetch1("ids").split(",")) == ["0", "1", "2"]


def test_fetch_order_inherits_a_tops_ordering(schema):
    Subject, _, _ = declare(schema)
    Subject.insert([{"subject_id": i, "name": f"n{i}"} for i in range(5)])
    top = Subject & dj.Top(3, "subject_id DESC")
    assert [r["subject_id"] for r in top.to_dicts()] == [4, 3, 2]
    assert [r["subject_id"] for r in top.to_dicts(limit=2)] == [4, 3]
    with pytest.raises(dj.DataJointError):
        Subject & [dj.Top(1)]


def _clear_headings(schema):
    for cls in schema.tables.values():
        cls._heading = None


def test_rebuild_lineage_restores_what_was_lost(schema, connection):  # LIN-5
    from sqlglot import exp

    Subject, Session, _ = declare(schema)
    before = schema.lineage
    connection.execute(exp.delete(connection.backend.table(schema.database, "~lineage")))
    _clear_headings(schema)
    with pytest.raises(dj.DataJointError, match="lineage missing"):
        Session() * Subject()
    schema.rebuild_lineage()
    assert schema.lineage == before
    assert len(Session() * Subject()) == 0


def test_without_a_lineage_table_matching_is_unchecked(schema, connection):  # LIN-4
    from sqlglot import exp

    @schema
    class Cat(dj.Manual):
        definition = """
        cat: int32
        ---
        name: varchar(10)
        """

    @schema
    class Dog(dj.Manual):
        definition = """
        dog: int32
        ---
        name: varchar(10)
        """

    with pytest.raises(dj.DataJointError, match="lineage"):
        Cat() * Dog()  # LIN-2: native secondaries share a name but no lineage
    connection.execute(exp.Drop(kind="TABLE", tables=[connection.backend.table(schema.database, "~lineage")]))
    _clear_headings(schema)
    Cat.insert1({"cat": 1, "name": "rex"})
    Dog.insert1({"dog": 2, "name": "rex"})
    with pytest.warns(UserWarning, match="LIN-4"):
        assert (Cat() * Dog()).to_dicts() == [{"cat": 1, "dog": 2, "name": "rex"}]


def test_a_top_without_ordering_keeps_the_previous_one(schema):
    Subject, _, _ = declare(schema)
    Subject.insert([{"subject_id": i, "name": f"n{i}"} for i in range(1, 5)])
    chained = Subject & dj.Top(3, "subject_id DESC") & dj.Top(2, None, offset=1)
    assert [r["subject_id"] for r in chained.to_dicts()] == [3, 2]


def test_percent_and_question_marks_in_sql_text_beside_bound_values(schema):
    """The `%s` drivers (psycopg, PyMySQL) need every literal `%` doubled once a value is bound; `?` stays text."""
    Subject, _, _ = declare(schema)
    Subject.insert([{"subject_id": i, "name": name} for i, name in enumerate(["50%?", "5%", "x?", "plain"])])
    found = Subject & "name LIKE '5%' OR name = 'x?'" & [{"subject_id": i} for i in range(4)]
    assert sorted(row["name"] for row in found.to_dicts()) == ["5%", "50%?", "x?"]
    odd = (Subject & {"name": "x?"}).proj(rest="subject_id % 2")
    assert odd.to_dicts() == [{"subject_id": 2, "rest": 0}]


def test_percent_in_a_comment_survives_declaration(schema):  # DEF-3: DDL with `%` runs on `%s` drivers
    Ratio = type("Ratio", (dj.Manual,), {"definition": "ratio_id: int32  # 100% of ids\n---\nvalue: float64  # in %"})
    schema(Ratio)
    assert "100% of ids" in Ratio.describe() and "# in %" in Ratio.describe()
