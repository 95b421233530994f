"""Run any vector of spec/vectors through an adapter and list how the outcome differs from its `expect`.

Query vectors use the same comparison as the oracle (`vectors.compare`); naming, type, declaration and
insert vectors are judged here from what the adapter reports (`table_name`, `native_type`, `describe`,
`fetch`). Warnings expected by a vector are Python warnings the implementation emits.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

from djspecs.spec import Vector

from .errors import SpecError
from .values import decode_row
from .vectors import compare

NEEDS_DATABASE = ("declare", "insert", "query")
SYNONYMS = {"postgresql": {"int": "integer", "decimal": "numeric"}}  # spellings a server treats as one type


def applicable(vector: Vector, capabilities, knobs) -> bool:
    """Whether the implementation declares the vector's capabilities and makes the knob choices it assumes."""
    return set(vector.requires) <= set(capabilities) and all(knobs.get(k) == v for k, v in vector.knobs.items())


def run(vector: Vector, adapter, schema: Any = None) -> list[str]:
    """Differences from the vector's expectation; `schema` is an empty schema handle for database vectors."""
    return RUNNERS[vector.operation](vector, adapter, schema)


def expect_error(expect: dict, call: Callable[[], Any]) -> list[str]:
    """Run `call` expecting the error class of `expect`; the differences, if any."""
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            value = call()
    except SpecError as error:
        if error.is_a(expect["error"]):
            return []
        return [f"raised {error.error_class}: {error}; expected {expect['error']}"]
    return [f"returned {value!r}; expected {expect['error']}"]


def _with_warning(expect: dict, call: Callable[[], Any]) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = call()
    return value, (["no warning was emitted"] if expect.get("warning") and not caught else [])


def run_table_name(vector, adapter, schema) -> list[str]:
    spec, expect = vector.do["table_name"], vector.expect

    def derive() -> str:
        return adapter.table_name(
            spec["class"], spec["tier"], spec.get("master"), spec.get("master_tier"), spec.get("backend")
        )

    if "error" in expect:
        return expect_error(expect, derive)
    name, differences = _with_warning(expect, derive)
    return ([] if name == expect["sql_name"] else [f"SQL name {name!r}, expected {expect['sql_name']!r}"]) + differences


def normal_type(text: str, backend: str) -> str:
    text = re.sub(r"\s+", "", text.lower())
    name, _, rest = text.partition("(")
    return SYNONYMS.get(backend, {}).get(name, name) + (f"({rest}" if rest else "")


def run_type(vector, adapter, schema) -> list[str]:
    spec, expect = vector.do["type"], vector.expect
    native = lambda: adapter.native_type(spec["declared"], spec["backend"])  # noqa: E731
    if "error" in expect:
        return expect_error(expect, native)
    found, wanted = normal_type(native(), spec["backend"]), normal_type(expect["native_type"], spec["backend"])
    return [] if found == wanted else [f"native type {found}, expected {expect['native_type']}"]


def normal_default(text):
    """A default as a comparable value: quotes, casts and case removed."""
    if text is None:
        return None
    text, previous = str(text).strip(), None
    while text != previous:  # quotes around casts around quotes, as catalogs report them
        previous = text
        text = re.sub(r"::[\w\s().]+$", "", text)
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1]
    text = re.sub(r"^current_timestamp(\(\d*\))?$", "current_timestamp", text, flags=re.I)
    return text.lower()


def _compare_heading(wanted_heading, info) -> list[str]:
    actual = {a.name: a for a in info.heading}
    names = [a.name for a in info.heading]
    differences = []
    if names != [a["name"] for a in wanted_heading]:
        differences.append(f"heading {names}, expected {[a['name'] for a in wanted_heading]}")
    for wanted in (a for a in wanted_heading if a["name"] in actual):
        found = actual[wanted["name"]]
        for key, value in wanted.items():
            if key == "name":
                continue
            have = getattr(found, key)
            if key == "type":
                same = normal_type(str(have), "") == normal_type(value, "")
            elif key == "default":
                have, value = normal_default(have), normal_default(value)
                same = have == value
            else:
                same = have == value
            if not same:
                differences.append(f"{wanted['name']}.{key} is {have!r}, expected {value!r}")
    return differences


def _compare_foreign_keys(wanted_fks, info) -> list[str]:
    actual = [{"parent": fk.parent, "attributes": dict(fk.attributes)} for fk in info.foreign_keys]
    wanted = [{"parent": fk["parent"], "attributes": fk["attributes"]} for fk in wanted_fks]
    differences = (
        [] if sorted(map(str, actual)) == sorted(map(str, wanted)) else [f"foreign keys {actual}, expected {wanted}"]
    )
    nullable = {a.name: a.nullable for a in info.heading}
    for fk in wanted_fks:
        columns = tuple(fk["attributes"])
        if "nullable" in fk and all(nullable.get(c) for c in columns) != fk["nullable"]:
            differences.append(f"foreign key to {fk['parent']}: nullable is not {fk['nullable']}")
        if "unique" in fk and ((columns, True) in [(tuple(a), u) for a, u in info.indexes]) != fk["unique"]:
            differences.append(f"foreign key to {fk['parent']}: unique is not {fk['unique']}")
    return differences


def compare_declared(expect: dict, info) -> list[str]:
    differences = []
    if "primary_key" in expect and list(info.primary_key) != expect["primary_key"]:
        differences.append(f"primary key {list(info.primary_key)}, expected {expect['primary_key']}")
    if "attributes" in expect and [a.name for a in info.heading] != expect["attributes"]:
        differences.append(f"attributes {[a.name for a in info.heading]}, expected {expect['attributes']}")
    if "heading" in expect:
        differences += _compare_heading(expect["heading"], info)
    if "foreign_keys" in expect:
        differences += _compare_foreign_keys(expect["foreign_keys"], info)
    if "indexes" in expect:  # declared with index(...): those not made for a foreign key
        fk_columns = {tuple(fk.attributes) for fk in info.foreign_keys}
        actual = sorted((list(a), u) for a, u in info.indexes if tuple(a) not in fk_columns)
        wanted = sorted((i["attributes"], i.get("unique", False)) for i in expect["indexes"])
        if actual != wanted:
            differences.append(f"indexes {actual}, expected {wanted}")
    if "comment" in expect and info.comment != expect["comment"]:
        differences.append(f"comment {info.comment!r}, expected {expect['comment']!r}")
    return differences


def run_declare(vector, adapter, schema) -> list[str]:
    expect = vector.expect
    declare = lambda: adapter.declare(schema, vector.tables)  # noqa: E731
    if "error" in expect:
        return expect_error(expect, declare)
    tables, differences = _with_warning(expect, declare)
    return compare_declared(expect, adapter.describe(tables[vector.do["declare"]])) + differences


def given(vector, adapter, schema) -> dict[str, Any]:
    """Declare the vector's tables and insert its given rows (direct inserts allowed); table handles by name."""
    tables = adapter.declare(schema, vector.tables)
    for name, rows in vector.rows.items():
        adapter.insert(tables[name], [decode_row(r) for r in rows], allow_direct_insert=True)
    return tables


def run_insert(vector, adapter, schema) -> list[str]:
    """Insert with the vector's options, then compare the table's content."""
    tables = given(vector, adapter, schema)
    spec = vector.do["insert"]
    table = tables[spec["table"]]
    insert = lambda: adapter.insert(table, [decode_row(r) for r in spec["rows"]], **spec.get("options", {}))  # noqa: E731
    if "error" in vector.expect:
        return expect_error(vector.expect, insert)
    insert()
    content = adapter.fetch(adapter.expression(tables, {"table": spec["table"]}))
    return compare({k: v for k, v in vector.expect.items() if k in ("rows", "row_count")}, content)


def run_query(vector, adapter, schema) -> list[str]:
    try:
        tables = given(vector, adapter, schema)
        outcome = adapter.fetch(adapter.expression(tables, vector.do["query"]))
    except SpecError as error:
        outcome = error
    return compare(vector.expect, outcome)


RUNNERS = {
    "table_name": run_table_name,
    "type": run_type,
    "declare": run_declare,
    "insert": run_insert,
    "query": run_query,
}


def evaluator(adapter, schema):
    """An `evaluate(tables, rows, tree)` (as `vectors.run_vector` and the oracle take it) over an adapter."""

    def evaluate(tables, rows, tree):
        handles = adapter.declare(schema, tables)
        for name, table_rows in rows.items():
            adapter.insert(handles[name], [decode_row(r) for r in table_rows], allow_direct_insert=True)
        return adapter.fetch(adapter.expression(handles, tree))

    return evaluate
