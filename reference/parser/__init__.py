"""Definition text → a frozen TableDef. No database, no eval, no SQL."""

from .ast import AttributeDef, ForeignKeyDef, IndexDef, Reference, TableDef
from .definition import parse_definition

__all__ = ["AttributeDef", "ForeignKeyDef", "IndexDef", "Reference", "TableDef", "parse_definition"]
