"""The machine-readable descriptions of a bundle's payload: Frictionless Data Package v2, RO-Crate 1.2 and
Croissant 1.1 (PUB-1, PUB-6). Each takes its hashes and sizes from the write pass (`staging.Written`).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from .datacite.citation import Citation
from .parquet import MEDIA_TYPE
from .types import croissant_type, table_schema_field

DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
TABLESCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
ROCRATE_VERSION = "1.2"
CROISSANT_PARQUET = "application/x-parquet"  # what Croissant readers recognise (publish-notes pitfall 22)
MEDIA_TYPES = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".md": "text/markdown",
    ".cff": "application/x-yaml",
    ".bib": "application/x-bibtex",
    ".mmd": "text/vnd.mermaid",
    ".parquet": MEDIA_TYPE,
    ".svg": "image/svg+xml",
}


def _media_type(path: str) -> str:
    return next((t for suffix, t in MEDIA_TYPES.items() if path.endswith(suffix)), "application/octet-stream")


def _license(citation: Citation) -> dict | None:
    if not citation.license:
        return None
    license_ = {"name": citation.license}
    if citation.license_url:
        license_["path"] = citation.license_url
    return license_


def table_schema(heading) -> dict:
    """Table Schema v2: typed fields, primary key, and the foreign keys into resources of this package."""
    fields = [
        table_schema_field(a.name, a.type, nullable=a.nullable and not a.in_key, comment=a.comment) for a in heading
    ]
    schema: dict = {"$schema": TABLESCHEMA_PROFILE, "fields": fields}
    if heading.primary_key:
        schema["primaryKey"] = list(heading.primary_key)
    return schema


def foreign_keys(item, resource_of: dict) -> list[dict]:
    result = []
    for fk in item.foreign_keys:
        parent = resource_of.get((fk.parent_schema, fk.parent_table))
        if parent is not None:
            result.append(
                {
                    "fields": [c for c, _ in fk.attributes],
                    "reference": {"resource": parent, "fields": [p for _, p in fk.attributes]},
                }
            )
    return result


def datapackage(citation: Citation, resources: list[dict], *, name: str, created: str) -> dict:
    package = {
        "$schema": DATAPACKAGE_PROFILE,
        "name": name,
        "title": citation.title,
        "created": created,
        "resources": resources,
    }
    if citation.doi:
        package["id"] = citation.link
    if citation.description:
        package["description"] = citation.description
    if citation.version:
        package["version"] = citation.version
    if citation.keywords:
        package["keywords"] = list(citation.keywords)
    if license_ := _license(citation):
        package["licenses"] = [license_]
    if citation.authors:
        package["contributors"] = [{"title": c.display, "roles": ["creator"]} for c in citation.authors]
    return package


def resource(item, written, rows: int, schema: dict) -> dict:
    """A table resource; its path is relative to `data/`, where datapackage.json sits."""
    return {
        "name": item.name,
        "type": "table",
        "path": written.path.removeprefix("data/"),
        "format": "parquet",
        "mediatype": MEDIA_TYPE,
        "bytes": written.size,
        "hash": f"sha256:{written.sha256}",
        "schema": schema,
        "_djRows": rows,
        "_djTable": ".".join(item.base) if item.base else None,
        "_djTier": item.tier,
    }


def ro_crate(citation: Citation, files: list, *, created: str) -> dict:
    """An RO-Crate 1.2 whose root is the bag's data/ folder; every file but the descriptor itself is a part."""
    parts = [f for f in files if f.path != "data/ro-crate-metadata.json"]
    root: dict = {
        "@id": "./",
        "@type": "Dataset",
        "name": citation.title,
        "datePublished": citation.published(created[:10]),
        "hasPart": [{"@id": _crate_id(f.path)} for f in parts],
    }
    if citation.description:
        root["description"] = citation.description
    if citation.version:
        root["version"] = citation.version
    if citation.doi:
        root["identifier"] = citation.link
        root["cite-as"] = citation.link
    if citation.license:
        root["license"] = {"@id": f"https://spdx.org/licenses/{citation.license}"}
    if citation.authors:
        root["author"] = [{"@id": _person_id(c)} for c in citation.authors]
    graph = [
        {
            "@id": "ro-crate-metadata.json",
            "@type": "CreativeWork",
            "about": {"@id": "./"},
            "conformsTo": {"@id": f"https://w3id.org/ro/crate/{ROCRATE_VERSION}"},
        },
        root,
    ]
    graph += [
        {
            "@id": _crate_id(f.path),
            "@type": "File",
            "encodingFormat": _media_type(f.path),
            "contentSize": str(f.size),
            "sha256": f.sha256,
        }
        for f in parts
    ]
    graph += [{"@id": _person_id(c), "@type": "Person", "name": c.display} for c in citation.authors]
    if citation.license:
        graph.append(
            {
                "@id": f"https://spdx.org/licenses/{citation.license}",
                "@type": "CreativeWork",
                "name": citation.license,
            }
        )
    return {"@context": f"https://w3id.org/ro/crate/{ROCRATE_VERSION}/context", "@graph": graph}


def _crate_id(path: str) -> str:
    return quote(path.removeprefix("data/"))


def _person_id(creator) -> str:
    if creator.orcid:
        return creator.orcid if creator.orcid.startswith("http") else f"https://orcid.org/{creator.orcid}"
    return "#" + quote(creator.display)


def croissant(citation: Citation, tables: list[tuple], *, created: str) -> dict:
    """Croissant 1.1: one FileObject and one RecordSet per table. `tables`: (item, heading, written)."""
    distribution, record_sets = [], []
    for item, heading, written in tables:
        distribution.append(
            {
                "@type": "cr:FileObject",
                "@id": item.name,
                "name": item.name,
                "contentUrl": written.path.removeprefix("data/"),
                "contentSize": f"{written.size} B",
                "encodingFormat": CROISSANT_PARQUET,
                "sha256": written.sha256,
            }
        )
        fields = [
            {
                "@type": "cr:Field",
                "@id": f"{item.name}/{a.name}",
                "name": a.name,
                "dataType": croissant_type(a.type),
                "source": {"fileObject": {"@id": item.name}, "extract": {"column": a.name}},
            }
            for a in heading
        ]
        record_set = {"@type": "cr:RecordSet", "@id": f"{item.name}/records", "name": item.name, "field": fields}
        if heading.primary_key:
            record_set["key"] = [{"@id": f"{item.name}/{k}"} for k in heading.primary_key]
        record_sets.append(record_set)
    return {
        "@context": {
            "@language": "en",
            "@vocab": "https://schema.org/",
            "sc": "https://schema.org/",
            "cr": "http://mlcommons.org/croissant/",
            "dct": "http://purl.org/dc/terms/",
        },
        "@type": "sc:Dataset",
        "dct:conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": citation.title,
        "description": citation.description or citation.title,
        "license": f"https://spdx.org/licenses/{citation.license}" if citation.license else "",
        "url": citation.link,
        "creator": [{"@type": "sc:Person", "name": c.display} for c in citation.authors],
        "datePublished": citation.published(created[:10]),
        "version": citation.version or "1.0.0",
        "distribution": distribution,
        "recordSet": record_sets,
    }


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
