"""What the descriptions of a bundle say (PUB-6, PUB-8): one DataCite record feeds the RO-Crate, the Data
Package, the README and the citation files; the Table Schemas carry keys; the pipeline is described."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
import yaml

from djspecs.publish import export
from tests.publish.conftest import datacite_record, declare_pipeline


@pytest.fixture
def bundle(new_schema, tmp_path):
    tables = declare_pipeline(new_schema("sqlite"))
    export(tables["Analysis"] & {"subject_id": 1}, tmp_path / "b", metadata=datacite_record(), croissant=True)
    return tmp_path / "b" / "data"


def test_citation_facts_come_from_the_datacite_record(bundle):
    """PUB-8: DOI, title, creator with ORCID, licence and version everywhere they appear."""
    doi = "10.80507/djspecs-test-1"
    cff = yaml.safe_load((bundle / "CITATION.cff").read_text())
    assert cff["doi"] == doi and cff["title"] == "Mice & sessions" and cff["license"] == "CC-BY-4.0"
    assert cff["authors"] == [
        {"family-names": "Doe", "given-names": "Ann", "orcid": "https://orcid.org/0000-0002-1825-0097"}
    ]
    bib = (bundle / "citation.bib").read_text()
    assert bib.startswith("@misc{doe2026mice,") and f"doi = {{{doi}}}" in bib and "Mice \\& sessions" in bib
    crate = {e["@id"]: e for e in json.loads((bundle / "ro-crate-metadata.json").read_text())["@graph"]}
    assert crate["./"]["identifier"] == f"https://doi.org/{doi}"
    assert crate["./"]["license"] == {"@id": "https://spdx.org/licenses/CC-BY-4.0"}
    assert crate["https://orcid.org/0000-0002-1825-0097"]["name"] == "Doe, Ann"
    package = json.loads((bundle / "datapackage.json").read_text())
    assert package["id"] == f"https://doi.org/{doi}" and package["version"] == "1.0.0"
    assert f"https://doi.org/{doi}" in (bundle / "README.md").read_text()
    assert f"Internal-Sender-Identifier: {doi}" in (bundle.parent / "bag-info.txt").read_text()
    croissant = json.loads((bundle / "croissant.json").read_text())
    assert croissant["dct:conformsTo"] == "http://mlcommons.org/croissant/1.1"
    assert {d["encodingFormat"] for d in croissant["distribution"]} == {"application/x-parquet"}


def test_table_schemas_carry_types_and_keys(bundle):
    """PUB-6: primary keys, foreign keys into other resources, categories of an enum, required columns."""
    resources = {
        r["name"].split(".", 1)[1]: r for r in json.loads((bundle / "datapackage.json").read_text())["resources"]
    }
    session = resources["manual.session"]
    assert session["mediatype"] == "application/vnd.apache.parquet" and session["hash"].startswith("sha256:")
    assert session["schema"]["primaryKey"] == ["subject_id", "session"]
    fields = {f["name"]: f for f in session["schema"]["fields"]}
    assert fields["mood"]["categories"] == ["happy", "sad", "ok"] and fields["uid"]["format"] == "uuid"
    assert fields["tiny"]["constraints"] == {"minimum": -128, "maximum": 127, "required": True}
    assert "required" not in fields["big"].get("constraints", {})
    (fk,) = resources["computed.analysis"]["schema"]["foreignKeys"]
    assert fk["fields"] == ["subject_id", "session"] and fk["reference"]["resource"].endswith("manual.session")


def test_pipeline_is_described(bundle):
    """PUB-6: definitions that re-declare the tables, a Mermaid diagram with the foreign keys, provenance."""
    document = json.loads((bundle / "pipeline" / "definitions.json").read_text())
    tables = {t["class"]: t for t in document["tables"]}
    assert list(tables) == ["Subject", "Session", "Analysis"]
    assert tables["Analysis"]["definition"].startswith("-> Session\n---\nscore : float64")
    assert tables["Session"]["restricted"] and tables["Session"]["tier"] == "manual"
    diagram = (bundle / "pipeline" / "diagram.mmd").read_text()  # drawn as dj.Diagram draws (API-5)
    assert diagram.startswith("flowchart LR") and diagram.count(" --> ") == 2
    assert re.search(r'"Analysis"\]\):::computed', diagram) and re.search(r'"Session"\]:::manual', diagram)
    drawing = ElementTree.fromstring((bundle / "pipeline" / "diagram.svg").read_text())
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert [g.get("class") for g in drawing.iterfind("svg:g", ns)] == ["table manual", "table manual", "table computed"]
    assert len(drawing.findall("svg:path", ns)) == 2
    assert json.loads((bundle / "pipeline" / "provenance.json").read_text())["backend"] == "sqlite"
