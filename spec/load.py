"""Read the rule and vector files, validate them, and build the typed model.

Validation happens in two passes: the JSON Schemas beside the files check the shape of each record, then
the checks here look across records (unique IDs, known capabilities, prefixes, register entries). Every
problem is reported as a `SpecFileError` naming the file, the rule or vector ID and the field.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .model import Area, Conformance, Decision, Example, Finding, Rule, Source, Vector, Vocabulary

# RFC 2119 keywords count only in upper case (RFC 8174); a statement uses exactly its own level's keyword.
_KEYWORDS = re.compile(
    r"\b(?:MUST\s+NOT|SHALL\s+NOT|SHOULD\s+NOT|MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL)\b"
)


class SpecFileError(ValueError):
    """A rule or vector file that does not satisfy the format."""

    def __init__(self, file: Path | str, record: str | None, field: str | None, problem: str):
        self.file, self.record, self.field, self.problem = str(file), record, field, problem
        where = [self.file]
        if record:
            where.append(record)
        if field:
            where.append(f"field '{field}'")
        super().__init__(f"{': '.join(where)}: {problem}")


def spec_dir() -> Path:
    """The folder holding the spec files, whether in a checkout or an installed wheel."""
    return Path(str(resources.files("djspecs.spec")))


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.safe_load(stream)
    except yaml.YAMLError as error:
        raise SpecFileError(path, None, None, f"not valid YAML: {error}") from error


@cache
def _validator(schema_name: str, directory: Path) -> Draft202012Validator:
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in directory.glob("*.schema.json")}
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    return Draft202012Validator(schemas[schema_name], registry=registry)


def _schema_errors(data: Any, schema_name: str, path: Path, records_key: str, directory: Path) -> None:
    """Raise the first schema violation (in document order), naming the record and the field."""
    validator = _validator(schema_name, directory)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    error = errors[0]
    location = list(error.absolute_path)
    record = None
    if len(location) >= 2 and location[0] == records_key and isinstance(location[1], int):
        item = data[records_key][location[1]]
        record = item.get("id") if isinstance(item, dict) else None
        record = record or f"{records_key}[{location[1]}]"
        location = location[2:]
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        location = [*location, missing[0]] if missing else location
    field = ".".join(str(part) for part in location) or None
    raise SpecFileError(path, record, field, error.message)


@cache
def load_vocabulary(directory: Path | None = None) -> Vocabulary:
    directory = directory or spec_dir()
    data = _read_yaml(directory / "capabilities.yaml")
    return Vocabulary(
        capabilities=data["capabilities"], knobs=data["knobs"], errors=data["errors"], profiles=data["profiles"]
    )


@cache
def load_register(directory: Path | None = None) -> dict[str, dict[str, str]]:
    """The discrepancy register: where the sources of the spec disagree."""
    return _read_yaml((directory or spec_dir()) / "discrepancies.yaml")["register"]


def _check_names(path: Path, record: str, field: str, names, allowed, kind: str) -> None:
    for name in names:
        if name not in allowed:
            near = difflib.get_close_matches(name, list(allowed), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise SpecFileError(path, record, field, f"unknown {kind} '{name}'{hint}")


def _build_rule(raw: dict, area: str, path: Path, prefixes: list[str], vocabulary: Vocabulary, register) -> Rule:
    rule_id = raw["id"]
    if rule_id.split("-")[0] not in prefixes:
        raise SpecFileError(path, rule_id, "id", f"prefix not among this file's prefixes {prefixes}")
    _check_names(path, rule_id, "requires", raw["requires"], vocabulary.capabilities, "capability")
    _check_names(path, rule_id, "knobs", raw.get("knobs", []), vocabulary.knobs, "knob")
    keywords = {" ".join(found.split()) for found in _KEYWORDS.findall(raw["statement"])}
    if keywords != {raw["level"]}:
        problem = f"uses the keywords {sorted(keywords)}" if keywords else "does not use its level keyword"
        raise SpecFileError(path, rule_id, "statement", f"{problem}; it must use {raw['level']} and no other")
    for i, example in enumerate(raw["examples"]):
        if "error" in example:
            _check_names(path, rule_id, f"examples.{i}.error", [example["error"]], vocabulary.errors, "error class")
    decision = raw.get("decision")
    if decision:
        _check_names(path, rule_id, "decision.register", decision.get("register", []), register, "register entry")
    return Rule(
        id=rule_id,
        area=area,
        title=raw["title"],
        level=raw["level"],
        status=raw["status"],
        statement=raw["statement"].strip(),
        rationale=raw["rationale"].strip(),
        examples=tuple(Example(**example) for example in raw["examples"]),
        requires=tuple(raw["requires"]),
        sources=tuple(Source(**source) for source in raw["sources"]),
        knobs=tuple(raw.get("knobs", ())),
        decision=Decision(
            adopted=decision["adopted"].strip(),
            because=decision["because"].strip(),
            register=tuple(decision.get("register", ())),
            alternatives=tuple(decision.get("alternatives", ())),
        )
        if decision
        else None,
        since=raw.get("since", "2.0"),
        withdrawn=raw.get("withdrawn"),
        conformance=_conformance(raw.get("conformance", {})),
    )


def _conformance(raw: dict) -> Conformance:
    findings = tuple(Finding(**{**f, "backends": tuple(f.get("backends", ()))}) for f in raw.get("findings", ()))
    return Conformance(raw.get("testable", True), raw.get("because", "").strip(), findings)


def load_area(path: Path, directory: Path | None = None) -> Area:
    """Load and validate one rule file of the spec in `directory` (default: the installed spec)."""
    directory = directory or spec_dir()
    vocabulary = load_vocabulary(directory)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise SpecFileError(path, None, None, "a rule file is a mapping with area, title, prefixes and rules")
    _schema_errors(data, "rule-file.schema.json", path, "rules", directory)
    if data["area"] != path.stem:
        raise SpecFileError(path, None, "area", f"'{data['area']}' differs from the file name '{path.stem}'")
    register = load_register(directory)
    rules = tuple(_build_rule(raw, data["area"], path, data["prefixes"], vocabulary, register) for raw in data["rules"])
    return Area(data["area"], data["title"], data.get("description", "").strip(), tuple(data["prefixes"]), rules)


@dataclass(frozen=True)
class RuleSet:
    """All rules of the spec, by area, with look-up and filtering."""

    areas: tuple[Area, ...]

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for area in self.areas for rule in area.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def get(self, rule_id: str) -> Rule:
        """The rule with this ID (case-insensitive); KeyError with the nearest IDs otherwise."""
        by_id = self._by_id
        rule = by_id.get(rule_id.upper())
        if rule is None:
            raise KeyError(rule_id, self.nearest(rule_id))
        return rule

    def nearest(self, rule_id: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(rule_id.upper(), list(self._by_id), n=n, cutoff=0.5)

    def filter(self, *, area: str | None = None, level: str | None = None, capability: str | None = None) -> list[Rule]:
        return [
            rule
            for rule in self.rules
            if (area is None or rule.area == area or rule.prefix == area.upper())
            and (level is None or rule.level == level.upper())
            and (capability is None or capability in rule.requires)
        ]


# The order in which the areas are read: structure first, then the algebra, then data and computation.
AREA_ORDER = (
    "naming",
    "definition",
    "types",
    "codecs",
    "storage",
    "blob",
    "query",
    "lineage",
    "fetch",
    "dml",
    "populate",
    "jobs",
    "backends",
    "config",
    "api",
    "publish",
)


def _reading_order(path: Path) -> tuple[int, str]:
    return (AREA_ORDER.index(path.stem) if path.stem in AREA_ORDER else len(AREA_ORDER), path.stem)


@cache
def load_rules(directory: Path | None = None) -> RuleSet:
    """Every rule file under `<spec>/rules`, validated, as one RuleSet."""
    directory = directory or spec_dir()
    paths = sorted((directory / "rules").glob("*.yaml"), key=_reading_order)
    areas = tuple(load_area(path, directory) for path in paths)
    seen: dict[str, str] = {}
    for area in areas:
        for rule in area.rules:
            path = directory / "rules" / f"{area.name}.yaml"
            if rule.id in seen:
                raise SpecFileError(path, rule.id, "id", f"duplicate ID, also defined in {seen[rule.id]}")
            seen[rule.id] = str(path)
    return RuleSet(areas)


def _build_vector(raw: dict, data: dict, path: Path, rules: RuleSet, vocabulary: Vocabulary) -> Vector:
    vector_id = raw["id"]
    if vector_id.split("/")[1] != data["area"]:
        raise SpecFileError(path, vector_id, "id", f"the ID's area differs from the file's area '{data['area']}'")
    _check_names(path, vector_id, "rules", raw["rules"], set(rule.id for rule in rules), "rule")
    _check_names(path, vector_id, "requires", raw.get("requires", []), vocabulary.capabilities, "capability")
    _check_names(path, vector_id, "knobs", raw.get("knobs", {}), vocabulary.knobs, "knob")
    if "error" in raw["expect"]:
        _check_names(path, vector_id, "expect.error", [raw["expect"]["error"]], vocabulary.errors, "error class")
    given = raw.get("given", {})
    tables = given.get("tables", data.get("tables", []))
    names = [table["name"] for table in tables]
    for table in given.get("rows", {}):
        if table not in names:
            raise SpecFileError(path, vector_id, "given.rows", f"rows for undeclared table '{table}'")
    return Vector(
        id=vector_id,
        area=data["area"],
        rules=tuple(raw["rules"]),
        description=raw["description"],
        do=raw["do"],
        expect=raw["expect"],
        tables=tuple(tables),
        rows=given.get("rows", {}),
        requires=tuple(raw.get("requires", ())),
        knobs=raw.get("knobs", {}),
        file=str(path),
    )


@cache
def load_vectors(directory: Path | None = None) -> tuple[Vector, ...]:
    """Every vector file under `<spec>/vectors/<area>/`, validated against the schema and the rules."""
    directory = directory or spec_dir()
    rules, vocabulary = load_rules(directory), load_vocabulary(directory)
    vectors: list[Vector] = []
    seen: dict[str, str] = {}
    for path in sorted((directory / "vectors").glob("*/*.yaml")):
        data = _read_yaml(path)
        if not isinstance(data, dict):
            raise SpecFileError(path, None, None, "a vector file is a mapping with area, description and vectors")
        _schema_errors(data, "vector-file.schema.json", path, "vectors", directory)
        if data["area"] != path.parent.name:
            raise SpecFileError(path, None, "area", f"'{data['area']}' differs from the folder '{path.parent.name}'")
        for raw in data["vectors"]:
            if raw["id"] in seen:
                raise SpecFileError(path, raw["id"], "id", f"duplicate ID, also defined in {seen[raw['id']]}")
            seen[raw["id"]] = str(path)
            vectors.append(_build_vector(raw, data, path, rules, vocabulary))
    return tuple(vectors)
