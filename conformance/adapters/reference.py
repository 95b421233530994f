"""The reference implementation as the conformance suite drives it: every kind of vector, run and judged.

`run(vector, schema)` returns the differences between what the reference does and what the vector
expects (an empty list when it conforms). Query vectors go through the same runner that judges the oracle
(`conformance.vectors.run_vector`); declaration, naming and type vectors are judged here.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import djspecs.reference as dj
from djspecs.reference import naming
from djspecs.reference.backends import BACKENDS
from djspecs.reference.codecs import storage_type
from djspecs.reference.settings import Config
from djspecs.reference.types import classify
from djspecs.spec import Vector, load_vocabulary

from ..errors import SpecError
from ..values import decode_row
from ..vectors import compare, run_vector

TIERS = {"manual": dj.Manual, "lookup": dj.Lookup, "imported": dj.Imported, "computed": dj.Computed, "part": dj.Part}
NEEDS_DATABASE = ("declare", "insert", "query")


def applicable(vector: Vector) -> bool:
    """Whether the reference declares every capability the vector needs and makes the knob choices it assumes."""
    return set(vector.requires) <= dj.CAPABILITIES and all(dj.KNOBS.get(k) == v for k, v in vector.knobs.items())


def run(vector: Vector, schema: dj.Schema | None = None) -> list[str]:
    """Differences from the vector's expectation; `schema` is an empty schema for vectors that need a database."""
    if vector.operation == "table_name":
        return run_table_name(vector)
    if vector.operation == "type":
        return run_type(vector)
    if vector.operation == "declare":
        return run_declare(vector, schema)
    if vector.operation == "insert":
        return run_insert(vector, schema)
    return run_vector(vector, evaluator(schema))


def error_class(error: Exception) -> str:
    """The most specific class of the spec's error vocabulary that `error` is an instance of."""
    vocabulary = load_vocabulary().errors
    return next((c.__name__ for c in type(error).__mro__ if c.__name__ in vocabulary), type(error).__name__)


def outcome_error(expect: dict, call) -> list[str]:
    """Run `call` expecting an error class; the differences, if any."""
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            value = call()
    except Exception as error:  # the vector says which class is right
        vocabulary = load_vocabulary()
        classes = [c.__name__ for c in type(error).__mro__ if c.__name__ in vocabulary.errors]
        if any(expect["error"] in vocabulary.error_ancestors(name) for name in classes):
            return []  # e.g. UnknownAttributeError is also the KeyError of DML-3
        return [f"raised {error_class(error)}: {error}; expected {expect['error']}"]
    return [f"returned {value!r}; expected {expect['error']}"]


def run_table_name(vector) -> list[str]:
    spec, expect = vector.do["table_name"], vector.expect

    def derive() -> str:
        master = naming.table_name(spec["master"], spec["master_tier"]) if spec.get("master") else None
        name = naming.table_name(spec["class"], spec["tier"], master=master)
        if "backend" in spec:
            backend = BACKENDS[spec["backend"]]
            naming.check_length(name, backend.MAX_TABLE_NAME, backend=backend.name)
        return name

    if "error" in expect:
        return outcome_error(expect, derive)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        name = derive()
    differences = [] if name == expect["sql_name"] else [f"SQL name {name!r}, expected {expect['sql_name']!r}"]
    if expect.get("warning") and not caught:
        differences.append("no warning was emitted")
    return differences


# Spellings the servers treat as the same type.
SYNONYMS = {"postgresql": {"int": "integer", "decimal": "numeric"}}


def _normal_type(text: str, backend: str) -> str:
    text = re.sub(r"\s+", "", text.lower())
    name, _, rest = text.partition("(")
    return SYNONYMS.get(backend, {}).get(name, name) + (f"({rest}" if rest else "")


def run_type(vector) -> list[str]:
    spec, expect = vector.do["type"], vector.expect
    backend = BACKENDS[spec["backend"]](Config())

    def native() -> str:
        declared = storage_type(classify(spec["declared"]))  # CODEC-4: a codec resolves to its core type
        return backend.column_type(declared).sql(dialect=backend.check_dialect)

    if "error" in expect:
        return outcome_error(expect, native)
    found, wanted = _normal_type(native(), spec["backend"]), _normal_type(expect["native_type"], spec["backend"])
    return [] if found == wanted else [f"native type {found}, expected {expect['native_type']}"]


def declare_tables(schema, tables) -> dict[str, type]:
    """Declare the vector's tables in order; parts are attached to their masters before decoration."""
    classes: dict[str, type] = {}
    for spec in tables:
        if spec["tier"] == "part":
            continue
        cls = type(spec["name"], (TIERS[spec["tier"]],), {"definition": spec["definition"]})
        for part in (t for t in tables if t.get("master") == spec["name"]):
            setattr(cls, part["name"], type(part["name"], (dj.Part,), {"definition": part["definition"]}))
        schema(cls, context=classes)
        classes[spec["name"]] = cls
        classes.update({p["name"]: getattr(cls, p["name"]) for p in tables if p.get("master") == spec["name"]})
    return classes


def _default(text):
    """A default as a comparable value: quotes, casts and case removed."""
    if text is None:
        return None
    text = re.sub(r"::[\w\s\"().]+$", "", str(text).strip())
    text = re.sub(r"^current_timestamp(\(\d*\))?$", "current_timestamp", text, flags=re.I)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text.lower()


def compare_declared(expect, table, classes) -> list[str]:
    heading, differences = table.heading, []
    names = {cls._table_name: name for name, cls in classes.items()}
    if "primary_key" in expect and heading.primary_key != expect["primary_key"]:
        differences.append(f"primary key {heading.primary_key}, expected {expect['primary_key']}")
    if "attributes" in expect and heading.names != expect["attributes"]:
        differences.append(f"attributes {heading.names}, expected {expect['attributes']}")
    if "heading" in expect:
        if heading.names != [a["name"] for a in expect["heading"]]:
            differences.append(f"heading {heading.names}, expected {[a['name'] for a in expect['heading']]}")
        for wanted in (a for a in expect["heading"] if a["name"] in heading):
            actual = heading[wanted["name"]]
            found = {"type": actual.type.text, "in_key": actual.in_key, "nullable": actual.nullable,
                     "default": _default(actual.default), "comment": actual.comment}  # fmt: skip
            for key, value in wanted.items():
                value = _default(value) if key == "default" else value
                same = (
                    _normal_type(found[key], "") == _normal_type(value, "")
                    if key == "type"
                    else found.get(key, value) == value
                )
                if key != "name" and not same:
                    differences.append(f"{wanted['name']}.{key} is {found[key]!r}, expected {value!r}")
    if "foreign_keys" in expect:
        actual = [
            {"parent": names.get(fk.parent_table, fk.parent_table), "attributes": dict(fk.attributes)}
            for fk in table.foreign_keys
        ]
        wanted = [{"parent": fk["parent"], "attributes": fk["attributes"]} for fk in expect["foreign_keys"]]
        if sorted(map(str, actual)) != sorted(map(str, wanted)):
            differences.append(f"foreign keys {actual}, expected {wanted}")
        for fk in expect["foreign_keys"]:
            columns = tuple(fk["attributes"])
            if "nullable" in fk and all(heading[c].nullable for c in columns) != fk["nullable"]:
                differences.append(f"foreign key to {fk['parent']}: nullable is not {fk['nullable']}")
            if "unique" in fk and ((columns, True) in table.indexes) != fk["unique"]:
                differences.append(f"foreign key to {fk['parent']}: unique is not {fk['unique']}")
    if "indexes" in expect:  # declared with index(...): those not made for a foreign key
        fk_columns = {tuple(c for c, _ in fk.attributes) for fk in table.foreign_keys}
        actual = sorted((list(a), u) for a, u in table.indexes if a not in fk_columns)
        wanted = sorted((i["attributes"], i.get("unique", False)) for i in expect["indexes"])
        if actual != wanted:
            differences.append(f"indexes {actual}, expected {wanted}")
    if "comment" in expect and table.comment != expect["comment"]:
        differences.append(f"comment {table.comment!r}, expected {expect['comment']!r}")
    return differences


def run_declare(vector, schema) -> list[str]:
    expect = vector.expect
    if "error" in expect:
        return outcome_error(expect, lambda: declare_tables(schema, vector.tables))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        classes = declare_tables(schema, vector.tables)
    differences = compare_declared(expect, classes[vector.do["declare"]](), classes)
    if expect.get("warning") and not caught:
        differences.append("no warning was emitted")
    return differences


def run_insert(vector, schema) -> list[str]:
    """Insert with the vector's options (given rows go in with direct inserts allowed), then compare the table."""
    classes = declare_tables(schema, vector.tables)
    for name, rows in vector.rows.items():
        classes[name].insert([decode_row(r) for r in rows], allow_direct_insert=True)
    spec = vector.do["insert"]
    table = classes[spec["table"]]
    rows = [decode_row(r) for r in spec["rows"]]
    insert = lambda: table.insert(rows, **spec.get("options", {}))  # noqa: E731
    if "error" in vector.expect:
        return outcome_error(vector.expect, insert)
    insert()
    content = Result(table.heading.names, table.primary_key, [], table.to_dicts())
    return compare({k: v for k, v in vector.expect.items() if k in ("rows", "row_count")}, content)


@dataclass
class Result:
    names: list[str]
    primary_key: list[str]
    heading: list[Any]
    rows: list[dict]


class Builder:
    """The neutral tree of spec/vectors/README.md as reference expressions."""

    def __init__(self, classes):
        self.classes = classes

    def expression(self, node: dict):
        if "table" in node:
            return self.classes[node["table"]]()
        if "universal" in node:
            return dj.U(*node["universal"])
        if "restrict" in node or "antirestrict" in node:
            operand = self.expression(node.get("restrict", node.get("antirestrict")))
            condition = self.condition(node["where"])
            if "antirestrict" in node:
                condition = dj.Not(condition)
            if isinstance(operand, dj.U):
                return operand & condition
            return operand.restrict(condition, semantic_check=node.get("semantic_check", True))
        if "proj" in node:
            positional = [
                *node.get("attributes", []),
                *(["..."] if node.get("all") else []),
                *(f"-{a}" for a in node.get("exclude", [])),
            ]
            return self.expression(node["proj"]).proj(*positional, **node.get("rename", {}), **node.get("compute", {}))
        if "join" in node:
            left, right = (self.expression(n) for n in node["join"])
            if "left" in node or "semantic_check" in node:
                return left.join(right, left=node.get("left", False), semantic_check=node.get("semantic_check", True))
            return left * right
        if "extend" in node:
            left, right = (self.expression(n) for n in node["extend"])
            return left.extend(right)
        if "aggr" in node:
            group, source = self.expression(node["aggr"]), self.expression(node["source"])
            attributes = [*node.get("attributes", []), *(["..."] if node.get("all") else [])]
            options = {"exclude_nonmatching": node["exclude_nonmatching"]} if "exclude_nonmatching" in node else {}
            return group.aggr(source, *attributes, **options, **node.get("compute", {}))
        if "union" in node:
            left, right = (self.expression(n) for n in node["union"])
            return left + right
        if "top" in node:
            return self.expression(node["top"]) & dj.Top(
                node.get("limit", 1), node.get("order_by", "KEY"), node.get("offset", 0)
            )
        raise ValueError(f"unknown node {node}")

    def condition(self, node: dict):
        ((kind, value),) = node.items()
        return {
            "sql": lambda: value,
            "dict": lambda: decode_row(value),
            "query": lambda: self.expression(value),
            "or": lambda: [self.condition(c) for c in value],
            "and": lambda: dj.AndList([self.condition(c) for c in value]),
            "not": lambda: dj.Not(self.condition(value)),
            "bool": lambda: value,
            "records": lambda: _frame([decode_row(r) for r in value]),
            "top": lambda: dj.Top(value.get("limit", 1), value.get("order_by", "KEY"), value.get("offset", 0)),
            "universal": lambda: dj.U(*value),
            "none": lambda: None,
        }[kind]()


def evaluator(schema):
    def evaluate(tables, rows, tree):
        try:
            classes = declare_tables(schema, tables)
            for name, table_rows in rows.items():
                classes[name].insert([decode_row(r) for r in table_rows], allow_direct_insert=True)
            expression = Builder(classes).expression(tree)
            heading = [
                SimpleNamespace(name=a.name, type=a.type.text, in_key=a.in_key, nullable=a.nullable)
                for a in expression.heading
            ]
            return Result(expression.heading.names, expression.primary_key, heading, expression.to_dicts())
        except (dj.DataJointError, KeyError, TypeError) as error:
            raise SpecError(error_class(error), str(error)) from None

    return evaluate


def _frame(records: list[dict]) -> Any:
    import pandas as pd

    return pd.DataFrame(records)
