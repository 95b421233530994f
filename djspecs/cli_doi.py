"""`djspecs mint` and `djspecs cite`: DOIs through the DataCite REST API, and citations."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

console = Console(stderr=True)


def _api_url(url: str | None, production: bool) -> str:
    from djspecs.publish.datacite.transport import PRODUCTION_API, TEST_API

    return url or (PRODUCTION_API if production else TEST_API)


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--url", envvar="DATACITE_URL", help="DataCite REST API (default: the test system, api.test.datacite.org)."
)
@click.option("--production", is_flag=True, help="Use the production API, api.datacite.org (real, permanent DOIs).")
@click.option("--prefix", envvar="DATACITE_PREFIX", help="Your repository's DOI prefix, e.g. 10.80507.")
@click.option("--publish/--draft", default=False, help="Make the DOI findable (permanent), or keep it a draft.")
@click.option("--key", help="The bundle version this DOI is for (default: the receipt's, or the bundle's ID).")
@click.option("--landing-page", help="The landing page URL the DOI resolves to (needed to publish).")
@click.option(
    "--secrets",
    type=click.Path(path_type=Path),
    help="TOML secrets file (default: environment, then ~/.config/djspecs/datacite.toml).",
)
@click.option(
    "--xsd", envvar="DJSPECS_DATACITE_XSD", help="DataCite 4.7 metadata.xsd to validate against before sending."
)
def mint(source, url, production, prefix, publish, key, landing_page, secrets, xsd) -> None:
    """Reserve, update or publish the DOI of a bundle or a metadata file (never twice for one bundle version)."""
    from djspecs.publish.datacite.client import DataCiteClient, MetadataError, Receipt
    from djspecs.publish.datacite.credentials import Credentials, CredentialsError
    from djspecs.publish.datacite.sources import open_source
    from djspecs.publish.datacite.transport import DataCiteError, Transport

    try:
        found = open_source(source, key)
        credentials = Credentials.discover(secrets)
        client = DataCiteClient(Transport(credentials, _api_url(url, production)), prefix, xsd=xsd)
    except (ValueError, CredentialsError) as error:
        raise click.ClickException(str(error)) from None
    receipt = found.receipt()
    record = found.record
    if landing_page:
        record.url = landing_page
    if receipt is None and record.doi:  # a DOI reserved earlier and written into the bundle
        receipt = Receipt(found.key, record.doi, client.transport.url, "unknown")
    version_key = key or (receipt.key if receipt else found.key)
    action = "publishing" if publish else "reserving a draft"
    try:
        with console.status(f"{action} at {client.transport.url} ..."):
            minted = client.mint(record, key=version_key, receipt=receipt, publish=publish)
    except MetadataError as error:
        raise click.ClickException(f"{source}: {error}") from None
    except DataCiteError as error:
        raise click.ClickException(str(error)) from None
    found.keep(minted)
    click.echo(
        f"DOI {minted.doi}: {minted.state} at {minted.api} (bundle version {minted.key}; receipt {found.receipt_path})"
    )


@click.command()
@click.argument("target", required=False)
@click.option("--format", "style", type=click.Choice(["apa", "bibtex", "cff", "all"]), default="apa", show_default=True)
@click.option("--url", envvar="DATACITE_URL", help="DataCite REST API to read a DOI from (default: production).")
def cite(target, style, url) -> None:
    """Cite a DOI, a bundle or a metadata file; with no argument, cite djspecs itself."""
    from djspecs.publish.datacite.citation import djspecs_citation, from_record
    from djspecs.publish.datacite.client import DataCiteClient
    from djspecs.publish.datacite.sources import open_source
    from djspecs.publish.datacite.transport import DataCiteError, Transport

    styles = ["apa", "bibtex", "cff"] if style == "all" else [style]
    try:
        if target is None:
            citation = djspecs_citation()
        elif Path(target).exists():
            citation = from_record(open_source(target).record)
        else:
            client = DataCiteClient(Transport(None, url or _api_url(None, production=True)))
            citation = from_record(client.get(target).record)
    except (ValueError, DataCiteError) as error:
        raise click.ClickException(str(error)) from None
    click.echo("\n\n".join(citation.render(s).rstrip() for s in styles))


def register(group: click.Group) -> None:
    for command in (mint, cite):
        group.add_command(command)
