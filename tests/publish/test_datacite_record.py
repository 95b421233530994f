"""DataCite 4.7 records: the official examples round-trip through XML and REST JSON, everything written
validates against the official XSD, and bad input is reported in full, field by field."""

from __future__ import annotations

import re

import pytest

from djspecs.publish.datacite import Record
from djspecs.publish.datacite.vocabulary import vocabulary
from tests.publish import datacite_support
from tests.publish.datacite_support import examples, same_tree

kernel, xsd = datacite_support.kernel, datacite_support.xsd  # fixtures

GOOD = {
    "doi": "10.80507/djs-0001",
    "title": "Calcium imaging sessions behind Figure 2",
    "creators": [
        {
            "name": "Carberry, Josiah",
            "givenName": "Josiah",
            "familyName": "Carberry",
            "orcid": "0000-0002-1825-0097",
            "affiliation": [{"name": "Brown University", "ror": "https://ror.org/05gq02987"}],
        },
        {"name": "DataCite", "ror": "https://ror.org/04wxnsj81"},
    ],
    "publisher": {"name": "DataCite", "ror": "https://ror.org/04wxnsj81"},
    "publicationYear": 2026,
    "resourceTypeGeneral": "Dataset",
    "resourceType": "Relational tables (Apache Parquet)",
    "rights": ["CC-BY-4.0"],
    "keywords": ["neuroscience", "DataJoint"],
    "description": "Sessions, scans and traces exported with djspecs.",
    "version": "1.0.0",
    "dates": [{"date": "2026-11-29", "dateType": "Issued"}, {"date": "2024-01/2025-06", "dateType": "Collected"}],
    "relatedIdentifiers": [
        {
            "relatedIdentifier": "https://github.com/datajoint/djspecs",
            "relatedIdentifierType": "URL",
            "relationType": "IsCompiledBy",
        },
        {"relatedIdentifier": "10.1234/paper.5", "relatedIdentifierType": "DOI", "relationType": "IsSupplementTo"},
    ],
    "funding": [
        {
            "funderName": "National Science Foundation",
            "crossref": "https://doi.org/10.13039/100000001",
            "awardNumber": "1234567",
        }
    ],
    "formats": ["application/vnd.apache.parquet"],
    "url": "https://example.org/bundles/djs-0001",
}


def expected_example_problems(name: str) -> list[str]:
    """Two of DataCite's own 4.7 examples carry identifiers that fail their checksum or form (reported upstream-worthy)."""
    return {
        "datacite-example-award-v4.xml": [
            "creators[0].nameIdentifiers[0]: 'https://ror.org/12abcde34' is not a ROR ID (expected https://ror.org/0xxxxxxNN)",
            "publisher.publisherIdentifier: 'https://ror.org/12abcde34' is not a ROR ID (expected https://ror.org/0xxxxxxNN)",
        ],
        "datacite-example-project-v4.xml": [
            "contributors[4].nameIdentifiers[0]: 'https://orcid.org/https://orcid.org/0009-0009-0223-2917' is not an ORCID iD (expected https://orcid.org/0000-0000-0000-0000)"
        ],
    }.get(name, [])


def test_there_are_seventeen_official_examples(kernel):
    assert len(list((kernel / "example").glob("*.xml"))) == 17


@pytest.mark.parametrize("path", examples(), ids=lambda p: p.stem)
def test_official_example_round_trips_without_loss(path, xsd):
    """Read each official example, write it back, validate against the XSD, and compare the trees."""
    original = path.read_text(encoding="utf-8")
    record = Record.from_xml(original)
    written = record.to_xml()
    assert Record(doi="x").xsd_problems(xsd) != []  # the XSD check is live: a bare record fails it
    assert Record.from_xml(written).xsd_problems(xsd) == []
    assert same_tree(original, written)
    assert record.problems() == expected_example_problems(path.name)


@pytest.mark.parametrize("path", examples(), ids=lambda p: p.stem)
def test_official_example_survives_rest_json(path, xsd):
    """XML -> REST JSON -> XML keeps every element and attribute (coordinates and years stay as written)."""
    original = path.read_text(encoding="utf-8")
    through_json = Record.from_json(Record.from_xml(original).to_json())
    assert same_tree(original, through_json.to_xml())
    assert through_json.xsd_problems(xsd) == []


def test_vocabulary_file_matches_the_official_xsd(kernel):
    """The controlled lists shipped as data are exactly the enumerations of the 4.7 include XSDs."""
    from_xsd = {}
    for path in (kernel / "include").glob("datacite-*-v4.xsd"):
        text = path.read_text(encoding="utf-8")
        name = re.search(r'simpleType name="(\w+)"', text).group(1)
        from_xsd[name] = tuple(re.findall(r'enumeration value="([^"]+)"', text))
    assert vocabulary() == from_xsd
    assert len(vocabulary()["resourceType"]) == 34 and len(vocabulary()["relationType"]) == 39


def test_dict_form_builds_a_valid_record(xsd):
    record = Record.from_dict(GOOD)
    assert record.problems() == []
    assert record.xsd_problems(xsd) == []
    attributes = record.to_json()
    assert attributes["types"] == {
        "resourceTypeGeneral": "Dataset",
        "resourceType": "Relational tables (Apache Parquet)",
    }
    assert attributes["publisher"] == {
        "name": "DataCite",
        "publisherIdentifier": "https://ror.org/04wxnsj81",
        "publisherIdentifierScheme": "ROR",
        "schemeUri": "https://ror.org",
    }
    person = attributes["creators"][0]
    assert person["nameIdentifiers"] == [
        {
            "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
            "nameIdentifierScheme": "ORCID",
            "schemeUri": "https://orcid.org",
        }
    ]
    assert person["affiliation"][0]["affiliationIdentifierScheme"] == "ROR"
    assert attributes["rightsList"][0]["rightsIdentifierScheme"] == "SPDX"
    assert attributes["fundingReferences"][0]["funderIdentifierType"] == "Crossref Funder ID"
    assert attributes["publicationYear"] == "2026" and attributes["url"].startswith("https://")
    assert Record.from_json(attributes) == record
    assert Record.from_json({"data": {"type": "dois", "attributes": attributes}}) == record
    assert Record.from_xml(record.to_xml()) == Record.from_json({**attributes, "url": None})


def test_every_problem_is_listed_at_once_naming_its_field():
    """Missing mandatory properties, a bad ORCID and ROR, unknown vocabulary: all reported in one list."""
    bad = {
        "creators": [
            {
                "name": "Doe, Jane",
                "orcid": "0000-0002-1825-0098",
                "affiliation": {"name": "Lab", "ror": "https://ror.org/05gq02988"},
            }
        ],
        "publicationYear": "26",
        "resourceTypeGeneral": "Spreadsheet",
        "relatedIdentifiers": [
            {"relatedIdentifier": "10.1/x", "relatedIdentifierType": "DOI", "relationType": "IsFriendOf"}
        ],
        "rights": ["CC-BY-5.0"],
        "dates": [{"date": "29/11/2026", "dateType": "Issued"}],
        "colour": "blue",
    }
    found = Record.from_dict(bad).problems()
    expected_fields = [
        "colour",
        "doi",
        "creators[0].nameIdentifiers[0]",
        "creators[0].affiliation[0]",
        "titles",
        "publisher.name",
        "publicationYear",
        "types.resourceTypeGeneral",
        "dates[0].date",
        "relatedIdentifiers[0].relationType",
        "relatedIdentifiers[0].relatedIdentifier",
        "rightsList[0].rightsIdentifier",
    ]
    assert [problem.split(":")[0] for problem in found] == expected_fields
    assert "check digit" in found[2] and "checksum" in found[3] and "'Spreadsheet'" in found[7]


def test_xsd_reports_what_the_rules_report(xsd):
    record = Record.from_dict({**GOOD, "resourceTypeGeneral": "Spreadsheet"})
    assert record.problems() == ["types.resourceTypeGeneral: 'Spreadsheet' is not a DataCite 4.7 resourceType"]
    assert any("resourceTypeGeneral" in problem for problem in record.xsd_problems(xsd))


def test_relation_other_needs_its_information():
    related = [
        {"relatedIdentifier": "https://example.org/talk", "relatedIdentifierType": "URL", "relationType": "Other"}
    ]
    assert Record.from_dict({**GOOD, "relatedIdentifiers": related}).problems() == [
        "relatedIdentifiers[0].relationTypeInformation: is needed with relationType 'Other' (say how they relate)"
    ]


def test_geolocation_ranges_and_polygons_are_checked():
    places = [
        {
            "geoLocationPoint": {"pointLongitude": 200, "pointLatitude": 10},
            "geoLocationPolygon": [{"polygonPoint": {"pointLongitude": 1, "pointLatitude": 1}}],
        }
    ]
    assert Record.from_dict({**GOOD, "geoLocations": places}).problems() == [
        "geoLocations[0].geoLocationPoint.pointLongitude: 200 is outside [-180, 180]",
        "geoLocations[0].geoLocationPolygon[0]: needs at least 4 polygonPoints (a closed ring)",
    ]


def test_description_line_breaks_round_trip(xsd):
    text = "First line.<br/>Second line,\n  with a newline kept as text."
    record = Record.from_dict({**GOOD, "description": text})
    written = record.to_xml()
    assert "<br />" in written and Record.from_xml(written).descriptions[0].description == text
    assert record.xsd_problems(xsd) == []


def test_with_doi_normalizes_and_copies():
    record = Record.from_dict({**GOOD, "doi": None})
    assert record.problems() == ["doi: is mandatory and missing"]
    minted = record.with_doi("https://doi.org/10.80507/ABC-123")
    assert minted.doi == "10.80507/abc-123" and record.doi is None and minted.problems() == []


def test_upper_case_spdx_and_lower_case_both_pass():
    assert Record.from_dict({**GOOD, "rights": ["cc-by-4.0"]}).problems() == []


def test_dict_form_reads_a_rest_response_without_false_alarms():
    """Attributes the API returns that are not metadata (state, timestamps, prefix...) are set aside quietly,
    and alternate identifiers given in both spellings (`identifiers`, `alternateIdentifiers`) count once."""
    other = {"alternateIdentifier": "abc", "alternateIdentifierType": "local"}
    response = {
        **Record.from_dict(GOOD).to_json(),
        "state": "findable",
        "created": "2026-11-29T00:00:00Z",
        "prefix": "10.80507",
        "alternateIdentifiers": [other],
        "identifiers": [{"identifier": "abc", "identifierType": "local"}],
    }
    record = Record.from_dict(response)
    assert record.problems() == [] and len(record.alternate_identifiers) == 1


def test_dict_form_leaves_its_input_alone():
    import copy

    given = {
        **copy.deepcopy(GOOD),
        "titles": ["Second title"],
        "identifiers": [{"identifier": "x", "identifierType": "local"}],
    }
    kept = copy.deepcopy(given)
    Record.from_dict(given)
    assert given == kept


# Every key DataCite's XML-to-JSON mapping (and the API's parameter list) uses, at any depth.
MAPPED_KEYS = set(
    [
        "doi",
        "url",
        "creators",
        "titles",
        "publisher",
        "publicationYear",
        "types",
        "subjects",
        "contributors",
        "dates",
        "language",
        "alternateIdentifiers",
        "relatedIdentifiers",
        "relatedItems",
        "sizes",
        "formats",
        "version",
        "rightsList",
        "descriptions",
        "geoLocations",
        "fundingReferences",
        "name",
        "nameType",
        "givenName",
        "familyName",
        "lang",
        "nameIdentifiers",
        "nameIdentifier",
        "nameIdentifierScheme",
        "schemeUri",
        "affiliation",
        "affiliationIdentifier",
        "affiliationIdentifierScheme",
        "contributorType",
        "publisherIdentifier",
        "publisherIdentifierScheme",
        "title",
        "titleType",
        "subject",
        "subjectScheme",
        "valueUri",
        "classificationCode",
        "date",
        "dateType",
        "dateInformation",
        "alternateIdentifier",
        "alternateIdentifierType",
        "relatedIdentifier",
        "relatedIdentifierType",
        "relationType",
        "relationTypeInformation",
        "resourceTypeGeneral",
        "resourceType",
        "relatedMetadataScheme",
        "schemeType",
        "relatedItemType",
        "relatedItemIdentifier",
        "relatedItemIdentifierType",
        "schemeURI",
        "volume",
        "issue",
        "number",
        "numberType",
        "firstPage",
        "lastPage",
        "edition",
        "rights",
        "rightsUri",
        "rightsIdentifier",
        "rightsIdentifierScheme",
        "description",
        "descriptionType",
        "funderName",
        "funderIdentifier",
        "funderIdentifierType",
        "awardNumber",
        "awardUri",
        "awardTitle",
        "geoLocationPlace",
        "geoLocationPoint",
        "geoLocationBox",
        "geoLocationPolygon",
        "polygonPoint",
        "inPolygonPoint",
        "pointLongitude",
        "pointLatitude",
        "westBoundLongitude",
        "eastBoundLongitude",
        "southBoundLatitude",
        "northBoundLatitude",
    ]
)


def _keys(value, parent=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield parent, key
            yield from _keys(inner, key)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner, parent)


def test_rest_json_uses_datacites_names(kernel):
    """camelCase `schemeUri`/`rightsUri`/`valueUri`/`awardUri`, `lang` for xml:lang, `nameIdentifiers` as a list;
    `schemeURI` keeps its capitals only inside `relatedItemIdentifier`, as the mapping table has it."""
    seen = set()
    for path in examples():
        attributes = Record.from_xml(path.read_text(encoding="utf-8")).to_json()
        seen |= set(_keys(attributes))
        assert all(isinstance(person.get("nameIdentifiers", []), list) for person in attributes["creators"])
    assert {key for _, key in seen} <= MAPPED_KEYS
    assert {parent for parent, key in seen if key == "schemeURI"} <= {"relatedItemIdentifier"}
    item = {"relatedItemType": "Dataset", "relationType": "Cites", "relatedItemIdentifier": {
        "relatedItemIdentifier": "10.1/x", "relatedItemIdentifierType": "DOI", "schemeURI": "https://doi.org"}}  # fmt: skip
    written = Record.from_dict({**GOOD, "relatedItems": [item]}).to_xml()
    assert 'relatedItemIdentifierType="DOI" schemeURI="https://doi.org"' in written
    assert {"schemeUri", "rightsUri", "valueUri", "awardUri", "lang"} <= {key for _, key in seen}
