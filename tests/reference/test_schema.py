"""Schemas, tiers, names and hidden tables on every backend (PIPE, NAME, SYS, TYPE rules)."""

import pandas as pd
import pytest

import djspecs.reference as dj
from djspecs.reference.naming import class_name, tier_of
from tests.reference.pipeline import declare


def test_schema_maps_to_the_backends_namespace(schema, connection):  # PIPE-3, NAME-6
    declare(schema)
    table = connection.backend.table(schema.database, "session")
    expected = {
        "sqlite": f'"{schema.database}.session"',
        "postgresql": f'"{schema.database}"."session"',
        "mysql": f"`{schema.database}`.`session`",
    }[connection.backend.name]
    assert table.sql(dialect=connection.backend.check_dialect) == expected


def test_missing_schema_is_an_error_without_create_schema(connection):  # PIPE-4
    with pytest.raises(dj.DataJointError, match="has not yet been declared"):
        dj.Schema("djspecs_no_such_schema", connection=connection, create_schema=False)


def test_parts_are_declared_with_their_master_only(schema):  # PIPE-6, PIPE-8, NAME-3
    Subject, Session, _ = declare(schema)
    assert Session.Trial.table_name == "session__trial" and Session.Trial.master is Session

    class Loose(dj.Part):
        definition = """
        -> Subject
        n: int32
        """

    with pytest.raises(dj.DataJointError, match="should not be applied to Part"):
        schema(Loose)


@pytest.mark.parametrize(
    ("tier", "prefix"), [(dj.Manual, ""), (dj.Lookup, "#"), (dj.Imported, "_"), (dj.Computed, "__")]
)
def test_tier_prefixes_round_trip(schema, tier, prefix):  # PIPE-8, NAME-3, NAME-5
    @schema
    class Source(dj.Manual):
        definition = """
        source: int32
        """

    cls = type("ProcessedEMG", (tier,), {"definition": "-> Source\n---\nvalue = null: float64"})
    schema(cls, context={"Source": Source})
    assert cls.table_name == prefix + "processed_e_m_g"
    assert tier_of(cls.table_name) == (cls.tier, None)
    assert class_name(cls.table_name) == "ProcessedEMG"
    assert tier_of("__processed__part_name") == ("part", "__processed")


def test_references_must_resolve_so_cycles_cannot_form(schema):  # PIPE-2, DEF-9
    class Orphan(dj.Manual):
        definition = """
        -> NotDeclaredYet
        id: int32
        """

    with pytest.raises(dj.DataJointError, match="could not be resolved"):
        schema(Orphan)


def test_hidden_tables_stay_out_of_listings(schema, connection):  # SYS-1, SYS-2, SYS-4
    declare(schema)
    from djspecs.reference import catalog

    every = catalog.table_names(connection, schema.database, hidden=True)
    assert "~lineage" in every and "~lineage" not in schema.list_tables()
    assert not {"~log", "~jobs"} & set(every)


def test_types_come_in_three_layers(schema):  # TYPE-1
    from djspecs.reference.types import classify

    assert [classify(t).kind for t in ("int32", "tinyint unsigned", "<blob>", "<object@store>")] == [
        "core",
        "native",
        "codec",
        "codec",
    ]
    assert classify("<object@store>").store == "store" and classify("<blob@>").store == ""


def test_text_is_utf8_and_compared_case_sensitively(schema):  # TYPE-7
    @schema
    class Word(dj.Manual):
        definition = """
        word: varchar(20)
        """

    Word.insert([{"word": "Straße"}, {"word": "strasse"}, {"word": "STRASSE"}])
    assert len(Word & {"word": "strasse"}) == 1
    assert (Word & {"word": "Straße"}).fetch1("word") == "Straße"


def test_hidden_attributes_cannot_be_fetched_by_name(schema):  # FETCH-6
    @schema
    class Once(dj.Manual):
        definition = """
        ---
        value: int32
        """

    Once.insert1({"value": 5})
    with pytest.raises(dj.DataJointError, match="not found"):
        Once.to_arrays("_singleton")


def test_query_insert_copies_rows_on_the_server(schema):  # DML-7, DML-8
    Subject, _, _ = declare(schema)

    @schema
    class Archive(dj.Manual):
        definition = """
        subject_id: int32
        ---
        name: varchar(30)
        """

    Subject.insert([{"subject_id": i, "name": f"n{i}"} for i in range(3)])
    with pytest.raises(dj.DataJointError, match="not in the table heading"):
        Archive.insert(Subject & {"subject_id": 1})  # `sex` has no column in Archive
    Archive.insert(Subject & {"subject_id": 1}, ignore_extra_fields=True)
    assert Archive.to_dicts() == [{"subject_id": 1, "name": "n1"}]


def test_dataframes_round_trip_and_rows_validate(schema):  # DML-10
    Subject, _, _ = declare(schema)
    Subject.insert([{"subject_id": i, "name": f"n{i}", "sex": "F"} for i in range(3)])
    frame = Subject.to_pandas()
    Subject.delete()
    Subject.insert_dataframe(frame)
    assert Subject.to_pandas().equals(frame)
    result = Subject.validate([{"subject_id": 9, "name": "ok"}, {"subject_id": "x"}, {"subject_id": 8, "age": 1}])
    assert not result.is_valid and result.rows_checked == 3
    assert [(row, attribute) for row, attribute, _ in result.errors] == [(1, "subject_id"), (2, "age")]
    assert "age" in result.errors[1][2] and Subject.full_name in result.errors[1][2]
    assert Subject.validate(pd.DataFrame([{"subject_id": 9}])).is_valid
    assert Subject.validate([{"subject_id": 7, "age": 1}], ignore_extra_fields=True).is_valid
    with pytest.raises(dj.DataJointError, match="index_as_pk=True needs an index named by the primary key"):
        Subject.insert_dataframe(frame.reset_index(), index_as_pk=True)


def test_delete_blocked_by_an_unloaded_schema(schema, connection):  # DML-35, DML-42
    Subject, _, _ = declare(schema)
    Subject.insert1({"subject_id": 1})
    other = dj.Schema(schema.database + "_other", connection=connection)
    try:

        @other
        class Visit(dj.Manual):
            definition = """
            -> Subject
            visit: int32
            """

        Visit.insert1({"subject_id": 1, "visit": 1})
        connection.schemas.pop(other.database)  # as if that schema's code were not imported
        with pytest.raises(dj.IntegrityError, match="not loaded"):
            Subject.delete()
        assert len(Subject()) == 1 and len(Visit()) == 1
        connection.schemas[other.database] = other
        assert Subject.delete() == 1 and len(Visit()) == 0
    finally:
        connection.schemas[other.database] = other
        other.drop()


def test_describe_rebuilds_a_definition_that_declares_the_same_table(schema, connection):  # DEF-23
    Subject, Session, Note = declare(schema)

    @schema
    class Setup(dj.Manual):
        definition = """
        # a recording setup
        setup: int32
        ---
        -> [nullable, unique] Subject.proj(owner='subject_id')
        label = "rig 'a'": varchar(20)  # where it stands
        flag = true: bool
        index(label)
        """

    copy = dj.Schema(schema.database + "_copy", connection=connection)
    try:
        for original in (Subject, Session, Setup):
            text = original.describe()
            twin = type(original.__name__, (dj.Manual,), {"definition": text})
            copy(twin, context={"Subject": copy.tables.get("subject")})
            assert [(a.name, a.type.text, a.in_key, a.nullable, a.comment) for a in twin.heading] == [
                (a.name, a.type.text, a.in_key, a.nullable, a.comment) for a in original.heading
            ], text
            assert twin.comment == original.comment
            assert sorted(twin.indexes) == sorted(original.indexes)
        assert "-> [nullable, unique] Subject.proj(owner='subject_id')" in Setup.describe()
    finally:
        copy.drop()


@pytest.mark.parametrize(
    "line",
    ["a = abc : int32", 'a = "toolong" : varchar(3)', "a = maybe : bool", "a = 'Z' : enum('A', 'B')",
     "a = 2024-13-01 : date", "a = CURRENT_TIMESTAMP : int32", "a = 1234.5 : decimal(4, 1)"],
)  # fmt: skip
def test_bad_defaults_are_refused_at_declaration(schema, line):  # DEF-6, DEF-22
    cls = type("WithDefault", (dj.Manual,), {"definition": f"k: int32\n---\n{line}"})
    with pytest.raises(dj.DataJointError, match="line 3"):
        schema(cls)
    assert "with_default" not in schema.list_tables()


def test_arrow_tables_insert_and_round_trip(schema):  # DML-1
    import pyarrow as pa

    Subject, _, _ = declare(schema)
    Subject.insert(pa.table({"subject_id": [1, 2], "name": ["a", "b"], "sex": ["F", None]}))
    assert Subject.to_arrow().to_pylist() == [
        {"subject_id": 1, "name": "a", "sex": "F"},
        {"subject_id": 2, "name": "b", "sex": None},
    ]
