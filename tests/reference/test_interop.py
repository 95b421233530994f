"""Interoperability with DataJoint 2.x (datajoint-python 2.3.5) on PostgreSQL and MariaDB, in both directions.

DataJoint declares and fills a schema that the reference opens with `virtual_schema`, reads, writes and
deletes from; the reference declares and fills a schema that DataJoint opens with its own `virtual_schema`,
reads, queries and writes to (API-4, SYS-5, TYPE-8, TYPE-9, LIN-1, DML-30).

Where DataJoint 2.3.5 itself fails a case, the case stays and asserts DataJoint's failure; each such place
says so in a comment starting with "DataJoint's failure".
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

import djspecs.reference as dj
from djspecs.reference import catalog
from tests.reference.conftest import SERVERS, SQLCheck
from tests.support import require

with warnings.catch_warnings():  # "No datajoint.json found": DataJoint is configured per Instance below
    warnings.simplefilter("ignore")
    try:
        import datajoint
    except ImportError:  # a machine without the dev extra
        datajoint = None

_counter = itertools.count()

# One pipeline, declared by either implementation from the same definitions.
KIND = """
kind: varchar(16)
---
label: varchar(40)
"""
SUBJECT = """
# experimental subjects
subject_id: int32
---
name: varchar(30)  # nickname
weight: float64
birth: date
created: datetime
alive: bool
sex: enum('F', 'M', 'U')
meta = null: json
token = null: uuid
price: decimal(8,2)
-> Kind
"""
SESSION = """
-> Subject
session_id: int16
---
note = "": varchar(100)
"""
TRIAL = """
-> master
trial: int32
---
score = null: float64
"""
KINDS = [{"kind": "a", "label": "Alpha"}, {"kind": "b", "label": "Beta"}]
SUBJECTS = [
    {"subject_id": 1, "name": "Ann", "weight": 20.5, "birth": dt.date(2020, 1, 2), "created": dt.datetime(2021, 3, 4, 5, 6, 7),
     "alive": True, "sex": "F", "meta": {"gain": 0.25, "tags": ["a", None, 3]}, "token": uuid.UUID("8c5c2d63-2c39-4b4e-9e0e-4c0e2d0b5a11"),
     "price": Decimal("12.34"), "kind": "a"},
    {"subject_id": 2, "name": "Zoë 'Z' \"O\"", "weight": -1.5, "birth": dt.date(1999, 12, 31), "created": dt.datetime(2000, 1, 1),
     "alive": False, "sex": "M", "meta": None, "token": None, "price": Decimal("-0.50"), "kind": "b"},
]  # fmt: skip
SESSIONS = [{"subject_id": 1, "session_id": 1, "note": "first"}, {"subject_id": 1, "session_id": 2, "note": ""},
            {"subject_id": 2, "session_id": 1, "note": "other"}]  # fmt: skip
TRIALS = [{"subject_id": 1, "session_id": 1, "trial": 1, "score": 0.5}, {"subject_id": 1, "session_id": 1, "trial": 2, "score": None},
          {"subject_id": 2, "session_id": 1, "trial": 1, "score": 1.5}]  # fmt: skip
# A row the other implementation adds, with its children.
NEW_SUBJECT = {"subject_id": 3, "name": "Cy", "weight": 3.0, "birth": dt.date(2024, 2, 29), "created": dt.datetime(2024, 2, 29, 23, 59, 59),
               "alive": True, "sex": "U", "meta": [1, "two", {"three": 3}], "token": uuid.UUID("00000000-0000-4000-8000-0000000000ff"),
               "price": Decimal("999999.99"), "kind": "c"}  # fmt: skip
NEW_KIND = {"kind": "c", "label": "Gamma"}
NEW_SESSION = {"subject_id": 3, "session_id": 7, "note": "new"}
NEW_TRIAL = {"subject_id": 3, "session_id": 7, "trial": 1, "score": 2.25}

TABLES = ["#kind", "subject", "session", "session__trial"]
SUBJECT_TYPES = ["int32", "varchar(30)", "float64", "date", "datetime", "bool", "enum('F', 'M', 'U')", "json", "uuid",
                 "decimal(8,2)", "varchar(16)"]  # fmt: skip


# --- servers and schemas -------------------------------------------------------------------------------


@dataclass
class Server:
    backend: str
    connection: dj.Connection  # the reference's, every statement re-parsed by the SQL check
    instance: Any  # DataJoint's dj.Instance on the same server
    datajoint_schemas: dict[str, list] = field(default_factory=dict)  # DataJoint's Schema objects, by name

    @property
    def uuid_broken(self) -> bool:
        """DataJoint's failure: on PostgreSQL, DataJoint 2.3.5 binds uuid values as 16 bytes (bytea), which a
        uuid column refuses, and decodes fetched uuids with UUID(bytes=...), which fails on psycopg2's text."""
        return self.backend == "postgresql"


@pytest.fixture(scope="module", params=["postgresql", "mysql"])
def server(request):
    """Both implementations on one server backend; SQLite is not a DataJoint backend, so it is not a param."""
    require(datajoint is not None, "datajoint is missing: pip install 'datajoint[postgres]>=2.3'")
    settings = {"database.backend": request.param, **SERVERS[request.param]}
    connection = dj.Connection(settings, on_statement=SQLCheck(dj.Connection(settings).backend.check_dialect))
    try:
        connection.server_version()
    except dj.DataJointError as error:
        require(False, f"{request.param} server not reachable: {error}")
    with warnings.catch_warnings():  # MariaDB is "best effort" for DataJoint; it says so at every connection
        warnings.simplefilter("ignore")
        instance = datajoint.Instance(
            host=settings["database.host"], user=settings["database.user"],
            password=settings.get("database.password", ""), backend=request.param, use_tls=False,
        )  # fmt: skip
    instance.config.safemode = False
    yield Server(request.param, connection, instance)
    instance.connection.close()
    connection.close()


@pytest.fixture(autouse=True)
def interop_sql_check(request):
    """As conftest's `sql_check`, for the reference connection of `server`."""
    if "server" not in request.fixturenames:
        yield
        return
    check = request.getfixturevalue("server").connection.on_statement
    check.failures.clear()
    check.checked = 0
    yield
    assert check.failures == [], "\n".join(check.failures)
    assert check.checked > 0, "the SQL check saw no statement"


@pytest.fixture
def schema_name(server):
    """A fresh schema name; afterwards the schema is dropped through both implementations' objects."""
    name = f"djspecs_interop_{os.getpid()}_{next(_counter)}"
    yield name
    for schema in server.datajoint_schemas.pop(name, []):
        schema.drop()  # does nothing when the schema is gone already
    if schema := server.connection.schemas.get(name):
        schema.drop()  # DROP ... IF EXISTS
    assert not catalog.schema_exists(server.connection, name)
    assert name not in datajoint.list_schemas(connection=server.instance.connection)


def datajoint_schema(server: Server, name: str):
    """DataJoint's Schema object for `name`, created when missing; dropped by the schema_name fixture."""
    schema = server.instance.Schema(name)
    server.datajoint_schemas.setdefault(name, []).append(schema)
    return schema


def datajoint_opens(server: Server, name: str):
    """DataJoint's own virtual module of an existing schema (`datajoint.virtual_schema`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = datajoint.virtual_schema(name, connection=server.instance.connection)
    server.datajoint_schemas.setdefault(name, []).append(module.schema)
    return module


# --- the pipeline, declared by each implementation -----------------------------------------------------


def declare_with_datajoint(schema):
    """DataJoint resolves `-> Kind` in the caller's namespace: the locals of this function."""

    @schema
    class Kind(datajoint.Lookup):
        definition = KIND
        contents = KINDS

    @schema
    class Subject(datajoint.Manual):
        definition = SUBJECT

    @schema
    class Session(datajoint.Manual):
        definition = SESSION

        class Trial(datajoint.Part):
            definition = TRIAL

    return Kind, Subject, Session


def declare_with_reference(schema):
    @schema
    class Kind(dj.Lookup):
        definition = KIND
        contents = KINDS

    @schema
    class Subject(dj.Manual):
        definition = SUBJECT

    @schema
    class Session(dj.Manual):
        definition = SESSION

        class Trial(dj.Part):
            definition = TRIAL

    return Kind, Subject, Session


def datajoint_inserts(server: Server, table, rows: list[dict]) -> list[dict]:
    """DataJoint inserts `rows`; returns the rows as stored."""
    if server.uuid_broken and any(row.get("token") for row in rows):
        # DataJoint's failure (see Server.uuid_broken): PostgreSQL refuses the bytea it sends for a uuid.
        import psycopg2.errors

        with pytest.raises(psycopg2.errors.DatatypeMismatch, match="is of type uuid but expression is of type bytea"):
            table.insert(rows)
        rows = [{**row, "token": None} for row in rows]
    table.insert(rows)
    return rows


def datajoint_reads(server: Server, query) -> tuple[list[dict], tuple[str, ...]]:
    """DataJoint's to_dicts, and the attributes left out of it: on PostgreSQL, with uuid values present, `token`."""
    if server.uuid_broken and "token" in query.heading.names and len(query & "token IS NOT NULL"):
        # DataJoint's failure (see Server.uuid_broken): decoding a fetched uuid raises.
        with pytest.raises(ValueError, match="bytes is not a 16-char string"):
            query.to_dicts()
        kept = [n for n in query.heading.secondary_attributes if n != "token"]
        return query.proj(*kept).to_dicts(), ("token",)
    return query.to_dicts(), ()


def same(rows: list[dict], key: list[str], *, drop: tuple[str, ...] = ()) -> list[dict]:
    """Rows in key order, the attributes in `drop` removed, and `alive` (the one bool) as bool: DataJoint
    returns a MySQL bool (tinyint) as 1 or 0, and the spec leaves the Python type of a fetched bool open."""
    flags = {"alive"}
    rows = [
        {k: bool(v) if k in flags and v is not None else v for k, v in row.items() if k not in drop} for row in rows
    ]
    return sorted(rows, key=lambda row: tuple(row[k] for k in key))


# --- DataJoint declares, the reference reads, inserts and deletes --------------------------------------


@pytest.fixture
def from_datajoint(server, schema_name):
    """A schema declared and filled by DataJoint; returns DataJoint's classes and the rows it holds."""
    classes = declare_with_datajoint(datajoint_schema(server, schema_name))
    Kind, Subject, Session = classes
    subjects = datajoint_inserts(server, Subject, SUBJECTS)
    Session.insert(SESSIONS)
    Session.Trial.insert(TRIALS)
    return classes, subjects


def test_reference_opens_datajoint_schema(server, schema_name, from_datajoint):
    (Kind, Subject, Session), _ = from_datajoint
    lab = dj.virtual_schema(schema_name, connection=server.connection)
    assert lab.schema.list_tables() == TABLES == datajoint_schema(server, schema_name).list_tables()
    assert sorted(n for n in vars(lab) if n[0].isupper()) == ["Kind", "Session", "Subject"]
    assert lab.Session.Trial.master is lab.Session
    pairs = [(lab.Kind, Kind), (lab.Subject, Subject), (lab.Session, Session), (lab.Session.Trial, Session.Trial)]
    declared = {a.name: a.original_type for _, c in pairs for a in c.heading.attributes.values() if a.original_type}
    unmarked = [a.name for _, c in pairs for a in c.heading.attributes.values() if not a.original_type]
    assert unmarked  # DataJoint writes no `:type:` marker on the columns a `->` line adds
    for ours, theirs in pairs:
        assert ours.primary_key == theirs.primary_key
        assert [(a.name, a.in_key, a.nullable, a.comment) for a in ours.heading] == [
            (a.name, a.in_key, a.nullable, a.comment or "") for a in theirs.heading.attributes.values()
        ]  # DataJoint reports a missing comment as None on PostgreSQL
        # TYPE-9: the declared type from the `:type:` comment; a foreign-key column without one takes its parent's
        assert [a.type.text for a in ours.heading] == [
            a.original_type or declared[a.name] for a in theirs.heading.attributes.values()
        ]
    assert lab.Kind.heading.names == ["kind", "label"]
    assert lab.Session.Trial.primary_key == ["subject_id", "session_id", "trial"]
    assert [a.type.text for a in lab.Subject.heading][:-1] == SUBJECT_TYPES[:-1]
    assert lab.Subject.heading["name"].comment == "nickname"
    assert lab.Subject.comment == "experimental subjects"
    # DataJoint's failure (SYS-5): attributes inherited through a foreign key get the parent's comment
    # without its `:type:` marker; the reference reads their declared types from the parents they reference.
    inherited = [
        lab.Subject.heading["kind"],
        lab.Session.heading["subject_id"],
        lab.Session.Trial.heading["session_id"],
    ]
    assert [a.type.text for a in inherited] == [lab.Kind.heading["kind"].type.text, "int32", "int16"]
    assert lab.Session.heading["session_id"].type.text == "int16"


def test_reference_reads_datajoint_rows(server, schema_name, from_datajoint):
    (Kind, Subject, Session), subjects = from_datajoint
    lab = dj.virtual_schema(schema_name, connection=server.connection)
    for ours, theirs in [
        (lab.Kind, Kind),
        (lab.Subject, Subject),
        (lab.Session, Session),
        (lab.Session.Trial, Session.Trial),
    ]:
        rows, dropped = datajoint_reads(server, theirs())
        assert dropped == ()
        assert same(ours.to_dicts(), ours.primary_key) == same(rows, ours.primary_key)
    assert same(lab.Subject.to_dicts(), ["subject_id"]) == same(subjects, ["subject_id"])
    assert same(lab.Kind.to_dicts(), ["kind"]) == KINDS
    assert same(lab.Session.Trial.to_dicts(), ["subject_id", "session_id", "trial"]) == TRIALS
    # a join and restrictions give what DataJoint's own queries give
    # instances on the reference's side: its table classes do not forward `proj` or `*` yet (API-2)
    ours, theirs = (
        session() * subject().proj("name", "sex") & {"sex": "F"}
        for session, subject in [(lab.Session, lab.Subject), (Session, Subject)]
    )
    key = ["subject_id", "session_id"]
    assert same(ours.to_dicts(), key) == same(theirs.to_dicts(), key)
    assert len(ours) == len(theirs) == 2
    assert (lab.Session.Trial & "score > 0.6").to_dicts() == (Session.Trial & "score > 0.6").to_dicts() == [TRIALS[2]]
    assert (lab.Subject - lab.Session.Trial).keys() == (Subject - Session.Trial).keys() == []
    assert (lab.Kind & {"kind": "b"}).fetch1("label") == (Kind & {"kind": "b"}).fetch1("label") == "Beta"


def test_reference_inserts_into_datajoint_schema(server, schema_name, from_datajoint):
    (Kind, Subject, Session), subjects = from_datajoint
    lab = dj.virtual_schema(schema_name, connection=server.connection)
    lab.Kind.insert1(NEW_KIND)
    lab.Subject.insert1(NEW_SUBJECT)
    lab.Session.insert1(NEW_SESSION)
    lab.Session.Trial.insert1(NEW_TRIAL)
    rows, dropped = datajoint_reads(server, Subject & {"subject_id": 3})
    assert same(rows, ["subject_id"]) == same([NEW_SUBJECT], ["subject_id"], drop=dropped)
    for ours, theirs, new in [(lab.Kind, Kind, NEW_KIND), (lab.Session, Session, NEW_SESSION),
                              (lab.Session.Trial, Session.Trial, NEW_TRIAL)]:  # fmt: skip
        assert (theirs & new).fetch1() == new
        assert same(theirs.to_dicts(), ours.primary_key) == same(ours.to_dicts(), ours.primary_key)
    rows, dropped = datajoint_reads(server, Subject())
    assert same(rows, ["subject_id"]) == same([*subjects, NEW_SUBJECT], ["subject_id"], drop=dropped)
    if server.uuid_broken:  # what DataJoint cannot read, the reference can
        assert (lab.Subject & {"subject_id": 3}).fetch1("token") == NEW_SUBJECT["token"]


def test_reference_cascade_deletes_in_datajoint_schema(server, schema_name, from_datajoint):
    (Kind, Subject, Session), _ = from_datajoint
    lab = dj.virtual_schema(schema_name, connection=server.connection)
    assert (lab.Subject & {"subject_id": 1}).delete() == 1
    assert Subject.keys() == [{"subject_id": 2}]
    assert same(Session.keys(), ["subject_id", "session_id"]) == [{"subject_id": 2, "session_id": 1}]
    assert Session.Trial.keys() == [{"subject_id": 2, "session_id": 1, "trial": 1}]
    with pytest.raises(dj.DataJointError, match="Cannot delete from a Part directly"):  # DML-34
        (lab.Session.Trial & {"subject_id": 2}).delete()
    assert len(Session.Trial()) == 1
    assert (lab.Kind & {"kind": "b"}).delete() == 1  # down through Subject, Session and Trial
    assert [len(t()) for t in (Kind, Subject, Session, Session.Trial)] == [1, 0, 0, 0]


# --- the reference declares, DataJoint reads and queries ------------------------------------------------


@pytest.fixture
def from_reference(server, schema_name):
    """A schema declared and filled by the reference; returns the reference's classes."""
    classes = declare_with_reference(dj.Schema(schema_name, connection=server.connection))
    Kind, Subject, Session = classes
    Subject.insert(SUBJECTS)
    Session.insert(SESSIONS)
    Session.Trial.insert(TRIALS)
    return classes


def test_datajoint_opens_reference_schema(server, schema_name, from_reference):
    Kind, Subject, Session = from_reference
    lab = datajoint_opens(server, schema_name)
    assert lab.schema.list_tables() == TABLES == dj.Schema(schema_name, connection=server.connection).list_tables()
    assert lab.Session.Trial.master is lab.Session
    for ours, theirs in [
        (Kind, lab.Kind),
        (Subject, lab.Subject),
        (Session, lab.Session),
        (Session.Trial, lab.Session.Trial),
    ]:
        assert theirs.primary_key == ours.primary_key
        # SYS-5, TYPE-9: DataJoint recovers every declared type, inherited ones included, from our comments
        assert [
            (a.name, a.in_key, a.nullable, a.original_type, a.comment) for a in theirs.heading.attributes.values()
        ] == [(a.name, a.in_key, a.nullable, a.type.text, a.comment) for a in ours.heading]
    assert [a.original_type for a in lab.Subject.heading.attributes.values()] == SUBJECT_TYPES
    assert lab.Session.heading.attributes["subject_id"].original_type == "int32"
    assert lab.Subject.heading.table_status["comment"] == "experimental subjects"
    # LIN-1: DataJoint reads the lineage we recorded
    assert lab.Session.heading.attributes["subject_id"].lineage == f"{schema_name}.subject.subject_id"


def test_datajoint_reads_and_queries_reference_schema(server, schema_name, from_reference):
    Kind, Subject, Session = from_reference
    lab = datajoint_opens(server, schema_name)
    for ours, theirs in [
        (Kind, lab.Kind),
        (Subject, lab.Subject),
        (Session, lab.Session),
        (Session.Trial, lab.Session.Trial),
    ]:
        rows, dropped = datajoint_reads(server, theirs())
        assert same(rows, ours.primary_key) == same(ours.to_dicts(), ours.primary_key, drop=dropped)
    rows, dropped = datajoint_reads(server, lab.Subject())
    assert same(rows, ["subject_id"]) == same(SUBJECTS, ["subject_id"], drop=dropped)
    assert same(lab.Session.Trial.to_dicts(), ["subject_id", "session_id", "trial"]) == TRIALS
    # a join and restrictions, run by DataJoint, give what the reference gives
    theirs, ours = (
        session() * subject().proj("name", "sex", "price") & {"sex": "F"}
        for session, subject in [(lab.Session, lab.Subject), (Session, Subject)]
    )
    key = ["subject_id", "session_id"]
    assert same(theirs.to_dicts(), key) == same(ours.to_dicts(), key)
    assert [row["name"] for row in theirs.to_dicts()] == ["Ann", "Ann"]
    assert (lab.Session.Trial & "score > 0.6").to_dicts() == (Session.Trial & "score > 0.6").to_dicts() == [TRIALS[2]]
    joined = lab.Session.Trial * lab.Subject.proj("weight") & "weight < 0"
    assert joined.to_dicts() == [{**TRIALS[2], "weight": -1.5}]
    assert same((lab.Subject & lab.Session.Trial).keys(), ["subject_id"]) == [{"subject_id": 1}, {"subject_id": 2}]
    assert (lab.Subject & (lab.Session.Trial & "score IS NULL")).keys() == [{"subject_id": 1}]
    assert (lab.Kind & {"kind": "a"}).fetch1("label") == "Alpha"


def test_datajoint_inserts_into_reference_schema(server, schema_name, from_reference):
    Kind, Subject, Session = from_reference
    lab = datajoint_opens(server, schema_name)
    lab.Kind.insert1(NEW_KIND)
    stored = datajoint_inserts(server, lab.Subject, [NEW_SUBJECT])
    lab.Session.insert1(NEW_SESSION)
    lab.Session.Trial.insert1(NEW_TRIAL)
    assert same((Subject & {"subject_id": 3}).to_dicts(), ["subject_id"]) == same(stored, ["subject_id"])
    assert (Kind & NEW_KIND).fetch1() == NEW_KIND
    assert (Session & NEW_SESSION).fetch1() == NEW_SESSION
    key = Session.Trial.primary_key
    assert same(Session.Trial.to_dicts(), key) == same([*TRIALS, NEW_TRIAL], key)
    # and a cascade delete by DataJoint leaves the reference's view consistent
    (lab.Subject & {"subject_id": 3}).delete()
    assert [len(t()) for t in (Kind, Subject, Session, Session.Trial)] == [3, 2, 3, 3]
