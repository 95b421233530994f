"""Six processes make the first use of the same new schema, tables and jobs table at once (issue 9).

PIPE-4, DEF-20, JOB-1: at a barrier every process activates a schema that does not exist yet and declares the
same tables, whose enum columns are named types on PostgreSQL; at a second barrier every process makes the first
use of the Computed table's jobs table, whose `status` enum is a named type too. Every process must succeed and
see the same headings (types, comments, lineage) as a fresh connection reads from the catalog, and every key is
made exactly once (POP-20).
"""

import multiprocessing
import threading
from collections import Counter

import djspecs.reference as dj
from tests.reliability.conftest import open_connection, scale, settings_for, unique_name
from tests.reliability.harness import TALLY

PROCESSES = 6
KEYS = 8
WAIT = 120  # seconds a barrier or the parent waits before the run counts as hung


def declare(schema):
    @schema
    class Session(dj.Manual):
        definition = """
        session: int32
        ---
        kind: enum('rest', 'task', 'sleep')
        """

    @schema
    class Score(dj.Computed):
        definition = """
        -> Session
        ---
        grade: enum('low', 'high')
        value: float64
        """

        def make(self, key):
            self.insert1({**key, "grade": "low" if key["session"] % 2 else "high", "value": key["session"] / 2})

    return Session, Score


def snapshot(table) -> tuple:
    """What a process knows of a table: every attribute with its type, key, default, comment and lineage."""
    heading = table.heading
    attributes = tuple(
        (a.name, a.type.text, a.in_key, a.nullable, a.default, a.comment, a.lineage, a.hidden)
        for a in heading.attributes
    )
    return attributes, heading.lineage_known


def first_use(settings: dict, database: str, barrier, results) -> None:
    """One process: create the schema and declare the tables at the first barrier, populate at the second."""
    outcome: dict = {"errors": []}
    connection = dj.Connection(settings)
    try:
        barrier.wait(WAIT)
        try:
            Session, Score = declare(dj.Schema(database, connection=connection))
            Session.insert([{"session": k, "kind": "rest"} for k in range(KEYS)], skip_duplicates=True)
        except dj.DataJointError as error:
            outcome["errors"].append(f"declare: {type(error).__name__}: {error}"[:300])
        barrier.wait(WAIT)
        if not outcome["errors"]:
            try:
                outcome["made"] = Score.populate(reserve_jobs=True)["success_count"]
                outcome["tables"] = {
                    "Session": snapshot(Session),
                    "Score": snapshot(Score),
                    "jobs": snapshot(Score.jobs),
                }
            except dj.DataJointError as error:
                outcome["errors"].append(f"first use of jobs: {type(error).__name__}: {error}"[:300])
    except (threading.BrokenBarrierError, Exception) as error:  # reported to the parent, which fails the test
        outcome["errors"].append(f"CRASH {type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
        results.put(outcome)


def run_round(settings: dict, database: str) -> list[dict]:
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=first_use, args=(settings, database, barrier, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=2 * WAIT + 60) for _ in workers]  # a hung worker fails here
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0, f"worker {worker.pid} ended with {worker.exitcode}"
    return outcomes


def test_concurrent_first_use_declares_once_and_every_process_succeeds(backend, tmp_path):  # PIPE-4, DEF-20, JOB-1
    extra = {"database.name": str(tmp_path / "race.sqlite")} if backend == "sqlite" else {}
    settings = settings_for(backend, **extra)
    open_connection(backend).close()  # skips or fails early when the server does not answer
    rounds, failures, problems = scale(3, 20), Counter(), []
    for round_number in range(rounds):
        database = unique_name("djspecs_first")
        try:
            outcomes = run_round(settings, database)
            checker = dj.Connection(settings)
            Session, Score = declare(dj.Schema(database, connection=checker, create_schema=False))
            expected = {"Session": snapshot(Session), "Score": snapshot(Score), "jobs": snapshot(Score.jobs)}
            for outcome in outcomes:
                for error in outcome["errors"]:
                    failures[error.split(":")[0]] += 1
                    problems.append(f"round {round_number}: {error}")
                if not outcome["errors"] and outcome["tables"] != expected:
                    failures["a heading differs from the catalog"] += 1
                    problems.append(f"round {round_number}: {outcome['tables']} != {expected}")
            if not problems:
                assert sum(o["made"] for o in outcomes) == KEYS, "a key made twice or never"
                assert len(Score()) == KEYS and len(Score.jobs) == 0
            checker.close()
        finally:
            cleaner = dj.Connection(settings)
            if database in dj.list_schemas(cleaner):
                dj.Schema(database, connection=cleaner, create_schema=False).drop()
            cleaner.close()
    TALLY[f"concurrent first use ({backend}): rounds of {PROCESSES} processes"] += rounds
    for kind, n in failures.items():
        TALLY[f"concurrent first use ({backend}): failed {kind}"] += n
    assert problems == [], f"{sum(failures.values())} failures in {rounds} rounds of {PROCESSES}:\n" + "\n".join(
        problems
    )
