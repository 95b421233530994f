"""The values the oracle computes with: relations (heading, primary key, lineage, rows) and the universal set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from djspecs.conformance.values import decode_row

from . import heading as _heading
from .definitions import read_headings
from .heading import Attribute
from .logic import Row


@dataclass(frozen=True)
class Relation:
    """A heading (primary-key attributes first) and rows as dicts over its names, in heading order.

    Rows come in the order of a Top (Q-70) when one made them; operators that filter or map keep that order.
    """

    heading: tuple[Attribute, ...]
    rows: tuple[Row, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return _heading.names(self.heading)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return _heading.primary_key(self.heading)

    @property
    def secondary_names(self) -> tuple[str, ...]:
        return _heading.names(_heading.secondary(self.heading))

    def attribute(self, name: str) -> Attribute:
        return next(attribute for attribute in self.heading if attribute.name == name)

    def with_rows(self, rows: Iterable[Row]) -> Relation:
        """The same heading with a subset of the rows, in their order."""
        return Relation(self.heading, tuple(rows))


@dataclass(frozen=True)
class Universal:
    """`dj.U(...)`: every possible value of its attributes; only an operand of restriction and aggregation."""

    attributes: tuple[str, ...]


def make_relation(heading: Sequence[Attribute], rows: Iterable[Mapping[str, Any]]) -> Relation:
    """A relation whose rows hold exactly the heading's attributes, in heading order."""
    names = _heading.names(heading)
    return Relation(tuple(heading), tuple({name: row[name] for name in names} for row in rows))


def read_relations(
    tables: Sequence[Mapping[str, Any]], rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, Relation]:
    """The base relations of a vector's `given`: tables read from their definitions, rows decoded."""
    return {
        name: make_relation(heading, (_complete(heading, decode_row(row), name) for row in rows.get(name, ())))
        for name, heading in read_headings(tables).items()
    }


def _complete(heading: Sequence[Attribute], row: Row, table: str) -> Row:
    """A given row with NULL for the nullable attributes it leaves out."""
    unknown = set(row) - set(_heading.names(heading))
    missing = [attribute.name for attribute in heading if attribute.name not in row and not attribute.nullable]
    if unknown or missing:
        raise ValueError(f"a row of {table} names {sorted(unknown)} and lacks {missing}: {row}")
    return {attribute.name: row.get(attribute.name) for attribute in heading}
