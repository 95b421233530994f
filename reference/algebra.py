"""The query algebra as immutable nodes (Q-1, Q-2): each node knows its heading; none holds SQL.

Building a node checks the operator's preconditions (semantic matching, key rules) and raises the rule's
error before any SQL exists. `compiler.py` turns a tree of nodes into a sqlglot SELECT.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import DataJointError
from .heading import Attribute, Heading
from .types import DeclaredType

COMPUTED = DeclaredType("computed", "computed", "computed")


@dataclass(frozen=True)
class Node:
    heading: Heading = field(repr=False)


@dataclass(frozen=True)
class TableNode(Node):
    schema: str = ""
    table: str = ""


@dataclass(frozen=True)
class Restrict(Node):
    child: Node = None
    condition: Any = None  # a condition object of conditions.py


def restricted_table(node: Node) -> tuple[TableNode, list[Any]] | None:
    """A base table under a chain of restrictions, with the chain's conditions innermost first; None when the
    chain ends in anything but a table."""
    conditions = []
    while isinstance(node, Restrict):
        conditions.append(node.condition)
        node = node.child
    return (node, conditions[::-1]) if isinstance(node, TableNode) else None


@dataclass(frozen=True)
class Project(Node):
    child: Node = None
    columns: tuple[tuple[str, Any], ...] = ()  # (output name, source name or parsed expression)


@dataclass(frozen=True)
class Join(Node):
    left: Node = None
    right: Node = None
    shared: tuple[str, ...] = ()
    outer: bool = False  # keep every row of the left operand


@dataclass(frozen=True)
class Aggregate(Node):
    group: Node = None  # None for U(...).aggr: group by the attributes of the heading's key
    source: Node = None
    kept: tuple[str, ...] = ()  # attributes of the group kept in the result
    computed: tuple[tuple[str, Any], ...] = ()
    keep_all: bool = True  # rows of the group without matches are kept


@dataclass(frozen=True)
class Union(Node):
    left: Node = None
    right: Node = None


@dataclass(frozen=True)
class Distinct(Node):
    """`U(attributes) & A` (Q-60): the distinct values of some attributes of A."""

    child: Node = None


@dataclass(frozen=True)
class Top(Node):
    child: Node = None
    limit: int | None = None
    order_by: tuple[str, ...] = ()
    offset: int = 0


# --- headings of the operators -----------------------------------------------------------------------


def determines(a: Heading, b: Heading) -> bool:
    """Q-31: A → B when every key attribute of B is an attribute of A."""
    return all(name in a for name in b.primary_key)


def check_homologous(a: Heading, b: Heading, names, *, what: str) -> None:
    """LIN-2: namesakes match only when both carry the same lineage (LIN-4: unchecked without ~lineage)."""
    if not (a.lineage_known and b.lineage_known):
        if names:
            warnings.warn(
                f"A schema keeps no ~lineage table; {what} on {list(names)} is not checked (LIN-4)", stacklevel=3
            )
        return
    for name in names:
        left, right = a[name].lineage, b[name].lineage
        if left is None or right is None:
            raise DataJointError(
                f"Cannot {what} on attribute `{name}`: lineage missing on one side ({left} vs {right}); "
                "rename one of them with .proj() or pass semantic_check=False",
                rule="LIN-2",
            )
        if left != right:
            raise DataJointError(
                f"Cannot {what} on attribute `{name}`: different lineages ({left} vs {right}). "
                "Use .proj() to rename one of the attributes.",
                rule="LIN-2",
            )


def shared_names(a: Heading, b: Heading) -> list[str]:
    return [name for name in a.names if name in b]


def join_heading(a: Heading, b: Heading, *, left_join: bool = False) -> Heading:
    """Q-32: the key and attribute order of A * B."""
    if left_join and not determines(a, b):
        raise DataJointError(
            "Left join requires the left operand to determine the right operand (A → B); "
            f"missing: {', '.join(n for n in b.primary_key if n not in a)}",
            rule="Q-34",
        )
    if determines(a, b):
        first, second, key = a, b, a.primary_key
    elif determines(b, a):
        first, second, key = b, a, b.primary_key
    else:
        first, second, key = a, b, a.primary_key + [n for n in b.primary_key if n not in a.primary_key]
    seen, attributes = set(), []
    for source in (first, second):
        for attribute in source:
            if attribute.name not in seen:
                seen.add(attribute.name)
                nullable = attribute.nullable or (left_join and source is b and attribute.name not in a)
                attributes.append(replace(attribute, in_key=attribute.name in key, nullable=nullable))
    ordered = [next(x for x in attributes if x.name == n) for n in key]
    return Heading(tuple(ordered + [x for x in attributes if x.name not in key]), a.lineage_known and b.lineage_known)


def project_heading(heading: Heading, columns) -> Heading:
    attributes = []
    for name, source in columns:
        if isinstance(source, str):
            attributes.append(heading[source].renamed(name))
        else:
            attributes.append(Attribute(name, COMPUTED, in_key=False, nullable=True))
    key = [a for a in attributes if a.in_key]
    return Heading(tuple(key + [a for a in attributes if not a.in_key]), heading.lineage_known)


def union_heading(a: Heading, b: Heading) -> Heading:
    """Q-50: the same key, no shared secondary attributes; the result carries both sets of secondaries."""
    if set(a.primary_key) != set(b.primary_key):
        raise DataJointError(
            f"The operands of a union must share the same primary key: {a.primary_key} vs {b.primary_key}", rule="Q-50"
        )
    if shared := [n for n in a.secondary if n in b]:
        raise DataJointError(f"The operands of a union must not share any secondary attributes: {shared}", rule="Q-50")
    check_homologous(a, b, a.primary_key, what="unite")
    secondary = [replace(x, nullable=True) for x in (*(a[n] for n in a.secondary), *(b[n] for n in b.secondary))]
    return Heading(tuple([a[n] for n in a.primary_key] + secondary), a.lineage_known and b.lineage_known)


def aggregate_heading(group: Heading, source: Heading, kept, computed) -> Heading:
    """Q-40, Q-41: the key of the group, kept attributes, then computed attributes."""
    if missing := [n for n in group.primary_key if n not in source]:
        raise DataJointError(
            "Aggregation requires the group expression to contain all primary key attributes of the grouping "
            f"expression. Missing attributes: {missing}",
            rule="Q-41",
        )
    names = group.primary_key + [n for n in kept if n not in group.primary_key]
    check_computed_names(names, computed)
    columns = [(n, n) for n in names] + list(computed)
    return project_heading(group, columns)


def check_computed_names(kept: list[str], computed) -> None:
    """Q-40, Q-61: an aggregate cannot take the name of an attribute the result already keeps."""
    if taken := [name for name, _ in computed if name in kept]:
        raise DataJointError(f"Attribute `{taken[0]}` already exists in the aggregation", rule="Q-40")


def distinct_heading(heading: Heading, attributes) -> Heading:
    """Q-60: the named attributes become the key of the distinct values."""
    if unknown := [n for n in attributes if n not in heading]:
        raise DataJointError(f"Attributes {unknown} of U are not in the restricting expression", rule="Q-60")
    return Heading(tuple(replace(heading[n], in_key=True, nullable=False) for n in attributes), heading.lineage_known)
