"""Definition text rebuilt from a declared table (DEF-23): foreign keys with options and renames, types from comments."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .heading import Attribute
from .naming import class_name, tier_of

if TYPE_CHECKING:
    from .table import Table

_CAST = re.compile(r"::[\w\s\"().]+$")


def default_text(attribute: Attribute) -> str | None:
    """The default as definition text: `null`, a keyword, a number or a double-quoted string."""
    if attribute.nullable:
        return "null"
    text = attribute.default
    if text is None:
        return None
    text = _CAST.sub("", text.strip())
    if re.match(r"^current_timestamp", text, re.I):
        precision = re.search(r"\((\d)\)", text)
        return f"CURRENT_TIMESTAMP({precision.group(1)})" if precision else "CURRENT_TIMESTAMP"
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return '"' + text[1:-1].replace("''", "'").replace('"', '\\"') + '"'
    return {"true": "true", "false": "false", "1": "1", "0": "0"}.get(text.lower(), text)


def _attribute_line(attribute: Attribute) -> str:
    default = default_text(attribute)
    line = f"{attribute.name}{f' = {default}' if default is not None else ''} : {attribute.type.text}"
    return f"{line}  # {attribute.comment}" if attribute.comment else line


def _parent_name(table: Table, schema: str, parent: str) -> str:
    """The class name to write after `->`, qualified with its master for a part."""
    kind, master = tier_of(parent)
    name = class_name(parent)
    if kind == "part":
        name = f"{class_name(master)}.{name}"
    return name if schema == table.schema_name else f"{schema}.{name}"


def describe(table: Table) -> str:
    heading, lines = table.heading, []
    if table.comment:
        lines.append(f"# {table.comment}")
    unique = {attributes for attributes, is_unique in table.indexes if is_unique}
    covered: set[str] = set()
    sections = {True: [], False: []}
    foreign_keys = table.foreign_keys
    for attribute in heading:
        fk = next((fk for fk in foreign_keys if attribute.name == fk.attributes[0][0]), None)
        if fk is not None:
            columns = tuple(child for child, _ in fk.attributes)
            options = [o for o, on in (("nullable", heading[columns[0]].nullable), ("unique", columns in unique)) if on]
            renames = ", ".join(f"{child}='{parent}'" for child, parent in fk.attributes if child != parent)
            target = _parent_name(table, fk.parent_schema, fk.parent_table) + (f".proj({renames})" if renames else "")
            sections[attribute.in_key].append(f"-> {'[' + ', '.join(options) + '] ' if options else ''}{target}")
            covered.update(columns)
        elif attribute.name not in covered:
            sections[attribute.in_key].append(_attribute_line(attribute))
    lines += sections[True]
    lines.append("---")
    lines += sections[False]
    fk_columns = {tuple(child for child, _ in fk.attributes) for fk in foreign_keys}
    for attributes, is_unique in table.indexes:
        if attributes not in fk_columns:
            lines.append(f"{'unique ' if is_unique else ''}index({', '.join(attributes)})")
    return "\n".join(lines) + "\n"
