"""Table.alter on every backend (DEF-21, PIPE-7, API-2): what changes, what is kept, and what is refused."""

import pytest

import djspecs.reference as dj
from djspecs.reference.errors import AlterRefusedError

SUBJECT = """# subjects
subject_id : int32
---
name : varchar(16)  # nickname
age = null : int32
sex = "U" : enum('F', 'M', 'U')
"""


def declare(schema):
    class Subject(dj.Manual):
        definition = SUBJECT

    class Session(dj.Manual):
        definition = "-> Subject\nsession_id : int16\n---\nminutes = 0 : int32"

    class Tag(dj.Manual):
        definition = "tag_id : int32\n---\n-> [nullable] Subject"

    for cls in (Subject, Session, Tag):
        schema(cls)
    Subject.insert([{"subject_id": 1, "name": "ann", "age": 3, "sex": "F"}, {"subject_id": 2, "name": "bob", "age": None, "sex": "U"}])  # fmt: skip
    Session.insert1({"subject_id": 1, "session_id": 1, "minutes": 10})
    return Subject, Session, Tag


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.strip().splitlines()]


def test_secondary_attributes_change_and_describe_shows_the_new_definition(schema, connection):
    Subject, Session, _ = declare(schema)
    Subject.definition = """# all subjects
    subject_id : int32
    ---
    full_name : varchar(40)  # {name} the whole name
    age = null : int64  # years
    sex = "X" : enum('F', 'M', 'U', 'X')
    weight = null : float64  # grams
    """
    Subject.alter(prompt=False)  # API-2: on the class
    expected = """# all subjects
    subject_id : int32
    ---
    full_name : varchar(40)  # the whole name
    age = null : int64  # years
    sex = "X" : enum('F', 'M', 'U', 'X')
    weight = null : float64  # grams
    """
    assert lines(Subject.describe()) == lines(expected)
    assert Subject.to_dicts(order_by="KEY") == [
        {"subject_id": 1, "full_name": "ann", "age": 3, "sex": "F", "weight": None},
        {"subject_id": 2, "full_name": "bob", "age": None, "sex": "U", "weight": None},
    ]
    Subject.insert1({"subject_id": 3, "full_name": "c" * 40, "age": 2**40, "weight": 1.5})
    assert (Subject & {"subject_id": 3}).fetch1("sex") == "X"
    assert Session.to_dicts() == [{"subject_id": 1, "session_id": 1, "minutes": 10}]
    with pytest.raises(dj.IntegrityError):  # the foreign key from Session still holds
        (Subject & {"subject_id": 1}).delete_quick()
    with pytest.raises(dj.IntegrityError):
        Session.insert1({"subject_id": 9, "session_id": 1})


def test_altering_again_changes_nothing(schema, connection):
    Subject, _, _ = declare(schema)
    Subject.definition = SUBJECT.replace("# nickname", "# {name} the name").replace("name :", "alias :")
    Subject.alter(prompt=False)
    described = Subject.describe()
    before = connection.statements
    Subject().alter(prompt=False)  # the `{name}` marker now names an attribute that was renamed already
    assert Subject.describe() == described
    assert "alias : varchar(16)  # the name" in described
    assert connection.statements - before < 40  # catalog reads only


def test_dropping_and_reordering(schema, connection):
    Subject, _, _ = declare(schema)
    Subject.definition = "subject_id : int32\n---\nsex = \"U\" : enum('F', 'M', 'U')\nname : varchar(16)  # nickname"
    Subject.alter(prompt=False)
    names = Subject.heading.names
    # PostgreSQL cannot move columns: the kept ones stay in their declared order there.
    assert names == (["subject_id", "name", "sex"] if connection.backend.name == "postgresql" else ["subject_id", "sex", "name"])  # fmt: skip
    rows = Subject.to_dicts(order_by="KEY")
    assert rows == [{"subject_id": 1, "name": "ann", "sex": "F"}, {"subject_id": 2, "name": "bob", "sex": "U"}]
    assert list(rows[0]) == names


def test_nullability_and_default_change(schema):
    Subject, Session, _ = declare(schema)
    Session.definition = "-> Subject\nsession_id : int16\n---\nminutes = null : int32"
    Session.alter(prompt=False)
    Session.insert1({"subject_id": 2, "session_id": 1})
    assert (Session & {"subject_id": 2}).fetch1("minutes") is None
    Session.definition = "-> Subject\nsession_id : int16\n---\nminutes = 5 : int32"
    with pytest.raises(dj.DataJointError):  # a NULL is stored: the column cannot become NOT NULL
        Session.alter(prompt=False)
    (Session & {"subject_id": 2}).delete_quick()
    Session.alter(prompt=False)
    Session.insert1({"subject_id": 2, "session_id": 2})
    assert (Session & {"subject_id": 2}).fetch1("minutes") == 5
    assert "minutes = 5 : int32" in Session.describe()


@pytest.mark.parametrize(
    ("definition", "named"),
    [
        ("subject_id : int64\n---\nname : varchar(16)", "subject_id"),
        ("subject_id : int32\nvisit : int32\n---\nname : varchar(16)", "visit"),
        ("name : varchar(16)\n---\nsubject_id : int32", "name"),
        ("subject_id : int32\n---\nname : varchar(16)\nindex(name)", "name"),
    ],
)
def test_key_and_index_changes_are_refused(schema, definition, named):
    Subject, _, _ = declare(schema)
    described = Subject.describe()
    Subject.definition = definition
    with pytest.raises(AlterRefusedError, match=rf"`{named}`.*\[DEF-21\]") as raised:
        Subject.alter(prompt=False)
    assert isinstance(raised.value, NotImplementedError) and isinstance(raised.value, dj.DataJointError)
    assert schema.database in str(raised.value) and "subject" in str(raised.value)
    assert Subject.describe() == described


@pytest.mark.parametrize(
    "definition",
    ["tag_id : int32\n---\nsubject_id = null : int32", "tag_id : int32\n---\n-> Subject", "tag_id : int32\n---\n-> [nullable] Session"],
)  # fmt: skip
def test_foreign_key_changes_are_refused(schema, definition):
    _, _, Tag = declare(schema)
    described = Tag.describe()
    Tag.definition = definition
    with pytest.raises(AlterRefusedError, match=r"subject_id.*\[DEF-21\]"):
        Tag.alter(prompt=False)
    assert Tag.describe() == described


def test_renaming_an_attribute_that_does_not_exist_is_an_error(schema):
    Subject, _, _ = declare(schema)
    Subject.definition = "subject_id : int32\n---\nalias : varchar(16)  # {nickname}"
    with pytest.raises(dj.DataJointError, match=r"`nickname`.*\[DEF-21\]"):
        Subject.alter(prompt=False)
    Subject.definition = "subject_id : int32\n---\na : varchar(16)  # {name}\nb : varchar(16)  # {name}"
    with pytest.raises(dj.DataJointError, match=r"`name` is renamed twice"):
        Subject.alter(prompt=False)


def test_the_prompt_shows_the_statements_and_asks(schema, monkeypatch, capsys):
    Subject, _, _ = declare(schema)
    Subject.definition = SUBJECT + "weight = null : float64\n"
    monkeypatch.setattr("builtins.input", lambda question: "no")
    Subject.alter()
    assert "weight" not in Subject.heading.names and "weight" in capsys.readouterr().out
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    Subject.alter(prompt=True)
    assert "weight" in Subject.heading.names


def test_no_alter_inside_a_transaction(schema, connection):
    Subject, _, _ = declare(schema)
    Subject.definition = SUBJECT + "weight = null : float64\n"
    with pytest.raises(dj.DataJointError, match=r"inside a transaction.*\[PIPE-7\]"), connection.transaction:
        Subject.alter(prompt=False)
    assert "weight" not in Subject.heading.names


def test_a_part_table_is_altered_with_its_master_in_context(schema):
    class Probe(dj.Manual):
        definition = "probe_id : int32"

        class Channel(dj.Part):
            definition = "-> master\nchannel : int16"

    schema(Probe)
    Probe.insert1({"probe_id": 1})
    Probe.Channel.insert1({"probe_id": 1, "channel": 3})
    Probe.Channel.definition = "-> master\nchannel : int16\n---\ngain = 1.0 : float64"
    Probe.Channel.alter(prompt=False)
    assert Probe.Channel.to_dicts() == [{"probe_id": 1, "channel": 3, "gain": 1.0}]


def test_native_key_types_and_hidden_job_columns_are_kept(schema):
    class Device(dj.Manual):
        definition = "device_id : int\n---\nlabel : varchar(8)"  # a native key type (MySQL reports int(11))

    class Reading(dj.Computed):
        definition = "-> Device\n---\nvalue : float64"

        def make(self, key):
            self.insert1({**key, "value": 1.0})

    with pytest.warns(UserWarning, match="native type"):
        schema(Device)
    dj.config["jobs.add_job_metadata"] = True
    try:
        schema(Reading)
    finally:
        dj.config["jobs.add_job_metadata"] = False
    Device.insert1({"device_id": 1, "label": "a"})
    Reading.populate()
    Device.definition += "\nserial = null : varchar(16)"
    with pytest.warns(UserWarning, match="native type"):
        Device.alter(prompt=False)
    Reading.definition += "\nunit = null : varchar(8)"
    Reading.alter(prompt=False)
    assert "serial" in Device.heading.names
    hidden = {"_job_start_time", "_job_duration", "_job_version"}
    assert hidden <= set(Reading.heading.all_names) and "unit" in Reading.heading.names
    assert Reading.to_dicts() == [{"device_id": 1, "value": 1.0, "unit": None}]
