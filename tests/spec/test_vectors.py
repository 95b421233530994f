"""The test vectors: they load, validate, name existing rules, and bad files are reported precisely."""

import shutil

import pytest
import yaml

from djspecs.spec import SpecFileError, load_rules, load_vectors, spec_dir

# Areas whose vectors need no database: the issue that created the vectors asked for these first.
DATABASE_FREE_AREAS = {"naming", "definition", "types", "query", "lineage"}


@pytest.fixture(scope="module")
def vectors():
    return load_vectors()


def test_at_least_150_vectors(vectors):
    assert len(vectors) >= 150


def test_every_database_free_area_has_vectors(vectors):
    assert {vector.area for vector in vectors} >= DATABASE_FREE_AREAS


def test_ids_are_unique(vectors):
    ids = [vector.id for vector in vectors]
    assert len(ids) == len(set(ids))


def test_every_vector_names_existing_rules(vectors):
    rules = load_rules()
    assert [v.id for v in vectors if not set(v.rules) <= {r.id for r in rules}] == []


def test_each_vector_does_one_thing(vectors):
    operations = {"table_name", "declare", "type", "query", "insert", "export"}
    assert {vector.operation for vector in vectors} <= operations


def test_declared_and_queried_tables_exist(vectors):
    """Every table a vector declares, queries or inserts into is among its given tables."""

    def tables_in(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "table" and isinstance(value, str):
                    yield value
                else:
                    yield from tables_in(value)
        elif isinstance(node, list):
            for item in node:
                yield from tables_in(item)

    missing = []
    for vector in vectors:
        names = {table["name"] for table in vector.tables}
        used = set(tables_in(vector.do))
        if vector.operation == "declare":
            used.add(vector.do["declare"])
        missing += [(vector.id, name) for name in used - names]
    assert missing == []


def test_the_format_is_documented():
    readme = (spec_dir() / "vectors" / "README.md").read_text()
    for term in ("given", "do", "expect", "table_name", "declare", "query", "error", "knobs"):
        assert term in readme


@pytest.fixture
def spec_copy(tmp_path):
    target = tmp_path / "spec"
    shutil.copytree(spec_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _first_vector_file(spec):
    return sorted((spec / "vectors").glob("query/*.yaml"))[0]


def test_unknown_rule_is_named(spec_copy):
    path = _first_vector_file(spec_copy)
    data = yaml.safe_load(path.read_text())
    data["vectors"][0]["rules"] = ["Q-999"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(SpecFileError, match=rf"{data['vectors'][0]['id']}: field 'rules': unknown rule 'Q-999'"):
        load_vectors(spec_copy)


def test_schema_violation_names_vector_and_field(spec_copy):
    path = _first_vector_file(spec_copy)
    data = yaml.safe_load(path.read_text())
    del data["vectors"][0]["expect"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(SpecFileError, match=rf"{data['vectors'][0]['id']}: field 'expect'"):
        load_vectors(spec_copy)


def test_unknown_error_class_is_named(spec_copy):
    path = _first_vector_file(spec_copy)
    data = yaml.safe_load(path.read_text())
    data["vectors"][0]["expect"] = {"error": "OopsError"}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(SpecFileError, match=r"field 'expect.error': unknown error class 'OopsError'"):
        load_vectors(spec_copy)
