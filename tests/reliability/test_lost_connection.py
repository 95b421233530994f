"""A connection cut by the server: LostConnectionError, nothing half-written, and the next operation reconnects.

DML-40: losing the connection inside a transaction raises LostConnectionError; the server rolls the
transaction back, and the connection refuses to run the rest of the block on a new connection (which would
commit it piecemeal). Outside a transaction the next operation connects anew; a read that meets a dead
connection is re-run on a new one.
"""

import pytest
from sqlglot import exp

import djspecs.reference as dj
from tests.reliability.conftest import open_connection, unique_name
from tests.reliability.servers import kill, server_id


@pytest.fixture
def pipeline(server_backend):
    admin = open_connection(server_backend)
    victim = open_connection(server_backend)
    schema = dj.Schema(unique_name("djspecs_lost"), connection=victim)

    @schema
    class Recording(dj.Manual):
        definition = """
        recording: int32
        ---
        note = "": varchar(40)
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel: int16
            """

    yield admin, victim, Recording
    schema.connection = admin
    schema.drop()
    for connection in (admin, victim):
        connection.close()


def counts(admin, Recording) -> tuple[int, int]:
    """Row counts of master and part, read on the admin connection, independent of the victim's state."""
    return tuple(
        admin.query(exp.select(exp.func("COUNT", exp.Star())).from_(admin.backend.table(t.schema_name, t.table_name)))[
            0
        ][0]
        for t in (Recording(), Recording.Channel())
    )


def test_cut_inside_a_transaction_rolls_back_and_the_next_operation_reconnects(pipeline):  # DML-40
    admin, victim, Recording = pipeline
    with pytest.raises(dj.LostConnectionError), victim.transaction:
        Recording.insert1({"recording": 1})
        kill(admin, server_id(victim))
        Recording.Channel.insert([{"recording": 1, "channel": c} for c in range(3)])
    assert counts(admin, Recording) == (0, 0)
    assert len(Recording()) == 0  # the next operation reconnects
    Recording.insert1({"recording": 2})
    assert counts(admin, Recording) == (1, 0)


def test_the_rest_of_a_cut_transaction_never_runs(pipeline):  # DML-40
    admin, victim, Recording = pipeline
    with pytest.raises(dj.LostConnectionError), victim.transaction:
        Recording.insert1({"recording": 1})
        kill(admin, server_id(victim))
        with pytest.raises(dj.LostConnectionError):
            Recording.insert1({"recording": 2})
        Recording.insert1({"recording": 3})  # a careless caller carries on: still refused
    assert counts(admin, Recording) == (0, 0)


@pytest.mark.parametrize("operation", ["insert master and parts", "cascading delete"])
def test_cut_at_every_statement_of_an_operation(pipeline, operation):  # DML-40, DML-31
    """The connection is cut just before each statement the operation runs inside its transaction: all or nothing."""
    admin, victim, Recording = pipeline
    rows = [{"recording": r, "note": "x"} for r in range(3)]
    parts = [{"recording": r, "channel": c} for r in range(3) for c in range(2)]

    def insert():
        with victim.transaction:
            Recording.insert(rows)
            Recording.Channel.insert(parts)

    def delete():
        (Recording & "recording < 2").delete()

    run, before, after = (insert, (0, 0), (3, 6)) if operation.startswith("insert") else (delete, (3, 6), (1, 2))

    def reset():
        for table in (Recording.Channel(), Recording()):
            admin.execute(exp.delete(admin.backend.table(table.schema_name, table.table_name)))
        if run is delete:
            Recording.insert(rows)
            Recording.Channel.insert(parts)

    def trace() -> list[int]:
        """Positions of the statements the operation runs inside its transaction."""
        reset()
        inside = []
        victim.on_statement = lambda statement: inside.append(victim.in_transaction)
        run()
        victim.on_statement = None
        assert counts(admin, Recording) == after
        return [i for i, flag in enumerate(inside) if flag]

    trace()  # the first run loads headings; the second shows the steady sequence
    positions = trace()
    assert len(positions) >= 2, "the operation runs no transaction to cut"
    for position in positions:
        reset()
        seen, target = [], server_id(victim)

        def cut(statement, at=position, target=target, seen=seen):
            if len(seen) == at:
                kill(admin, target)
            seen.append(statement)

        victim.on_statement = cut
        try:
            with pytest.raises(dj.LostConnectionError):
                run()
        finally:
            victim.on_statement = None
        assert counts(admin, Recording) == before, f"cut before statement {position}: half-written"
        assert len(Recording()) == before[0]  # and the next operation reconnects


def test_a_read_after_an_idle_connection_was_cut_reconnects(pipeline):
    admin, victim, Recording = pipeline
    Recording.insert1({"recording": 1})
    kill(admin, server_id(victim))
    assert Recording.to_dicts() == [{"recording": 1, "note": ""}]


def test_a_write_after_an_idle_connection_was_cut_fails_cleanly_then_reconnects(pipeline):
    admin, victim, Recording = pipeline
    kill(admin, server_id(victim))
    try:
        Recording.insert1({"recording": 1})
    except dj.LostConnectionError:
        assert counts(admin, Recording) == (0, 0)
        Recording.insert1({"recording": 1})
    assert counts(admin, Recording) == (1, 0)
