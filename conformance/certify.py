"""Certify an implementation: run the suite with pytest, in a configuration of its own, and read the verdicts.

The certificate's verdicts come from the same tests `pytest --pyargs djspecs.conformance` runs. The run
is isolated from the caller's project: no ini file (`-c` an empty one), no cache, no example database,
JUnit XML and the certificate written into the output folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DEEP_SEED = 20261129  # the seed of deep runs unless one is given, recorded in the certificate


def pytest_arguments(
    impl: str,
    backend: str,
    profile: str,
    out: Path,
    *,
    seed: int | None = None,
    postgres_url: str | None = None,
    mysql_url: str | None = None,
    max_examples: int | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    arguments = [
        "--pyargs", "djspecs.conformance", "-c", os.devnull, "--rootdir", str(PACKAGE), "-p", "no:cacheprovider",
        "-q", "--impl", impl, "--backend", backend, "--djspecs-profile", profile, "--certificate", str(out),
        "--junitxml", str(out / "junit.xml"),
    ]  # fmt: skip
    if seed is None and profile == "deep":
        seed = DEEP_SEED
    if seed is not None:
        arguments += ["--hypothesis-seed", str(seed)]
    if max_examples:
        arguments += ["--max-examples", str(max_examples)]
    if postgres_url:
        arguments += ["--postgres-url", postgres_url]
    if mysql_url:
        arguments += ["--mysql-url", mysql_url]
    return [*arguments, *extra]


def certify(impl: str, backend: str, profile: str, out: Path, **options) -> tuple[int, dict | None]:
    """Run the suite; pytest's exit code and the certificate (None when the run stopped before writing one)."""
    import pytest

    out.mkdir(parents=True, exist_ok=True)
    stale = out / "certificate.json"
    if stale.exists():
        stale.unlink()
    code = pytest.main(pytest_arguments(impl, backend, profile, out, **options))
    return int(code), json.loads(stale.read_text()) if stale.exists() else None


def conformant(certificate: dict) -> bool:
    """No MUST or MUST NOT rule failed or errored."""
    totals = certificate["totals"]
    return all(totals[level]["fail"] == 0 and totals[level]["error"] == 0 for level in ("MUST", "MUST NOT"))
