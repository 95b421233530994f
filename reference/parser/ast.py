"""The parsed form of a table definition, before names are resolved against a schema."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AttributeDef:
    """`name = default : type  # comment` (DEF-3)."""

    name: str
    type: str
    in_key: bool
    default: str | None = None  # the text after `=`, trimmed; None when there is no default
    comment: str = ""
    line: int = field(default=0, compare=False)

    @property
    def nullable(self) -> bool:
        """DEF-5: an attribute is nullable exactly when its default is `null`."""
        return self.default is not None and self.default.lower() == "null"


@dataclass(frozen=True)
class Reference:
    """The target of `->`: a dotted name, optionally projected with renames (`Parent.proj(new='old')`)."""

    name: str
    renames: tuple[tuple[str, str], ...] = ()  # (new name in the child, parent's attribute)


@dataclass(frozen=True)
class ForeignKeyDef:
    """`-> [nullable, unique] Parent` (DEF-9)."""

    reference: Reference
    in_key: bool
    nullable: bool = False
    unique: bool = False
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class IndexDef:
    """`[unique] index(a, b)` (DEF-17)."""

    attributes: tuple[str, ...]
    unique: bool = False
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class TableDef:
    """A whole definition: the table comment and the lines in order."""

    comment: str
    lines: tuple[AttributeDef | ForeignKeyDef, ...]  # attributes and foreign keys, in the order written
    indexes: tuple[IndexDef, ...] = ()

    @property
    def attributes(self) -> tuple[AttributeDef, ...]:
        return tuple(line for line in self.lines if isinstance(line, AttributeDef))

    @property
    def foreign_keys(self) -> tuple[ForeignKeyDef, ...]:
        return tuple(line for line in self.lines if isinstance(line, ForeignKeyDef))
