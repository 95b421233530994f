"""The DataCite 4.7 metadata model: one dataclass per property, fields in the XSD's element order.

Every field declares where it lives in XML and in REST JSON (see `fields.py`); values are kept as the
strings the source held, so reading and writing again loses nothing. Checks live in `validation.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import nested, repeated, scalar


@dataclass
class NameIdentifier:
    identifier: str | None = scalar(".", "nameIdentifier")
    scheme: str | None = scalar("@nameIdentifierScheme", "nameIdentifierScheme")
    scheme_uri: str | None = scalar("@schemeURI", "schemeUri")


@dataclass
class Affiliation:
    name: str | None = scalar(".", "name")
    identifier: str | None = scalar("@affiliationIdentifier", "affiliationIdentifier")
    identifier_scheme: str | None = scalar("@affiliationIdentifierScheme", "affiliationIdentifierScheme")
    scheme_uri: str | None = scalar("@schemeURI", "schemeUri")


@dataclass
class Creator:
    name: str | None = scalar("creatorName", "name")
    name_type: str | None = scalar("creatorName/@nameType", "nameType")
    lang: str | None = scalar("creatorName/@xml:lang", "lang")
    given_name: str | None = scalar("givenName", "givenName")
    family_name: str | None = scalar("familyName", "familyName")
    name_identifiers: list[NameIdentifier] = repeated("nameIdentifier", "nameIdentifiers", NameIdentifier)
    affiliation: list[Affiliation] = repeated("affiliation", "affiliation", Affiliation)


@dataclass
class Contributor:
    contributor_type: str | None = scalar("@contributorType", "contributorType")
    name: str | None = scalar("contributorName", "name")
    name_type: str | None = scalar("contributorName/@nameType", "nameType")
    lang: str | None = scalar("contributorName/@xml:lang", "lang")
    given_name: str | None = scalar("givenName", "givenName")
    family_name: str | None = scalar("familyName", "familyName")
    name_identifiers: list[NameIdentifier] = repeated("nameIdentifier", "nameIdentifiers", NameIdentifier)
    affiliation: list[Affiliation] = repeated("affiliation", "affiliation", Affiliation)


@dataclass
class Title:
    title: str | None = scalar(".", "title")
    title_type: str | None = scalar("@titleType", "titleType")
    lang: str | None = scalar("@xml:lang", "lang")


@dataclass
class Publisher:
    name: str | None = scalar(".", "name")
    identifier: str | None = scalar("@publisherIdentifier", "publisherIdentifier")
    identifier_scheme: str | None = scalar("@publisherIdentifierScheme", "publisherIdentifierScheme")
    scheme_uri: str | None = scalar("@schemeURI", "schemeUri")
    lang: str | None = scalar("@xml:lang", "lang")


@dataclass
class Subject:
    subject: str | None = scalar(".", "subject")
    subject_scheme: str | None = scalar("@subjectScheme", "subjectScheme")
    scheme_uri: str | None = scalar("@schemeURI", "schemeUri")
    value_uri: str | None = scalar("@valueURI", "valueUri")
    classification_code: str | None = scalar("@classificationCode", "classificationCode")
    lang: str | None = scalar("@xml:lang", "lang")


@dataclass
class Date:
    date: str | None = scalar(".", "date")
    date_type: str | None = scalar("@dateType", "dateType")
    date_information: str | None = scalar("@dateInformation", "dateInformation")


@dataclass
class AlternateIdentifier:
    identifier: str | None = scalar(".", "alternateIdentifier")
    identifier_type: str | None = scalar("@alternateIdentifierType", "alternateIdentifierType")


@dataclass
class RelatedIdentifier:
    identifier: str | None = scalar(".", "relatedIdentifier")
    identifier_type: str | None = scalar("@relatedIdentifierType", "relatedIdentifierType")
    relation_type: str | None = scalar("@relationType", "relationType")
    relation_type_information: str | None = scalar("@relationTypeInformation", "relationTypeInformation")
    resource_type_general: str | None = scalar("@resourceTypeGeneral", "resourceTypeGeneral")
    related_metadata_scheme: str | None = scalar("@relatedMetadataScheme", "relatedMetadataScheme")
    scheme_uri: str | None = scalar("@schemeURI", "schemeUri")
    scheme_type: str | None = scalar("@schemeType", "schemeType")


@dataclass
class Rights:
    rights: str | None = scalar(".", "rights")
    rights_uri: str | None = scalar("@rightsURI", "rightsUri")
    rights_identifier: str | None = scalar("@rightsIdentifier", "rightsIdentifier")
    rights_identifier_scheme: str | None = scalar("@rightsIdentifierScheme", "rightsIdentifierScheme")
    scheme_uri: str | None = scalar("@schemeURI", "schemeUri")
    lang: str | None = scalar("@xml:lang", "lang")


@dataclass
class Description:
    """`description` is mixed content: each `<br/>` is held as the text `<br/>` (JSON has no element)."""

    description: str | None = scalar(".", "description")
    description_type: str | None = scalar("@descriptionType", "descriptionType")
    lang: str | None = scalar("@xml:lang", "lang")


@dataclass
class Point:
    longitude: str | None = scalar("pointLongitude", "pointLongitude")
    latitude: str | None = scalar("pointLatitude", "pointLatitude")


@dataclass
class Box:
    west: str | None = scalar("westBoundLongitude", "westBoundLongitude")
    east: str | None = scalar("eastBoundLongitude", "eastBoundLongitude")
    south: str | None = scalar("southBoundLatitude", "southBoundLatitude")
    north: str | None = scalar("northBoundLatitude", "northBoundLatitude")


@dataclass
class Polygon:
    """In JSON a polygon is a list of `{"polygonPoint": ...}` items and at most one `{"inPolygonPoint": ...}`."""

    points: list[Point] = repeated("polygonPoint", "polygonPoint", Point)
    in_point: Point | None = nested("inPolygonPoint", "inPolygonPoint", Point)


@dataclass
class GeoLocation:
    place: str | None = scalar("geoLocationPlace", "geoLocationPlace")
    point: Point | None = nested("geoLocationPoint", "geoLocationPoint", Point)
    box: Box | None = nested("geoLocationBox", "geoLocationBox", Box)
    polygons: list[Polygon] = repeated("geoLocationPolygon", "geoLocationPolygon", Polygon)


@dataclass
class FundingReference:
    funder_name: str | None = scalar("funderName", "funderName")
    funder_identifier: str | None = scalar("funderIdentifier", "funderIdentifier")
    funder_identifier_type: str | None = scalar("funderIdentifier/@funderIdentifierType", "funderIdentifierType")
    scheme_uri: str | None = scalar("funderIdentifier/@schemeURI", "schemeUri")
    award_number: str | None = scalar("awardNumber", "awardNumber")
    award_uri: str | None = scalar("awardNumber/@awardURI", "awardUri")
    award_title: str | None = scalar("awardTitle", "awardTitle")


@dataclass
class ItemCreator:
    name: str | None = scalar("creatorName", "name")
    name_type: str | None = scalar("creatorName/@nameType", "nameType")
    lang: str | None = scalar("creatorName/@xml:lang", "lang")
    given_name: str | None = scalar("givenName", "givenName")
    family_name: str | None = scalar("familyName", "familyName")


@dataclass
class ItemContributor:
    contributor_type: str | None = scalar("@contributorType", "contributorType")
    name: str | None = scalar("contributorName", "name")
    name_type: str | None = scalar("contributorName/@nameType", "nameType")
    lang: str | None = scalar("contributorName/@xml:lang", "lang")
    given_name: str | None = scalar("givenName", "givenName")
    family_name: str | None = scalar("familyName", "familyName")


@dataclass
class RelatedItem:
    item_type: str | None = scalar("@relatedItemType", "relatedItemType")
    relation_type: str | None = scalar("@relationType", "relationType")
    relation_type_information: str | None = scalar("@relationTypeInformation", "relationTypeInformation")
    identifier: str | None = scalar("relatedItemIdentifier", "relatedItemIdentifier/relatedItemIdentifier")
    identifier_type: str | None = scalar(
        "relatedItemIdentifier/@relatedItemIdentifierType", "relatedItemIdentifier/relatedItemIdentifierType"
    )
    identifier_metadata_scheme: str | None = scalar(
        "relatedItemIdentifier/@relatedMetadataScheme", "relatedItemIdentifier/relatedMetadataScheme"
    )
    identifier_scheme_uri: str | None = scalar("relatedItemIdentifier/@schemeURI", "relatedItemIdentifier/schemeURI")
    identifier_scheme_type: str | None = scalar("relatedItemIdentifier/@schemeType", "relatedItemIdentifier/schemeType")
    creators: list[ItemCreator] = repeated("creators/creator", "creators", ItemCreator)
    titles: list[Title] = repeated("titles/title", "titles", Title)
    publication_year: str | None = scalar("publicationYear", "publicationYear")
    volume: str | None = scalar("volume", "volume")
    issue: str | None = scalar("issue", "issue")
    number: str | None = scalar("number", "number")
    number_type: str | None = scalar("number/@numberType", "numberType")
    first_page: str | None = scalar("firstPage", "firstPage")
    last_page: str | None = scalar("lastPage", "lastPage")
    publisher: str | None = scalar("publisher", "publisher")
    edition: str | None = scalar("edition", "edition")
    contributors: list[ItemContributor] = repeated("contributors/contributor", "contributors", ItemContributor)


@dataclass
class Metadata:
    """The fields of a DataCite record, in XSD order; `Record` adds reading, writing and checking."""

    doi: str | None = scalar("identifier", "doi")
    identifier_type: str | None = scalar("identifier/@identifierType", None)
    creators: list[Creator] = repeated("creators/creator", "creators", Creator)
    titles: list[Title] = repeated("titles/title", "titles", Title)
    publisher: Publisher | None = nested("publisher", "publisher", Publisher)
    publication_year: str | None = scalar("publicationYear", "publicationYear")
    resource_type_general: str | None = scalar("resourceType/@resourceTypeGeneral", "types/resourceTypeGeneral")
    resource_type: str | None = scalar("resourceType", "types/resourceType")
    subjects: list[Subject] = repeated("subjects/subject", "subjects", Subject)
    contributors: list[Contributor] = repeated("contributors/contributor", "contributors", Contributor)
    dates: list[Date] = repeated("dates/date", "dates", Date)
    language: str | None = scalar("language", "language")
    alternate_identifiers: list[AlternateIdentifier] = repeated(
        "alternateIdentifiers/alternateIdentifier", "alternateIdentifiers", AlternateIdentifier
    )
    related_identifiers: list[RelatedIdentifier] = repeated(
        "relatedIdentifiers/relatedIdentifier", "relatedIdentifiers", RelatedIdentifier
    )
    sizes: list[str] = repeated("sizes/size", "sizes")
    formats: list[str] = repeated("formats/format", "formats")
    version: str | None = scalar("version", "version")
    rights_list: list[Rights] = repeated("rightsList/rights", "rightsList", Rights)
    descriptions: list[Description] = repeated("descriptions/description", "descriptions", Description)
    geo_locations: list[GeoLocation] = repeated("geoLocations/geoLocation", "geoLocations", GeoLocation)
    funding_references: list[FundingReference] = repeated(
        "fundingReferences/fundingReference", "fundingReferences", FundingReference
    )
    related_items: list[RelatedItem] = repeated("relatedItems/relatedItem", "relatedItems", RelatedItem)
    url: str | None = scalar(None, "url")
