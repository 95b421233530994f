"""Loads the suite's hypothesis profile before its test modules are imported (`@given` reads it then), and
gives the PUB tests their publisher.

Only this package's tests see it: other test suites in the same environment keep their own settings.
"""

import pytest

from djspecs.conformance.plugin import option
from djspecs.conformance.profiles import load_profile


def pytest_configure(config):
    examples = option(config, "max_examples")
    load_profile(option(config, "djspecs_profile"), int(examples) if examples else None)


@pytest.fixture(scope="session")
def publisher(conformance):
    """djspecs.publish's own connection to the database the implementation writes (PUB rules)."""
    from djspecs.conformance.publishing import Publisher

    publisher = Publisher(conformance.backend, conformance.url)
    yield publisher
    publisher.close()
