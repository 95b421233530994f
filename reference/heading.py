"""Attributes and headings: names, declared types, primary key and lineage of a relation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from .errors import UnknownAttributeError
from .types import DeclaredType


@dataclass(frozen=True)
class Attribute:
    name: str
    type: DeclaredType
    in_key: bool
    nullable: bool = False
    default: str | None = None  # as written in the definition; None when there is none
    comment: str = ""
    lineage: str | None = None  # LIN-1: `schema.table.attribute` of the origin, None for native secondaries
    hidden: bool = False  # SYS-6: platform columns such as `_singleton`

    def renamed(self, name: str) -> Attribute:
        return replace(self, name=name)


@dataclass(frozen=True)
class Heading:
    """An ordered set of attributes; primary-key attributes first."""

    attributes: tuple[Attribute, ...]
    lineage_known: bool = True  # LIN-4: False when a schema behind it keeps no ~lineage table

    def __iter__(self) -> Iterator[Attribute]:
        return (a for a in self.attributes if not a.hidden)

    def __contains__(self, name: object) -> bool:
        return any(a.name == name for a in self)

    def __getitem__(self, name: str) -> Attribute:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        raise UnknownAttributeError(f"Attribute `{name}` is not found; the heading has {', '.join(self.names)}")

    @property
    def names(self) -> list[str]:
        """Visible attribute names, in order."""
        return [a.name for a in self]

    @property
    def primary_key(self) -> list[str]:
        return [a.name for a in self if a.in_key]

    @property
    def secondary(self) -> list[str]:
        return [a.name for a in self if not a.in_key]

    @property
    def all_names(self) -> list[str]:
        """Every column, hidden ones included."""
        return [a.name for a in self.attributes]
