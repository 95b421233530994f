"""`djspecs mint` and `djspecs cite`, citations, and the CITATION.cff that cites djspecs itself."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
import zipfile

import pytest
import yaml
from click.testing import CliRunner

from djspecs.cli import main
from djspecs.publish.datacite import Record
from djspecs.publish.datacite.citation import djspecs_citation, from_record
from tests.publish import datacite_support as support
from tests.publish.test_datacite_record import GOOD

datacite, kernel, xsd = support.datacite, support.kernel, support.xsd
SECRETS = {
    "DATACITE_REPOSITORY_ID": support.REPOSITORY,
    "DATACITE_PASSWORD": support.PASSWORD,
    "DATACITE_API_KEY": None,
}


def run(*arguments, env=None):
    return CliRunner().invoke(main, [str(a) for a in arguments], env={**SECRETS, "DATACITE_URL": None, **(env or {})})


def test_citation_cff_cites_djspecs_at_its_current_version(root):
    document = yaml.safe_load((root / "CITATION.cff").read_text())
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    assert document["cff-version"] == "1.2.0" and document["version"] == version
    assert djspecs_citation().version == version
    result = run("cite")
    assert result.exit_code == 0, result.output
    assert (
        result.output.strip()
        == f"djspecs developers. (n.d.). {document['title']} (Version {version}) [Computer software]. https://djspecs.dev"
    )


@pytest.mark.slow
def test_the_wheel_carries_citation_and_vocabulary(root, tmp_path):
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(root)]
    subprocess.run(command, check=True, cwd=tmp_path)
    installed = tmp_path / "site"
    with zipfile.ZipFile(next(tmp_path.glob("djspecs-*.whl"))) as wheel:
        assert wheel.read("djspecs/publish/datacite/CITATION.cff") == (root / "CITATION.cff").read_bytes()
        wheel.extractall(installed)
    # Read from the unpacked wheel, far from the checkout: the citation and the vocabulary come with the package.
    script = (
        "import djspecs\n"
        "from djspecs.publish.datacite.citation import djspecs_citation\n"
        "from djspecs.publish.datacite.vocabulary import vocabulary\n"
        "print(djspecs.__file__, len(vocabulary()['relationType']), djspecs_citation().title)\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"}
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=elsewhere, env=env, check=True
    )
    where, count, title = shown.stdout.split(" ", 2)
    assert where.startswith(str(installed)) and count == "39" and title.startswith("djspecs: DataJoint Specs 2.0")


def test_apa_bibtex_and_cff_of_a_record():
    citation = from_record(Record.from_dict({**GOOD, "title": "Spikes & LFP_data"}))
    assert citation.apa() == (
        "Carberry, J., & DataCite. (2026). Spikes & LFP_data (Version 1.0.0) [Data set]. https://doi.org/10.80507/djs-0001"
    )
    bibtex = citation.bibtex()
    assert bibtex.startswith("@misc{carberry2026spikes,") and r"title = {{Spikes \& LFP\_data}}" in bibtex
    assert "author = {Carberry, Josiah and {DataCite}}" in bibtex
    cff = yaml.safe_load(citation.cff())
    assert cff["authors"][0] == {
        "family-names": "Carberry",
        "given-names": "Josiah",
        "orcid": "https://orcid.org/0000-0002-1825-0097",
        "affiliation": "Brown University",
    }
    assert cff["doi"] == "10.80507/djs-0001" and cff["license"] == "CC-BY-4.0" and cff["date-released"] == "2026-11-29"


def test_mint_a_metadata_file_as_draft_then_publish_it_once(datacite, tmp_path):
    source = tmp_path / "paper-data.yaml"
    source.write_text(yaml.safe_dump({**GOOD, "doi": None, "url": None}))
    drafted = run("mint", source, "--url", datacite.url, "--prefix", "10.80507", "--draft")
    assert drafted.exit_code == 0, drafted.output
    receipt_path = tmp_path / "paper-data.yaml.doi-receipt.json"
    receipt = json.loads(receipt_path.read_text())
    assert receipt["state"] == "draft" and f"DOI {receipt['doi']}: draft" in drafted.output
    published = run(
        "mint",
        source,
        "--url",
        datacite.url,
        "--prefix",
        "10.80507",
        "--publish",
        "--landing-page",
        "https://example.org/p",
    )
    assert published.exit_code == 0, published.output
    assert json.loads(receipt_path.read_text())["doi"] == receipt["doi"] and len(datacite.registry.entries) == 1
    assert datacite.registry.read(receipt["doi"]).state == "findable"
    assert support.PASSWORD not in receipt_path.read_text() + drafted.output + published.output

    cited = run("cite", receipt["doi"], "--url", datacite.url)
    assert cited.exit_code == 0 and cited.output.strip().endswith(f"https://doi.org/{receipt['doi']}")


def test_mint_a_bundle_leaves_its_payload_untouched(datacite, tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "data").mkdir(parents=True)
    (bundle / "bag-info.txt").write_text("External-Identifier: urn:uuid:0b5a2a0e-3f7c-4c39-9f55-8f0e5c0d1a11\n")
    (bundle / "data" / "datacite.json").write_text(json.dumps(Record.from_dict({**GOOD, "doi": None}).to_json()))
    before = hashlib.sha256((bundle / "data" / "datacite.json").read_bytes()).hexdigest()
    result = run("mint", bundle, "--url", datacite.url, "--prefix", "10.80507", "--publish")
    assert result.exit_code == 0, result.output
    receipt = json.loads((bundle / "datacite-receipt.json").read_text())
    assert receipt["key"] == "urn:uuid:0b5a2a0e-3f7c-4c39-9f55-8f0e5c0d1a11" and receipt["state"] == "findable"
    assert hashlib.sha256((bundle / "data" / "datacite.json").read_bytes()).hexdigest() == before


def test_mint_lists_every_problem_and_sends_nothing(datacite, tmp_path):
    source = tmp_path / "bad.json"
    source.write_text(
        json.dumps({"creators": [{"name": "X", "orcid": "0000-0002-1825-0098"}], "resourceTypeGeneral": "Spreadsheet"})
    )
    result = run(
        "mint",
        source,
        "--url",
        datacite.url,
        "--prefix",
        "10.80507",
        "--publish",
        "--landing-page",
        "https://example.org",
    )
    assert result.exit_code == 1
    for field in (
        "creators[0].nameIdentifiers[0]",
        "titles",
        "publisher.name",
        "publicationYear",
        "types.resourceTypeGeneral",
    ):
        assert field in result.output
    assert datacite.requests == []


def test_mint_without_credentials_says_where_they_come_from(tmp_path, datacite):
    source = tmp_path / "m.yaml"
    source.write_text(yaml.safe_dump(GOOD))
    env = {
        "DATACITE_REPOSITORY_ID": None,
        "DATACITE_PASSWORD": None,
        "DATACITE_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    result = run("mint", source, "--url", datacite.url, "--prefix", "10.80507", env=env)
    assert result.exit_code == 1 and "DATACITE_REPOSITORY_ID" in result.output and "DATACITE_API_KEY" in result.output


def test_cite_an_official_example_in_every_format(kernel):
    result = run("cite", kernel / "example" / "datacite-example-full-v4.xml", "--format", "all")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "ExampleFamilyName, E., & ExampleOrganization. (2024). Example Title (Version 1) [Data set]."
    )
    assert "@misc{examplefamilyname2024example," in result.output and "cff-version: 1.2.0" in result.output
