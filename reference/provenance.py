"""Who computed what: the code version recorded with reservations and computed rows (JOB-4, JOB-7)."""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Mapping
from typing import Any


def code_version(config: Mapping[str, Any]) -> str:
    """The short git commit of the working directory when `config`'s `jobs.version_method` is `git`, else empty."""
    if config["jobs.version_method"] != "git":
        return ""
    return _git_head(os.getcwd())


@functools.lru_cache(maxsize=8)
def _git_head(directory: str) -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=directory, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip()[:64] if result.returncode == 0 else ""
