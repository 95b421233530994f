"""The pytest plugin of the conformance suite (entry point `pytest11`).

    pytest --pyargs djspecs.conformance --impl reference --backend postgresql [--certificate DIR]

Options fall back to DJSPECS_IMPL, DJSPECS_BACKEND, DJSPECS_POSTGRES_URL, DJSPECS_MYSQL_URL,
DJSPECS_PROFILE. The plugin is inert in other test suites: it only registers options, the `rules` marker
and hypothesis profiles; the adapter is loaded and connected by the suite's session fixture, the first
time a suite test needs it.

Every suite test names the rules it checks (`@pytest.mark.rules("Q-14", requires=[...])`). A test whose
rules (or own `requires`) need a capability the implementation does not declare is skipped as
`not_applicable`; its outcome never counts as a pass. Outcomes are gathered per rule into verdicts, and
with `--certificate DIR` the certificate (JSON and HTML) is written when the session ends.
"""

from __future__ import annotations

import itertools
import os
import tempfile

import pytest

from .adapter import BACKENDS, AdapterError, load_adapter
from .guard import Guarded
from .outcomes import Outcomes
from .profiles import PROFILES, register_profiles

NOT_APPLICABLE = "not_applicable: "
SUITE = pytest.StashKey["Suite"]()
OUTCOMES = pytest.StashKey[Outcomes]()
COLLECTED = pytest.StashKey[dict]()
OPTIONS = {  # option: (environment variable, default, help)
    "impl": ("DJSPECS_IMPL", "reference", "implementation: reference, datajoint, or package.module:AdapterClass"),
    "backend": ("DJSPECS_BACKEND", "sqlite", f"backend: {', '.join(BACKENDS)}"),
    "postgres_url": ("DJSPECS_POSTGRES_URL", None, "PostgreSQL server, postgresql://user:password@host:port/db"),
    "mysql_url": ("DJSPECS_MYSQL_URL", None, "MySQL or MariaDB server, mysql://user:password@host:port"),
    "djspecs_profile": ("DJSPECS_PROFILE", "ci", "hypothesis profile of the suite: ci (bounded) or deep"),
    "differential": ("DJSPECS_DIFFERENTIAL", None, "also run drawn cases on IMPL@BACKEND and report every difference"),
    "max_examples": ("DJSPECS_MAX_EXAMPLES", None, "bound the examples per property test (time-boxed runs)"),
    "certificate": ("DJSPECS_CERTIFICATE", None, "write certificate.json and certificate.html into this folder"),
}


def pytest_addoption(parser):
    group = parser.getgroup("djspecs", "DataJoint Specs conformance suite")
    for name, (variable, _, text) in OPTIONS.items():
        group.addoption(
            "--" + name.replace("_", "-"), dest=f"djspecs_{name}", default=None, help=f"{text} [{variable}]"
        )


def option(config, name: str):
    variable, default, _ = OPTIONS[name]
    return config.getoption(f"djspecs_{name}") or os.environ.get(variable) or default


def pytest_configure(config):
    config.addinivalue_line("markers", "rules(*ids, requires=()): the spec rules a conformance test checks")
    register_profiles()
    config.stash[OUTCOMES] = Outcomes()
    profile = option(config, "djspecs_profile")
    if profile not in PROFILES:
        raise pytest.UsageError(f"--djspecs-profile {profile!r}: choose one of {', '.join(PROFILES)}")
    backend = option(config, "backend")
    if backend not in BACKENDS:
        raise pytest.UsageError(f"--backend {backend!r}: choose one of {', '.join(BACKENDS)}")


class Suite:
    """The implementation under test: its guarded adapter and what it declares on this backend."""

    def __init__(self, config):
        self.impl, self.backend = option(config, "impl"), option(config, "backend")
        self.profile = option(config, "djspecs_profile")
        seed = config.getoption("hypothesis_seed", None)
        self.seed = int(seed) if seed is not None else None  # None: derandomized (ci) or hypothesis's own
        url = {"postgresql": option(config, "postgres_url"), "mysql": option(config, "mysql_url")}.get(self.backend)
        if self.backend == "sqlite":  # a file, so that a second connection (LIN-4, DML-35) sees the same database
            self._folder = tempfile.TemporaryDirectory(prefix="djspecs-conformance-")
            url = os.path.join(self._folder.name, "conformance.sqlite")
        self.url = url
        adapter = load_adapter(self.impl)
        self.adapter = Guarded(adapter)
        declared = set(self.adapter.capabilities or ())
        if f"backend.{self.backend}" not in declared:
            raise AdapterError(f"{adapter.name} does not declare the capability backend.{self.backend}")
        # On this run only the backend under test counts as declared.
        self.capabilities = {c for c in declared if not c.startswith("backend.")} | {f"backend.{self.backend}"}
        self.knobs = dict(self.adapter.knobs or {})
        try:
            self.adapter.connect(self.backend, url)
            self.server_version = self.adapter.server_version()
        except Exception as error:
            raise AdapterError(
                f"cannot reach the {self.backend} backend ({url or 'default address'}): {error}"
            ) from None
        self._names = itertools.count()

    def schema_name(self) -> str:
        return f"djspecs_conf_{os.getpid()}_{next(self._names)}"

    def guarded(self, *rules: str) -> Guarded:
        """The adapter naming `rules` in its faults (for hypothesis tests, which take no function fixtures)."""
        return self.adapter.with_rules(rules)

    def missing(self, requires) -> list[str]:
        return sorted(set(requires) - self.capabilities)


def suite_of(config) -> Suite:
    """The session's Suite, created on first use; a failure stops the run with one line."""
    if SUITE not in config.stash:
        try:
            config.stash[SUITE] = Suite(config)
        except AdapterError as error:
            pytest.exit(f"djspecs conformance: {error}", returncode=3)
    return config.stash[SUITE]


def rules_of(item) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The rule IDs a test names and the capabilities it needs of its own."""
    marker = item.get_closest_marker("rules")
    if marker is None:
        return (), ()
    return tuple(marker.args), tuple(marker.kwargs.get("requires", ()))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Remember every rule the collected suite tests name, before -k or -m deselect any (for the meta-test)."""
    config.stash[COLLECTED] = {item.nodeid: rules_of(item)[0] for item in items if rules_of(item)[0]}


def pytest_runtest_setup(item):
    rule_ids, requires = rules_of(item)
    if not rule_ids:
        return
    from djspecs.spec import load_rules

    suite = suite_of(item.config)
    rules = load_rules()
    needed = set(requires).union(*(rules.get(r).requires for r in rule_ids))
    if missing := suite.missing(needed):
        pytest.skip(f"{NOT_APPLICABLE}{suite.adapter.name} does not declare {', '.join(missing)}")
    knobs = getattr(item, "callspec", None) and item.callspec.params.get("knobs")
    if knobs and any(suite.knobs.get(k) != v for k, v in knobs.items()):
        pytest.skip(f"{NOT_APPLICABLE}expects knobs {knobs}; {suite.adapter.name} declares {suite.knobs}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    rule_ids, _ = rules_of(item)
    if rule_ids:
        item.config.stash[OUTCOMES].record(item.nodeid, rule_ids, report, call)


def pytest_sessionfinish(session, exitstatus):
    if SUITE not in session.config.stash:
        return
    suite = session.config.stash[SUITE]
    if folder := option(session.config, "certificate"):
        from .report import write_reports

        write_reports(suite, session.config.stash[OUTCOMES], folder)
    suite.adapter.close()


@pytest.fixture(scope="session")
def conformance(request) -> Suite:
    """The implementation under test (connected once per session)."""
    suite = suite_of(request.config)
    yield suite


@pytest.fixture
def adapter(conformance, request):
    """The adapter, guarded: its faults name the method and the rules of this test."""
    return conformance.adapter.with_rules(rules_of(request.node)[0])


@pytest.fixture
def schema(conformance, adapter):
    """A fresh, empty schema of the implementation, dropped after the test."""
    handle = adapter.create_schema(conformance.schema_name())
    yield handle
    adapter.drop_schema(handle)


@pytest.fixture
def api(conformance, adapter):
    """The implementation's Python API module (tests of rules that require python.api)."""
    return adapter.api()


@pytest.fixture(scope="session")
def other(request, conformance):
    """The second implementation of a differential run (`--differential IMPL@BACKEND`), connected."""
    spec = option(request.config, "differential")
    if not spec:
        pytest.skip("no --differential IMPL@BACKEND given")
    impl, _, backend = spec.partition("@")
    backend = backend or conformance.backend
    url = {"postgresql": option(request.config, "postgres_url"), "mysql": option(request.config, "mysql_url")}.get(
        backend
    )
    second = load_adapter(impl)
    try:
        second.connect(backend, url)
    except Exception as error:
        pytest.exit(f"djspecs conformance: cannot reach {impl} on {backend}: {error}", returncode=3)
    yield Guarded(second)
    second.close()


@pytest.fixture
def collected_rules(request) -> dict:
    """Rule IDs named by every collected suite test, by test ID."""
    return request.config.stash[COLLECTED]


__all__ = ["NOT_APPLICABLE", "Suite", "rules_of"]
