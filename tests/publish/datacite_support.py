"""Shared helpers of the DataCite tests: the official 4.7 files from ../shared, and XML compared as trees."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support import require

# Elements whose XSD content model is xs:all or a repeated xs:choice: their children's order carries no meaning.
UNORDERED = {
    "resource",
    "fundingReference",
    "geoLocation",
    "geoLocationPoint",
    "polygonPoint",
    "inPolygonPoint",
    "geoLocationBox",
}


def shared_datacite() -> Path | None:
    """`../shared/datacite/kernel-4.7` seen from the checkout (main or a worktree), or DJSPECS_DATACITE_XSD's folder."""
    if setting := os.environ.get("DJSPECS_DATACITE_XSD"):
        return Path(setting).parent
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "datacite" / "kernel-4.7"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def kernel() -> Path:
    found = shared_datacite()
    require(found is not None, "the official DataCite 4.7 files are missing: set DJSPECS_DATACITE_XSD")
    return found


@pytest.fixture(scope="session")
def xsd(kernel) -> Path:
    return kernel / "metadata.xsd"


def examples() -> list[Path]:
    found = shared_datacite()
    return sorted((found / "example").glob("*.xml")) if found else []


def canonical(element: ET.Element):
    """A comparable form of an element: local name, attributes, text, children; empty elements dropped."""
    name = element.tag.split("}")[-1]
    text = (element.text or "") if (element.text or "").strip() else ""
    children = [c for c in (canonical(child) for child in element) if c is not None]
    tails = [child.tail for child in element if (child.tail or "").strip()]
    if name in UNORDERED:
        children.sort(key=repr)
    attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if "schemaLocation" not in k))
    if not (text or attributes or children or tails):
        return None
    return name, attributes, text, tuple(tails), tuple(children)


def same_tree(first: str | bytes, second: str | bytes) -> bool:
    as_bytes = [t.encode() if isinstance(t, str) else t for t in (first, second)]
    return canonical(ET.fromstring(as_bytes[0])) == canonical(ET.fromstring(as_bytes[1]))
