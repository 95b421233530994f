"""What a bundle says about itself, read once from its DataCite record (REST JSON form), and the files for
people that follow from it: CITATION.cff and BibTeX (PUB-8).

The DataCite record is the single source: titles, creators, year, DOI, version, licence and description
in the RO-Crate, datapackage.json, Croissant, README and citation files are all taken from it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import yaml


@dataclass(frozen=True)
class Creator:
    name: str
    given: str = ""
    family: str = ""
    orcid: str = ""


@dataclass(frozen=True)
class Citation:
    title: str
    creators: tuple[Creator, ...] = ()
    year: str = ""
    publisher: str = ""
    doi: str = ""
    version: str = ""
    license_id: str = ""
    license_url: str = ""
    description: str = ""
    keywords: tuple[str, ...] = field(default=())

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


def from_datacite(record: dict | None, *, fallback_title: str) -> Citation:
    """The citation facts of a DataCite REST record (`attributes`); an absent record gives a bare title."""
    if not record:
        return Citation(title=fallback_title, year=str(dt.date.today().year))
    creators = []
    for creator in record.get("creators", []):
        orcid = next(
            (
                i["nameIdentifier"]
                for i in creator.get("nameIdentifiers", [])
                if i.get("nameIdentifierScheme") == "ORCID"
            ),
            "",
        )
        creators.append(
            Creator(creator.get("name", ""), creator.get("givenName", ""), creator.get("familyName", ""), orcid)
        )
    rights = next(iter(record.get("rightsList", [])), {})
    publisher = record.get("publisher", "")
    abstract = next((d["description"] for d in record.get("descriptions", []) if d.get("description")), "")
    return Citation(
        title=next((t["title"] for t in record.get("titles", []) if not t.get("titleType")), fallback_title),
        creators=tuple(creators),
        year=str(record.get("publicationYear", dt.date.today().year)),
        publisher=publisher.get("name", "") if isinstance(publisher, dict) else str(publisher),
        doi=(record.get("doi") or "").lower(),
        version=str(record.get("version", "")),
        license_id=rights.get("rightsIdentifier", ""),
        license_url=rights.get("rightsUri", ""),
        description=abstract,
        keywords=tuple(s["subject"] for s in record.get("subjects", []) if s.get("subject")),
    )


def citation_cff(citation: Citation) -> str:
    """CITATION.cff (Citation File Format 1.2.0); cites the version DOI when there is one."""
    authors = []
    for creator in citation.creators or (Creator("unknown"),):
        entry = (
            {"family-names": creator.family, "given-names": creator.given} if creator.family else {"name": creator.name}
        )
        if creator.orcid:
            entry["orcid"] = creator.orcid if creator.orcid.startswith("http") else f"https://orcid.org/{creator.orcid}"
        authors.append(entry)
    document = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": citation.title,
        "authors": authors,
    }
    if citation.doi:
        document["doi"] = citation.doi
    if citation.version:
        document["version"] = citation.version
    if citation.license_id:
        document["license"] = citation.license_id
    if citation.year:
        document["date-released"] = f"{citation.year}-01-01" if len(citation.year) == 4 else citation.year
    if citation.keywords:
        document["keywords"] = list(citation.keywords)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}%&#_$])", r"\\\1", text)


def bibtex(citation: Citation) -> str:
    """One `@misc` entry; the key is the first creator's family name and the year."""
    first = citation.creators[0] if citation.creators else Creator("anonymous")
    stem = re.sub(r"[^a-z0-9]", "", (first.family or first.name).lower()) or "dataset"
    authors = (
        " and ".join(f"{c.family}, {c.given}" if c.family else "{" + c.name + "}" for c in citation.creators)
        or "{anonymous}"
    )
    fields = {
        "author": authors,
        "title": "{" + _bibtex_escape(citation.title) + "}",
        "year": citation.year,
        "publisher": _bibtex_escape(citation.publisher),
        "version": citation.version,
        "doi": citation.doi,
        "url": citation.doi_url,
    }
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value)
    return f"@misc{{{stem}{citation.year},\n{body}\n}}\n"
