"""Insert, fetch, delete and transactions on every backend (DML, FETCH rules)."""

import datetime
import decimal
import uuid

import pytest

import djspecs.reference as dj
from tests.reference.pipeline import declare


@pytest.fixture
def tables(schema):
    return declare(schema)


def test_insert_and_fetch_round_trip_with_defaults(tables):  # DML-1, DML-2, TYPE-8, FETCH-1
    Subject, Session, _ = tables
    Subject.insert([{"subject_id": 1, "name": "Ann", "sex": "F"}])
    Subject.insert1({"subject_id": 2, "sex": None})
    assert Subject.to_dicts(order_by="KEY") == [
        {"subject_id": 1, "name": "Ann", "sex": "F"},
        {"subject_id": 2, "name": "anon", "sex": None},
    ]
    Session.insert1({"subject_id": 1, "session_id": 3})
    row = Session.fetch1()
    assert row["ok"] is True and isinstance(row["started"], datetime.datetime)


def test_duplicate_and_skip_duplicates(tables):  # DML-4
    Subject, _, _ = tables
    Subject.insert1({"subject_id": 1, "name": "Ann"})
    with pytest.raises(dj.DuplicateError, match="skip_duplicates"):
        Subject.insert1({"subject_id": 1, "name": "Bob"})
    Subject.insert1({"subject_id": 1, "name": "Bob"}, skip_duplicates=True)
    assert Subject.fetch1("name") == "Ann"


def test_missing_parent_is_an_integrity_error(tables):  # DML-6
    _, Session, _ = tables
    with pytest.raises(dj.IntegrityError):
        Session.insert1({"subject_id": 99, "session_id": 1})
    assert len(Session()) == 0


def test_failed_multi_row_insert_inserts_nothing(tables):  # DML-7
    Subject, _, _ = tables
    rows = [{"subject_id": i, "name": f"s{i}"} for i in range(5)] + [{"subject_id": 2, "name": "again"}]
    with pytest.raises(dj.DuplicateError):
        Subject.insert(rows)
    assert len(Subject()) == 0


def test_unknown_field_is_refused_unless_ignored(tables):  # DML-3
    Subject, _, _ = tables
    with pytest.raises(KeyError, match="not in the table heading"):
        Subject.insert1({"subject_id": 1, "age": 3})
    with pytest.raises(dj.UnknownAttributeError):
        Subject.insert1({"subject_id": 1, "age": 3})
    Subject.insert1({"subject_id": 1, "age": 3}, ignore_extra_fields=True)
    assert Subject.keys() == [{"subject_id": 1}]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"subject_id": "one"}, "is not an integer"),
        ({"subject_id": 2**31}, "out of range"),
        ({"subject_id": 1, "name": "x" * 31}, "longer than 30"),
        ({"subject_id": 1, "sex": "X"}, "is not one of"),
        ({"subject_id": 1, "name": "nul\x00byte"}, "NUL"),
        ({"subject_id": 1, "name": "lone \ud800"}, "surrogate"),
    ],
)
def test_bad_values_are_refused_before_sql(tables, row, problem):  # TYPE-8, DML-2
    Subject, _, _ = tables
    with pytest.raises(dj.DataJointError, match=problem) as caught:
        Subject.insert1(row)
    assert "subject" in str(caught.value)
    assert len(Subject()) == 0


def test_quotes_backslashes_and_unicode_survive(tables):
    Subject, _, _ = tables
    names = ["O'Brien", 'say "hi"', "back\\slash", "ünïcødé ✓", "semi;colon--"]
    Subject.insert([{"subject_id": i, "name": n} for i, n in enumerate(names)])
    assert [r["name"] for r in Subject.to_dicts(order_by="subject_id")] == names
    assert (Subject & {"name": "O'Brien"}).fetch1("subject_id") == 0


def test_fetch_forms(tables):  # FETCH-1, FETCH-2, FETCH-3, FETCH-5
    Subject, _, _ = tables
    Subject.insert([{"subject_id": i, "name": f"n{i}"} for i in range(1, 6)])
    assert len(Subject()) == 5 and bool(Subject()) and not bool(Subject & {"subject_id": 99})
    assert {"subject_id": 3} in Subject()
    assert [r["subject_id"] for r in Subject.head(2)] == [1, 2]
    assert [r["subject_id"] for r in Subject.tail(2)] == [4, 5]
    assert [r["subject_id"] for r in Subject.to_dicts(order_by="KEY DESC", limit=2, offset=1)] == [4, 3]
    assert sorted(r["subject_id"] for r in Subject()) == [1, 2, 3, 4, 5]
    assert (Subject & {"subject_id": 2}).fetch1("name", "sex") == ("n2", None)
    assert (Subject & {"subject_id": 2}).fetch1("KEY") == {"subject_id": 2}
    with pytest.raises(dj.DataJointError, match="exactly one"):
        Subject.fetch1()
    frame = Subject.to_pandas()
    assert list(frame.index.names) == ["subject_id"] and len(frame) == 5
    assert Subject.to_arrow().num_rows == 5
    names = Subject.to_arrays("name")
    assert sorted(names) == [f"n{i}" for i in range(1, 6)]


def test_restrictions_by_dict_list_and_not(tables):  # Q-11, Q-12 (the forms fetch and delete need)
    Subject, _, _ = tables
    Subject.insert([{"subject_id": i, "name": f"n{i}"} for i in range(1, 5)])
    assert len(Subject & [{"subject_id": 1}, {"subject_id": 3}]) == 2
    assert len(Subject & []) == 0 and len(Subject - []) == 4
    assert len(Subject - {"subject_id": 1}) == 3
    assert len(Subject & {"nothing": 1}) == 4
    assert len(Subject & {"sex": None}) == 4


def test_cascade_delete_removes_descendants(tables):  # DML-30, DML-31
    Subject, Session, Note = tables
    Subject.insert([{"subject_id": 1}, {"subject_id": 2}])
    Session.insert([{"subject_id": s, "session_id": 1} for s in (1, 2)])
    Session.Trial.insert([{"subject_id": s, "session_id": 1, "trial": t} for s in (1, 2) for t in range(3)])
    Note.insert1({"subject_id": 1, "session_id": 1, "note_id": 1, "text": "x"})
    assert (Subject & {"subject_id": 1}).delete() == 1
    assert Subject.keys() == [{"subject_id": 2}]
    assert len(Session.Trial()) == 3 and len(Note()) == 0


def test_part_integrity(tables):  # DML-34
    Subject, Session, _ = tables
    Subject.insert1({"subject_id": 1})
    Session.insert1({"subject_id": 1, "session_id": 1})
    Session.Trial.insert([{"subject_id": 1, "session_id": 1, "trial": t} for t in range(2)])
    with pytest.raises(dj.DataJointError, match="Part directly"):
        (Session.Trial & {"trial": 0}).delete()
    assert (Session.Trial & {"trial": 0}).delete(part_integrity="ignore") == 1
    with pytest.raises(ValueError):
        Session.delete(part_integrity="sometimes")


def test_delete_quick_does_not_cascade(tables):  # DML-36
    Subject, Session, _ = tables
    Subject.insert1({"subject_id": 1})
    Session.insert1({"subject_id": 1, "session_id": 1})
    with pytest.raises(dj.IntegrityError):
        Subject.delete_quick()
    assert len(Subject()) == 1


def test_transaction_commits_or_rolls_back(tables, connection):  # DML-40
    Subject, _, _ = tables
    with pytest.raises(RuntimeError), connection.transaction:
        Subject.insert1({"subject_id": 1})
        raise RuntimeError("abort")
    assert len(Subject()) == 0
    with connection.transaction:
        Subject.insert1({"subject_id": 1})
        with pytest.raises(dj.DataJointError, match="Nested"), connection.transaction:
            pass
    assert len(Subject()) == 1


def test_delete_inside_transaction_needs_prompt_false(tables, connection):  # DML-33
    Subject, _, _ = tables
    Subject.insert1({"subject_id": 1})
    with connection.transaction:
        with pytest.raises(dj.DataJointError, match="ongoing transaction"):
            Subject.delete(prompt=True)
        assert Subject.delete(prompt=False) == 1
    assert len(Subject()) == 0


def test_drop_removes_table_and_descendants(tables, schema):  # DML-37
    Subject, Session, _ = tables
    Session.drop()
    assert schema.list_tables() == ["subject"]
    with pytest.raises(dj.DataJointError):
        (Subject & {"subject_id": 1}).drop()


def test_core_type_values_round_trip(schema):  # TYPE-2, TYPE-8
    @schema
    class Everything(dj.Manual):
        definition = """
        id: int64
        ---
        small = null: int8
        flag = null: bool
        ratio = null: float32
        precise = null: float64
        money = null: decimal(10, 2)
        code = null: char(3)
        day = null: date
        moment = null: datetime(6)
        doc = null: json
        ident = null: uuid
        raw = null: bytes
        """

    row = {
        "id": 2**40,
        "small": -128,
        "flag": False,
        "ratio": 0.5,
        "precise": 1e-300,
        "money": decimal.Decimal("12345678.90"),
        "code": "abc",
        "day": datetime.date(2024, 2, 29),
        "moment": datetime.datetime(2024, 2, 29, 23, 59, 58, 123456),
        "doc": {"a": [1, 2, {"b": None}], "c": "ü"},
        "ident": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "raw": b"\x00\x01\xff",
    }
    Everything.insert1(row)
    Everything.insert1({"id": 1})
    fetched = (Everything & {"id": 2**40}).fetch1()
    assert fetched == row
    assert (Everything & {"id": 1}).fetch1("doc", "ident") == (None, None)
    assert (Everything & {"ident": "12345678-1234-5678-1234-567812345678"}).fetch1("id") == 2**40


def test_update1_changes_one_row(tables):  # DML-20
    Subject, _, _ = tables
    Subject.insert([{"subject_id": 1, "name": "Ann", "sex": "F"}])
    Subject.update1({"subject_id": 1, "name": "Anne", "sex": None})
    assert Subject.fetch1() == {"subject_id": 1, "name": "Anne", "sex": None}
    with pytest.raises(dj.DataJointError, match="one existing entry"):
        Subject.update1({"subject_id": 2, "name": "Bob"})
    with pytest.raises(dj.DataJointError, match="restricted"):
        (Subject & {"subject_id": 1}).update1({"subject_id": 1, "name": "x"})
    with pytest.raises(dj.DataJointError, match="whole primary key"):
        Subject.update1({"name": "x"})
    with pytest.raises(KeyError):
        Subject.update1({"subject_id": 1, "age": 3})
    with pytest.raises(dj.DataJointError, match="not nullable"):
        Subject.update1({"subject_id": 1, "name": None})
    assert Subject.fetch1("name") == "Anne"


def test_update1_of_a_foreign_key_needs_a_parent(schema):  # DML-21
    @schema
    class Rig(dj.Lookup):
        definition = """
        rig: varchar(8)
        """
        contents = [{"rig": "a"}, {"rig": "b"}]

    @schema
    class Setup(dj.Manual):
        definition = """
        setup: int32
        ---
        -> Rig
        """

    assert len(Rig()) == 2  # PIPE-9: contents are inserted on decoration
    Setup.insert1({"setup": 1, "rig": "a"})
    Setup.update1({"setup": 1, "rig": "b"})
    with pytest.raises(dj.IntegrityError):
        Setup.update1({"setup": 1, "rig": "zz"})
    assert Setup.fetch1("rig") == "b"


def test_auto_populated_tables_refuse_direct_inserts(schema):  # DML-9, DEF-18
    @schema
    class Source(dj.Manual):
        definition = """
        source: int32
        """

    @schema
    class Derived(dj.Computed):
        definition = """
        -> Source
        ---
        value: float64
        """

    Source.insert1({"source": 1})
    with pytest.raises(dj.DataJointError, match="make method"):
        Derived.insert1({"source": 1, "value": 1.0})
    Derived.insert1({"source": 1, "value": 1.0}, allow_direct_insert=True)
    assert len(Derived()) == 1

    class Bad(dj.Computed):
        definition = """
        -> Source
        extra: int32
        ---
        value: float64
        """

    with pytest.raises(dj.DataJointError, match="auto-populated"):
        schema(Bad)


def test_declaring_inside_a_transaction_is_refused(schema, connection):  # PIPE-7
    class Late(dj.Manual):
        definition = """
        late: int32
        """

    with connection.transaction, pytest.raises(dj.DataJointError, match="inside a transaction"):
        schema(Late)
    assert "late" not in schema.list_tables()


def test_production_mode_declares_nothing(schema, connection):  # PIPE-5
    quiet = dj.Schema(schema.database, connection=connection, create_tables=False)

    class Absent(dj.Manual):
        definition = """
        absent: int32
        """

    quiet(Absent)
    assert "absent" not in schema.list_tables()


def test_long_table_names_are_refused(schema, connection):  # NAME-4
    limit = connection.backend.MAX_TABLE_NAME
    name = "A" + "b" * limit  # snake case adds no characters here
    cls = type(name, (dj.Manual,), {"definition": "k: int32"})
    with pytest.raises(dj.DataJointError, match="max length"):
        schema(cls)


def test_native_types_are_accepted_with_a_warning(schema, connection):  # TYPE-5
    native = {"sqlite": "integer", "postgresql": "smallint", "mysql": "int unsigned"}[connection.backend.name]
    cls = type("Native", (dj.Manual,), {"definition": f"k: int32\n---\nn: {native}"})
    with pytest.warns(UserWarning, match="native type"):
        schema(cls)
    cls.insert1({"k": 1, "n": 7})
    assert cls.fetch1("n") == 7


def test_fetch_is_deprecated_but_works(tables):  # FETCH-4
    Subject, _, _ = tables
    Subject.insert([{"subject_id": i, "name": f"n{i}"} for i in (1, 2)])
    with pytest.warns(DeprecationWarning):
        assert Subject.fetch("KEY") == [{"subject_id": 1}, {"subject_id": 2}]
    with pytest.warns(DeprecationWarning):
        assert len(Subject.fetch(format="frame")) == 2
    with pytest.warns(DeprecationWarning):
        assert sorted(Subject.fetch("name")) == ["n1", "n2"]


def test_delete_asks_before_committing(tables, monkeypatch):  # DML-32
    Subject, _, _ = tables
    Subject.insert1({"subject_id": 1})
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert Subject.delete(prompt=True) == 0
    assert len(Subject()) == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert Subject.delete(prompt=True) == 1
    assert len(Subject()) == 0


def test_hidden_attributes_stay_hidden(schema):  # SYS-6, DEF-4
    @schema
    class Setting(dj.Manual):
        definition = """
        ---
        value: int32
        """

    Setting.insert1({"value": 1})
    assert Setting.primary_key == [] and Setting.heading.names == ["value"]
    assert Setting.to_dicts() == [{"value": 1}]
    with pytest.raises(dj.DuplicateError):
        Setting.insert1({"value": 2})
    with pytest.raises(KeyError):
        Setting.insert1({"_singleton": True, "value": 3})
    assert len(Setting & {"_singleton": False}) == 1  # hidden keys of a dict restriction are ignored


def test_repeated_fetches_reuse_the_compiled_statement(tables, connection):  # issue 4: compile once
    Subject, _, _ = tables
    Subject.insert([{"subject_id": i} for i in range(3)])
    expression = Subject() & "subject_id > 0"
    first = expression.to_dicts()
    statement = expression._statements[((("subject_id", "name", "sex")), "None", None, 0)]
    assert "sql" in statement.meta
    assert expression.to_dicts() == first and len(first) == 2
    narrower = expression & {"subject_id": 2}
    assert narrower.to_dicts() == [{"subject_id": 2, "name": "anon", "sex": None}]


def test_part_integrity_cascade_deletes_the_master_and_its_parts(tables):  # DML-34
    Subject, Session, Note = tables
    Subject.insert1({"subject_id": 1})
    Session.insert([{"subject_id": 1, "session_id": s} for s in (1, 2)])
    Session.Trial.insert([{"subject_id": 1, "session_id": s, "trial": t} for s in (1, 2) for t in range(2)])
    Note.insert1({"subject_id": 1, "session_id": 1, "note_id": 1, "text": "x"})
    # both trials of session 1 leave the part table: the one asked for and its sibling
    assert (Session.Trial & {"session_id": 1, "trial": 0}).delete(part_integrity="cascade") == 2
    assert Session.keys() == [{"subject_id": 1, "session_id": 2}]
    assert len(Session.Trial()) == 2 and len(Note()) == 0  # the sibling trial and the master's other children went too
    assert len(Subject()) == 1


def test_parts_must_reference_their_master(schema):  # DEF-19, DIS-20
    @schema
    class Rig(dj.Manual):
        definition = """
        rig: int32
        """

    class Experiment(dj.Manual):
        definition = """
        experiment: int32
        """

        class Setting(dj.Part):
            definition = """
            -> Rig
            """

    with pytest.raises(dj.DataJointError, match="must reference its master"):
        schema(Experiment, context={"Rig": Rig})


def test_a_cascade_selects_parent_keys_without_derived_tables(tables, connection, monkeypatch):  # DML-31, Q-15
    """Each child's DELETE names the rows above it by a plain `IN (SELECT key FROM parent WHERE ...)`: a derived
    table per level would be materialized by MariaDB, once per level of the cascade."""
    from sqlglot import exp

    Subject, Session, _ = tables
    Subject.insert([{"subject_id": s, "name": f"n{s}"} for s in (1, 2)])
    Session.insert([{"subject_id": s, "session_id": 1} for s in (1, 2)])
    Session.Trial.insert([{"subject_id": s, "session_id": 1, "trial": t} for s in (1, 2) for t in (1, 2)])
    deletes, check = [], connection.on_statement

    def record(statement):
        if isinstance(statement, exp.Delete):
            deletes.append(statement)
        check(statement)

    monkeypatch.setattr(connection, "on_statement", record)
    assert (Subject & "name = 'n1'").delete(prompt=False) == 1  # not a key: the children keep semijoins
    assert len(deletes) == 4 and [len(Subject()), len(Session()), len(Session.Trial())] == [1, 1, 2]  # and Note
    derived = [s for d in deletes for s in d.find_all(exp.Subquery) if s.alias]
    assert derived == [] and sum(1 for d in deletes if d.find(exp.Subquery)) == 3  # the children's deletes
