"""DataJoint 2.x workers and reference workers share one jobs table (JOB-1, JOB-4; DIS-14, DIS-15).

A mixed fleet only works if both implementations name the queue alike, read each other's columns and
claim jobs the same way. Here the reference declares and fills the queue, DataJoint 2.3.5 computes part of
it through its own `populate(reserve_jobs=True)`, and the reference computes the rest: every key once.
"""

import pytest

import djspecs.reference as dj
from tests.reference.test_interop import datajoint, datajoint_schema, interop_sql_check, schema_name, server  # noqa: F401

ITEM = """
item: int32
---
value: int32
"""
DOUBLE = """
-> Item
---
doubled: int64
"""


def declare_with_datajoint(schema, calls: list):
    """DataJoint resolves `-> Item` in the caller's namespace: the locals of this function."""

    @schema
    class Item(datajoint.Manual):
        definition = ITEM

    @schema
    class Double(datajoint.Computed):
        definition = DOUBLE

        def make(self, key):
            calls.append(("datajoint", key["item"]))
            self.insert1({**key, "doubled": 2 * (Item & key).fetch1("value")})

    return Double


@pytest.fixture
def reference_pipeline(server, schema_name):  # noqa: F811
    schema = dj.Schema(schema_name, connection=server.connection)
    calls = []

    @schema
    class Item(dj.Manual):
        definition = ITEM

    @schema
    class Double(dj.Computed):
        definition = DOUBLE

        def make(self, key):
            calls.append(("reference", key["item"]))
            self.insert1({**key, "doubled": 2 * (Item & key).fetch1("value")})

    Item.insert([{"item": i, "value": i} for i in range(10)])
    return Double, calls


def test_datajoint_and_the_reference_share_one_queue(server, schema_name, reference_pipeline):  # noqa: F811  (JOB-1, JOB-4)
    Double, calls = reference_pipeline
    assert Double.jobs.refresh()["added"] == 10
    theirs = declare_with_datajoint(datajoint_schema(server, schema_name), calls)
    assert theirs.jobs.table_name == Double.jobs.table_name == "~~double"
    assert len(theirs.jobs.pending) == 10  # DataJoint reads the queue the reference declared
    result = theirs.populate(reserve_jobs=True, refresh=False, max_calls=4)
    assert result == {"success_count": 4, "error_list": []}
    assert Double.jobs.progress() == {"pending": 6, "reserved": 0, "success": 0, "error": 0, "ignore": 0, "total": 6}
    assert Double.populate(reserve_jobs=True) == {"success_count": 6, "error_list": []}
    assert sorted(item for _, item in calls) == list(range(10))
    assert {who for who, _ in calls} == {"datajoint", "reference"}
    assert sorted(r["doubled"] for r in Double.to_dicts()) == [2 * i for i in range(10)]


def test_the_reference_works_from_a_queue_datajoint_declared(server, schema_name, reference_pipeline):  # noqa: F811  (JOB-1, JOB-3)
    Double, calls = reference_pipeline
    theirs = declare_with_datajoint(datajoint_schema(server, schema_name), calls)
    assert theirs.jobs.refresh()["added"] == 10
    assert Double.jobs.progress()["pending"] == 10  # the reference reads the queue DataJoint declared
    assert Double.populate(reserve_jobs=True, max_calls=3) == {"success_count": 3, "error_list": []}
    assert theirs.populate(reserve_jobs=True) == {"success_count": 7, "error_list": []}
    assert sorted(item for _, item in calls) == list(range(10)) and len(Double()) == 10


def test_errors_recorded_by_the_reference_stay_readable_for_datajoint(server, schema_name, reference_pipeline):  # noqa: F811  (JOB-5)
    Double, calls = reference_pipeline
    theirs = declare_with_datajoint(datajoint_schema(server, schema_name), calls)
    theirs.jobs.refresh()
    stack = "Traceback (most recent call last): ..."
    Double.jobs.error({"item": 1}, "ValueError: bad", error_stack=stack)
    assert (Double.jobs & {"item": 1}).fetch1("error_stack") == stack  # JOB-1: a `<blob>` of the traceback text
    (row,) = theirs.jobs.errors.to_dicts()
    assert row["item"] == 1 and row["error_message"] == "ValueError: bad" and row["error_stack"] == stack
