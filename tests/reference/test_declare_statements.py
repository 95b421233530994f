"""What a declaration sends (issue 8: at most a third of DataJoint's statements): the parents' headings come from
their own declaration, the ~lineage table is created once, and stale lineage rows are still replaced (LIN-5)."""

import pytest
from sqlglot import exp

import djspecs.reference as dj
from djspecs.reference.naming import LINEAGE_TABLE


@pytest.fixture
def sent(connection, monkeypatch):
    statements = []
    check = connection.on_statement
    monkeypatch.setattr(connection, "on_statement", lambda s: (statements.append(s), check(s)))
    return statements


def _lineage_creates(statements):
    return [s for s in statements if isinstance(s, exp.Create) and LINEAGE_TABLE in s.sql()]


def test_a_child_reads_nothing_of_its_parent_and_lineage_is_created_once(schema, sent):  # LIN-5
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id: int32
        ---
        species: varchar(32)
        """

    assert len(_lineage_creates(sent)) == 1
    sent.clear()

    @schema
    class Visit(dj.Manual):
        definition = """
        -> Animal
        visit_id: int32
        """

    selects = [s for s in sent if isinstance(s, exp.Select)]
    # the listing that says whether the table exists, and its check again under the declaration lock (DEF-20)
    assert (
        len([s for s in selects if not any(lock in s.sql() for lock in ("PG_ADVISORY", "GET_LOCK", "RELEASE_LOCK"))])
        == 2
    )
    assert _lineage_creates(sent) == []
    assert len(sent) <= 8  # + lock (BEGIN and lock, or GET_LOCK), lineage DELETE and INSERT, CREATE, COMMIT/RELEASE
    assert Visit.heading["animal_id"].lineage == f"{schema.database}.animal.animal_id"
    assert schema.lineage[f"{schema.database}.visit.animal_id"] == f"{schema.database}.animal.animal_id"


def test_leftover_rows_of_a_dropped_table_are_replaced(schema, connection):  # LIN-5
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id: int32
        """

    Animal().drop_quick()  # then a leftover row, as a drop by other means would leave
    connection.execute(
        exp.insert(
            exp.Values(
                expressions=[exp.Tuple(expressions=[exp.Literal.string(v) for v in ("animal", "gone", "x.y.z")])]
            ),
            connection.backend.table(schema.database, LINEAGE_TABLE),
            columns=["table_name", "attribute_name", "lineage"],
        )
    )
    again = dj.Schema(schema.database, connection=connection)

    @again
    class Animal(dj.Manual):  # noqa: F811
        definition = """
        animal_id: int64
        """

    assert f"{schema.database}.animal.gone" not in again.lineage
    assert again.lineage[f"{schema.database}.animal.animal_id"] == f"{schema.database}.animal.animal_id"
