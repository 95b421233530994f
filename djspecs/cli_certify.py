"""`djspecs certify`: run the conformance suite against an implementation and write its certificate."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

console = Console()


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--impl", default="reference", show_default=True, help="reference, datajoint, or package.module:Class.")
@click.option("--backend", default="sqlite", show_default=True, type=click.Choice(["sqlite", "postgresql", "mysql"]))
@click.option("--profile", default="ci", show_default=True, type=click.Choice(["ci", "deep"]))
@click.option("--out", "out_dir", default="certificate", show_default=True, type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=None, help="Hypothesis seed (deep runs default to a fixed one).")
@click.option("--max-examples", type=int, default=None, help="Bound the examples per property (time-boxed runs).")
@click.option("--postgres-url", envvar="DJSPECS_POSTGRES_URL", default=None, help="postgresql://user:pw@host:port/db")
@click.option("--mysql-url", envvar="DJSPECS_MYSQL_URL", default=None, help="mysql://user:pw@host:port")
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def certify(impl, backend, profile, out_dir, seed, max_examples, postgres_url, mysql_url, pytest_args) -> None:
    """Certify an implementation on a backend: certificate.json, certificate.html and junit.xml in --out.

    The suite runs with pytest (extra arguments after `--` go to pytest, e.g. `-- -k vector`). Exit code 0
    when no MUST rule fails or errors, 1 when some does, 2 when no certificate could be written.
    """
    from djspecs.conformance.certificate import VERDICTS
    from djspecs.conformance.certify import certify as run
    from djspecs.conformance.certify import conformant

    out = Path(out_dir)
    code, certificate = run(
        impl,
        backend,
        profile,
        out,
        seed=seed,
        max_examples=max_examples,
        postgres_url=postgres_url,
        mysql_url=mysql_url,
        extra=pytest_args,
    )
    if certificate is None:
        click.echo(f"Error: no certificate was written (pytest exit code {code})", err=True)
        sys.exit(2)
    table = Table("Level", *(verdict.replace("_", " ") for verdict in VERDICTS))
    for level, counts in certificate["totals"].items():
        table.add_row(level, *(str(n) for n in counts.values()))
    console.print(table)
    console.print(f"Certificate: [bold]{out / 'certificate.json'}[/] (sha256 {certificate['sha256'][:16]}...)")
    sys.exit(0 if conformant(certificate) else 1)
