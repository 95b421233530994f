"""Attributes of a relation and the rules that combine two headings: dependency, semantic matching, join order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .errors import OracleError


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str | None
    in_key: bool
    nullable: bool = False
    lineage: str | None = None


Heading = Sequence[Attribute]


def names(heading: Heading) -> tuple[str, ...]:
    return tuple(attribute.name for attribute in heading)


def primary_key(heading: Heading) -> tuple[str, ...]:
    return tuple(attribute.name for attribute in heading if attribute.in_key)


def secondary(heading: Heading) -> tuple[Attribute, ...]:
    return tuple(attribute for attribute in heading if not attribute.in_key)


def determines(a: Heading, b: Heading) -> bool:
    """Q-31: A → B when every primary-key attribute of B is an attribute of A."""
    return set(primary_key(b)) <= set(names(a))


def assert_homologous(a: Heading, b: Heading) -> None:
    """LIN-2: every attribute name the operands share must have the same lineage on both sides."""
    b_lineage = {attribute.name: attribute.lineage for attribute in b}
    for attribute in a:
        if attribute.name not in b_lineage:
            continue
        left, right = attribute.lineage, b_lineage[attribute.name]
        if left is None or right is None:
            raise OracleError(
                "DataJointError", f"Cannot join on attribute `{attribute.name}`: lineage missing on one side"
            )
        if left != right:
            raise OracleError(
                "DataJointError",
                f"Cannot join on attribute `{attribute.name}`: different lineages ({left} vs {right}). "
                "Use .proj() to rename one of the attributes.",
            )


def unique(attributes: Iterable[Attribute]) -> tuple[Attribute, ...]:
    """The attributes in order, a repeated name keeping its first position."""
    seen: dict[str, Attribute] = {}
    for attribute in attributes:
        seen.setdefault(attribute.name, attribute)
    return tuple(seen.values())


def join_heading(a: Heading, b: Heading, *, left: bool = False) -> tuple[Attribute, ...]:
    """Q-32: the heading of A * B; with `left`, B's new attributes may be NULL (Q-34)."""
    if left:
        b = [replace(attribute, nullable=True) for attribute in b]
    if determines(a, b):
        return unique([*a, *b])
    if determines(b, a):
        return unique([*b, *a])
    a_key, b_key = set(primary_key(a)), set(primary_key(b))
    return unique(
        [
            *(attribute for attribute in a if attribute.in_key),
            *(replace(attribute, in_key=True) for attribute in b if attribute.in_key),
            *(attribute for attribute in secondary(a) if attribute.name not in b_key),
            *(attribute for attribute in secondary(b) if attribute.name not in a_key),
        ]
    )
