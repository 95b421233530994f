"""A read-only user: every read works, every write fails with AccessError and changes nothing.

API-3: AccessError (a QueryError) is what a refused privilege raises on every server. The user is created
with a unique name, granted SELECT on one schema only, and dropped afterwards.
"""

import pytest

import djspecs.reference as dj
from tests.reliability.conftest import open_connection, settings_for, unique_name
from tests.reliability.servers import create_user, drop_user


def declare(schema):
    @schema
    class Animal(dj.Manual):
        definition = """
        animal: int32
        ---
        species = "mouse": varchar(20)
        """

    @schema
    class Weighing(dj.Manual):
        definition = """
        -> Animal
        day: date
        ---
        grams: float64
        """

    return Animal, Weighing


@pytest.fixture
def reader(server_backend):
    admin = open_connection(server_backend)
    owner = dj.Schema(unique_name("djspecs_acl"), connection=admin)
    Animal, Weighing = declare(owner)
    Animal.insert([{"animal": 1, "species": "mouse"}, {"animal": 2, "species": "rat"}])
    Weighing.insert1({"animal": 1, "day": "2024-01-02", "grams": 21.5})
    user, password = unique_name("djspecs_reader"), "R3ad-0nly!" + unique_name("pw")
    create_user(admin, user, password, read_schema=owner.database)
    connection = dj.Connection(settings_for(server_backend, **{"database.user": user, "database.password": password}))
    yield connection, owner, (Animal, Weighing)
    connection.close()
    drop_user(admin, user)
    owner.drop()
    admin.close()


def snapshot(tables):
    return [table.to_dicts(order_by="KEY") for table in tables]


def test_a_read_only_user_reads_but_cannot_write(reader):  # API-3
    connection, owner, owned = reader
    before = snapshot(owned)
    schema = dj.Schema(owner.database, connection=connection, create_schema=False)
    Animal, Weighing = declare(schema)  # the tables exist: binding them only reads the catalog
    assert snapshot((Animal, Weighing)) == before
    assert (Animal * Weighing).to_dicts() == [
        {"animal": 1, "species": "mouse", "day": before[1][0]["day"], "grams": 21.5}
    ]

    class Cage(dj.Manual):
        definition = """
        cage: int32
        """

    writes = {
        "insert": lambda: Animal.insert1({"animal": 3}),
        "insert of parts with their master": lambda: _in_transaction(connection, Animal, Weighing),
        "insert from a query": lambda: Weighing.insert(Weighing.proj(grams="grams + 1") & "animal = 99"),
        "update": lambda: Animal.update1({"animal": 1, "species": "vole"}),
        "delete (cascading)": lambda: (Animal & {"animal": 1}).delete(),
        "delete_quick": lambda: (Weighing & {"animal": 1}).delete_quick(),
        "declare": lambda: schema(Cage),
        "drop": lambda: Weighing.drop(),
        "create a schema": lambda: dj.Schema(unique_name("djspecs_acl_new"), connection=connection),
    }
    refused = {}
    for what, write in writes.items():
        with pytest.raises(dj.AccessError) as error:
            write()
        refused[what] = str(error.value)
        assert snapshot(owned) == before, f"{what} changed data"
    assert all(refused.values())
    assert not connection.in_transaction


def _in_transaction(connection, Animal, Weighing):
    with connection.transaction:
        Animal.insert1({"animal": 4})
        Weighing.insert1({"animal": 4, "day": "2024-01-03", "grams": 1.0})


def test_unknown_credentials_are_refused(server_backend):  # API-3
    """MySQL reports refused credentials with a code (AccessError); libpq gives no SQLSTATE for a refused
    connection, so PostgreSQL's refusal is a DataJointError naming the server."""
    expected = dj.AccessError if server_backend == "mysql" else dj.DataJointError
    connection = dj.Connection(settings_for(server_backend, **{"database.user": unique_name("nobody"),
                                                               "database.password": "not-the-password"}))  # fmt: skip
    with pytest.raises(expected, match="Cannot connect"):
        connection.server_version()
