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


REPOSITORY, PASSWORD, API_KEY, PREFIX = "DJS.TEST", "pw-8c1e2f-never-shown", "DC.key-5a7d-never-shown", "10.80507"


@pytest.fixture
def datacite(xsd):
    """A local DataCite API with one repository (password and API key) and a second one for another prefix."""
    from djspecs.publish.datacite.local_server import LocalDataCite

    repositories = {REPOSITORY: PASSWORD, "OTHER.REPO": "other-pw"}
    prefixes = {REPOSITORY: [PREFIX], "OTHER.REPO": ["10.99999"]}
    with LocalDataCite(repositories, prefixes=prefixes, api_keys={API_KEY: REPOSITORY}, xsd=xsd) as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(datacite, sleeps, xsd):
    """The real client, with short timeouts and a sleep that only records how long it would wait."""
    from djspecs.publish.datacite.client import DataCiteClient
    from djspecs.publish.datacite.credentials import Credentials
    from djspecs.publish.datacite.transport import Transport

    transport = Transport(
        Credentials.of(REPOSITORY, PASSWORD), datacite.url, timeout=0.5, retries=3, backoff=0.01, sleep=sleeps.append
    )
    return DataCiteClient(transport, PREFIX, xsd=xsd)
