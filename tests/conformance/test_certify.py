"""`djspecs certify` end to end: the pytest suite runs through the plugin and writes the certificate files.

Bounded to keep CI quick: the vector tests of two areas and the meta-test, on SQLite (no server).
"""

import json
import subprocess
import sys
from pathlib import Path

from djspecs.conformance.certificate import content_digest
from djspecs.spec import load_rules

CERTIFY = [sys.executable, "-m", "djspecs.cli", "certify"]
ROOT = Path(__file__).resolve().parents[2]  # so that `tests.conformance.broken_adapter` imports


def certify(*arguments, cwd):
    return subprocess.run([*CERTIFY, *arguments], capture_output=True, text=True, cwd=cwd, timeout=900)


def test_certify_writes_certificate_junit_and_html_from_the_suite(tmp_path):
    out = tmp_path / "out"
    result = certify("--out", str(out), "--", "-k", "naming or meta or join", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    certificate = json.loads((out / "certificate.json").read_text())
    assert certificate["implementation"]["name"] == "djspecs-reference"
    assert certificate["backend"]["name"] == "sqlite" and certificate["backend"]["server_version"]
    assert certificate["profile"] == "ci" and certificate["sha256"] == content_digest(certificate)
    assert len(certificate["rules"]) == len(load_rules())
    verdicts = {rule["id"]: rule for rule in certificate["rules"]}
    assert verdicts["NAME-1"]["verdict"] == "pass" and verdicts["NAME-1"]["tests"] > 0  # naming vectors ran
    assert verdicts["JOB-4"]["verdict"] == "untested"  # its tests were not selected by -k
    assert verdicts["PIPE-1"]["verdict"] == "not_testable"  # about users' code: the rule says no test checks it
    assert sum(certificate["totals"]["MUST"].values()) == len(load_rules().filter(level="MUST"))
    assert "<testsuite" in (out / "junit.xml").read_text()
    assert "NAME-1" in (out / "certificate.html").read_text()


def test_unknown_adapter_stops_with_one_line(tmp_path):
    result = certify("--impl", "nosuch.module:Adapter", "--out", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot import the adapter" in result.stdout + result.stderr


def test_unreachable_backend_stops_with_one_line(tmp_path):
    url = "postgresql://postgres@127.0.0.1:1/postgres"  # nothing listens on port 1
    result = certify("--backend", "postgresql", "--postgres-url", url, "--out", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "cannot reach the postgresql" in line]
    assert len(lines) == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def _verdicts(out):
    return {rule["id"]: rule for rule in json.loads((out / "certificate.json").read_text())["rules"]}


def test_an_adapter_returning_the_wrong_shape_gives_errors_naming_method_and_rule(tmp_path):
    out = tmp_path / "out"
    result = certify("--impl", "tests.conformance.broken_adapter:WrongShape", "--out", str(out), "--", "-k",
                     "vec/query/join", cwd=ROOT)  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    rule = _verdicts(out)["Q-32"]
    assert rule["verdict"] == "error"
    assert "method fetch()" in rule["example"] and "Q-32" in rule["example"] and "not a Result" in rule["example"]


def test_an_exception_inside_the_adapter_is_an_error_not_a_failure(tmp_path):
    out = tmp_path / "out"
    result = certify("--impl", "tests.conformance.broken_adapter:Raising", "--out", str(out), "--", "-k",
                     "vec/naming", cwd=ROOT)  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    rule = _verdicts(out)["NAME-1"]
    assert rule["verdict"] == "error" and "method table_name()" in rule["example"]
    assert "RuntimeError: a bug in the adapter" in rule["example"]


def test_an_adapter_missing_methods_is_refused_with_one_line(tmp_path):
    result = certify("--impl", "tests.conformance.broken_adapter:Missing", "--out", str(tmp_path), cwd=ROOT)
    assert result.returncode == 2
    assert "lacks connect, server_version" in result.stdout + result.stderr
