"""Typed records for the rules and vectors of DataJoint Specs 2.0.

The YAML files under `spec/` are the source of truth; these frozen dataclasses are what the loader
returns, so that code reading the spec never indexes raw dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEVELS = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")


@dataclass(frozen=True)
class Source:
    ref: str
    note: str = ""


@dataclass(frozen=True)
class Decision:
    """What the spec adopts where its sources disagree, and why."""

    adopted: str
    because: str
    register: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    title: str
    definition: str = ""
    python: str = ""
    sql: dict[str, str] = field(default_factory=dict)
    result: Any = None
    error: str = ""
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """What certifying an implementation found about a rule, and whose fault it is."""

    implementation: str
    kind: str  # implementation-defect | spec-ambiguity | adapter-limitation
    note: str
    backends: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conformance:
    """The suite's view of a rule: testable by running an implementation (or why not), and findings."""

    testable: bool = True
    because: str = ""
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    area: str
    title: str
    level: str
    status: str
    statement: str
    rationale: str
    examples: tuple[Example, ...]
    requires: tuple[str, ...]
    sources: tuple[Source, ...]
    knobs: tuple[str, ...] = ()
    decision: Decision | None = None
    since: str = "2.0"
    withdrawn: dict[str, str] | None = None
    conformance: Conformance = Conformance()

    @property
    def prefix(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def number(self) -> int:
        return int(self.id.split("-", 1)[1])

    @property
    def is_mandatory(self) -> bool:
        return self.level in ("MUST", "MUST NOT")


@dataclass(frozen=True)
class Area:
    """One rule file: the rules of one area of the spec."""

    name: str
    title: str
    description: str
    prefixes: tuple[str, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Vector:
    """A language-neutral test case: given tables and rows, do one thing, expect a result or an error."""

    id: str
    area: str
    rules: tuple[str, ...]
    description: str
    do: dict[str, Any]
    expect: dict[str, Any]
    tables: tuple[dict[str, Any], ...] = ()
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requires: tuple[str, ...] = ()
    knobs: dict[str, str] = field(default_factory=dict)
    file: str = ""

    @property
    def operation(self) -> str:
        """The name of the single key of `do`: table_name, declare, type, query or insert."""
        return next(iter(self.do))


@dataclass(frozen=True)
class Vocabulary:
    """The names rules and vectors may use: capabilities, knobs, error classes, profiles."""

    capabilities: dict[str, str]
    knobs: dict[str, dict[str, Any]]
    errors: dict[str, dict[str, Any]]
    profiles: dict[str, dict[str, Any]]

    def error_ancestors(self, name: str) -> list[str]:
        """The error class and every class above it, nearest first."""
        chain = []
        while name:
            chain.append(name)
            name = self.errors[name].get("parent")
        return chain
