"""The foreign keys of a whole schema in one query agree with the table-by-table reading (API-4)."""

import djspecs.reference as dj
from djspecs.reference import catalog
from tests.reference.pipeline import declare


def test_schema_wide_foreign_keys_match_each_table(schema, connection):  # API-4
    declare(schema)

    @schema
    class Pair(dj.Manual):
        definition = """
        -> Subject.proj(first='subject_id')
        -> Subject.proj(second='subject_id')
        """

    names = catalog.table_names(connection, schema.database)
    together = catalog.schema_foreign_keys(connection, schema.database, names)
    assert together == {name: catalog.foreign_keys(connection, schema.database, name) for name in names}
    assert sorted(fk.attributes for fk in together["pair"]) == [(("first", "subject_id"),), (("second", "subject_id"),)]
    assert [fk.parent_table for fk in together["session__trial"]] == ["session"]
    assert together["subject"] == []
