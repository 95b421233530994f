"""Crash during populate: a worker process killed with SIGKILL at random points inside make (POP-10, JOB-3).

Each kill point lies before, between or after the master and part inserts of one key. After every kill: no
partial master/part set is visible, the job is still `reserved`, and `jobs.refresh(orphan_timeout=0)` recovers
it (exactly one orphan). At the end a normal populate completes the rest; the tables must equal a clean run's
in a second schema, and every foreign key is checked by integrity.py. Bounded: 5 kills per server; full: 50.
"""

from __future__ import annotations

import multiprocessing
import random
import signal

import djspecs.reference as dj
from djspecs.reference import workers
from tests.reliability import crash_pipeline
from tests.reliability.conftest import open_connection, scale, unique_name
from tests.reliability.crash_pipeline import PARTS, POINTS, Outcome
from tests.reliability.harness import TALLY
from tests.reliability.integrity import orphans

OPTIONS = {"reserve_jobs": True, "suppress_errors": False, "return_exception_objects": False}


def snapshot() -> tuple[list[dict], list[dict]]:
    return Outcome.to_dicts(order_by="KEY"), Outcome.Share.to_dicts(order_by="KEY")


def assert_whole_sets() -> None:
    """Every master row has all its parts (a partial set would mean a make committed halfway)."""
    masters, shares = snapshot()
    counts = {}
    for row in shares:
        counts[row["item"]] = counts.get(row["item"], 0) + 1
    assert counts == {row["item"]: PARTS for row in masters}, "a master/part set is partial"


def kill_in_make(key: dict, point: int) -> int:
    """Run one spawned worker for `key` that kills itself at `point`; returns its exit code."""
    options = {**OPTIONS, "make_kwargs": {"kill_at": {key["item"]: point}}}
    (spec,) = workers.specs(Outcome(), [key], options, 1)
    process = multiprocessing.get_context("spawn").Process(target=workers.run_worker, args=(spec,))
    process.start()
    process.join(timeout=120)
    assert not process.is_alive(), "the worker neither died nor finished"
    return process.exitcode


def test_workers_killed_at_random_points_in_make_leave_whole_sets_and_recoverable_jobs(server_backend):  # POP-10, JOB-3
    kills, items = scale(5, 50), scale(8, 60)
    rng = random.Random(f"crash-{server_backend}")
    crashed = dj.Schema(unique_name("djspecs_crash"), connection=open_connection(server_backend))
    clean = None
    try:
        crash_pipeline.bind(crashed, items)
        Outcome.jobs.refresh()
        for _ in range(kills):
            todo = (Outcome.key_source.proj() - Outcome.proj()).keys()
            if not todo:
                break
            key = rng.choice(todo)
            point = rng.randrange(POINTS)
            done_before = snapshot()
            exitcode = kill_in_make(key, point)
            TALLY["crash during populate: SIGKILLs injected"] += 1
            assert exitcode == -signal.SIGKILL
            assert snapshot() == done_before, f"a killed make (point {point}) left rows behind"
            assert_whole_sets()
            assert (Outcome.jobs & key).fetch1("status") == "reserved"
            assert Outcome.jobs.refresh(orphan_timeout=0)["orphaned"] == 1
            TALLY["crash during populate: killed jobs recovered"] += 1
            if rng.random() < 0.5:  # sometimes complete a key in between, so later kills meet a mixed table
                Outcome.populate(key, reserve_jobs=True)
        assert Outcome.populate(reserve_jobs=True)["error_list"] == []
        assert_whole_sets()
        progress = Outcome.jobs.progress()
        assert progress["reserved"] == 0 and progress["pending"] == 0 and progress["error"] == 0
        crashed_rows = snapshot()
        assert len(crashed_rows[0]) == items
        checked, broken = orphans(crashed.connection, [crashed.database])
        assert checked >= 2 and broken == {}

        clean = dj.Schema(unique_name("djspecs_clean"), connection=open_connection(server_backend))
        crash_pipeline.bind(clean, items)
        Outcome.populate()
        assert snapshot() == crashed_rows, "the crashed-and-recovered tables differ from a clean run"
    finally:
        for schema in (crashed, clean):
            if schema is not None:
                schema.drop()
                schema.connection.close()
