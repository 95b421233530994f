"""The neutral operator trees of spec/vectors/README.md as expressions of DataJoint's Python API.

The reference and DataJoint spell the algebra the same way, so one builder serves both adapters: `api` is
the module (`djspecs.reference` or `datajoint`), `classes` the declared table classes by name.
"""

from __future__ import annotations

from typing import Any

from ..values import decode_row


class Builder:
    """The neutral tree of spec/vectors/README.md as reference expressions."""

    def __init__(self, api, classes):
        self.api = api
        self.classes = classes

    def expression(self, node: dict):
        if "table" in node:
            return self.classes[node["table"]]()
        if "universal" in node:
            return self.api.U(*node["universal"])
        if "restrict" in node or "antirestrict" in node:
            operand = self.expression(node.get("restrict", node.get("antirestrict")))
            condition = self.condition(node["where"])
            if "antirestrict" in node:
                condition = self.api.Not(condition)
            if isinstance(operand, self.api.U):
                return operand & condition
            return operand.restrict(condition, semantic_check=node.get("semantic_check", True))
        if "proj" in node:
            positional = [
                *node.get("attributes", []),
                *([...] if node.get("all") else []),
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
            attributes = [*node.get("attributes", []), *([...] if node.get("all") else [])]
            options = {"exclude_nonmatching": node["exclude_nonmatching"]} if "exclude_nonmatching" in node else {}
            return group.aggr(source, *attributes, **options, **node.get("compute", {}))
        if "union" in node:
            left, right = (self.expression(n) for n in node["union"])
            return left + right
        if "top" in node:
            return self.expression(node["top"]) & self.api.Top(
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
            "and": lambda: self.api.AndList([self.condition(c) for c in value]),
            "not": lambda: self.api.Not(self.condition(value)),
            "bool": lambda: value,
            "records": lambda: _frame([decode_row(r) for r in value]),
            "top": lambda: self.api.Top(value.get("limit", 1), value.get("order_by", "KEY"), value.get("offset", 0)),
            "universal": lambda: self.api.U(*value),
            "none": lambda: None,
        }[kind]()


def _frame(records: list[dict]) -> Any:
    import pandas as pd

    return pd.DataFrame(records)
