"""Resolve a parsed definition against its parents into a TableSpec: the heading, keys and indexes to create.

This is the step between the parser (text → TableDef) and the DDL compiler (TableSpec → statements):
it looks up the tables a definition references and applies the DEF rules that need them.
"""

from __future__ import annotations

import decimal
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from .codecs import storage_type
from .errors import DataJointError, DefinitionError
from .heading import Attribute, Heading
from .parser import AttributeDef, ForeignKeyDef, TableDef
from .types import DeclaredType, classify
from .values import normalize

SINGLETON = "_singleton"  # DEF-4: the hidden key of a table with an empty primary key
SINGLETON_TYPE = classify("bool")
# JOB-7: hidden columns of auto-populated tables declared with jobs.add_job_metadata: when, how long, which code.
JOB_METADATA_COLUMNS = (
    Attribute("_job_start_time", classify("datetime(3)"), False, nullable=True, default="null", hidden=True),
    Attribute("_job_duration", classify("float32"), False, nullable=True, default="null", hidden=True),
    Attribute("_job_version", classify("varchar(64)"), False, default='""', hidden=True),
)


@dataclass(frozen=True)
class Parent:
    """What a definition needs to know about a table it references."""

    schema: str
    name: str  # SQL table name
    heading: Heading


@dataclass(frozen=True)
class ForeignKeySpec:
    parent_schema: str
    parent_table: str
    attributes: tuple[tuple[str, str], ...]  # (child attribute, parent attribute), in the parent's key order
    nullable: bool = False
    unique: bool = False


@dataclass(frozen=True)
class TableSpec:
    schema: str
    name: str
    heading: Heading
    foreign_keys: tuple[ForeignKeySpec, ...]
    indexes: tuple[tuple[tuple[str, ...], bool], ...]  # (attributes, unique)
    comment: str


def resolve(
    definition: TableDef,
    *,
    schema: str,
    name: str,
    auto_populated: bool,
    lookup: Callable[[str], Parent],
    allow_new_key_attributes: bool = False,
    job_metadata: bool = False,
) -> TableSpec:
    """Build the TableSpec of `schema`.`name`; `lookup` finds referenced tables by the name written after `->`."""
    where = f"`{schema}`.`{name}`"
    attributes: dict[str, Attribute] = {}
    foreign_keys = []
    for line in definition.lines:
        if isinstance(line, ForeignKeyDef):
            foreign_keys.append(_inherit(line, lookup, attributes, where))
        else:
            if line.name in attributes:
                raise DefinitionError(
                    f"{where}, line {line.line}: attribute `{line.name}` is declared twice", rule="DEF-1"
                )
            attributes[line.name] = _attribute(line, schema, name, where)
            if auto_populated and line.in_key and not allow_new_key_attributes:
                raise DefinitionError(
                    f"{where}, line {line.line}: the primary key of an auto-populated table may only come from foreign "
                    f"keys, but `{line.name}` is declared in it (set jobs.allow_new_pk_fields_in_computed_tables to allow)",
                    rule="DEF-18",
                )
    ordered = [a for a in attributes.values() if a.in_key] + [a for a in attributes.values() if not a.in_key]
    if not any(a.in_key for a in ordered):
        ordered.insert(0, Attribute(SINGLETON, SINGLETON_TYPE, in_key=True, default="true", hidden=True))
    if auto_populated and job_metadata:
        ordered += JOB_METADATA_COLUMNS
    heading = Heading(tuple(ordered))
    indexes = tuple(
        (_index_attributes(index.attributes, heading, where, index.line), index.unique) for index in definition.indexes
    )
    return TableSpec(schema, name, heading, tuple(foreign_keys), indexes, definition.comment)


def _attribute(line: AttributeDef, schema: str, table: str, where: str) -> Attribute:
    declared = classify(line.type, attribute=line.name, table=where)
    if declared.kind == "codec":
        _check_codec(line, declared, where)
    if declared.kind == "native":
        warnings.warn(
            f"{where}: attribute `{line.name}` uses the native type {line.type!r}; prefer a core type (TYPE-5)",
            stacklevel=4,
        )
    if line.in_key and line.nullable:
        raise DefinitionError(f"{where}, line {line.line}: Primary key attributes cannot be nullable", rule="DEF-5")
    if line.in_key and (declared.is_blob_like or declared.name == "json"):
        raise DefinitionError(
            f"{where}, line {line.line}: Blob or JSON attributes are not allowed in the primary key", rule="DEF-8"
        )
    if declared.is_blob_like and line.default is not None and not line.nullable:
        raise DefinitionError(
            f"{where}, line {line.line}: the default value for blob attributes can only be NULL", rule="DEF-7"
        )
    attribute = Attribute(line.name, declared, line.in_key, line.nullable, line.default, line.comment)
    if declared.kind == "core" and line.default is not None and not line.nullable:
        _check_default(attribute, where, line.line)
    lineage = (
        f"{schema}.{table}.{line.name}" if line.in_key else None
    )  # LIN-1: native key attributes are their own origin
    return Attribute(line.name, declared, line.in_key, line.nullable, line.default, line.comment, lineage)


def _check_codec(line: AttributeDef, declared: DeclaredType, where: str) -> None:
    """CODEC-4, CODEC-8: the codec chain resolves now, so a bad codec type fails at declaration."""
    try:
        storage = storage_type(declared)
    except DataJointError as error:
        raise DefinitionError(f"{where}, line {line.line}: attribute `{line.name}` {line.type}: {error}") from None
    if line.in_key and storage.name in ("bytes", "json"):
        raise DefinitionError(
            f"{where}, line {line.line}: codec attributes stored as {storage.name} are not allowed in the primary key",
            rule="DEF-8",
        )


_LITERALS = {
    **dict.fromkeys(("int8", "int16", "int32", "int64"), int),
    "float32": float,
    "float64": float,
    "decimal": decimal.Decimal,
    "bool": lambda text: {"true": True, "false": False, "1": True, "0": False}[text.lower()],
}


def _check_default(attribute: Attribute, where: str, line: int) -> None:
    """DEF-6: a default must be a value of the attribute's type (checked here, so every backend agrees)."""
    text = attribute.default
    if re.match(r"^(CURRENT_TIMESTAMP|NULL)\b", text, re.I):
        if text.upper().startswith("CURRENT_TIMESTAMP") and attribute.type.name != "datetime":
            raise DefinitionError(
                f"{where}, line {line}: CURRENT_TIMESTAMP is a default for datetime only", rule="DEF-6"
            )
        return
    unquoted = text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text
    try:
        value = _LITERALS.get(attribute.type.name, str)(unquoted)
        normalize(value, attribute, where)
    except (KeyError, ValueError, ArithmeticError) as error:
        raise DefinitionError(
            f"{where}, line {line}: bad default {text} for {attribute.type.text}: {error}", rule="DEF-6"
        ) from None


def _inherit(
    line: ForeignKeyDef, lookup: Callable[[str], Parent], attributes: dict[str, Attribute], where: str
) -> ForeignKeySpec:
    """DEF-9 .. DEF-13: add the parent's whole primary key (renamed where asked) to the child."""
    try:
        parent = lookup(line.reference.name)
    except KeyError:
        raise DefinitionError(
            f"{where}, line {line.line}: Foreign key reference {line.reference.name} could not be resolved",
            rule="DEF-9",
        ) from None
    renames = dict((old, new) for new, old in line.reference.renames)
    key = parent.heading.primary_key
    if unknown := set(renames) - set(key):
        raise DefinitionError(
            f"{where}, line {line.line}: {', '.join(sorted(unknown))} not in the primary key of {parent.name} ({', '.join(key)})",
            rule="DEF-10",
        )
    pairs = []
    for parent_name in key:
        source = parent.heading[parent_name]
        child_name = renames.get(parent_name, parent_name)
        pairs.append((child_name, parent_name))
        if child_name not in attributes:
            lineage = source.lineage or f"{parent.schema}.{parent.name}.{parent_name}"
            attributes[child_name] = Attribute(
                child_name, source.type, line.in_key, nullable=line.nullable, comment=source.comment, lineage=lineage
            )
    return ForeignKeySpec(parent.schema, parent.name, tuple(pairs), line.nullable, line.unique)


def _index_attributes(names: tuple[str, ...], heading: Heading, where: str, line: int) -> tuple[str, ...]:
    for name in names:
        if name not in heading:
            raise DefinitionError(f"{where}, line {line}: index attribute `{name}` is not in the table", rule="DEF-17")
    return names
