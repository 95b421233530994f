"""Every problem of a record at once, each naming its field by its REST JSON path (`creators[0].name`).

These checks mirror the 4.7 XSD (mandatory properties, controlled lists, lexical patterns, coordinate
ranges) and add what the XSD leaves as free text but DataCite's guidance expects: ORCID and ROR checksums,
SPDX licence IDs, DOI syntax, and a `relationTypeInformation` with relation type `Other`.
`xsd.py` runs the official XSD itself when it is available.
"""

from __future__ import annotations

import re

from .identifiers import doi_problem, orcid_problem, ror_problem, spdx_problem
from .model import Box, Metadata, Point
from .vocabulary import allowed

YEAR = re.compile(r"^\d{4}$")
EDTF = re.compile(  # the five alternatives of the XSD's `edtf` simple type
    r"^(?:(-)?[0-9]{4}(-[0-9]{2})?(-[0-9]{2})?(T([0-9]{2}:){2}[0-9]{2}Z)?"
    r"|\d{2}(\d{2}|\?\?|\d(\d|\?))(-(\d{2}|\?\?))?~?\??"
    r"|\d{6}(\d{2}|\?\?)~?\??"
    r"|\d{8}T\d{6}"
    r"|((-)?(\d{4}(-\d{2})?(-\d{2})?)|unknown)/((-)?(\d{4}(-\d{2})?(-\d{2})?)|unknown|open))$"
)
LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")  # xs:language


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def required(self, where: str, value) -> bool:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(where, "is mandatory and missing")
            return False
        return True

    def listed(self, where: str, list_name: str, value: str | None, *, needed: bool = False) -> None:
        if value is None:
            if needed:
                self.add(where, f"is mandatory and missing (one of DataCite's {list_name} values)")
            return
        if not allowed(list_name, value):
            self.add(where, f"{value!r} is not a DataCite 4.7 {list_name}")

    def identifier(self, where: str, scheme: str | None, value: str | None) -> None:
        """ORCID and ROR identifiers are checked whatever field holds them."""
        if value is None or scheme is None:
            return
        check = {"orcid": orcid_problem, "ror": ror_problem}.get(scheme.strip().lower())
        if check and (problem := check(value)):
            self.add(where, problem)

    def coordinate(self, where: str, value: str | None, limit: float) -> None:
        if not self.required(where, value):
            return
        try:
            number = float(value)
        except ValueError:
            self.add(where, f"{value!r} is not a number")
            return
        if not -limit <= number <= limit:
            self.add(where, f"{value} is outside [-{limit:g}, {limit:g}]")


def _names(check: Checker, field: str, people, *, contributor: bool) -> None:
    for i, person in enumerate(people):
        where = f"{field}[{i}]"
        check.required(f"{where}.name", person.name)
        check.listed(f"{where}.nameType", "nameType", person.name_type)
        if contributor:
            check.listed(f"{where}.contributorType", "contributorType", person.contributor_type, needed=True)
        for j, named in enumerate(getattr(person, "name_identifiers", [])):
            spot = f"{where}.nameIdentifiers[{j}]"
            if check.required(f"{spot}.nameIdentifier", named.identifier):
                check.required(f"{spot}.nameIdentifierScheme", named.scheme)
                check.identifier(spot, named.scheme, named.identifier)
        for j, place in enumerate(getattr(person, "affiliation", [])):
            spot = f"{where}.affiliation[{j}]"
            check.required(f"{spot}.name", place.name)
            check.identifier(spot, place.identifier_scheme, place.identifier)


def _titles(check: Checker, field: str, titles, *, needed: bool) -> None:
    if needed and not titles:
        check.add(field, "is mandatory: give at least one title")
    for i, title in enumerate(titles):
        check.required(f"{field}[{i}].title", title.title)
        check.listed(f"{field}[{i}].titleType", "titleType", title.title_type)


def _related(check: Checker, where: str, relation: str | None, information: str | None) -> None:
    check.listed(f"{where}.relationType", "relationType", relation, needed=True)
    if relation == "Other" and not information:
        check.add(f"{where}.relationTypeInformation", "is needed with relationType 'Other' (say how they relate)")


def _point(check: Checker, where: str, point: Point) -> None:
    check.coordinate(f"{where}.pointLongitude", point.longitude, 180)
    check.coordinate(f"{where}.pointLatitude", point.latitude, 90)


def _box(check: Checker, where: str, box: Box) -> None:
    for key, value, limit in (
        ("westBoundLongitude", box.west, 180),
        ("eastBoundLongitude", box.east, 180),
        ("southBoundLatitude", box.south, 90),
        ("northBoundLatitude", box.north, 90),
    ):
        check.coordinate(f"{where}.{key}", value, limit)


def _mandatory(check: Checker, m: Metadata) -> None:
    if check.required("doi", m.doi) and (problem := doi_problem(m.doi)):
        check.add("doi", problem)
    if not m.creators:
        check.add("creators", "is mandatory: give at least one creator")
    _names(check, "creators", m.creators, contributor=False)
    _titles(check, "titles", m.titles, needed=True)
    if m.publisher is None or not (m.publisher.name or "").strip():
        check.add("publisher.name", "is mandatory and missing")
    elif m.publisher.identifier:
        check.identifier("publisher.publisherIdentifier", m.publisher.identifier_scheme, m.publisher.identifier)
    if check.required("publicationYear", m.publication_year) and not YEAR.match(m.publication_year.strip()):
        check.add("publicationYear", f"{m.publication_year!r} is not a four-digit year")
    check.listed("types.resourceTypeGeneral", "resourceType", m.resource_type_general, needed=True)


def _recommended(check: Checker, m: Metadata) -> None:
    _names(check, "contributors", m.contributors, contributor=True)
    for i, date in enumerate(m.dates):
        if check.required(f"dates[{i}].date", date.date) and not EDTF.match(date.date.strip()):
            check.add(f"dates[{i}].date", f"{date.date!r} is not a DataCite date (YYYY, YYYY-MM-DD, a/b, ...)")
        check.listed(f"dates[{i}].dateType", "dateType", date.date_type, needed=True)
    if m.language is not None and not LANGUAGE.match(m.language):
        check.add("language", f"{m.language!r} is not a language tag such as 'en' or 'en-GB'")
    for i, other in enumerate(m.alternate_identifiers):
        check.required(f"alternateIdentifiers[{i}].alternateIdentifier", other.identifier)
        check.required(f"alternateIdentifiers[{i}].alternateIdentifierType", other.identifier_type)
    for i, related in enumerate(m.related_identifiers):
        where = f"relatedIdentifiers[{i}]"
        check.required(f"{where}.relatedIdentifier", related.identifier)
        check.listed(f"{where}.relatedIdentifierType", "relatedIdentifierType", related.identifier_type, needed=True)
        _related(check, where, related.relation_type, related.relation_type_information)
        check.listed(f"{where}.resourceTypeGeneral", "resourceType", related.resource_type_general)
        if related.identifier_type == "DOI" and related.identifier and (problem := doi_problem(related.identifier)):
            check.add(f"{where}.relatedIdentifier", problem)
    for i, rights in enumerate(m.rights_list):
        scheme, identifier = (rights.rights_identifier_scheme or "").lower(), rights.rights_identifier
        spdx = scheme == "spdx" and check.required(f"rightsList[{i}].rightsIdentifier", identifier)
        if spdx and (problem := spdx_problem(identifier)):
            check.add(f"rightsList[{i}].rightsIdentifier", problem)
    for i, description in enumerate(m.descriptions):
        check.required(f"descriptions[{i}].description", description.description)
        check.listed(f"descriptions[{i}].descriptionType", "descriptionType", description.description_type, needed=True)


def _optional(check: Checker, m: Metadata) -> None:
    for i, place in enumerate(m.geo_locations):
        where = f"geoLocations[{i}]"
        if place.point is not None:
            _point(check, f"{where}.geoLocationPoint", place.point)
        if place.box is not None:
            _box(check, f"{where}.geoLocationBox", place.box)
        for j, polygon in enumerate(place.polygons):
            if len(polygon.points) < 4:
                check.add(f"{where}.geoLocationPolygon[{j}]", "needs at least 4 polygonPoints (a closed ring)")
            for k, point in enumerate(polygon.points):
                _point(check, f"{where}.geoLocationPolygon[{j}].polygonPoint[{k}]", point)
    for i, funding in enumerate(m.funding_references):
        where = f"fundingReferences[{i}]"
        check.required(f"{where}.funderName", funding.funder_name)
        if funding.funder_identifier is not None:
            check.listed(
                f"{where}.funderIdentifierType", "funderIdentifierType", funding.funder_identifier_type, needed=True
            )
            check.identifier(f"{where}.funderIdentifier", funding.funder_identifier_type, funding.funder_identifier)
    for i, item in enumerate(m.related_items):
        where = f"relatedItems[{i}]"
        check.listed(f"{where}.relatedItemType", "resourceType", item.item_type, needed=True)
        _related(check, where, item.relation_type, item.relation_type_information)
        check.listed(
            f"{where}.relatedItemIdentifier.relatedItemIdentifierType", "relatedIdentifierType", item.identifier_type
        )
        check.listed(f"{where}.numberType", "numberType", item.number_type)
        _names(check, f"{where}.creators", item.creators, contributor=False)
        _names(check, f"{where}.contributors", item.contributors, contributor=True)
        _titles(check, f"{where}.titles", item.titles, needed=False)


def problems(metadata: Metadata) -> list[str]:
    check = Checker()
    _mandatory(check, metadata)
    _recommended(check, metadata)
    _optional(check, metadata)
    return check.problems
