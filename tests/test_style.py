"""House rules that keep the code readable: lint clean, and no module past its size budget."""

import importlib.util
import subprocess
import sys
import tomllib

from tests.support import require

PACKAGES = ("djspecs", "spec", "reference", "conformance", "publish")
MAX_LINES = 400


def test_ruff_finds_nothing(root):
    require(importlib.util.find_spec("ruff") is not None, "ruff is missing: pip install ruff")
    command = [sys.executable, "-m", "ruff", "check", "--quiet", str(root)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_modules_stay_small(root):
    too_long = {
        str(path.relative_to(root)): n
        for package in PACKAGES
        for path in (root / package).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_every_package_is_in_the_wheel(root):
    """A package directory missing from pyproject's list would be silently left out of the wheel."""
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    roots = {folder: name for name, folder in config["package-dir"].items()}
    found = {
        ".".join([roots[package], *init.parent.relative_to(root / package).parts])
        for package in PACKAGES
        for init in (root / package).rglob("__init__.py")
    }
    assert found - set(config["packages"]) == set()
