"""Worker processes, Dask workers, the `djspecs worker` command, and a worker killed in the middle of make
(POP-10, POP-21 .. POP-24, JOB-3 .. JOB-5).

Make calls are counted through per-process log files (worker_pipeline.make_calls), so "each key computed
exactly once" is checked across processes. PostgreSQL and MariaDB get 400 keys; SQLite, where every write
takes the database lock in turn, a smaller batch.
"""

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import djspecs.reference as dj
from djspecs.reference import catalog, workers
from tests.reference import worker_pipeline
from tests.reference.shared import shared_connection, shared_schema  # noqa: F401
from tests.reference.worker_pipeline import Item, Square, make_calls

ROOT = Path(__file__).resolve().parents[2]


def batch(schema) -> int:
    return 40 if schema.connection.backend.name == "sqlite" else 400


def digits(keys: int) -> int:
    return sum(len(str(i * i)) for i in range(keys))


def assert_each_key_once(log_dir: Path, keys: int) -> None:
    calls, _ = make_calls(log_dir)
    assert sorted(calls) == list(range(keys))
    assert len(Square()) == keys and len(Square.Digit()) == digits(keys)


def test_four_processes_compute_each_key_exactly_once(shared_schema, tmp_path):  # noqa: F811  (POP-24, JOB-4)
    keys = batch(shared_schema)
    worker_pipeline.bind(shared_schema, keys)
    result = Square.populate(reserve_jobs=True, processes=4, make_kwargs={"log_dir": str(tmp_path)})
    assert result == {"success_count": keys, "error_list": []}
    assert_each_key_once(tmp_path, keys)  # how many of the processes got to work depends on the scheduler
    assert Square.jobs.progress()["total"] == 0


def test_direct_mode_deals_the_keys_out_without_a_jobs_table(shared_schema, tmp_path):  # noqa: F811  (POP-23, POP-24)
    worker_pipeline.bind(shared_schema, 30)
    result = Square.populate(processes=2, make_kwargs={"log_dir": str(tmp_path)}, display_progress=True)
    assert result == {"success_count": 30, "error_list": []}
    assert_each_key_once(tmp_path, 30)
    hidden = catalog.table_names(shared_schema.connection, shared_schema.database, hidden=True)
    assert "~~square" not in hidden


def test_worker_errors_come_back_to_the_caller(shared_schema, monkeypatch):  # noqa: F811  (POP-21, POP-22, JOB-5)
    monkeypatch.setitem(dj.config, "jobs.keep_completed", True)  # workers follow the parent's jobs settings
    worker_pipeline.bind(shared_schema, 6)
    Item.insert([{"item": 100, "value": -3}, {"item": 101, "value": -4}])
    result = Square.populate(reserve_jobs=True, processes=2, suppress_errors=True)
    assert result["success_count"] == 6
    assert sorted(result["error_list"], key=str) == [
        ({"item": 100}, "ValueError: negative value -3"),
        ({"item": 101}, "ValueError: negative value -4"),
    ]
    assert len(Square & "item >= 100") == 0 and len(Square.Digit & "item >= 100") == 0
    assert Square.jobs.progress() == {"pending": 0, "reserved": 0, "success": 6, "error": 2, "ignore": 0, "total": 8}
    Square.jobs.errors.delete()
    objects = Square.populate(reserve_jobs=True, processes=2, suppress_errors=True, return_exception_objects=True)
    assert sorted(type(error).__name__ for _, error in objects["error_list"]) == ["ValueError", "ValueError"]
    Square.jobs.errors.delete()
    with pytest.raises(ValueError, match="negative value"):
        Square.populate(reserve_jobs=True, processes=2)


def test_classes_defined_in_a_function_cannot_go_to_workers(schema):  # POP-24
    @schema
    class Local(dj.Lookup):
        definition = """
        local: int32
        """
        contents = [{"local": 1}, {"local": 2}]

    @schema
    class Twice(dj.Computed):
        definition = """
        -> Local
        """

        def make(self, key):
            self.insert1(key)

    with pytest.raises(dj.DataJointError, match="module level"):
        Twice.populate(processes=2)


@pytest.fixture(scope="module")
def dask_client():
    import distributed

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_workers_compute_each_key_exactly_once(shared_schema, dask_client, tmp_path):  # noqa: F811  (POP-24, JOB-4)
    keys = batch(shared_schema)
    worker_pipeline.bind(shared_schema, keys)
    result = Square.populate(reserve_jobs=True, executor=dask_client, make_kwargs={"log_dir": str(tmp_path)})
    assert result == {"success_count": keys, "error_list": []}
    assert_each_key_once(tmp_path, keys)


def wait_for(path: Path, process) -> None:
    for _ in range(600):
        if path.exists() or not process.is_alive():
            return
        time.sleep(0.1)


def stalled_worker(tmp_path: Path):
    """A worker process that has reserved item 1 and stopped in its make, after the master insert."""
    Square.jobs.refresh()
    options = {"reserve_jobs": True, "suppress_errors": False, "return_exception_objects": False,
               "make_kwargs": {"log_dir": str(tmp_path), "stall_at": 1}}  # fmt: skip
    (spec,) = workers.specs(Square(), [{"item": 1}], options, 1)
    process = multiprocessing.get_context("spawn").Process(target=workers.run_worker, args=(spec,))
    process.start()
    wait_for(tmp_path / worker_pipeline.STALLED, process)
    assert process.is_alive(), "the worker ended before reaching the middle of make"
    return process


def test_a_worker_killed_in_make_leaves_no_rows_and_its_job_is_recovered(shared_schema, tmp_path):  # noqa: F811  (POP-10, JOB-3)
    worker_pipeline.bind(shared_schema, 3)
    process = stalled_worker(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    assert len(Square()) == 0 and len(Square.Digit()) == 0  # the uncommitted master row is gone
    assert (Square.jobs & {"item": 1}).fetch1("status") == "reserved"
    assert Square.jobs.refresh(orphan_timeout=3600)["orphaned"] == 0
    assert Square.jobs.refresh(orphan_timeout=0)["orphaned"] == 1
    assert Square.populate(reserve_jobs=True) == {"success_count": 3, "error_list": []}
    assert len(Square.Digit & {"item": 1}) == 1


def test_a_worker_terminated_in_make_rolls_back_and_records_its_job(shared_schema, tmp_path):  # noqa: F811  (POP-24, POP-22)
    worker_pipeline.bind(shared_schema, 3)
    process = stalled_worker(tmp_path)
    os.kill(process.pid, signal.SIGTERM)
    process.join()
    assert process.exitcode == 1  # SystemExit, raised by the SIGTERM handler, ended the worker
    assert len(Square()) == 0 and len(Square.Digit()) == 0
    job = (Square.jobs & {"item": 1}).fetch1()
    assert job["status"] == "error" and job["error_message"] == "SystemExit: SIGTERM received"


def test_worker_command_runs_the_same_protocol_in_parallel_copies(shared_schema, tmp_path):  # noqa: F811  (POP-23, JOB-4)
    worker_pipeline.bind(shared_schema, 30)
    settings = shared_schema.connection.settings
    command = [sys.executable, "-m", "djspecs.cli", "worker", "tests.reference.worker_pipeline:Square",
               "--schema", shared_schema.database, "--backend", settings["database.backend"],
               "--make-kwargs", f'{{"log_dir": "{tmp_path}"}}']  # fmt: skip
    for option, key in (("--host", "database.host"), ("--user", "database.user"), ("--database-name", "database.name")):
        if settings[key]:
            command += [option, settings[key]]
    environment = {**os.environ, "DJ_PASS": settings["database.password"] or ""}
    Square.jobs.refresh()
    copies = [subprocess.Popen(command, cwd=ROOT, env=environment, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [copy.communicate(timeout=300)[1] for copy in copies]
    assert [copy.returncode for copy in copies] == [0, 0], outputs
    assert_each_key_once(tmp_path, 30)
    assert sum(int(output.split("Square: ")[1].split()[0]) for output in outputs) == 30


def test_a_worker_that_dies_is_an_error_not_a_wait(shared_schema):  # noqa: F811  (POP-24)
    worker_pipeline.bind(shared_schema, 6)
    with pytest.raises(dj.DataJointError, match="ended without a result"):
        Square.populate(processes=2, make_kwargs={"exit_at": 3})
    assert len(Square & {"item": 3}) == 0  # what the dead worker had begun is rolled back by the server
