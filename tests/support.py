"""Helpers for tests that need tools a machine may lack.

On a newcomer's machine a test that needs a missing tool (Chromium, a database server) is skipped with a
message saying what to install. Under CI (`CI` set) the same absence is a failure: CI must have it all.
"""

import os

import pytest


def require(condition: bool, message: str) -> None:
    """Skip when a tool is missing, except under CI, where it fails."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)")
    pytest.skip(message)
