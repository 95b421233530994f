"""Citations of a DataCite record or of a CITATION.cff, and their formats: APA 7, BibTeX, Citation File Format.

The one citation model of djspecs: the CLI formats it (`djspecs cite`), and a bundle takes every title,
creator, year, DOI, version, licence and description it shows (RO-Crate, datapackage.json, Croissant,
README, CITATION.cff, citation.bib; PUB-8) from the citation of its DataCite record.

Which DOI to cite: a version DOI pins the exact data (reproducibility); a concept DOI always resolves to the
latest version. A record says which it is through its `IsVersionOf` / `HasVersion` links.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib.resources import files

import yaml

from .record import Record

BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")
KIND = {"Dataset": ("Data set", "dataset"), "Software": ("Computer software", "software")}


@dataclass
class Author:
    family: str | None = None
    given: str | None = None
    name: str | None = None  # an organisation, or a person given only as one string
    orcid: str | None = None
    affiliation: str | None = None

    @property
    def display(self) -> str:
        """The name as people read it: an organisation's name, or given and family name."""
        return self.name or " ".join(filter(None, (self.given, self.family)))

    def apa(self) -> str:
        if not self.family:
            return self.name or ""
        initials = " ".join("-".join(p[0] + "." for p in part.split("-") if p) for part in (self.given or "").split())
        return f"{self.family}, {initials}" if initials else self.family

    def bibtex(self) -> str:
        if not self.family:
            return "{" + _bibtex_escape(self.name or "") + "}"
        return _bibtex_escape(f"{self.family}, {self.given}" if self.given else self.family)


@dataclass
class Citation:
    title: str
    authors: list[Author] = field(default_factory=list)
    year: str | None = None
    version: str | None = None
    publisher: str | None = None
    doi: str | None = None
    url: str | None = None
    kind: str = "Dataset"  # DataCite resourceTypeGeneral
    license: str | None = None  # an SPDX identifier
    license_url: str | None = None
    date: str | None = None  # date released (YYYY-MM-DD), when known
    description: str | None = None  # the abstract
    keywords: tuple[str, ...] = ()

    def published(self, today: str) -> str:
        """The publication date of descriptions that state one (RO-Crate, Croissant), agreeing with the record
        (PUB-8): its Issued date, else `today` (YYYY-MM-DD) in the record's publication year, else that year
        alone, which ISO 8601 allows."""
        if self.date:
            return self.date
        return today if not self.year or today.startswith(self.year) else self.year

    @property
    def link(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    def apa(self) -> str:
        names = [a.apa() for a in self.authors]
        who = ", ".join(names[:-1]) + ", & " + names[-1] if len(names) > 1 else "".join(names) or self.title
        label = KIND.get(self.kind, (self.kind, ""))[0]
        version = f" (Version {self.version})" if self.version else ""
        parts = [
            f"{who}{'' if who.endswith('.') else '.'} ({self.year or 'n.d.'}).",
            f"{self.title}{version} [{label}].",
        ]
        if self.publisher and self.publisher not in names:
            parts.append(f"{self.publisher}.")
        if self.link:
            parts.append(self.link)
        return " ".join(parts)

    def bibtex(self) -> str:
        first = self.authors[0] if self.authors else Author(name=self.title)
        stem = re.sub(r"[^a-z0-9]", "", (first.family or first.name or "anon").lower())
        word = re.sub(r"[^a-z0-9]", "", (self.title.split() or ["x"])[0].lower())
        entries = {
            "author": " and ".join(a.bibtex() for a in self.authors),
            "title": "{" + _bibtex_escape(self.title) + "}",
            "year": self.year,
            "publisher": _bibtex_escape(self.publisher) if self.publisher else None,
            "version": self.version,
            "doi": self.doi,
            "url": self.link,
            "note": KIND.get(self.kind, (self.kind,))[0],
        }
        lines = [f"  {key} = {{{value}}}," for key, value in entries.items() if value]
        return "\n".join([f"@misc{{{stem}{self.year or ''}{word},", *lines, "}"])

    def cff(self) -> str:
        authors = []
        for a in self.authors:
            entry = {"family-names": a.family, "given-names": a.given} if a.family else {"name": a.name}
            entry.update({k: v for k, v in (("orcid", a.orcid), ("affiliation", a.affiliation)) if v})
            authors.append({k: v for k, v in entry.items() if v})
        document = {
            "cff-version": "1.2.0",
            "message": "If you use this, please cite it as below.",
            "type": KIND.get(self.kind, ("", "dataset"))[1] or "dataset",
            "title": self.title,
            "authors": authors,
            "version": self.version,
            "doi": self.doi,
            "date-released": self.date,  # CFF wants a whole date: none is invented from the year
            "license": self.license,
            "url": self.url,
            "keywords": list(self.keywords),
        }
        return yaml.safe_dump({k: v for k, v in document.items() if v}, sort_keys=False, allow_unicode=True)

    def render(self, style: str) -> str:
        return {"apa": self.apa, "bibtex": self.bibtex, "cff": self.cff}[style]()


def _bibtex_escape(text: str) -> str:
    return BIBTEX_SPECIAL.sub(r"\\\1", text)


def _author_of(person) -> Author:
    orcid = next((i.identifier.strip() for i in person.name_identifiers if (i.scheme or "").upper() == "ORCID"), None)
    affiliation = person.affiliation[0].name if person.affiliation else None
    family, given = person.family_name, person.given_name
    if not family and person.name_type == "Personal" and "," in (person.name or ""):
        family, given = (part.strip() for part in person.name.split(",", 1))
    if person.name_type == "Organizational":
        family = given = None
    return Author(family, given, person.name, orcid, affiliation)


def from_record(record: Record | None, *, fallback_title: str = "") -> Citation:
    """The citation of a record; no record gives a citation of `fallback_title` alone, dated this year."""
    if record is None:
        return Citation(title=fallback_title, year=str(dt.date.today().year))
    title = next((t.title for t in record.titles if not t.title_type), record.titles[0].title if record.titles else "")
    issued = next((d.date for d in record.dates if d.date_type == "Issued"), None)
    spdx = [r for r in record.rights_list if (r.rights_identifier_scheme or "").upper() == "SPDX"]
    rights = next(iter(spdx or record.rights_list), None)
    abstract = next((d.description for d in record.descriptions if d.description_type == "Abstract"), None)
    return Citation(
        title=title,
        authors=[_author_of(person) for person in record.creators],
        year=record.publication_year,
        version=record.version,
        publisher=record.publisher.name if record.publisher else None,
        doi=record.doi,
        url=record.url,
        kind=record.resource_type_general or "Dataset",
        license=rights.rights_identifier if rights else None,
        license_url=rights.rights_uri if rights else None,
        date=issued if issued and len(issued) == 10 else None,
        description=abstract or next((d.description for d in record.descriptions if d.description), None),
        keywords=tuple(s.subject for s in record.subjects if s.subject),
    )


def from_cff(document: dict) -> Citation:
    authors = [
        Author(a.get("family-names"), a.get("given-names"), a.get("name"), a.get("orcid"), a.get("affiliation"))
        for a in document.get("authors", [])
    ]
    released = str(document.get("date-released") or "")
    return Citation(
        title=document["title"],
        authors=authors,
        year=released[:4] or None,
        version=str(document["version"]) if document.get("version") else None,
        doi=document.get("doi"),
        url=document.get("url") or document.get("repository-code"),
        kind="Software" if document.get("type", "software") == "software" else "Dataset",
        license=document.get("license"),
        date=released or None,
    )


def djspecs_citation() -> Citation:
    """djspecs itself, from the CITATION.cff shipped in the package (a copy of the repository's)."""
    text = files(__package__).joinpath("CITATION.cff").read_text(encoding="utf-8")
    return from_cff(yaml.safe_load(text))
