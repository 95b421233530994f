"""Schemas, tables and their introspection through the Python API (PIPE, SYS, LIN, NAME, DEF, API, Q-5)."""

from __future__ import annotations

import logging
import re
import warnings

import pytest

from djspecs.conformance.plugin import NOT_APPLICABLE

from .pipeline import SUBJECTS, pipeline


@pytest.mark.rules("PIPE-3", "PIPE-4", requires=["python.api", "introspection"])
def test_a_schema_is_created_once_and_listed(adapter, schema, api, conformance):
    if conformance.backend == "sqlite":
        pytest.skip(NOT_APPLICABLE + "PIPE-3 is about MySQL databases and PostgreSQL schemas")
    pipeline(adapter, schema, rows=False)
    connection = api_connection(adapter, schema)
    assert schema.database in api.list_schemas(connection=connection)
    with pytest.raises(api.DataJointError):
        api.Schema(f"{schema.database}_never_made", connection=connection, create_schema=False)


@pytest.mark.rules("PIPE-5", "PIPE-6", "PIPE-8", requires=["python.api"])
def test_decoration_binds_masters_and_their_parts(adapter, schema, api):
    bound = adapter.api_schema(schema)

    class Animal(api.Manual):
        definition = "animal_id : int32"

        class Organ(api.Part):
            definition = "-> master\norgan : varchar(8)"

    bound(Animal)
    assert Animal.Organ.table_name == Animal.table_name + "__organ"
    Animal.insert1({"animal_id": 1})
    Animal.Organ.insert1({"animal_id": 1, "organ": "eye"})

    class Loose(api.Part):
        definition = "x : int32"

    with pytest.raises(api.DataJointError):
        bound(Loose)
    off = api.Schema(schema.database, connection=api_connection(adapter, schema), create_tables=False)

    class Missing(api.Manual):
        definition = "missing_id : int32"

    off(Missing)
    assert "missing" not in off.list_tables()


@pytest.mark.rules("PIPE-7", requires=["python.api", "transactions"])
def test_no_declaration_inside_a_transaction(adapter, schema, api):
    bound = adapter.api_schema(schema)
    connection = api_connection(adapter, schema)

    class Late(api.Manual):
        definition = "late_id : int32"

    with pytest.raises(api.DataJointError), connection.transaction:
        bound(Late)


@pytest.mark.rules("PIPE-9", requires=["python.api"])
def test_lookup_contents_fill_the_table(adapter, schema, api):
    bound = adapter.api_schema(schema)

    class Color(api.Lookup):
        definition = "color : varchar(8)"
        contents = [("red",), ("blue",)]

    bound(Color)
    assert sorted(r["color"] for r in Color.to_dicts()) == ["blue", "red"]


@pytest.mark.rules("SYS-1", "SYS-2", "API-4", "NAME-5", requires=["python.api", "introspection", "lineage"])
def test_listing_hides_system_tables_and_orders_parents_first(adapter, schema, api):
    pipeline(adapter, schema)
    names = schema.list_tables()
    assert names.index("subject") < names.index("session") < names.index("session__trial")
    assert not [n for n in names if n.startswith("~")]
    assert schema.lineage_table_exists if hasattr(schema, "lineage_table_exists") else schema.lineage
    virtual = api.virtual_schema(schema.database, connection=api_connection(adapter, schema))
    assert {"Subject", "Session"} <= {n for n in dir(virtual) if not n.startswith("_")}
    assert len(virtual.Subject()) == 3 and virtual.Session.Trial is not None


@pytest.mark.rules("API-4", requires=["python.api", "introspection"])
def test_schemas_hand_out_free_tables_by_name(adapter, schema):
    pipeline(adapter, schema)
    bound = adapter.api_schema(schema)
    session = bound["Session"]
    assert "FreeTable" in {c.__name__ for c in type(session).__mro__}  # DataJoint's dj.FreeTable is a factory
    assert len(session) == len(bound.get_table("session")) == 3
    assert len(bound["session__trial"]) == 2
    assert [t.table_name for t in bound] == bound.list_tables()
    assert "Subject" in bound and "session__trial" in bound and "no_such_table" not in bound
    lookup = adapter.declare(schema, [{"name": "Color", "tier": "lookup", "definition": "color : varchar(8)"}])
    adapter.insert(lookup["Color"], [{"color": "red"}])
    assert bound["color"].to_dicts() == [{"color": "red"}]  # the tier prefix `#` is found without being given


@pytest.mark.rules("LIN-5", "LIN-6", requires=["python.api", "lineage"])
def test_lineage_is_written_at_declaration_and_rebuilt_on_demand(adapter, schema):
    pipeline(adapter, schema, rows=False)
    lineage = schema.lineage
    origin = f"{schema.database}.subject.subject_id"
    assert lineage[f"{schema.database}.subject.subject_id"] == origin
    assert lineage[f"{schema.database}.session.subject_id"] == origin
    assert f"{schema.database}.subject.name" not in lineage  # secondary native attributes have none
    schema.rebuild_lineage()
    assert schema.lineage == lineage


@pytest.mark.rules("Q-5", requires=["python.api"])
def test_operands_from_two_connections_are_refused(adapter, schema, api, conformance):
    mine = pipeline(adapter, schema, rows=False)
    other = type(conformance.adapter.adapter)()
    other.connect(conformance.backend, conformance.url)
    second = other.create_schema(conformance.schema_name())
    try:
        theirs = other.declare(second, [{"name": "Subject", "tier": "manual", "definition": "subject_id : int32"}])
        with pytest.raises(api.DataJointError, match="different connections"):
            mine["Subject"]() * theirs["Subject"]().proj()
    finally:
        other.drop_schema(second)
        other.close()


@pytest.mark.rules("TYPE-9", "DEF-23", requires=["definition.describe"])
def test_heading_and_describe_recover_declared_types(adapter, schema):
    tables = adapter.declare(
        schema,
        [{"name": "Probe", "tier": "manual", "definition": "probe_id : int16\n---\nwhen = null : datetime\nx : float32"},
         {"name": "Use", "tier": "manual", "definition": "-> [nullable] Probe\nuse_id : int16"}][:1]
        + [{"name": "Use", "tier": "manual", "definition": "use_id : int16\n---\n-> [nullable] Probe"}],
    )  # fmt: skip
    info = adapter.describe(tables["Probe"])
    assert [a.type for a in info.heading] == ["int16", "datetime", "float32"]
    text = " ".join(tables["Use"].describe().split())
    # The parent may be named by its class or by its quoted full name (DataJoint names it so without a context).
    assert re.search(r"-> \[nullable\] (Probe|\S*probe\W*)(\s|$)", text) and "use_id : int16" in text, text


@pytest.mark.rules("DEF-20", requires=["python.api"])
def test_declaring_an_existing_table_changes_nothing(adapter, schema):
    tables = pipeline(adapter, schema)
    again = adapter.declare(schema, [{"name": "Subject", "tier": "manual", "definition": "subject_id : int32"}])
    assert again["Subject"].to_dicts(order_by="KEY") == SUBJECTS  # the table and its rows were kept
    assert tables["Subject"].heading.names == ["subject_id", "name", "age"]


@pytest.mark.rules("DEF-21", requires=["python.api", "definition.alter"])
def test_alter_changes_secondary_attributes_only(adapter, schema):
    tables = pipeline(adapter, schema)
    subject = tables["Subject"]
    subject.definition = "subject_id : int32\n---\nname : varchar(16)\nage = null : int32\nweight = null : float64"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        subject.alter(prompt=False)
    assert "weight" in subject().heading.names
    subject.definition = "subject_id : int64\n---\nname : varchar(16)"
    with pytest.raises(NotImplementedError):
        subject.alter(prompt=False)


def api_connection(adapter, schema):
    """The connection object of a schema of the Python API."""
    return schema.connection


@pytest.mark.rules("PIPE-2")
def test_a_foreign_key_to_an_undeclared_table_is_refused(adapter, schema):
    from djspecs.conformance.errors import SpecError

    later = [{"name": "Scan", "tier": "manual", "definition": "scan_id : int32\n---\n-> Calibration"},
             {"name": "Calibration", "tier": "manual", "definition": "calibration_id : int32\n---\n-> Scan"}]  # fmt: skip
    with pytest.raises(SpecError) as raised:
        adapter.declare(schema, later)
    assert raised.value.is_a("DataJointError")


@pytest.mark.rules("LIN-4", requires=["lineage"])
def test_without_a_lineage_table_matching_is_unchecked_with_a_warning(adapter, schema, conformance):
    definitions = [{"name": "A", "tier": "manual", "definition": "a_id : int32\n---\nlabel : varchar(8)"},
                   {"name": "B", "tier": "manual", "definition": "b_id : int32\n---\nlabel : varchar(8)"}]  # fmt: skip
    tables = adapter.declare(schema, definitions)
    adapter.insert(tables["A"], [{"a_id": 1, "label": "x"}])
    adapter.insert(tables["B"], [{"b_id": 1, "label": "x"}])
    adapter.drop_lineage_table(schema)  # as in a schema made before ~lineage existed
    fresh = type(conformance.adapter.adapter)()  # a connection that reads the headings anew
    fresh.connect(conformance.backend, conformance.url)
    try:
        again = fresh.declare(fresh.create_schema(schema.database), definitions)
        tree = {"join": [{"table": "A"}, {"table": "B"}]}  # `label` has no lineage: refused were ~lineage there
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logging.getLogger().addHandler(handler)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fresh.fetch(fresh.expression(again, tree))
        finally:
            logging.getLogger().removeHandler(handler)
    finally:
        fresh.close()
    assert [dict(r) for r in result.rows] == [{"a_id": 1, "b_id": 1, "label": "x"}]
    assert caught or [r for r in records if r.levelno >= logging.WARNING], "no warning was given"
