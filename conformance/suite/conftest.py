"""Loads the suite's hypothesis profile before its test modules are imported (`@given` reads it then).

Only this package's tests see it: other test suites in the same environment keep their own settings.
"""

from djspecs.conformance.plugin import option
from djspecs.conformance.profiles import load_profile


def pytest_configure(config):
    examples = option(config, "max_examples")
    load_profile(option(config, "djspecs_profile"), int(examples) if examples else None)
