"""Declared attribute types: core types, native passthrough types and codecs (TYPE-1 .. TYPE-6).

A declared type is classified here, once, into a `DeclaredType`; the backends map core types to their
own column types, and nothing else in the implementation parses type text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import DefinitionError

# TYPE-2: the core types, each with the pattern of its declared form (whole text, case-insensitive).
CORE_TYPES = {
    "int8": r"int8",
    "int16": r"int16",
    "int32": r"int32",
    "int64": r"int64",
    "float32": r"float32",
    "float64": r"float64",
    "bool": r"bool",
    "decimal": r"decimal\(\s*(?P<precision>\d+)\s*,\s*(?P<scale>\d+)\s*\)",
    "char": r"char\(\s*(?P<length>\d+)\s*\)",
    "varchar": r"varchar\(\s*(?P<length>\d+)\s*\)",
    "enum": r"enum\s*\((?P<values>.+)\)",
    "date": r"date",
    "datetime": r"datetime(?:\(\s*(?P<precision>\d)\s*\))?",
    "json": r"jsonb?",
    "uuid": r"uuid",
    "bytes": r"bytes",
}
_CORE = {name: re.compile(rf"^{pattern}$", re.I) for name, pattern in CORE_TYPES.items()}

# TYPE-5: native types accepted with a warning. Whole names only: `int24` or `intbanana` are not types.
_NATIVE = re.compile(
    r"^(?:(?:(?:tiny|small|medium|big)?int|integer)(?:\(\d+\))?(?:\s+unsigned)?(?:\s+auto_increment)?"
    r"|serial|numeric(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?"
    r"|(?:float|double|real)(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:\s+unsigned)?"
    r"|(?:var)?char\(\s*\w+\s*\)"
    r"|time(?:\(\d\))?|timestamp(?:\(\d\))?|year"
    r"|(?:tiny|small|medium|long)?blob|(?:tiny|medium|long)?text)$",
    re.I,
)
_CODEC = re.compile(r"^<(?P<name>[a-z][a-z0-9_]*)(?P<at>@(?P<store>[a-z][a-z0-9_]*)?)?>$", re.I)
# TYPE-6: modifiers belong to the definition syntax, never to a type.
_MODIFIERS = re.compile(r"\b(not\s+null|default|primary\s+key|unique|comment|character\s+set|collate)\b", re.I)
_ENUM_VALUE = re.compile(r"\s*'((?:[^']|'')*)'\s*(?:,|$)")


@dataclass(frozen=True)
class DeclaredType:
    """A classified declared type. `kind` is `core`, `native` or `codec`."""

    text: str
    kind: str
    name: str  # core type name (`varchar`), codec name (`blob`), or the native text
    params: tuple = ()  # varchar/char: (length,); decimal: (precision, scale); datetime: (precision,); enum: values
    store: str | None = None  # codecs: the store after `@` ('' for the default store), None when in-table

    @property
    def is_blob_like(self) -> bool:
        """DEF-7: types whose SQL storage is a blob."""
        return self.name in ("bytes", "blob", "attach") or (self.kind == "native" and "blob" in self.name.lower())


def enum_values(text: str) -> tuple[str, ...]:
    values, position = [], 0
    while position < len(text):
        match = _ENUM_VALUE.match(text, position)
        if not match:
            raise ValueError(f"enum values must be single-quoted strings separated by commas: {text!r}")
        values.append(match.group(1).replace("''", "'"))
        position = match.end()
    return tuple(values)


def classify(text: str, *, attribute: str = "?", table: str = "?") -> DeclaredType:
    """Classify a declared type or raise DefinitionError naming the attribute (TYPE-2 .. TYPE-6)."""
    text = text.strip()
    where = f"attribute {attribute!r} of {table}"
    if codec := _CODEC.match(text):
        store = codec.group("store") or "" if codec.group("at") else None
        return DeclaredType(text, "codec", codec.group("name").lower(), store=store)
    for name, pattern in _CORE.items():
        if match := pattern.match(text):
            return DeclaredType(text, "core", name, _params(name, match, where))
    if _NATIVE.match(text):
        return DeclaredType(text, "native", text.lower())
    if _MODIFIERS.search(text) or re.search(r"\b(auto_increment|unsigned)\b", text, re.I):
        raise DefinitionError(
            f"Unsupported attribute type {text!r} for {where}: modifiers such as NOT NULL, DEFAULT or "
            "AUTO_INCREMENT are not part of a type; write defaults as `name = default : type`",
            rule="TYPE-6",
        )
    hint = (
        " (unsigned integers are not core types; use int16/int32/int64 or decimal(20,0))"
        if text.lower().startswith("uint")
        else ""
    )
    raise DefinitionError(f"Unsupported attribute type {text!r} for {where}{hint}", rule="TYPE-2")


def _params(name: str, match: re.Match, where: str) -> tuple:
    if name == "enum":
        try:
            values = enum_values(match.group("values"))
        except ValueError as error:
            raise DefinitionError(f"{error} in {where}", rule="TYPE-2") from None
        if len(set(values)) != len(values) or not values:
            raise DefinitionError(f"enum values must be distinct and at least one in {where}", rule="TYPE-2")
        return values
    groups = {key: value for key, value in match.groupdict().items() if value is not None}
    if name == "datetime" and int(groups.get("precision", 0)) > 6:
        raise DefinitionError(f"datetime precision must be 0 to 6 in {where}", rule="TYPE-2")
    if name == "decimal" and not 0 <= int(groups["scale"]) <= int(groups["precision"]) <= 65:
        raise DefinitionError(f"decimal(p,s) needs 0 <= s <= p <= 65 in {where}", rule="TYPE-2")
    return tuple(int(value) for value in groups.values())
