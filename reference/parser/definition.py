"""Parse DataJoint definition text into a TableDef (DEF-1 .. DEF-17).

Each line is, in this order of tests: blank, a `#` comment, a divider (`---`), a foreign key (`->`), an
index (`index(...)`), or an attribute (`name = default : type  # comment`). Errors name the table, the
line number and the line itself.
"""

from __future__ import annotations

import re

from ..errors import DefinitionError
from ..naming import attribute_name_problem
from .ast import AttributeDef, ForeignKeyDef, IndexDef, Reference, TableDef

_INDEX = re.compile(r"^(?P<unique>unique\s+)?index\s*\((?P<args>.*)\)\s*(#.*)?$", re.I)
_FK = re.compile(r"^->\s*(?:\[(?P<options>[^\]]*)\])?\s*(?P<ref>.+?)\s*(#.*)?$")
_NAME = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*")
_REFERENCE = re.compile(r"^(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*?)(?:\.proj\((?P<args>[^()]*)\))?$")
_RENAME = re.compile(r"^\s*(?P<new>[a-z]\w*)\s*=\s*(?P<q>['\"])(?P<old>[a-z]\w*)(?P=q)\s*$")
FK_OPTIONS = {"nullable", "unique"}


def _find_unquoted(text: str, targets: str) -> int:
    """Index of the first character of `targets` outside single or double quotes, or -1."""
    quote = None
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in targets:
            return i
    return -1


class _Parser:
    def __init__(self, definition: str, table: str):
        self.table = table
        self.lines = definition.strip().split("\n")
        self.line_number = 0

    def error(self, problem: str, *, rule: str = "DEF-22") -> DefinitionError:
        text = self.lines[self.line_number - 1].strip() if self.line_number else ""
        return DefinitionError(f"{self.table}, line {self.line_number} {text!r}: {problem}", rule=rule)

    def parse(self) -> TableDef:
        comment, lines, indexes = "", [], []
        in_key = True
        for number, raw in enumerate(self.lines, start=1):
            self.line_number, line = number, raw.strip()
            if self.line_number == 1 and line.startswith("#"):
                comment = self.comment(line[1:])
            elif not line or line.startswith("#"):
                continue
            elif line.startswith("---") or line.startswith("___"):
                in_key = False  # DEF-2: what follows the divider is secondary
            elif "->" in line and _find_unquoted(line[: line.index("->")], "#'\"") == -1:
                lines.append(self.foreign_key(line, in_key))
            elif _INDEX.match(line):
                indexes.append(self.index(line))
            else:
                lines.append(self.attribute(line, in_key))
        return TableDef(comment, tuple(lines), tuple(indexes))

    def comment(self, text: str) -> str:
        text = text.strip()
        if text.startswith(":"):
            raise self.error("comments must not start with ':' (it marks type metadata)", rule="SYS-5")
        return text

    def attribute(self, line: str, in_key: bool) -> AttributeDef:
        match = _NAME.match(line)
        if not match:
            raise self.error("expected an attribute line `name = default : type  # comment`", rule="DEF-1")
        name, rest = match.group("name"), line[match.end() :]
        if problem := attribute_name_problem(name):
            raise self.error(f"invalid attribute name {name!r}: {problem}", rule="NAME-7")
        default = None
        if rest.startswith("="):
            colon = _find_unquoted(rest, ":")
            if colon == -1:
                raise self.error("a default must be followed by ': type'", rule="DEF-3")
            default, rest = rest[1:colon].strip(), rest[colon:]
            if not default:
                raise self.error("empty default after '='", rule="DEF-3")
        if not rest.startswith(":"):
            raise self.error("expected ':' and a type after the attribute name", rule="DEF-3")
        rest = rest[1:]
        hash_at = _find_unquoted(rest, "#")
        type_text, comment = (rest, "") if hash_at == -1 else (rest[:hash_at], self.comment(rest[hash_at + 1 :]))
        type_text = type_text.strip()
        if not type_text:
            raise self.error("missing type after ':'", rule="DEF-3")
        return AttributeDef(name, type_text, in_key, default, comment, self.line_number)

    def foreign_key(self, line: str, in_key: bool) -> ForeignKeyDef:
        match = _FK.match(line)
        if not match:
            raise self.error("expected `-> [options] Parent`", rule="DEF-9")
        options = {o.strip().lower() for o in (match.group("options") or "").split(",") if o.strip()}
        if unknown := options - FK_OPTIONS:
            raise self.error(
                f"Invalid foreign key option {', '.join(sorted(unknown))}; allowed: nullable, unique", rule="DEF-9"
            )
        if "nullable" in options and in_key:
            raise self.error("Primary dependencies cannot be nullable: move the line below the divider", rule="DEF-12")
        return ForeignKeyDef(
            self.reference(match.group("ref")), in_key, "nullable" in options, "unique" in options, self.line_number
        )

    def reference(self, text: str) -> Reference:
        match = _REFERENCE.match(text.strip())
        if not match:
            raise self.error(
                f"Dependency {text.strip()!r} is not supported: a foreign key names a table or a projection of one "
                "with renames, such as Parent.proj(new='old')",
                rule="DEF-9",
            )
        renames = []
        for argument in filter(str.strip, (match.group("args") or "").split(",")):
            rename = _RENAME.match(argument)
            if not rename:
                raise self.error(
                    f"a projection in a foreign key takes renames new='old', not {argument.strip()!r}", rule="DEF-9"
                )
            renames.append((rename.group("new"), rename.group("old")))
        return Reference(match.group("name"), tuple(renames))

    def index(self, line: str) -> IndexDef:
        match = _INDEX.match(line)
        arguments = tuple(a.strip() for a in match.group("args").split(",") if a.strip())
        if not arguments:
            raise self.error("an index needs at least one attribute", rule="DEF-17")
        return IndexDef(arguments, bool(match.group("unique")), self.line_number)


def parse_definition(definition: str, *, table: str = "table") -> TableDef:
    """Parse definition text; `table` names the table in error messages."""
    return _Parser(definition, table).parse()
