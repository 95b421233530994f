"""Sessions for developers and CI: `nox -s tests`, `docs`, `lint`, `certify`, `reliability`, `bench`.

Each session installs the project into its own virtual environment from nothing, so these commands work
the same on a fresh machine and in CI.
"""

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest); extra arguments go to pytest, e.g. `nox -s tests -- -k cli`."""
    session.install("-e", ".[dev]")
    # pytest exits 5 when it collects no test; nox treats every code but 0 as a failure.
    session.run("pytest", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ with `mkdocs build --strict`."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session
def lint(session: nox.Session) -> None:
    """Check style with ruff."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def reliability(session: nox.Session) -> None:
    """Faults, concurrency, hostile input, secrets and access control: `nox -s reliability [-- --full]`.

    Bounded counts by default (as in CI); `--full` runs the full counts. Other arguments go to pytest.
    """
    session.install("-e", ".[dev]")
    arguments = [a for a in session.posargs if a != "--full"]
    full = "full" if "--full" in session.posargs else "bounded"
    session.run("pytest", "tests/reliability", *arguments, env={"DJSPECS_RELIABILITY": full})


@nox.session
def certify(session: nox.Session) -> None:
    """Certify an implementation: `nox -s certify -- --impl reference --backend sqlite --out certificate`.

    Without arguments: the reference on SQLite, no server needed. `--impl datajoint` installs DataJoint 2.x.
    The session succeeds when a certificate is written (exit 1 means some MUST rule failed: read it).
    """
    session.install("-e", ".[conformance,dataframes,postgres,mysql,stores,publish]")
    if "datajoint" in session.posargs:
        session.install("datajoint[postgres]>=2.3")
    session.run("djspecs", "certify", *session.posargs, success_codes=[0, 1])


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: writes bench/results.json and docs/bench.md; `nox -s bench -- --quick` only proves the harness."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "bench", *session.posargs)
