"""Read the definition text of vector tables into headings: names, types, key membership, nullability, lineage.

A deliberately small reader, independent of any implementation's parser: it knows attribute lines
(`name = default : type  # comment`), the `---` divider, foreign keys (`-> Parent`, `-> [nullable] Parent`,
`-> Parent.proj(new='old')`, `-> master` and `-> Master.Part`), and skips comments and index lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .errors import OracleError
from .heading import Attribute

_QUOTED = r"\"[^\"]*\"|'[^']*'"
_ATTRIBUTE = re.compile(
    rf"^(?P<name>[a-z][a-z0-9_]*)\s*(?:=\s*(?P<default>{_QUOTED}|[^:]*?)\s*)?:"
    rf"\s*(?P<type>(?:{_QUOTED}|[^#\"'])*?)\s*(?:#.*)?$"
)
_FOREIGN_KEY = re.compile(r"^->\s*(?:\[(?P<options>[^\]]*)\])?\s*(?P<reference>[^#]+?)\s*(?:#.*)?$")
_REFERENCE = re.compile(r"^(?P<parent>\w+(?:\.(?!proj\()\w+)?)(?:\.proj\((?P<renames>[^)]*)\))?$")
_RENAME = re.compile(r"""^\s*(?P<new>\w+)\s*=\s*(?P<quote>['"])(?P<old>\w+)(?P=quote)\s*$""")
_INDEX = re.compile(r"^(?:unique\s+)?index\s*\(", re.IGNORECASE)
_OPTIONS = {"nullable", "unique"}
_TIER_PREFIX = {"manual": "", "lookup": "#", "imported": "_", "computed": "__"}
# The schema every vector's tables live in; lineages are only ever compared with each other.
SCHEMA = "lab"


def sql_name(table: Mapping[str, Any], tables: Mapping[str, Mapping[str, Any]]) -> str:
    """The table's SQL name: snake case with the tier's prefix; a part is `<master>__<part>` (NAME rules)."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", table["name"]).lower()
    if table["tier"] == "part":
        return f"{sql_name(tables[table['master']], tables)}__{snake}"
    return _TIER_PREFIX[table["tier"]] + snake


def read_headings(tables: Sequence[Mapping[str, Any]]) -> dict[str, tuple[Attribute, ...]]:
    """The heading of every table, by class name, read in declaration order."""
    by_name = {table["name"]: table for table in tables}
    headings: dict[str, tuple[Attribute, ...]] = {}
    for table in tables:
        origin = f"{SCHEMA}.{sql_name(table, by_name)}"
        headings[table["name"]] = _read_table(table, origin, headings, by_name)
    return headings


def _read_table(table, origin: str, headings, by_name) -> tuple[Attribute, ...]:
    attributes: dict[str, Attribute] = {}
    in_key = True
    for line in (line.strip() for line in table["definition"].strip().splitlines()):
        if not line or line.startswith("#") or _INDEX.match(line):
            continue
        if line.startswith("---"):
            in_key = False
        elif line.startswith("->"):
            for attribute in _foreign_key(line, in_key, table, headings, by_name):
                attributes.setdefault(attribute.name, attribute)
        else:
            attribute = _attribute(line, in_key, origin, table["name"])
            if attribute.name in attributes:
                raise OracleError("DefinitionError", f"{table['name']}: attribute `{attribute.name}` declared twice")
            attributes[attribute.name] = attribute
    return tuple(attributes.values())


def _attribute(line: str, in_key: bool, origin: str, table: str) -> Attribute:
    match = _ATTRIBUTE.match(line)
    if not match:
        raise OracleError("DefinitionError", f"{table}: cannot read the line {line!r}")
    nullable = (match["default"] or "").lower() == "null"
    if nullable and in_key:
        raise OracleError("DefinitionError", f"{table}: primary key attributes cannot be nullable")
    # LIN-1: a native key attribute is its own origin; a native secondary has no lineage.
    lineage = f"{origin}.{match['name']}" if in_key else None
    return Attribute(match["name"], match["type"], in_key, nullable, lineage)


def _foreign_key(line: str, in_key: bool, table, headings, by_name) -> list[Attribute]:
    match = _FOREIGN_KEY.match(line)
    reference = _REFERENCE.match(match["reference"]) if match else None
    if not reference:
        raise OracleError("DefinitionError", f"{table['name']}: unsupported foreign key {line!r}")
    options = {option.strip().lower() for option in (match["options"] or "").split(",") if option.strip()}
    if options - _OPTIONS:
        raise OracleError("DefinitionError", f"{table['name']}: invalid foreign key option in {line!r}")
    nullable = "nullable" in options
    if nullable and in_key:
        raise OracleError("DefinitionError", f"{table['name']}: primary dependencies cannot be nullable")
    parent = headings[_resolve(reference["parent"], table, headings, by_name)]
    renames = _renames(reference["renames"], table)
    # DEF-10, DEF-11, LIN-1: the parent's whole key, renamed, keeping the parent's type and lineage.
    new_names = {old: new for new, old in renames.items()}
    return [
        replace(attribute, name=new_names.get(attribute.name, attribute.name), in_key=in_key, nullable=nullable)
        for attribute in parent
        if attribute.in_key
    ]


def _resolve(reference: str, table, headings, by_name) -> str:
    """The class name a reference denotes: a table, `master` inside a part, or `Master.Part`."""
    if reference == "master" and table["tier"] == "part":
        return table["master"]
    master, _, name = reference.rpartition(".")
    if name in headings and master in ("", by_name[name].get("master")):
        return name
    raise OracleError("DefinitionError", f"{table['name']}: foreign key reference {reference} could not be resolved")


def _renames(text: str | None, table) -> dict[str, str]:
    renames = {}
    for item in filter(str.strip, (text or "").split(",")):
        match = _RENAME.match(item)
        if not match:
            raise OracleError("DefinitionError", f"{table['name']}: unsupported projection {item!r}")
        renames[match["new"]] = match["old"]
    return renames
