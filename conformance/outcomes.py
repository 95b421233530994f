"""Test outcomes gathered per rule, and the verdict each rule gets from them.

A test's outcome is `pass`, `fail` (the implementation did something the rule forbids), `error` (the
adapter or the harness broke: an AdapterError, or a fixture that failed) or `not_applicable` (skipped
because a capability or knob is not declared). A rule's verdict: any fail → `fail`, with the first
failure's message as its example; else any error → `error`; else any pass → `pass`; else, when its tests
were all not applicable → `not_applicable`; with no test at all → `untested` (`not_testable` for a rule that
says no test can check it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .adapter import AdapterError
from .certificate import RuleVerdict

EXAMPLE_LIMIT = 4000  # characters of a failing example kept in the certificate


@dataclass(frozen=True)
class Outcome:
    test: str
    outcome: str
    message: str = ""


class Outcomes:
    def __init__(self):
        self.by_rule: dict[str, list[Outcome]] = defaultdict(list)
        self.seen: dict[str, str] = {}  # test id -> its outcome (the worst of its phases)

    def record(self, nodeid: str, rule_ids, report, call) -> None:
        outcome = self._classify(report, call)
        if outcome is None or self.seen.get(nodeid) in ("fail", "error"):
            return
        message = _message(report, call) if outcome in ("fail", "error") else ""
        previous = self.seen.get(nodeid)
        self.seen[nodeid] = outcome
        for rule_id in rule_ids:
            entries = self.by_rule[rule_id]
            if previous is not None:
                entries[:] = [o for o in entries if o.test != nodeid]
            entries.append(Outcome(nodeid, outcome, message))

    @staticmethod
    def _classify(report, call) -> str | None:
        from .plugin import NOT_APPLICABLE

        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            return "not_applicable" if NOT_APPLICABLE in reason else "skipped"
        if report.failed:
            adapter_fault = call.excinfo is not None and call.excinfo.errisinstance(AdapterError)
            return "error" if adapter_fault or report.when != "call" else "fail"
        return "pass" if report.when == "call" else None

    def verdicts(self, rules) -> dict[str, RuleVerdict]:
        result = {}
        for rule in rules:
            found = [o for o in self.by_rule.get(rule.id, []) if o.outcome != "skipped"]
            kinds = {o.outcome for o in found}
            if "fail" in kinds or "error" in kinds:
                kind = "fail" if "fail" in kinds else "error"
                verdict = RuleVerdict(kind, len(found), _example(next(o for o in found if o.outcome == kind)))
            elif "pass" in kinds:
                verdict = RuleVerdict("pass", len(found))
            elif kinds == {"not_applicable"}:
                verdict = RuleVerdict("not_applicable", len(found))
            else:
                verdict = RuleVerdict("untested" if rule.conformance.testable else "not_testable", 0)
            result[rule.id] = verdict
        return result


def _message(report, call) -> str:
    if call.excinfo is not None:
        return f"{call.excinfo.typename}: {call.excinfo.value}"
    return str(report.longrepr)


def _example(outcome: Outcome) -> str:
    text = f"{outcome.test}\n{outcome.message}"
    return text if len(text) <= EXAMPLE_LIMIT else text[:EXAMPLE_LIMIT] + " [...]"
