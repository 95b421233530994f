"""Versions under one concept DOI, linked the way DataCite's guidance describes.

The concept DOI stands for the dataset as a whole (it resolves to the latest version) and carries `HasVersion`
to every version. Each version carries `IsVersionOf` the concept, `IsNewVersionOf` the one before and
`IsPreviousVersionOf` the one after. The API replaces whole arrays on update, so every update here sends the
record's full `relatedIdentifiers`: the links it manages, rebuilt from the version list, plus every other
relation the record already had. Re-running a release with the same keys changes nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .client import DataCiteClient, Receipt
from .identifiers import normalize_doi
from .model import RelatedIdentifier
from .record import Record

VERSION_LINKS = {"HasVersion", "IsVersionOf", "IsNewVersionOf", "IsPreviousVersionOf"}


@dataclass
class Release:
    concept: Receipt
    version: Receipt
    previous: str | None  # the DOI of the version before, if any
    versions: list[str]  # every version DOI, oldest first


def _link(doi: str, relation: str) -> RelatedIdentifier:
    return RelatedIdentifier(identifier=doi, identifier_type="DOI", relation_type=relation)


def relink(record: Record, chain: set[str], links: list[RelatedIdentifier]) -> Record:
    """The record with its version links to DOIs of this chain replaced by `links`; other relations kept."""
    linked = copy.deepcopy(record)
    kept = [
        r
        for r in linked.related_identifiers
        if not (r.relation_type in VERSION_LINKS and normalize_doi(r.identifier or "") in chain)
    ]
    linked.related_identifiers = [*kept, *links]
    return linked


def version_links(concept: str, versions: list[str], doi: str) -> list[RelatedIdentifier]:
    position = versions.index(doi)
    links = [_link(concept, "IsVersionOf")]
    if position > 0:
        links.append(_link(versions[position - 1], "IsNewVersionOf"))
    if position + 1 < len(versions):
        links.append(_link(versions[position + 1], "IsPreviousVersionOf"))
    return links


def release(client: DataCiteClient, record: Record, *, key: str, concept_key: str) -> Release:
    """Publish `record` as the version `key` of the dataset `concept_key`, and relink its neighbours."""
    concept_draft = concept_record(record)
    concept = client.reserve(concept_draft, key=concept_key)
    known = client.get(concept.doi).record
    versions = [
        normalize_doi(r.identifier)
        for r in known.related_identifiers
        if r.relation_type == "HasVersion" and r.identifier
    ]
    version = client.reserve(record, key=key)
    if version.doi not in versions:
        versions.append(version.doi)
    chain = {concept.doi, *versions}

    published = client.mint(relink(record, chain, version_links(concept.doi, versions, version.doi)), key=key)
    position = versions.index(version.doi)
    for neighbour in versions[max(position - 1, 0) : position] + versions[position + 1 : position + 2]:
        held = client.get(neighbour)
        client.put(relink(held.record, chain, version_links(concept.doi, versions, neighbour)), expect=held.state)

    latest = record if versions[-1] == version.doi else client.get(versions[-1]).record
    landing = concept_record(latest)  # the concept shows, and resolves to, the latest version
    links = [_link(doi, "HasVersion") for doi in versions]
    concept = client.mint(relink(landing, chain, links), key=concept_key)
    previous = versions[position - 1] if position > 0 else None
    return Release(concept, published, previous, versions)


def concept_record(record: Record) -> Record:
    """The concept's metadata: the version's, without its version number or DOI (its landing page stays)."""
    concept = copy.deepcopy(record)
    concept.version, concept.doi = None, None
    return concept
