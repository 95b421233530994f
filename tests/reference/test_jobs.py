"""Jobs tables and populate in distributed mode (JOB-1 .. JOB-7; POP-11, POP-20 .. POP-23 with reserve_jobs)."""

import datetime
import logging
import subprocess
import threading

import pytest
from sqlglot import exp

import djspecs.reference as dj
from djspecs.reference import catalog
from tests.reference.shared import other_connection, shared_connection, shared_schema  # noqa: F401

STATUS = ("pending", "reserved", "success", "error", "ignore")


def declare_queue(schema):
    calls = []

    @schema
    class Subject(dj.Manual):
        definition = """
        subject: int32
        ---
        value: int32
        """

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Subject
        ---
        result: int32
        """

        def make(self, key):
            calls.append(key["subject"])
            value = (Subject & key).fetch1("value")
            self.insert1({**key, "result": 10 * value})
            if value < 0:
                raise ValueError("negative value")

    Subject.insert([{"subject": s, "value": s} for s in range(1, 6)])
    return Subject, Analysis, calls


@pytest.fixture
def queue(schema):
    return declare_queue(schema)


def statuses(jobs) -> dict[int, str]:
    return {row["subject"]: row["status"] for row in jobs.to_dicts()}


def test_jobs_table_name_columns_and_index(queue, schema):  # JOB-1
    _, Analysis, _ = queue
    jobs = Analysis.jobs
    assert jobs.table_name == "~~analysis" and "~~analysis" not in schema.list_tables()
    assert "~~analysis" in catalog.table_names(schema.connection, schema.database, hidden=True)
    assert jobs.primary_key == ["subject"] and jobs.heading["subject"].type.text == "int32"
    declared = {a.name: a.type.text for a in jobs.heading}
    assert declared == {
        "subject": "int32", "status": "enum('pending', 'reserved', 'success', 'error', 'ignore')", "priority": "int8",
        "created_time": "datetime(3)", "scheduled_time": "datetime(3)", "reserved_time": "datetime(3)",
        "completed_time": "datetime(3)", "duration": "float64", "error_message": "varchar(2047)",
        "error_stack": "<blob>", "user": "varchar(255)", "host": "varchar(255)", "pid": "int32",
        "connection_id": "int64", "version": "varchar(64)",
    }  # fmt: skip
    assert jobs.heading["status"].type.params == STATUS
    assert (("status", "priority", "scheduled_time"), False) in jobs.indexes
    assert [schema_jobs.table_name for schema_jobs in schema.jobs] == ["~~analysis"]


def test_a_key_attribute_from_no_foreign_key_is_left_out_with_a_warning(queue, schema, monkeypatch, caplog):  # JOB-1
    Subject, _, _ = queue
    monkeypatch.setitem(dj.config, "jobs.allow_new_pk_fields_in_computed_tables", True)

    @schema
    class Trial(dj.Computed):
        definition = """
        -> Subject
        trial: int32
        ---
        score: int32
        """

    with caplog.at_level(logging.WARNING, logger="djspecs.reference"):
        assert Trial.jobs.primary_key == ["subject"]
    assert "trial" in caplog.text


def test_a_job_goes_from_pending_to_reserved_to_done(queue, monkeypatch):  # JOB-2, POP-23
    Subject, Analysis, calls = queue
    jobs = Analysis.jobs
    assert jobs.refresh()["added"] == 5 and set(statuses(jobs).values()) == {"pending"}
    assert jobs.reserve({"subject": 1}) and statuses(jobs)[1] == "reserved"
    result = Analysis.populate(reserve_jobs=True, refresh=False)
    assert result == {"success_count": 4, "error_list": []}  # the reserved job belongs to someone else
    assert statuses(jobs) == {1: "reserved"} and sorted(calls) == [2, 3, 4, 5]
    monkeypatch.setitem(dj.config, "jobs.keep_completed", True)
    jobs.refresh(orphan_timeout=0)
    assert Analysis.populate(reserve_jobs=True)["success_count"] == 1
    assert statuses(jobs) == {1: "success"}


def test_ignored_jobs_are_never_reserved_nor_queued_again(queue):  # JOB-2, JOB-5
    _, Analysis, calls = queue
    jobs = Analysis.jobs
    jobs.ignore({"subject": 2})  # no job yet: inserted as ignore
    assert statuses(jobs) == {2: "ignore"}
    jobs.refresh()
    jobs.ignore({"subject": 3})  # a pending job: updated
    assert not jobs.reserve({"subject": 3})
    assert Analysis.populate(reserve_jobs=True)["success_count"] == 3 and 2 not in calls and 3 not in calls
    assert jobs.refresh()["added"] == 0 and statuses(jobs) == {2: "ignore", 3: "ignore"}


def test_refresh_schedules_with_delay_and_priority(queue):  # JOB-3, POP-23
    _, Analysis, calls = queue
    jobs = Analysis.jobs
    assert jobs.refresh({"subject": 1}, delay=3600, priority=1) == {
        "added": 1,
        "removed": 0,
        "orphaned": 0,
        "re_pended": 0,
    }
    job = (jobs & {"subject": 1}).fetch1()
    assert job["priority"] == 1 and job["scheduled_time"] > job["created_time"] + datetime.timedelta(minutes=59)
    assert not jobs.reserve({"subject": 1})  # not due yet
    jobs.refresh(priority=7)
    assert Analysis.populate(reserve_jobs=True, refresh=False, priority=5)["success_count"] == 0
    assert Analysis.populate(reserve_jobs=True, refresh=False, max_calls=2)["success_count"] == 2
    assert Analysis.populate({"subject": 5}, reserve_jobs=True, refresh=False)["success_count"] == 1
    assert calls == [2, 3, 5] and statuses(jobs) == {1: "pending", 4: "pending"}


def test_refresh_follows_priority_order(queue):  # POP-23
    _, Analysis, calls = queue
    Analysis.jobs.refresh({"subject": 4}, priority=0)
    Analysis.jobs.refresh({"subject": 2}, priority=3)
    Analysis.jobs.refresh(priority=9)
    Analysis.populate(reserve_jobs=True, refresh=False)
    assert calls == [4, 2, 1, 3, 5]
    Analysis.jobs.refresh()
    assert Analysis.jobs.progress()["total"] == 0  # everything computed: nothing to queue


def test_refresh_removes_stale_jobs_and_recovers_orphans(queue):  # JOB-3
    Subject, Analysis, _ = queue
    jobs = Analysis.jobs
    jobs.refresh()
    (Subject & {"subject": 5}).delete()  # its key leaves the key source
    assert jobs.refresh(stale_timeout=0)["removed"] == 0  # 0 disables the check
    assert jobs.refresh(stale_timeout=3600)["removed"] == 0  # too young to be stale
    assert jobs.refresh(stale_timeout=0.001)["removed"] == 1 and 5 not in statuses(jobs)
    assert jobs.reserve({"subject": 1})
    assert jobs.refresh(orphan_timeout=3600)["orphaned"] == 0
    assert jobs.refresh(orphan_timeout=0)["orphaned"] == 1 and statuses(jobs)[1] == "pending"


def test_refresh_re_pends_completed_jobs_whose_rows_were_deleted(queue, monkeypatch):  # JOB-3, JOB-5
    _, Analysis, _ = queue
    monkeypatch.setitem(dj.config, "jobs.keep_completed", True)
    Analysis.populate(reserve_jobs=True)
    done = (Analysis.jobs & {"subject": 2}).fetch1()
    assert done["status"] == "success" and done["duration"] >= 0 and done["completed_time"] >= done["reserved_time"]
    (Analysis & {"subject": 2}).delete()
    assert Analysis.jobs.refresh()["re_pended"] == 1 and statuses(Analysis.jobs)[2] == "pending"


def test_reservation_is_one_conditional_update(queue, connection):  # JOB-4
    _, Analysis, _ = queue
    jobs = Analysis.jobs
    jobs.refresh()
    seen, check = [], connection.on_statement
    connection.on_statement = lambda statement: (seen.append(statement), check(statement))
    try:
        assert jobs.reserve({"subject": 3}) is True
        assert jobs.reserve({"subject": 3}) is False
    finally:
        connection.on_statement = check
    assert len(seen) == 2 and all(isinstance(s, exp.Update) for s in seen)
    where = seen[0].args["where"].sql()
    assert "status" in where and "scheduled_time" in where
    job = (jobs & {"subject": 3}).fetch1()
    assert job["host"] and job["pid"] > 0 and job["user"] and job["reserved_time"] is not None


def test_exactly_one_of_many_connections_wins_each_job(shared_schema):  # noqa: F811  (JOB-4)
    _, Analysis, _ = declare_queue(shared_schema)
    Analysis.jobs.refresh()
    keys = Analysis.jobs.keys()
    wins: list[int] = []

    def compete():
        connection = other_connection(shared_schema.connection)
        schema = dj.Schema(shared_schema.database, connection=connection, create_schema=False)
        rival = schema(type("Analysis", (Analysis,), {}))
        jobs = rival.jobs
        wins.extend(key["subject"] for key in keys if jobs.reserve(key))
        connection.close()

    threads = [threading.Thread(target=compete) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [1, 2, 3, 4, 5]


def test_error_truncates_long_messages_and_keeps_the_stack(queue):  # JOB-5
    _, Analysis, _ = queue
    jobs = Analysis.jobs
    jobs.refresh()
    jobs.error({"subject": 1}, error_message="x" * 5000, error_stack="Traceback: here")
    job = (jobs & {"subject": 1}).fetch1()
    assert len(job["error_message"]) == 2047 and job["error_message"].endswith("...truncated")
    assert job["status"] == "error" and job["error_stack"] == "Traceback: here" and job["completed_time"]
    jobs.complete({"subject": 2})
    assert 2 not in statuses(jobs)


def test_views_progress_and_delete(queue, schema):  # JOB-6
    _, Analysis, _ = queue
    jobs = Analysis.jobs
    jobs.refresh()
    jobs.reserve({"subject": 1})
    jobs.error({"subject": 2}, "ValueError: bad")
    jobs.ignore({"subject": 3})
    assert jobs.progress() == {"pending": 2, "reserved": 1, "success": 0, "error": 1, "ignore": 1, "total": 5}
    assert [len(v) for v in (jobs.pending, jobs.reserved, jobs.errors, jobs.ignored, jobs.completed)] == [2, 1, 1, 1, 0]
    assert jobs.errors.delete() == 1  # no prompt, even with safemode on
    assert jobs.refresh()["added"] == 1 and statuses(jobs)[2] == "pending"
    assert [j.table_name for j in schema.jobs] == ["~~analysis"]
    jobs.drop()
    assert schema.jobs == [] and Analysis.jobs.progress()["total"] == 0  # declared again on use


def test_failing_make_marks_its_job_and_rolls_back(queue):  # POP-10, POP-22, JOB-5
    Subject, Analysis, _ = queue
    Subject.insert1({"subject": 9, "value": -1})
    with pytest.raises(ValueError, match="negative"):
        Analysis.populate({"subject": 9}, reserve_jobs=True)
    job = (Analysis.jobs & {"subject": 9}).fetch1()
    assert job["status"] == "error" and job["error_message"] == "ValueError: negative value"
    assert "Traceback" in job["error_stack"] and "negative value" in job["error_stack"]
    assert len(Analysis & {"subject": 9}) == 0  # the master row inserted before the error is rolled back
    result = Analysis.populate(reserve_jobs=True, suppress_errors=True)
    assert result == {"success_count": 5, "error_list": []}  # the error job is not retried
    (Analysis.jobs & {"subject": 9}).delete()
    result = Analysis.populate(reserve_jobs=True, suppress_errors=True, return_exception_objects=True)
    assert result["success_count"] == 0 and isinstance(result["error_list"][0][1], ValueError)


def test_system_exit_escapes_but_keyboard_interrupt_is_recorded(schema):  # POP-22
    @schema
    class Source(dj.Lookup):
        definition = """
        source: int32
        """
        contents = [{"source": 1}, {"source": 2}]

    @schema
    class Stop(dj.Computed):
        definition = """
        -> Source
        """

        def make(self, key):
            raise (SystemExit if key["source"] == 1 else KeyboardInterrupt)("stop")

    with pytest.raises(SystemExit):
        Stop.populate(reserve_jobs=True, suppress_errors=True)
    assert (Stop.jobs & {"source": 1}).fetch1("status") == "error"
    result = Stop.populate({"source": 2}, reserve_jobs=True, suppress_errors=True)
    assert result["error_list"] == [({"source": 2}, "KeyboardInterrupt: stop")]


def test_a_key_computed_meanwhile_is_skipped_and_its_job_closed(queue):  # POP-11
    _, Analysis, calls = queue
    Analysis.jobs.refresh()
    Analysis.populate({"subject": 1})  # direct mode, as another worker might
    assert Analysis.populate(reserve_jobs=True, refresh=False) == {"success_count": 4, "error_list": []}
    assert calls.count(1) == 1 and Analysis.jobs.progress()["total"] == 0


def test_progress_bar_and_progress_report(queue, caplog):  # POP-20, POP-26
    _, Analysis, _ = queue
    assert Analysis.populate({"subject": 1}, reserve_jobs=True, display_progress=True)["success_count"] == 1
    assert Analysis.populate(display_progress=True)["success_count"] == 4
    with caplog.at_level(logging.INFO, logger="djspecs.reference"):
        assert Analysis.progress({"subject": 2}, display=True) == (0, 1)
    assert "1/1 done" in caplog.text


def test_job_metadata_columns_record_start_duration_and_version(schema, monkeypatch):  # JOB-7
    monkeypatch.setitem(dj.config, "jobs.add_job_metadata", True)
    monkeypatch.setitem(dj.config, "jobs.version_method", "git")

    @schema
    class Unit(dj.Lookup):
        definition = """
        unit: int32
        """
        contents = [{"unit": 1}]

    @schema
    class Rate(dj.Computed):
        definition = """
        -> Unit
        ---
        rate: float64
        """

        class Bin(dj.Part):
            definition = """
            -> master
            bin: int32
            """

        def make(self, key):
            self.insert1({**key, "rate": 1.5})
            self.Bin.insert1({**key, "bin": 0})

    metadata = ["_job_start_time", "_job_duration", "_job_version"]
    assert Rate.heading.all_names[-3:] == metadata and not set(metadata) & set(Rate.heading.names)
    assert not set(metadata) & set(Rate.Bin.heading.all_names) and not set(metadata) & set(Unit.heading.all_names)
    before = datetime.datetime.now() - datetime.timedelta(seconds=1)
    Rate.populate()
    assert set(Rate.fetch1()) == {"unit", "rate"}
    backend = schema.connection.backend
    query = exp.select(*(exp.column(n) for n in metadata)).from_(backend.table(schema.database, Rate.table_name))
    started, duration, version = schema.connection.query(query)[0]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
    assert version == head.stdout.strip() and duration >= 0
    assert backend.from_driver(started, Rate.heading["_job_start_time"].type) >= before
