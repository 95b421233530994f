"""`dj.Top`: ordering, limit and offset inside the algebra (Q-70), and how chained Tops merge (Q-71)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import NotModelledError, OracleError
from .relation import Relation

_ORDER = re.compile(r"^\s*(?P<name>\w+)(?:\s+(?P<direction>asc|desc))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Top:
    limit: int | None
    order_by: tuple[str, ...] | None
    offset: int

    @classmethod
    def from_arguments(cls, arguments: Mapping[str, Any]) -> Top:
        """The Top of a `top` node or condition; arguments of the wrong type raise TypeError (Q-70)."""
        limit, order_by = arguments.get("limit", 1), arguments.get("order_by", "KEY")
        offset = arguments.get("offset", 0)
        if limit is not None and not isinstance(limit, int):
            raise OracleError("TypeError", "Top limit must be an integer")
        if isinstance(order_by, str):
            order_by = [order_by]
        if order_by is not None and not all(isinstance(item, str) for item in order_by):
            raise OracleError("TypeError", "Top order_by attributes must all be strings")
        if not isinstance(offset, int):
            raise OracleError("TypeError", "The offset argument must be an integer")
        return cls(limit, None if order_by is None else tuple(order_by), offset)

    def merge(self, other: Top) -> Top:
        """Q-71: `other` applied to this Top's rows, as one Top: the first ordering, the sum of the offsets, and
        a limit that cannot reach past this Top's last row."""
        remaining = None if self.limit is None else max(0, self.limit - other.offset)
        limits = [limit for limit in (remaining, other.limit) if limit is not None]
        return Top(min(limits, default=None), self.order_by, self.offset + other.offset)

    def apply(self, relation: Relation) -> Relation:
        """The rows ranked offset to offset + limit under the ordering (KEY when there is none)."""
        rows = list(relation.rows)
        for name, descending in reversed(self._ordering(relation)):
            # NULLs sort first in ascending order (MySQL, SQLite); stable passes give ties their earlier order.
            rows.sort(key=lambda row, name=name: (row[name] is not None, row[name]), reverse=descending)
        end = None if self.limit is None else self.offset + self.limit
        return relation.with_rows(rows[self.offset : end])

    def _ordering(self, relation: Relation) -> list[tuple[str, bool]]:
        ordering = []
        for item in self.order_by or ("KEY",):
            match = _ORDER.match(item)
            if not match:
                raise NotModelledError(f"the oracle orders by attributes only, not by {item!r}")
            descending = (match["direction"] or "").lower() == "desc"
            if match["name"] == "KEY":
                ordering += [(name, descending) for name in relation.primary_key]
            elif match["name"] in relation.names:
                ordering.append((match["name"], descending))
            else:
                raise OracleError("UnknownAttributeError", f"Unknown attribute `{match['name']}` in order_by")
        return ordering


def top_form(node: Mapping[str, Any]) -> tuple[Mapping[str, Any], Top] | None:
    """The operand and the Top of a node that applies a Top: a `top` node or a restriction by a Top."""
    if "top" in node:
        return node["top"], Top.from_arguments(node)
    if "restrict" in node and "top" in node["where"]:
        return node["restrict"], Top.from_arguments(node["where"]["top"])
    return None


def top_chain(node: Mapping[str, Any]) -> tuple[Mapping[str, Any], Top]:
    """The operand and the effective Top of a Top node, merging a directly preceding Top (Q-71).

    A second Top merges when its ordering is None or equal to the first; otherwise it applies to the
    first Top's result, which stays in the operand.
    """
    operand, top = top_form(node)
    inner = top_form(operand) and top_chain(operand)
    if inner and (top.order_by is None or top.order_by == inner[1].order_by):
        return inner[0], inner[1].merge(top)
    return operand, top
