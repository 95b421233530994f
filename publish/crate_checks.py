"""Checks of the RO-Crate, Croissant and DataCite descriptions of a bundle (PUB-10).

RO-Crate: the rules of RO-Crate 1.2 that can be checked offline (the descriptor entity, the root data
entity with `datePublished`, every payload file a part, each File's size and hash). The JSON-LD context is
not fetched: this machine, like many CI runners, is offline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ElementTree
from urllib.parse import unquote

CRATE = "data/ro-crate-metadata.json"
CROISSANT = "data/croissant.json"


def check_crate(crate: dict, actual: dict, report) -> None:
    graph = crate.get("@graph")
    if not isinstance(graph, list):
        report.add(CRATE, "@graph", "missing or not a list")
        return
    if "w3id.org/ro/crate/" not in json.dumps(crate.get("@context", "")):
        report.add(CRATE, "@context", "is not an RO-Crate context")
    entities = {e.get("@id"): e for e in graph if isinstance(e, dict)}
    descriptor = entities.get("ro-crate-metadata.json")
    if descriptor is None:
        report.add(CRATE, "ro-crate-metadata.json", "the metadata descriptor entity is missing")
        return
    if descriptor.get("about", {}).get("@id") != "./":
        report.add(CRATE, "ro-crate-metadata.json/about", "must point at the root data entity ./")
    if "w3id.org/ro/crate/" not in str(descriptor.get("conformsTo", {}).get("@id", "")):
        report.add(CRATE, "ro-crate-metadata.json/conformsTo", "must name an RO-Crate version")
    root = entities.get("./")
    if root is None or "Dataset" not in _types(root):
        report.add(CRATE, "./", "the root data entity (a Dataset) is missing")
        return
    published = root.get("datePublished")
    if not isinstance(published, str) or not _iso_date(published):
        report.add(CRATE, "./datePublished", f"is required as an ISO 8601 date, found {published!r}")
    _check_parts(root, entities, actual, report)


def _check_parts(root: dict, entities: dict, actual: dict, report) -> None:
    """`hasPart` lists exactly the payload files; each File states their size and hash."""
    parts = {unquote(p.get("@id", "")) for p in root.get("hasPart", []) if isinstance(p, dict)}
    payload = {p.removeprefix("data/") for p in actual if p.startswith("data/")} - {"ro-crate-metadata.json"}
    for missing in sorted(payload - parts):
        report.add(CRATE, "./hasPart", f"does not list {missing}")
    for extra in sorted(parts - payload):
        report.add(CRATE, "./hasPart", f"lists {extra}, which is not a checked file of the bag")
    for identifier, entity in entities.items():
        path = "data/" + unquote(str(identifier))
        if "File" not in _types(entity) or path not in actual:
            continue
        digest, size = actual[path]
        if entity.get("sha256") not in (None, digest):
            report.add(CRATE, f"{identifier}/sha256", f"is {entity['sha256']}, the file's is {digest}")
        if entity.get("contentSize") not in (None, str(size), size):
            report.add(CRATE, f"{identifier}/contentSize", f"is {entity['contentSize']}, the file has {size} bytes")


def _types(entity: dict) -> list[str]:
    kind = entity.get("@type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _iso_date(text: str) -> bool:
    """YYYY, YYYY-MM or a date (with or without a time): RO-Crate asks for ISO 8601, at best to the day."""
    if re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", text):
        return True
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def check_croissant(croissant: dict, actual: dict, report) -> None:
    for index, entry in enumerate(croissant.get("distribution", [])):
        if entry.get("@type") != "cr:FileObject":
            continue
        path = "data/" + str(entry.get("contentUrl", ""))
        where = f"distribution/{index}({entry.get('name', '?')})"
        if path not in actual:
            report.add(CROISSANT, f"{where}/contentUrl", f"{path} is not a checked file of the bag")
        elif entry.get("sha256") != actual[path][0]:
            report.add(CROISSANT, f"{where}/sha256", f"is {entry.get('sha256')}, the file's is {actual[path][0]}")


def check_datacite(bundle, report) -> None:
    """The record is good (every problem `Record.problems()` finds), its XML is valid against the official XSD
    when one is configured (`DJSPECS_DATACITE_XSD`), and the XML and JSON describe the same record."""
    from djspecs.publish.datacite import Record

    has_xml, has_json = bundle.exists("data/datacite.xml"), bundle.exists("data/datacite.json")
    if not has_xml and not has_json:
        return
    if has_xml != has_json:
        report.add(
            "data/datacite.xml" if has_json else "data/datacite.json", "", "missing; the record comes as XML and JSON"
        )
        return
    text = bundle.read_text("data/datacite.xml")
    try:
        ElementTree.fromstring(text)
        from_xml = Record.from_xml(text)
    except (ElementTree.ParseError, ValueError) as error:
        report.add("data/datacite.xml", "", f"not a DataCite record: {error}")
        return
    from_json = Record.from_json(json.loads(bundle.read_text("data/datacite.json")))
    report.doi = from_json.doi or ""
    if (from_xml.doi or "").lower() != report.doi.lower():
        report.add("data/datacite.xml", "identifier", f"is {from_xml.doi!r}, datacite.json says {report.doi!r}")
    elif _pruned(from_xml.to_json()) != _pruned(from_json.to_json()):
        report.add("data/datacite.xml", "", "describes another record than datacite.json")
    for problem in from_json.problems():
        field_, _, message = problem.partition(": ")
        report.add("data/datacite.json", field_ if message else "", message or problem)
    for problem in from_xml.xsd_problems():
        report.add("data/datacite.xml", "", f"XSD: {problem}")


def _pruned(value):
    """A JSON value without empty strings, lists and objects (XML cannot tell an empty element from none)."""
    if isinstance(value, dict):
        value = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in value.items() if v not in ("", [], {}, None)}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value
