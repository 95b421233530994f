"""A small pipeline in the vector format, declared through the adapter for tests of the Python API."""

from __future__ import annotations

TABLES = [
    {
        "name": "Subject",
        "tier": "manual",
        "definition": "subject_id : int32\n---\nname : varchar(16)\nage = null : int32",
    },
    {"name": "Session", "tier": "manual", "definition": "-> Subject\nsession_id : int16\n---\nminutes = 0 : int32"},
    {"name": "Trial", "tier": "part", "master": "Session", "definition": "-> master\ntrial : int32"},
]
SUBJECTS = [
    {"subject_id": 1, "name": "ann", "age": 3},
    {"subject_id": 2, "name": "bob", "age": None},
    {"subject_id": 3, "name": "cy", "age": 5},
]
SESSIONS = [
    {"subject_id": 1, "session_id": 1, "minutes": 10},
    {"subject_id": 1, "session_id": 2, "minutes": 20},
    {"subject_id": 2, "session_id": 1, "minutes": 30},
]
TRIALS = [{"subject_id": 1, "session_id": 1, "trial": t} for t in (1, 2)]


def pipeline(adapter, schema, *, rows: bool = True) -> dict:
    """Declare the pipeline in `schema` and fill it; the table classes by name."""
    tables = adapter.declare(schema, TABLES)
    if rows:
        adapter.insert(tables["Subject"], SUBJECTS)
        adapter.insert(tables["Session"], SESSIONS)
        adapter.insert(tables["Trial"], TRIALS)
    return tables
