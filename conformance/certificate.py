"""The conformance certificate: one verdict per rule, totals by level, and a SHA-256 over the content."""

from __future__ import annotations

import hashlib
import json
import platform
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from djspecs import SPEC_VERSION, __version__
from djspecs.spec import LEVELS, RuleSet

VERDICTS = ("pass", "fail", "error", "not_applicable", "untested", "not_testable")


@dataclass(frozen=True)
class RuleVerdict:
    verdict: str
    tests: int = 0
    example: str | None = None


def content_digest(certificate: Mapping) -> str:
    """SHA-256 of the canonical JSON of everything but the digest itself."""
    body = {key: value for key, value in certificate.items() if key != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_certificate(
    ruleset: RuleSet,
    verdicts: Mapping[str, RuleVerdict],
    *,
    implementation: Mapping[str, str],
    backend: Mapping[str, str],
    profile: str,
    seed: int | None,
    extra: Mapping | None = None,
) -> dict:
    """A certificate for one implementation on one backend; rules without a verdict are `untested`, or
    `not_testable` where the rule says no test can check it."""
    rules = []
    for rule in ruleset:
        verdict = verdicts.get(rule.id, RuleVerdict("untested" if rule.conformance.testable else "not_testable"))
        entry = {"id": rule.id, "level": rule.level, "verdict": verdict.verdict, "tests": verdict.tests}
        if verdict.example is not None:
            entry["example"] = verdict.example
        rules.append(entry)
    counts = Counter((entry["level"], entry["verdict"]) for entry in rules)
    totals = {level: {verdict: counts[level, verdict] for verdict in VERDICTS} for level in LEVELS}
    certificate = {
        "certificate_version": 1,
        "implementation": dict(implementation),
        "backend": dict(backend),
        "spec_version": SPEC_VERSION,
        "suite_version": __version__,
        "profile": profile,
        "seed": seed,
        "issued": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        **dict(extra or {}),
        "rules": rules,
        "totals": totals,
    }
    certificate["sha256"] = content_digest(certificate)
    return certificate


def write_certificate(certificate: Mapping, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "certificate.json"
    path.write_text(json.dumps(certificate, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
