"""The integrity check of integrity.py finds every foreign key of a schema and every row that breaks one.

Enforcement is switched off for one session (as a bulk load or a buggy implementation might) so that an
orphan can exist; the check must then report exactly that foreign key and that row.
"""

import sqlglot

import djspecs.reference as dj
from tests.reliability.integrity import foreign_key_checks, orphans

NO_ENFORCEMENT = {
    "sqlite": "PRAGMA foreign_keys = OFF",
    "postgresql": "SET session_replication_role = replica",
    "mysql": "SET FOREIGN_KEY_CHECKS = 0",
}


def test_the_check_covers_every_foreign_key_and_finds_an_orphan(fresh_schema, backend):
    schema = fresh_schema

    @schema
    class Animal(dj.Manual):
        definition = """
        animal: int32
        """

    @schema
    class Cage(dj.Manual):
        definition = """
        cage: int32
        ---
        -> [nullable] Animal
        """

    @schema
    class Scan(dj.Manual):
        definition = """
        -> Animal
        scan: int16
        ---
        -> Cage
        """

    checks = foreign_key_checks(schema.connection, [schema.database])
    assert sorted((c.child[1], c.parent[1]) for c in checks) == [
        ("cage", "animal"),
        ("scan", "animal"),
        ("scan", "cage"),
    ]
    Animal.insert1({"animal": 1})
    Cage.insert([{"cage": 1, "animal": None}, {"cage": 2, "animal": 1}])  # a NULL reference is no orphan
    Scan.insert1({"animal": 1, "scan": 1, "cage": 2})
    assert orphans(schema.connection, [schema.database]) == (3, {})
    schema.connection.execute(sqlglot.parse_one(NO_ENFORCEMENT[backend], read=schema.connection.backend.check_dialect))
    Scan.insert1({"animal": 7, "scan": 1, "cage": 2})
    checked, broken = orphans(schema.connection, [schema.database])
    assert checked == 3 and list(broken.values()) == [1] and "(animal->animal)" in next(iter(broken))
