"""Where each model field lives in DataCite XML and in the REST API's JSON, declared once per field.

A field of a metadata dataclass carries a `Place` in its dataclass metadata. The XML and JSON readers and
writers walk these places, so the two serialisations cannot drift apart field by field.

XML paths are relative to the element of the object: `"."` is its own text, `"@nameType"` an attribute,
`"creatorName"` a child's text, `"creatorName/@nameType"` a child's attribute, `"creators/creator"` the
repeated `creator` elements inside one `creators` wrapper. JSON paths use `/` between nested object keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Place:
    xml: str | None  # None: JSON only (such as the landing page `url`)
    json: str | None  # None: XML only
    item: type | None = None  # the dataclass of a nested object or of list items; None for text
    many: bool = False


def scalar(xml: str | None, json: str | None = None) -> Any:
    """A single text value (stored as str, kept verbatim so XML round-trips byte for byte)."""
    return field(default=None, metadata={"place": Place(xml, json)})


def nested(xml: str, json: str, item: type) -> Any:
    return field(default=None, metadata={"place": Place(xml, json, item)})


def repeated(xml: str, json: str, item: type | None = None) -> Any:
    """A list of objects (item given) or of strings (item None)."""
    return field(default_factory=list, metadata={"place": Place(xml, json, item, many=True)})


def places(cls) -> list[tuple[str, Place]]:
    return [(f.name, f.metadata["place"]) for f in fields(cls) if "place" in f.metadata]


def split_xml(path: str) -> tuple[list[str], str | None]:
    """`"a/b/@c"` -> (["a", "b"], "c"); `"."` -> ([], None); `"@c"` -> ([], "c")."""
    if path == ".":
        return [], None
    parts = path.split("/")
    if parts[-1].startswith("@"):
        return parts[:-1], parts[-1][1:]
    return parts, None


def attribute_key(name: str) -> str:
    return XML_LANG if name == "xml:lang" else name
