"""Class names to SQL table names, tier prefixes, and the names the platform keeps for itself."""

from __future__ import annotations

import re
import warnings

from .errors import DataJointError

# NAME-3: the prefix of each tier's SQL table names.
TIER_PREFIXES = {"manual": "", "lookup": "#", "imported": "_", "computed": "__"}
PART_SEPARATOR = "__"
HIDDEN_PREFIX = "~"  # SYS-1: tables whose names start with ~ are hidden
LINEAGE_TABLE = "~lineage"  # SYS-2

_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")  # NAME-1, after underscores are removed
_WORD_START = re.compile(r"(\B[A-Z])|(\b[A-Z])")
_SNAKE = r"[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*"
# NAME-5: the tier of a SQL name, recovered from its prefix; a part is <master>__<part>.
_TIER_PATTERNS = {
    "lookup": re.compile(rf"^#({_SNAKE})$"),
    "computed": re.compile(rf"^__({_SNAKE})$"),
    "imported": re.compile(rf"^_({_SNAKE})$"),
    "manual": re.compile(rf"^({_SNAKE})$"),
}
_PART = re.compile(rf"^(#|_|__)?({_SNAKE})__({_SNAKE})$")
ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # NAME-7


def snake_case(class_name: str) -> str:
    """NAME-1, NAME-2: `SessionTrial` → `session_trial`; capitals split one by one (`ProcessedEMG` → `processed_e_m_g`)."""
    stripped = class_name.replace("_", "")
    if not _CLASS_NAME.match(stripped):
        raise DataJointError(
            f"Table class name {class_name!r} is not CamelCase: it must start with a capital letter and hold only "
            "letters and digits",
            rule="NAME-1",
        )
    if stripped != class_name:
        warnings.warn(f"Table class name {class_name!r} contains underscores; they are ignored (NAME-1)", stacklevel=3)
    return _WORD_START.sub(lambda m: "_" + m.group(0).lower() if m.group(1) else m.group(0).lower(), stripped)


def table_name(class_name: str, tier: str, *, master: str | None = None) -> str:
    """NAME-3: the SQL name of a table class; for a part, `master` is the master's SQL name."""
    if tier == "part":
        if master is None:
            raise DataJointError(f"Part table {class_name!r} needs a master", rule="NAME-3")
        return master + PART_SEPARATOR + snake_case(class_name)
    if tier not in TIER_PREFIXES:
        raise DataJointError(f"Unknown table tier {tier!r}; tiers are {', '.join(TIER_PREFIXES)}, part")
    return TIER_PREFIXES[tier] + snake_case(class_name)


def check_length(sql_name: str, limit: int, *, backend: str) -> None:
    """NAME-4: a table name longer than the backend's limit is refused at declaration."""
    if len(sql_name) > limit:
        raise DataJointError(
            f"Table name {sql_name!r} is {len(sql_name)} characters long and exceeds the max length {limit} of {backend}",
            rule="NAME-4",
        )


def tier_of(sql_name: str) -> tuple[str, str | None]:
    """NAME-5: (tier, master SQL name) recovered from a SQL name; ('hidden', None) or ('unknown', None) otherwise."""
    if sql_name.startswith(HIDDEN_PREFIX):
        return "hidden", None
    part = _PART.match(sql_name)
    if part:
        return "part", (part.group(1) or "") + part.group(2)
    for tier, pattern in _TIER_PATTERNS.items():
        if pattern.match(sql_name):
            return tier, None
    return "unknown", None


def class_name(sql_name: str) -> str:
    """CamelCase class name for a SQL table name (the last component of a part), for virtual schemas."""
    last = sql_name.lstrip("#_").split(PART_SEPARATOR)[-1]
    return "".join(word.capitalize() for word in last.split("_"))


def attribute_name_problem(name: str) -> str | None:
    """NAME-7: why `name` cannot be an attribute name, or None when it can."""
    if ATTRIBUTE_NAME.match(name):
        return None
    if name.startswith("_"):
        return "names starting with '_' are reserved for platform-managed columns"
    return "it must start with a lower-case letter and hold only lower-case letters, digits and underscores"
