"""The spec's query and lineage vectors, run against the reference on every backend.

The same runner (`conformance.vectors.run_vector`) judges the oracle; here the evaluator declares the
vector's tables in a fresh schema, inserts its rows, builds the expression with the reference's API and
fetches the result.
"""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

import djspecs.reference as dj
from djspecs.conformance.errors import SpecError
from djspecs.conformance.values import decode_row, decode_value
from djspecs.conformance.vectors import run_vector
from djspecs.spec import load_vectors
from tests.reference.test_vectors import declare_tables, error_class

# Vectors that need an undeclared capability, or another choice of a knob, are not applicable.
VECTORS = [
    v
    for v in load_vectors()
    if v.operation == "query"
    and set(v.requires) <= dj.CAPABILITIES
    and all(dj.KNOBS.get(knob) == value for knob, value in v.knobs.items())
]


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
            "records": lambda: pd.DataFrame([decode_row(r) for r in value]),
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


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.id)
def test_query_vector(vector, schema):
    assert run_vector(vector, evaluator(schema)) == []


def test_values_decode():
    assert decode_value({"type": "decimal", "value": "1.50"}) == pytest.approx(1.5)
