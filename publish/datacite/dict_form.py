"""The plain dict form `Record.from_dict` reads: the REST JSON form plus a few shorthands for people.

Anything the REST JSON form allows is accepted as is. The shorthands, each expanded to the full form:

- `doi`, or `identifiers: [{identifier, identifierType}]` (type DOI is the DOI, others alternate identifiers)
- `title: "..."` or `titles: ["...", {...}]`; `description: "..."` or `descriptions: ["...", {...}]`
  (a plain string is an `Abstract`)
- creators and contributors as `"Family, Given"` strings, or objects with `orcid: "0000-..."` (or `ror`
  for an organisation); `affiliation` as a string, an object with `ror: "https://ror.org/..."`, or a list
- `publisher: "Name"` or `{name, ror}`
- `resourceTypeGeneral` and `resourceType` at the top level instead of `types`
- `rights` (or `rightsList`) as SPDX identifiers (`"CC-BY-4.0"`) or objects with `spdx: "..."`
- `subjects` (or `keywords`) as strings
- `fundingReferences` (or `funding`) objects with `ror` or `crossref` (a Crossref Funder ID)

Keys that are neither are reported as problems by `Record.problems()`, never dropped silently.
"""

from __future__ import annotations

from .fields import places
from .model import Metadata

ORCID_URI, ROR_URI, SPDX_URI = "https://orcid.org", "https://ror.org", "https://spdx.org/licenses/"
# Attributes the REST API accepts or returns that are not metadata of the record: read and set aside.
NOT_METADATA = {
    "prefix", "suffix", "event", "schemaVersion", "xml", "contentUrl", "state", "created", "updated",
    "registered", "published", "isActive", "reason", "landingPage", "source", "metadataVersion",
}  # fmt: skip
KNOWN = (
    NOT_METADATA
    | {place.json.split("/")[0] for _, place in places(Metadata) if place.json}
    | {
        "identifiers",
        "title",
        "description",
        "resourceTypeGeneral",
        "resourceType",
        "rights",
        "keywords",
        "funding",
    }
)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _affiliation(value) -> dict:
    if isinstance(value, str):
        return {"name": value}
    entry = dict(value)
    if ror := entry.pop("ror", None):
        entry.update(affiliationIdentifier=ror, affiliationIdentifierScheme="ROR", schemeUri=ROR_URI)
    return entry


def _person(value) -> dict:
    entry = {"name": value} if isinstance(value, str) else dict(value)
    identifiers = list(entry.get("nameIdentifiers", []))
    if orcid := entry.pop("orcid", None):
        full = orcid if orcid.startswith("http") else f"{ORCID_URI}/{orcid}"
        identifiers.append({"nameIdentifier": full, "nameIdentifierScheme": "ORCID", "schemeUri": ORCID_URI})
        entry.setdefault("nameType", "Personal")
    if ror := entry.pop("ror", None):
        identifiers.append({"nameIdentifier": ror, "nameIdentifierScheme": "ROR", "schemeUri": ROR_URI})
        entry.setdefault("nameType", "Organizational")
    if identifiers:
        entry["nameIdentifiers"] = identifiers
    if "affiliation" in entry:
        entry["affiliation"] = [_affiliation(a) for a in _as_list(entry["affiliation"])]
    return entry


def _rights(value) -> dict:
    entry = {"spdx": value} if isinstance(value, str) else dict(value)
    if spdx := entry.pop("spdx", None):
        entry.setdefault("rights", spdx)
        entry.update(rightsIdentifier=spdx, rightsIdentifierScheme="SPDX", schemeUri=SPDX_URI)
        entry.setdefault("rightsUri", f"{SPDX_URI}{spdx}.html")
    return entry


def _funding(value) -> dict:
    entry = dict(value)
    if ror := entry.pop("ror", None):
        entry.update(funderIdentifier=ror, funderIdentifierType="ROR", schemeUri=ROR_URI)
    if crossref := entry.pop("crossref", None):
        entry.update(funderIdentifier=crossref, funderIdentifierType="Crossref Funder ID")
    return entry


def _publisher(value) -> dict:
    entry = {"name": value} if isinstance(value, str) else dict(value)
    if ror := entry.pop("ror", None):
        entry.update(publisherIdentifier=ror, publisherIdentifierScheme="ROR", schemeUri=ROR_URI)
    return entry


def _texts(values, key: str, defaults: dict) -> list[dict]:
    return [{key: v, **defaults} if isinstance(v, str) else v for v in _as_list(values)]


def expand(source: dict) -> tuple[dict, list[str]]:
    """The REST JSON attributes the dict stands for, and one problem per key that is not understood."""
    data = {key: list(value) if isinstance(value, list) else value for key, value in source.items()}
    unknown = [key for key in data if key not in KNOWN]
    for key in [*unknown, *NOT_METADATA]:
        data.pop(key, None)
    for entry in _as_list(data.pop("identifiers", [])):
        if entry.get("identifierType", "").upper() == "DOI":
            data["doi"] = entry.get("identifier")
        else:
            other = {
                "alternateIdentifier": entry.get("identifier"),
                "alternateIdentifierType": entry.get("identifierType"),
            }
            if other not in data.setdefault("alternateIdentifiers", []):  # responses may carry both spellings
                data["alternateIdentifiers"].append(other)
    if "title" in data:
        data.setdefault("titles", []).insert(0, data.pop("title"))
    if "description" in data:
        data.setdefault("descriptions", []).insert(0, data.pop("description"))
    data["titles"] = _texts(data.get("titles", []), "title", {})
    data["descriptions"] = _texts(data.get("descriptions", []), "description", {"descriptionType": "Abstract"})
    data["subjects"] = _texts(data.get("subjects", []) + _as_list(data.pop("keywords", [])), "subject", {})
    for key in ("creators", "contributors"):
        data[key] = [_person(person) for person in _as_list(data.get(key, []))]
    if "publisher" in data:
        data["publisher"] = _publisher(data["publisher"])
    types = dict(data.get("types", {}))
    for key in ("resourceTypeGeneral", "resourceType"):
        if key in data:
            types[key] = data.pop(key)
    data["types"] = types
    rights = _as_list(data.pop("rights", [])) + _as_list(data.get("rightsList", []))
    data["rightsList"] = [_rights(entry) for entry in rights]
    funding = _as_list(data.pop("funding", [])) + _as_list(data.get("fundingReferences", []))
    data["fundingReferences"] = [_funding(entry) for entry in funding]
    return data, [f"{key}: is not a DataCite property (nor a shorthand djspecs knows)" for key in unknown]
