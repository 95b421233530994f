"""Jobs tables of auto-populated tables and distributed populate (JOB, SYS-3, SYS-4)."""

from __future__ import annotations

import pytest

from .test_populate import count_sessions, declare_summary

JOBS = ["python.api", "populate", "jobs"]


@pytest.mark.rules("SYS-3", "JOB-1", "JOB-6", requires=JOBS)
def test_the_jobs_table_is_made_when_first_needed(adapter, schema, api):
    tables, summary = declare_summary(adapter, schema, api, count_sessions)
    summary._tables = tables
    assert not [n for n in schema.list_tables() if n.startswith("~~")]  # not yet needed
    jobs = summary().jobs
    assert jobs.refresh()["added"] == 3
    assert jobs.table_name == "~~summary"
    assert set(jobs.primary_key) == {"subject_id"}
    assert {"status", "priority", "scheduled_time"} <= set(jobs.heading.names)
    progress = jobs.progress()
    assert progress["pending"] == 3 and progress["total"] == 3
    assert len(jobs.pending) == 3 and len(jobs.errors) == 0 and len(jobs.ignored) == 0


@pytest.mark.rules("JOB-2", "JOB-3", "JOB-4", "JOB-5", requires=JOBS)
def test_jobs_move_through_their_states(adapter, schema, api):
    tables, summary = declare_summary(adapter, schema, api, count_sessions)
    summary._tables = tables
    jobs = summary().jobs
    jobs.refresh()
    assert jobs.reserve({"subject_id": 1}) is True
    assert jobs.reserve({"subject_id": 1}) is False  # JOB-4: only one worker wins
    jobs.error({"subject_id": 1}, "x" * 3000)
    message = (jobs.errors & {"subject_id": 1}).fetch1("error_message")
    assert len(message) <= 2047 and message.endswith("...truncated")
    jobs.ignore({"subject_id": 2})
    assert jobs.refresh()["added"] == 0  # ignored and errored keys are not added again
    assert summary.populate(reserve_jobs=True)["success_count"] == 1  # only subject 3 is pending
    assert len(summary()) == 1 and len(jobs.pending) == 0


@pytest.mark.rules("JOB-7", requires=JOBS + ["jobs.metadata"])
def test_job_metadata_columns(adapter, schema, api):
    previous = api.config["jobs.add_job_metadata"]
    api.config["jobs.add_job_metadata"] = True
    try:
        tables, summary = declare_summary(adapter, schema, api, count_sessions)
    finally:
        api.config["jobs.add_job_metadata"] = previous
    summary._tables = tables
    summary.populate()
    hidden = {"_job_start_time", "_job_duration", "_job_version"}
    assert hidden <= _column_names(summary().heading)


def _column_names(heading) -> set[str]:
    """Every column of a heading, hidden ones included: DataJoint keeps them in `_attributes` (a dict by name);
    an implementation may instead list Attribute objects, with a `name`, in `attributes`."""
    collections = (getattr(heading, "attributes", None) or (), getattr(heading, "_attributes", None) or ())
    return {getattr(a, "name", a) for collection in collections for a in collection}


@pytest.mark.rules("SYS-4", requires=["python.api", "introspection"])
def test_no_legacy_schema_wide_tables(adapter, schema, api):
    tables, summary = declare_summary(adapter, schema, api, count_sessions)
    summary._tables = tables
    summary.populate()
    legacy = [n for n in schema.list_tables() if n in ("~log", "~jobs") or n.startswith("~external")]
    assert legacy == []
