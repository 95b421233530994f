"""Eight processes insert and delete with cascade at once: no hang, no raw error, no orphan, no partial master.

DML-31, DML-40: a cascading delete and an insert of a master with its parts are each one transaction, so
under any interleaving every part has its master, every master keeps all its parts, and every foreign key
holds; the check at the end runs one query per foreign key read from the catalog (integrity.py).
Deadlocks: a statement outside a transaction that the server aborts to break a deadlock is re-run by the
connection (up to STATEMENT_ATTEMPTS times, each re-run logged and counted here); inside a transaction the server rolls everything back and DeadlockError reaches the caller,
who re-runs the transaction (the workers here do, a bounded number of times).
"""

import logging
import multiprocessing
import random
import time
from collections import Counter

import pytest

import djspecs.reference as dj
from djspecs.reference.connection import STATEMENT_ATTEMPTS
from tests.reliability.conftest import FULL, open_connection, scale, settings_for, unique_name
from tests.reliability.harness import TALLY
from tests.reliability.integrity import orphans

PROCESSES = 8
MEMBERS = 3  # parts per master
KEYS = 12  # a small key range, so the processes collide often
RETRIES = 5
RERUN = "statements re-run by the connection after a deadlock"
TRANSACTIONS = {"insert master and parts", "cascading delete", "delete child"}  # the rest are single statements


def declare(schema):
    @schema
    class Parent(dj.Manual):
        definition = """
        parent: int32
        ---
        label = "": varchar(20)
        """

        class Member(dj.Part):
            definition = """
            -> master
            member: int16
            """

    @schema
    class Child(dj.Manual):
        definition = """
        -> Parent
        child: int16
        """

    @schema
    class GrandChild(dj.Manual):
        definition = """
        -> Child
        grand: int16
        """

    @schema
    class Note(dj.Manual):
        definition = """
        note: int32
        ---
        -> Parent
        """

    return Parent, Child, GrandChild, Note


class ReRuns(logging.Handler):
    """Counts the statements the connection re-ran after a deadlock (it logs each one)."""

    def __init__(self, outcomes: Counter):
        super().__init__(logging.INFO)
        self.outcomes = outcomes

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Re-running a statement after a deadlock"):
            self.outcomes[RERUN] += 1


def work(backend: str, database: str, seed: int, seconds: float, results) -> None:
    """One process: random inserts and cascading deletes until the time is up; outcomes go to `results`."""
    rng, outcomes = random.Random(seed), Counter()
    logger = logging.getLogger("djspecs.reference")
    logger.setLevel(logging.INFO)
    logger.addHandler(ReRuns(outcomes))
    connection = dj.Connection(settings_for(backend))
    Parent, Child, GrandChild, Note = declare(dj.Schema(database, connection=connection, create_schema=False))

    def insert_master():
        key = rng.randrange(KEYS)
        with connection.transaction:
            Parent.insert1({"parent": key, "label": f"p{seed}"})
            Parent.Member.insert([{"parent": key, "member": m} for m in range(MEMBERS)])

    operations = {
        "insert master and parts": insert_master,
        "insert child": lambda: Child.insert1({"parent": rng.randrange(KEYS), "child": rng.randrange(3)}),
        "insert grandchild": lambda: GrandChild.insert1(
            {"parent": rng.randrange(KEYS), "child": rng.randrange(3), "grand": rng.randrange(3)}
        ),
        "insert note": lambda: Note.insert1({"note": rng.randrange(4 * KEYS), "parent": rng.randrange(KEYS)}),
        "cascading delete": lambda: (Parent & {"parent": rng.randrange(KEYS)}).delete(),
        "delete child": lambda: (Child & {"parent": rng.randrange(KEYS)}).delete(),
        "read": lambda: len(Parent * Parent.Member * Child),
    }
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            name = rng.choice(list(operations))
            for attempt in range(1, RETRIES + 1):
                try:
                    operations[name]()
                    outcomes[f"{name}: done"] += 1
                except dj.errors.DeadlockError:
                    outcomes[f"{name}: DeadlockError, transaction re-run"] += 1
                    if attempt < RETRIES:
                        continue
                    outcomes[f"{name}: gave up after {RETRIES} deadlocks"] += 1
                except (dj.DuplicateError, dj.IntegrityError) as error:  # lost a race: a correct refusal
                    outcomes[f"{name}: {type(error).__name__}"] += 1
                except dj.DataJointError as error:
                    outcomes[f"UNEXPECTED {type(error).__name__}: {error}"[:300]] += 1
                break
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which fails the test
        outcomes[f"CRASH {type(error).__name__}: {error}"[:300]] += 1
    finally:
        connection.close()
        results.put(dict(outcomes))


@pytest.fixture
def contested(server_backend):
    admin = open_connection(server_backend)
    schema = dj.Schema(unique_name("djspecs_race"), connection=admin)
    declare(schema)
    admin.close()  # no connection is open while the workers fork
    yield server_backend, schema
    schema.drop()
    admin.close()


def test_concurrent_inserts_and_cascading_deletes_keep_integrity(contested):  # DML-31, DML-40
    backend, schema = contested
    seconds = scale(3, 30)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=work, args=(backend, schema.database, seed, seconds, results))
        for seed in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    totals = Counter()
    for _ in workers:
        totals.update(results.get(timeout=seconds + 120))  # a hung worker fails here
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0, f"worker {worker.pid} ended with {worker.exitcode}"
    problems = {k: n for k, n in totals.items() if k.startswith(("CRASH", "UNEXPECTED")) or "gave up" in k}
    assert problems == {}
    assert sum(n for k, n in totals.items() if k.endswith(": done")) > PROCESSES
    surfaced = sum(n for k, n in totals.items() if "DeadlockError" in k and k.split(":")[0] not in TRANSACTIONS)
    assert totals[RERUN] >= surfaced * (STATEMENT_ATTEMPTS - 1), "a deadlocked single statement was not re-run"
    for key, n in totals.items():
        TALLY[f"concurrency ({backend}{', full' if FULL else ''}): {key}"] += n
    checked, broken = orphans(schema.connection, [schema.database])
    assert (checked, broken) == (4, {})
    Parent = declare(schema)[0]
    sizes = Counter(row["parent"] for row in Parent.Member.to_dicts())
    assert set(sizes.values()) <= {MEMBERS}, "a master with some of its parts missing"
    assert set(sizes) == set(Parent.to_arrays("parent").tolist() if len(Parent()) else [])
