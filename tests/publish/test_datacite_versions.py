"""Versions under one concept DOI: HasVersion to each, IsVersionOf / IsNewVersionOf / IsPreviousVersionOf."""

from __future__ import annotations

from djspecs.publish.datacite import Record
from djspecs.publish.datacite.versions import release
from tests.publish import datacite_support as support
from tests.publish.test_datacite_record import GOOD

datacite, client, sleeps, kernel, xsd = support.datacite, support.client, support.sleeps, support.kernel, support.xsd


def version(number: str) -> Record:
    return Record.from_dict({**GOOD, "doi": None, "version": number, "url": f"https://example.org/v{number}"})


def links(client, doi: str) -> list[tuple[str, str]]:
    return [(r.relation_type, r.identifier) for r in client.get(doi).record.related_identifiers]


def test_three_versions_are_linked_both_ways(client, datacite):
    first = release(client, version("1"), key="ds@1", concept_key="ds")
    second = release(client, version("2"), key="ds@2", concept_key="ds")
    third = release(client, version("3"), key="ds@3", concept_key="ds")
    concept, v1, v2, v3 = third.concept.doi, first.version.doi, second.version.doi, third.version.doi
    assert first.concept.doi == second.concept.doi == concept and len({v1, v2, v3, concept}) == 4
    assert third.versions == [v1, v2, v3] and third.previous == v2

    own = [("IsCompiledBy", "https://github.com/datajoint/djspecs"), ("IsSupplementTo", "10.1234/paper.5")]
    assert links(client, concept) == [*own, ("HasVersion", v1), ("HasVersion", v2), ("HasVersion", v3)]
    assert links(client, v1) == [*own, ("IsVersionOf", concept), ("IsPreviousVersionOf", v2)]
    assert links(client, v2) == [*own, ("IsVersionOf", concept), ("IsNewVersionOf", v1), ("IsPreviousVersionOf", v3)]
    assert links(client, v3) == [*own, ("IsVersionOf", concept), ("IsNewVersionOf", v2)]
    assert {datacite.registry.read(doi).state for doi in (concept, v1, v2, v3)} == {"findable"}
    held = client.get(concept).record
    assert held.version is None and held.url == "https://example.org/v3"  # the concept resolves to the latest


def test_releasing_again_changes_nothing(client, datacite):
    release(client, version("1"), key="ds@1", concept_key="ds")
    second = release(client, version("2"), key="ds@2", concept_key="ds")
    before = {doi: entry.attributes for doi, entry in datacite.registry.entries.items()}
    again = release(client, version("1"), key="ds@1", concept_key="ds")
    assert again.versions == second.versions and again.previous is None
    assert {doi: entry.attributes for doi, entry in datacite.registry.entries.items()} == before
