"""Checks of the RO-Crate, Croissant and DataCite descriptions of a bundle (PUB-10).

RO-Crate: the rules of RO-Crate 1.2 that can be checked offline (the descriptor entity, the root data
entity with `datePublished`, every payload file a part, each File's size and hash). The JSON-LD context is
not fetched: this machine, like many CI runners, is offline.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import xml.etree.ElementTree as ElementTree
from urllib.parse import unquote

CRATE = "data/ro-crate-metadata.json"
CROISSANT = "data/croissant.json"
DATACITE_NS = "{http://datacite.org/schema/kernel-4}"


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
    """The XML parses and agrees with the JSON on the DOI; the datacite module, where present, checks the rest."""
    has_xml, has_json = bundle.exists("data/datacite.xml"), bundle.exists("data/datacite.json")
    if not has_xml and not has_json:
        return
    if has_xml != has_json:
        report.add(
            "data/datacite.xml" if has_json else "data/datacite.json", "", "missing; the record comes as XML and JSON"
        )
        return
    try:
        document = ElementTree.fromstring(bundle.read_text("data/datacite.xml"))
    except ElementTree.ParseError as error:
        report.add("data/datacite.xml", "", f"not well-formed XML: {error}")
        return
    record = json.loads(bundle.read_text("data/datacite.json"))
    attributes = record.get("data", {}).get("attributes", record) if isinstance(record, dict) else {}
    identifier = document.find(f"{DATACITE_NS}identifier")
    xml_doi = (identifier.text or "").strip().lower() if identifier is not None else ""
    report.doi = json_doi = str(attributes.get("doi") or "").lower()
    if xml_doi != json_doi:
        report.add("data/datacite.xml", "identifier", f"is {xml_doi!r}, datacite.json says {json_doi!r}")
    if importlib.util.find_spec("djspecs.publish.datacite") is None:
        return
    from djspecs.publish.datacite import Record

    for problem in Record.from_dict(attributes).problems():
        report.add("data/datacite.json", "", problem)
