"""populate, make and progress through the Python API (POP rules)."""

from __future__ import annotations

import os

import pytest

from .pipeline import pipeline

SUMMARY = {"name": "Summary", "tier": "computed", "definition": "-> Subject\n---\nsessions : int32"}
POPULATE = ["python.api", "populate"]


def declare_summary(adapter, schema, api, make=None, **members):
    """The pipeline plus a Computed table with the given make (or members), declared through the API."""
    tables = pipeline(adapter, schema)
    bound = adapter.api_schema(schema)
    body = {"definition": SUMMARY["definition"], **({"make": make} if make else {}), **members}
    summary = type("Summary", (api.Computed,), body)
    bound(summary, context=dict(tables))
    return tables, summary


def count_sessions(self, key):
    sessions = len(self._tables["Session"] & key)
    self.insert1({**key, "sessions": sessions})


@pytest.mark.rules("POP-1", "POP-2", "POP-21", "POP-26", "API-2", requires=POPULATE)
def test_populate_computes_the_pending_keys_of_the_key_source(adapter, schema, api):
    tables, summary = declare_summary(adapter, schema, api, count_sessions)
    summary._tables = tables
    assert len(summary.key_source) == 3 and summary.progress() == (3, 3)  # API-2: members of the class itself
    result = summary.populate({"subject_id": 1})
    assert set(result) == {"success_count", "error_list"} and result["success_count"] == 1
    assert summary.progress() == (2, 3)
    assert summary.populate()["success_count"] == 2
    assert sorted((r["subject_id"], r["sessions"]) for r in summary.to_dicts()) == [(1, 2), (2, 1), (3, 0)]
    assert summary.populate() == {"success_count": 0, "error_list": []}  # POP-11: nothing pending


@pytest.mark.rules("POP-1", requires=POPULATE)
def test_a_class_without_make_cannot_compute(adapter, schema, api):
    _, summary = declare_summary(adapter, schema, api)
    with pytest.raises(NotImplementedError):
        summary.populate()


@pytest.mark.rules("POP-4", "POP-11", requires=POPULATE)
def test_a_make_that_inserts_nothing_succeeds_and_leaves_the_key_pending(adapter, schema, api):
    calls = []
    _, summary = declare_summary(adapter, schema, api, lambda self, key: calls.append(key))
    assert summary.populate()["success_count"] == 3 and summary.progress() == (3, 3)
    assert summary.populate()["success_count"] == 3 and len(calls) == 6


@pytest.mark.rules("POP-10", "POP-22", "DML-41", requires=POPULATE)
def test_a_failing_make_is_rolled_back_and_reported(adapter, schema, api):
    def make(self, key):
        self.insert1({**key, "sessions": 0})
        if key["subject_id"] == 2:
            raise ValueError("no sessions for two")

    _, summary = declare_summary(adapter, schema, api, make)
    with pytest.raises(ValueError):
        summary.populate()
    done = len(summary())  # the keys before subject 2 in populate's order
    result = summary.populate(suppress_errors=True)
    assert result["success_count"] == 2 - done
    assert len(result["error_list"]) == 1
    key, message = result["error_list"][0]
    assert key == {"subject_id": 2} and message == "ValueError: no sessions for two"
    assert len(summary & {"subject_id": 2}) == 0  # rolled back with its make


@pytest.mark.rules("POP-20", requires=POPULATE + ["transactions"])
def test_populate_refuses_transactions_and_restricted_tables(adapter, schema, api):
    tables, summary = declare_summary(adapter, schema, api, count_sessions)
    summary._tables = tables
    with pytest.raises(api.DataJointError):
        (summary & {"subject_id": 1}).populate()
    with pytest.raises(api.DataJointError), schema.connection.transaction:
        summary.populate()


@pytest.mark.rules("POP-12", "POP-14", requires=POPULATE + ["populate.three_part"])
def test_three_part_make(adapter, schema, api):
    phases = []

    def make_fetch(self, key):
        phases.append("fetch")
        return (len(self._tables["Session"] & key),)

    def make_compute(self, key, sessions):
        phases.append("compute")
        return (sessions * 10,)

    def make_insert(self, key, value):
        phases.append("insert")
        self.insert1({**key, "sessions": value})

    tables, summary = declare_summary(
        adapter, schema, api, make_fetch=make_fetch, make_compute=make_compute, make_insert=make_insert
    )
    summary._tables = tables
    assert summary.populate({"subject_id": 1})["success_count"] == 1
    assert phases == ["fetch", "compute", "fetch", "insert"]
    assert (summary & {"subject_id": 1}).fetch1("sessions") == 20


@pytest.mark.rules("POP-13", requires=POPULATE + ["populate.generator"])
def test_generator_make(adapter, schema, api):
    def make(self, key):
        fetched = len(self._tables["Session"] & key)
        computed = yield (fetched,)
        if computed is None:
            computed = (fetched + 100,)
            yield computed
        self.insert1({**key, "sessions": computed[0]})
        yield

    tables, summary = declare_summary(adapter, schema, api, make)
    summary._tables = tables
    assert summary.populate()["success_count"] == 3
    assert sorted(r["sessions"] for r in summary.to_dicts()) == [100, 101, 102]


@pytest.mark.rules("POP-23", requires=POPULATE)
def test_max_calls_bounds_direct_populate(adapter, schema, api):
    tables, summary = declare_summary(adapter, schema, api, count_sessions)
    summary._tables = tables
    assert summary.populate(max_calls=2)["success_count"] == 2 and summary.progress() == (1, 3)


@pytest.mark.rules("POP-5", requires=POPULATE + ["populate.upstream"])
def test_upstream_inside_make(adapter, schema, api):
    seen = []

    def make(self, key):
        seen.append(len(self.upstream[self._tables["Subject"]]))
        self.insert1({**key, "sessions": 0})

    tables, summary = declare_summary(adapter, schema, api, make)
    summary._tables = tables
    summary.populate({"subject_id": 1})
    assert seen == [1]
    with pytest.raises(api.DataJointError):
        _ = summary().upstream


@pytest.mark.rules("POP-24", "POP-21", requires=POPULATE + ["populate.processes"])
def test_worker_processes_run_make_with_their_own_connections(adapter, schema, api, monkeypatch):
    monkeypatch.setenv("DJSPECS_CONFORMANCE_API", api.__name__)  # read when the module is first imported
    from . import workers

    bound = adapter.api_schema(schema)
    bound(workers.Item)
    bound(workers.Worked, context={"Item": workers.Item})
    workers.Item.insert([{"item": i} for i in range(12)])
    result = workers.Worked.populate(processes=2)
    assert result == {"success_count": 12, "error_list": []}  # the result of one process (POP-21)
    pids = {row["pid"] for row in workers.Worked.to_dicts()}  # the parent's connection still works
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert workers.Worked.populate(processes=2) == {"success_count": 0, "error_list": []}
