"""Certify the reference implementation: run every applicable vector, then give each rule a verdict.

A rule's verdict aggregates the vectors that name it: any failure → `fail` (with the first failing vector
as its example), else any harness fault → `error`, else at least one pass → `pass`. A rule whose
capabilities the implementation does not declare is `not_applicable`; a rule no vector exercises yet is
`untested`. The property-based tests of the full suite will add to these verdicts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import djspecs.reference as dj
from djspecs.spec import RuleSet, Vector, load_rules, load_vectors

from .adapters.reference import NEEDS_DATABASE, applicable, run
from .certificate import RuleVerdict

Outcome = tuple[str, str, list[str]]  # (vector id, "pass" | "fail" | "error", details)


def run_vectors(
    connection: dj.Connection, *, progress: Callable[[Vector], None] | None = None
) -> list[tuple[Vector, Outcome]]:
    outcomes = []
    counter = itertools.count()
    for vector in load_vectors():
        if not applicable(vector):
            continue
        schema = (
            dj.Schema(f"djspecs_certify_{next(counter)}", connection=connection)
            if vector.operation in NEEDS_DATABASE
            else None
        )
        try:
            differences = run(vector, schema)
            outcome = (vector.id, "fail" if differences else "pass", differences)
        except Exception as error:  # a fault of the harness or the adapter, not a verdict on the implementation
            outcome = (vector.id, "error", [f"{type(error).__name__}: {error}"])
        finally:
            if schema is not None:
                schema.drop()
        outcomes.append((vector, outcome))
        if progress:
            progress(vector)
    return outcomes


def verdicts(rules: RuleSet, outcomes: list[tuple[Vector, Outcome]], capabilities) -> dict[str, RuleVerdict]:
    by_rule: dict[str, list[Outcome]] = {}
    for vector, outcome in outcomes:
        for rule_id in vector.rules:
            by_rule.setdefault(rule_id, []).append(outcome)
    result = {}
    for rule in rules:
        found = by_rule.get(rule.id, [])
        if not set(rule.requires) <= set(capabilities):
            result[rule.id] = RuleVerdict("not_applicable", len(found))
        elif failed := [o for o in found if o[1] == "fail"]:
            vector_id, _, details = failed[0]
            result[rule.id] = RuleVerdict("fail", len(found), f"{vector_id}: {'; '.join(details)}")
        elif faults := [o for o in found if o[1] == "error"]:
            vector_id, _, details = faults[0]
            result[rule.id] = RuleVerdict("error", len(found), f"{vector_id}: {'; '.join(details)}")
        else:
            result[rule.id] = RuleVerdict("pass" if found else "untested", len(found))
    return result


def certify_reference(settings: Mapping[str, Any], *, progress=None) -> tuple[dict[str, RuleVerdict], str, int]:
    """Verdicts for the reference on the backend in `settings`, the server version, and the vectors run."""
    previous = dj.config["safemode"]
    dj.config["safemode"] = False
    connection = dj.Connection(settings)
    try:
        outcomes = run_vectors(connection, progress=progress)
        return verdicts(load_rules(), outcomes, dj.CAPABILITIES), connection.server_version(), len(outcomes)
    finally:
        connection.close()
        dj.config["safemode"] = previous
