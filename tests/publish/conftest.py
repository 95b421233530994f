"""Fixtures for the publish tests: one reference connection per backend, fresh schemas, a small pipeline
with every core type, and a DataCite record."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from decimal import Decimal

import pytest

import djspecs.reference as dj
from tests.reference.conftest import SERVERS
from tests.support import require

BACKENDS = list(SERVERS)
_counter = itertools.count()
_connections: dict[str, dj.Connection] = {}


def connect(backend: str) -> dj.Connection:
    """A connection to `backend`, shared by the tests of the session; an unreachable server skips (fails on CI)."""
    if backend not in _connections:
        connection = dj.Connection({"database.backend": backend, **SERVERS[backend]})
        try:
            connection.server_version()
        except dj.DataJointError as error:
            require(False, f"{backend} server not reachable: {error}")
        _connections[backend] = connection
    return _connections[backend]


@pytest.fixture
def new_schema():
    """`new_schema(backend)` gives a fresh, uniquely named schema there; all are dropped afterwards."""
    made = []

    def make(backend: str) -> dj.Schema:
        schema = dj.Schema(f"djspecs_pub_{os.getpid()}_{next(_counter)}", connection=connect(backend))
        made.append(schema)
        return schema

    yield make
    for schema in reversed(made):
        schema.drop()


DOI = "10.80507/djspecs-test-1"


def datacite_record():
    """A DataCite record with a DOI, a creator with an ORCID, a licence, a version and an abstract."""
    from djspecs.publish.datacite import Record

    return Record.from_dict(
        {
            "doi": DOI,
            "title": "Mice & sessions",
            "creators": [{"name": "Doe, Ann", "givenName": "Ann", "familyName": "Doe", "orcid": "0000-0002-1825-0097"}],
            "publisher": "djspecs lab",
            "publicationYear": 2026,
            "resourceTypeGeneral": "Dataset",
            "version": "1.0.0",
            "rights": ["CC-BY-4.0"],
            "description": "A test pipeline.",
        }
    )


SUBJECT = """
# experimental subjects
subject_id : int32
---
name : varchar(30)  # nickname
sex : enum('F', 'M', 'U')
born = null : date
"""
EVERYTHING = """
# one column of every core type
-> Subject
session : int16
---
tiny : int8
big = null : int64
f32 : float32
f64 = null : float64
ok : bool
weight = null : decimal(8,2)
code : char(4)
started : datetime
day = null : date
uid = null : uuid
meta = null : json
raw = null : bytes
mood = null : enum('happy', 'sad', 'ok')
"""
ANALYSIS = """
-> Session
---
score : float64
"""


def declare_pipeline(schema: dj.Schema) -> dict:
    """Subject → Session (every core type) → Analysis (computed), with NULLs in every nullable column."""

    @schema
    class Subject(dj.Manual):
        definition = SUBJECT

    @schema
    class Session(dj.Manual):
        definition = EVERYTHING

    @schema
    class Analysis(dj.Computed):
        definition = ANALYSIS

    Subject.insert(
        [{"subject_id": i, "name": f"mouse {i}", "sex": "FMU"[i % 3], "born": dt.date(2020, 1, i) if i % 2 else None}
         for i in range(1, 5)]
    )  # fmt: skip
    sessions = []
    for n in range(8):
        full = n % 2 == 0
        sessions.append({
            "subject_id": n % 4 + 1, "session": n, "tiny": -128 + n, "big": 2**62 + n if full else None,
            "f32": 0.5 * n, "f64": -1e300 if full else None, "ok": full, "weight": Decimal(f"{n}.25") if full else None,
            "code": "ab" if full else "wxyz", "started": dt.datetime(2024, 2, 29, 23, 59, n),
            "day": dt.date(1999, 12, 31) if full else None, "uid": uuid.UUID(int=n + 1) if full else None,
            "meta": {"z": [1, None, "two"], "a": {"n": n}} if full else None, "raw": bytes([0, n, 255]) if full else None,
            "mood": ("happy", "sad", "ok")[n % 3] if full else None,
        })  # fmt: skip
    Session.insert(sessions)
    Analysis.insert([{"subject_id": s["subject_id"], "session": s["session"], "score": s["f32"] * 2} for s in sessions],
                    allow_direct_insert=True)  # fmt: skip
    return {"Subject": Subject, "Session": Session, "Analysis": Analysis}
