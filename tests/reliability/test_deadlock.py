"""Two transactions that lock the same rows in opposite orders: the server breaks the deadlock, one of them
gets DeadlockError with everything it wrote rolled back, and the other commits (docs/reliability.md)."""

import threading

import pytest

import djspecs.reference as dj
from tests.reliability.conftest import open_connection, unique_name

DEFINITION = """
slot: int32
---
owner = "": varchar(10)
"""


@pytest.fixture
def two_sessions(server_backend):
    connections = [open_connection(server_backend) for _ in range(2)]
    name = unique_name("djspecs_deadlock")
    tables = []
    for connection in connections:
        Slot = type("Slot", (dj.Manual,), {"definition": DEFINITION})
        dj.Schema(name, connection=connection)(Slot)
        tables.append(Slot)
    tables[0].insert([{"slot": 1}, {"slot": 2}])
    yield connections, tables
    dj.Schema(name, connection=connections[0]).drop()
    for connection in connections:
        connection.close()


def test_crossed_locks_end_in_one_deadlock_error_and_one_commit(two_sessions):  # API-3, DML-40
    connections, tables = two_sessions
    both_locked = threading.Barrier(2, timeout=30)
    outcomes = {}

    def session(index: int, first: int, second: int) -> None:
        connection, Slot = connections[index], tables[index]
        owner = f"s{index}"
        try:
            with connection.transaction:
                Slot.update1({"slot": first, "owner": owner})
                both_locked.wait()
                Slot.update1({"slot": second, "owner": owner})
            outcomes[index] = "committed"
        except dj.errors.DeadlockError as error:
            outcomes[index] = f"deadlock: {error}"

    threads = [threading.Thread(target=session, args=args) for args in ((0, 1, 2), (1, 2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "the deadlock was never broken"
    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["committed", "deadlock"], outcomes
    winner = next(i for i, o in outcomes.items() if o == "committed")
    assert tables[0].to_dicts(order_by="KEY") == [
        {"slot": 1, "owner": f"s{winner}"},
        {"slot": 2, "owner": f"s{winner}"},
    ]
    assert not any(connection.in_transaction for connection in connections)
