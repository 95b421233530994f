"""The operators of the neutral query tree, one small function each, assembled in `OPERATORS` by operator key.

Every function receives its node and the evaluation context and returns the finished result of the node:
a `Relation`, or a `Universal` for `dj.U`, which only restriction and aggregation accept as an operand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import logic
from .conditions import compile_condition
from .errors import OracleError
from .heading import Attribute, assert_homologous, determines, join_heading
from .logic import Row
from .relation import Relation, Universal, make_relation
from .top import top_chain

Node = Mapping[str, Any]

# a right-hand side that is one bare name renames it, `(name)` duplicates it; NULL is an expression.
_RENAME = re.compile(r"^\s*(?P<name>[a-zA-Z_]\w*)\s*$")
_DUPLICATE = re.compile(r"^\s*\(\s*(?P<name>[a-zA-Z_]\w*)\s*\)\s*$")
_CONSTANTS = {"NULL", "CURRENT_TIMESTAMP"}


@dataclass(frozen=True)
class Context:
    """The base relations and the knob values an evaluation follows."""

    tables: Mapping[str, Relation]
    knobs: Mapping[str, str]

    def evaluate(self, node: Node) -> Relation | Universal:
        key = next(key for key in node if key in OPERATORS)
        return OPERATORS[key](node, self)


def eval_table(node: Node, context: Context) -> Relation:
    return context.tables[node["table"]]


def eval_restrict(node: Node, context: Context) -> Relation:
    where = node["where"]
    if "top" in where:
        return eval_top(node, context)
    operand = context.evaluate(node["restrict"])
    if isinstance(operand, Universal):
        return _restrict_universal(operand, where, context)
    predicate = compile_condition(where, operand, context, semantic_check=node.get("semantic_check", True))
    return operand.with_rows(row for row in operand.rows if predicate(row) is True)


def eval_antirestrict(node: Node, context: Context) -> Relation:
    """Q-10: A - c is A & Not(c)."""
    if "universal" in node["antirestrict"]:
        raise OracleError("DataJointError", "dj.U(...) - table produces an infinite set and is not supported")
    return eval_restrict({**node, "restrict": node["antirestrict"], "where": {"not": node["where"]}}, context)


def _restrict_universal(universal: Universal, where: Node, context: Context) -> Relation:
    """Q-60, Q-63: the distinct values of U's attributes in A, keyed by them; no lineage check (Q-62)."""
    if "query" not in where:
        raise OracleError("DataJointError", "Set U can only be restricted with a QueryExpression.")
    operand = _relation(context.evaluate(where["query"]), "restrict dj.U by")
    _require(universal.attributes, operand, "dj.U")
    heading = [replace(operand.attribute(name), in_key=True) for name in universal.attributes]
    distinct = {tuple(row[name] for name in universal.attributes): None for row in operand.rows}
    return make_relation(heading, (dict(zip(universal.attributes, values, strict=True)) for values in distinct))


def eval_top(node: Node, context: Context) -> Relation:
    operand_node, top = top_chain(node)
    operand = _relation(context.evaluate(operand_node), "apply a Top to")
    return top.apply(operand)


def eval_proj(node: Node, context: Context) -> Relation:
    """Q-20 to Q-22: keep, drop, rename, duplicate and compute attributes; the key is always kept."""
    relation = _relation(context.evaluate(node["proj"]), "project")
    renames, duplicates, computed = _named(node)
    selected = _selected(node, relation, renames)
    _require(sorted(selected | set(renames.values()) | set(duplicates.values())), relation, "the operand")
    for new_name in [*renames, *duplicates, *computed]:
        if new_name in selected:
            raise OracleError("DataJointError", f"Attribute `{new_name}` already exists")
    columns = []
    for attribute in relation.heading:
        if attribute.name in selected:
            columns.append((attribute, attribute.name))
        # A rename keeps position, key membership and lineage; a duplicate is a copy outside the key.
        columns += [(replace(attribute, name=new), old) for new, old in renames.items() if old == attribute.name]
        columns += [
            (replace(attribute, name=new, in_key=False), old)
            for new, old in duplicates.items()
            if old == attribute.name
        ]
    for name, text in computed.items():
        columns.append((_computed(name), logic.parse(text, relation.names, error_class="UnknownAttributeError")))
    columns.sort(key=lambda column: not column[0].in_key)  # key attributes first, otherwise in order
    rows = (
        {
            attribute.name: row[source] if isinstance(source, str) else logic.evaluate(source, row)
            for attribute, source in columns
        }
        for row in relation.rows
    )
    return make_relation([attribute for attribute, _ in columns], rows)


def _selected(node: Node, relation: Relation, renames: Mapping[str, str]) -> set[str]:
    """The attributes kept under their own names: the listed ones, the key and, with `...`, the secondaries.

    A key or `...` attribute that is renamed moves to its new name; a listed one is kept as well (Q-22).
    """
    key, listed, excluded = set(relation.primary_key), set(node.get("attributes", ())), set(node.get("exclude", ()))
    if excluded & key:
        raise OracleError("DataJointError", f"Cannot exclude primary key attribute {sorted(excluded & key)}")
    implied = key | (set(relation.secondary_names) if node.get("all") else set())
    return (listed | (implied - set(renames.values()))) - excluded


def _named(node: Node) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Split `new='text'` arguments into renames, duplicates and computations, as DataJoint reads them."""
    renames, duplicates, computed = {}, {}, {}
    for new_name, text in [*node.get("rename", {}).items(), *node.get("compute", {}).items()]:
        if new_name in renames or new_name in duplicates or new_name in computed:
            raise OracleError("DataJointError", f"Attribute `{new_name}` already exists")
        rename, duplicate = _RENAME.match(text), _DUPLICATE.match(text)
        if rename and rename["name"] not in _CONSTANTS:
            renames[new_name] = rename["name"]
        elif duplicate and duplicate["name"] not in _CONSTANTS:
            duplicates[new_name] = duplicate["name"]
        else:
            computed[new_name] = text
    return renames, duplicates, computed


def _computed(name: str) -> Attribute:
    """LIN-1: a computed attribute has no lineage."""
    return Attribute(name, type=None, in_key=False, nullable=True)


def eval_join(node: Node, context: Context) -> Relation:
    a, b = (_relation(context.evaluate(operand), "join") for operand in node["join"])
    return _join(a, b, left=node.get("left", False), semantic_check=node.get("semantic_check", True))


def eval_extend(node: Node, context: Context) -> Relation:
    """Q-34: A.extend(B) is A.join(B, left=True)."""
    a, b = (_relation(context.evaluate(operand), "extend") for operand in node["extend"])
    return _join(a, b, left=True, semantic_check=True)


def _join(a: Relation, b: Relation, *, left: bool, semantic_check: bool) -> Relation:
    """Q-30, Q-32, Q-34: pair the rows equal on every shared attribute; a left join keeps unmatched rows of A."""
    if semantic_check:
        assert_homologous(a.heading, b.heading)
    if left and not determines(a.heading, b.heading):
        missing = [name for name in b.primary_key if name not in a.names]
        raise OracleError(
            "DataJointError",
            f"Left join requires the left operand to determine the right operand (A → B). Missing: {missing}",
        )
    heading = join_heading(a.heading, b.heading, left=left)
    shared = [name for name in a.names if name in b.names]
    unmatched = dict.fromkeys(b.names)
    rows = []
    for row in a.rows:
        matches = [other for other in b.rows if _match(row, other, shared)]
        rows += [{**other, **row} for other in matches] or ([{**unmatched, **row}] if left else [])
    return make_relation(heading, rows)


def _match(row: Row, other: Row, shared: list[str]) -> bool:
    return logic.and_(logic.equal(row[name], other[name]) for name in shared) is True


def eval_aggr(node: Node, context: Context) -> Relation:
    """Q-40 to Q-42: one row per row of A (LEFT JOIN, then GROUP BY PK(A)) with the computed aggregates."""
    grouping, source = context.evaluate(node["aggr"]), _relation(context.evaluate(node["source"]), "aggregate")
    if isinstance(grouping, Universal):
        return _aggr_universal(grouping, source, node)
    assert_homologous(grouping.heading, source.heading)
    if not determines(source.heading, grouping.heading):
        missing = [name for name in grouping.primary_key if name not in source.names]
        raise OracleError(
            "DataJointError",
            "Aggregation requires the group expression to contain all primary key attributes of the grouping "
            f"expression. Missing attributes: {missing}.",
        )
    kept = set(grouping.primary_key) | set(node.get("attributes", ()))
    if node.get("all"):
        kept |= set(grouping.secondary_names)
    _require(sorted(kept), grouping, "the grouping operand")
    heading = [attribute for attribute in grouping.heading if attribute.name in kept]
    trees = _aggregates(node, [*grouping.names, *source.names], kept)
    shared = [name for name in grouping.names if name in source.names]
    unmatched = dict.fromkeys(source.names)
    rows = []
    for row in grouping.rows:
        group = [{**other, **row} for other in source.rows if _match(row, other, shared)]
        if group or not node.get("exclude_nonmatching", False):
            rows.append(_group_row(row, group or [{**unmatched, **row}], heading, trees))
    return make_relation([*heading, *map(_computed, trees)], rows)


def _aggr_universal(universal: Universal, source: Relation, node: Node) -> Relation:
    """Q-61: group by U's attributes over the groups present in the source; U() makes one group of all rows."""
    if node.get("exclude_nonmatching") is False:
        raise OracleError("DataJointError", "Cannot set exclude_nonmatching=False when aggregating on a universal set.")
    if "attributes" in node or "all" in node:
        raise OracleError("TypeError", "dj.U(...).aggr takes no positional attributes")
    _require(universal.attributes, source, "the group expression")
    heading = [replace(source.attribute(name), in_key=True) for name in universal.attributes]
    trees = _aggregates(node, source.names, set(universal.attributes))
    groups: dict[tuple, list[Row]] = {} if universal.attributes else {(): []}
    for row in source.rows:
        groups.setdefault(tuple(row[name] for name in universal.attributes), []).append(row)
    rows = [
        _group_row(dict(zip(universal.attributes, key, strict=True)), group, heading, trees)
        for key, group in groups.items()
    ]
    return make_relation([*heading, *map(_computed, trees)], rows)


def _aggregates(node: Node, names: list[str], kept: set[str]) -> dict[str, Any]:
    computed = node.get("compute", {})
    for name in computed:
        if name in kept:
            raise OracleError("DataJointError", f"Attribute `{name}` already exists")
    return {name: logic.parse(text, names, error_class="UnknownAttributeError") for name, text in computed.items()}


def _group_row(key: Row, group: list[Row], heading: list[Attribute], trees: Mapping[str, Any]) -> Row:
    first = group[0] if group else {}
    return {
        **{attribute.name: key[attribute.name] for attribute in heading},
        **{name: logic.evaluate(tree, first, group) for name, tree in trees.items()},
    }


def eval_union(node: Node, context: Context) -> Relation:
    """Q-50, Q-51: the same key, no shared secondaries; keys only → distinct union, else an outer combination."""
    a, b = (_relation(context.evaluate(operand), "union") for operand in node["union"])
    if set(a.primary_key) != set(b.primary_key):
        raise OracleError("DataJointError", "The operands of a union must share the same primary key.")
    if set(a.secondary_names) & set(b.secondary_names):
        raise OracleError("DataJointError", "The operands of a union must not share any secondary attributes.")
    if a.secondary_names or b.secondary_names:
        assert_homologous(a.heading, b.heading)  # through the left join of Q-51
    heading = [
        replace(attribute, nullable=attribute.nullable or not attribute.in_key)
        for attribute in join_heading(a.heading, b.heading)
    ]

    def key(row: Row) -> tuple:
        return tuple(row[name] for name in a.primary_key)

    b_rows = {key(row): row for row in b.rows}
    a_keys = {key(row) for row in a.rows}
    empty = dict.fromkeys([*a.names, *b.names])
    rows = [{**empty, **b_rows.get(key(row), {}), **row} for row in a.rows]
    rows += [{**empty, **row} for row in b.rows if key(row) not in a_keys]
    return make_relation(heading, rows)


def eval_universal(node: Node, context: Context) -> Universal:
    return Universal(tuple(node["universal"]))


def _relation(value: Relation | Universal, action: str) -> Relation:
    """Q-33, Q-62: dj.U is no operand except of restriction and aggregation."""
    if isinstance(value, Universal):
        raise OracleError("DataJointError", f"cannot {action} dj.U(...); it is not a query expression")
    return value


def _require(names, relation: Relation, operand: str) -> None:
    missing = [name for name in names if name not in relation.names]
    if missing:
        raise OracleError("DataJointError", f"Attribute `{missing[0]}` not found in {operand}.")


OPERATORS: dict[str, Callable[[Node, Context], Relation | Universal]] = {
    "table": eval_table,
    "restrict": eval_restrict,
    "antirestrict": eval_antirestrict,
    "proj": eval_proj,
    "join": eval_join,
    "extend": eval_extend,
    "aggr": eval_aggr,
    "union": eval_union,
    "universal": eval_universal,
    "top": eval_top,
}
