"""The spec's spellings of the Python API that the conformance suite found missing (API-1, API-2, NAME-6, PIPE-3)."""

from __future__ import annotations

import pytest

import djspecs.reference as dj
from djspecs.conformance.suite.test_api import CLASS_MEMBERS


def _declare(schema):
    @schema
    class Animal(dj.Manual):
        definition = """
        animal : int32
        ---
        name = "" : varchar(16)
        """

        class Organ(dj.Part):
            definition = """
            -> master
            organ : varchar(8)
            """

    @schema
    class Scan(dj.Manual):
        definition = """
        -> Animal
        scan : int32
        """

    Animal.insert([{"animal": 1, "name": "a"}, {"animal": 2, "name": "b"}])
    Scan.insert([{"animal": 1, "scan": 1}])
    return Animal, Scan


def test_proj_and_aggr_take_python_ellipsis(schema):
    Animal, Scan = _declare(schema)
    assert Animal.proj(...).to_dicts() == Animal.proj("...").to_dicts() == Animal.to_dicts()
    counted = Animal.aggr(Scan, ..., n="count(scan)").to_dicts(order_by="animal")
    assert [(r["animal"], r["name"], r["n"]) for r in counted] == [(1, "a", 1), (2, "b", 0)]


def test_transaction_is_a_context_manager_without_a_call(connection, schema):  # DML-40
    Animal, _ = _declare(schema)
    with pytest.raises(RuntimeError), connection.transaction:
        Animal.insert1({"animal": 3})
        raise RuntimeError("roll back")
    assert len(Animal) == 2 and not connection.in_transaction
    with connection.transaction:
        Animal.insert1({"animal": 3})
    assert len(Animal) == 3


def test_full_table_name_is_quoted_for_the_backend(connection, schema):  # NAME-6, BE-4
    Animal, _ = _declare(schema)
    expected = {
        "sqlite": f'"{schema.database}.animal"',
        "postgresql": f'"{schema.database}"."animal"',
        "mysql": f"`{schema.database}`.`animal`",
    }
    assert Animal.full_table_name == expected[connection.backend.name]


def test_list_schemas_names_the_schema_and_no_system_schema(connection, schema):  # PIPE-3
    names = dj.list_schemas(connection)
    assert schema.database in names
    assert not {"information_schema", "mysql", "pg_catalog", "performance_schema"} & set(names)


def test_table_classes_have_the_documented_members(schema):  # API-2
    Animal, Scan = _declare(schema)
    assert [m for m in CLASS_MEMBERS if not hasattr(Animal, m)] == []
    assert Animal.parents() == [] and Scan.parents() == [Animal.full_table_name]
    assert set(Animal.children()) == {Animal.Organ.full_table_name, Scan.full_table_name}
    assert Animal.descendants()[0] == Animal.full_table_name and len(Animal.descendants()) == 3
    assert Scan.ancestors() == [Scan.full_table_name, Animal.full_table_name]
    assert Animal.parts() == [Animal.Organ.full_table_name]


def test_to_polars_holds_the_rows(schema):  # API-2, FETCH-1
    polars = pytest.importorskip("polars")  # an optional extra (dataframes)
    Animal, _ = _declare(schema)
    frame = Animal.to_polars(order_by="animal")
    assert isinstance(frame, polars.DataFrame) and frame["name"].to_list() == ["a", "b"]


def test_drop_quick_drops_one_unreferenced_table(schema):  # DML-37
    _, Scan = _declare(schema)
    Scan.drop_quick()
    assert "scan" not in schema.list_tables()


def test_display_keys_have_defaults_and_take_values():  # CFG-1, CFG-2
    config = dj.Config({})
    assert (config["display.limit"], config["display.width"], config["display.show_tuple_count"]) == (12, 14, True)
    assert config["display.diagram_direction"] == "LR"
    config["display.limit"] = 7
    assert config["display.limit"] == 7
    with pytest.raises(dj.DataJointError, match="diagram_direction"):
        config["display.diagram_direction"] = "RL"


def test_the_namespace_exports_the_error_tree_and_helpers():  # API-1, API-3
    assert dj.ThreadSafetyError is dj.errors.ThreadSafetyError and issubclass(dj.ThreadSafetyError, dj.DataJointError)
    assert dj.Job.__name__ == "JobTable" and dj.logger.name == "djspecs.reference"
    assert callable(dj.list_schemas) and issubclass(dj.VirtualModule, type(dj))


def test_virtual_module_holds_the_classes_of_a_schema(connection, schema):  # API-4
    _declare(schema)
    module = dj.VirtualModule("lab", schema.database, connection=connection)
    assert module.__name__ == "lab" and len(module.Animal()) == 2 and len(module.Animal.Organ()) == 0


def test_to_arrays_holds_every_row_on_every_backend(schema):  # FETCH-1 (PyMySQL returns rows as a tuple)
    pytest.importorskip("numpy")
    Animal, _ = _declare(schema)
    assert len(Animal.proj().to_arrays()) == 2 and len(Animal.to_arrays()) == 2
