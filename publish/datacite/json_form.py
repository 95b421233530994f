"""The REST API's JSON (`data.attributes`) from and to the model.

Names follow DataCite's XML-to-JSON mapping: `schemeUri`, `rightsUri`, `lang` for `xml:lang`, `types` for
the resource type, `nameIdentifiers` as a list, `publisher` and `affiliation` as objects. On reading, the
shorter forms the API also returns (a plain string for `publisher` or an `affiliation`, numbers for
coordinates, an integer year) are accepted.
"""

from __future__ import annotations

from typing import Any

from .fields import places
from .model import GeoLocation, Metadata, Point, Polygon


def _text_key(cls) -> str | None:
    """The JSON key of the field holding the element's own text (`name` of a publisher, say)."""
    return next((place.json for _, place in places(cls) if place.xml == "."), None)


# ---- writing ---------------------------------------------------------------------------------------------


def _polygon_json(polygon: Polygon) -> list[dict]:
    items = [{"polygonPoint": _write(point)} for point in polygon.points]
    if polygon.in_point is not None:
        items.append({"inPolygonPoint": _write(polygon.in_point)})
    return items


def _put(target: dict, path: str, value: Any) -> None:
    *parents, last = path.split("/")
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def _write(obj) -> dict:
    out: dict = {}
    for name, place in places(type(obj)):
        value = getattr(obj, name)
        if place.json is None or value is None or value == []:
            continue
        if isinstance(obj, GeoLocation) and name == "polygons":
            polygons = [_polygon_json(polygon) for polygon in value]
            value = polygons[0] if len(polygons) == 1 else polygons
        elif place.many and place.item is not None:
            value = [_write(item) for item in value]
        elif place.item is not None:
            value = _write(value)
        elif place.many:
            value = list(value)
        _put(out, place.json, value)
    return out


def metadata_to_json(metadata: Metadata) -> dict:
    return _write(metadata)


# ---- reading ---------------------------------------------------------------------------------------------


def _get(source: dict, path: str) -> Any:
    for key in path.split("/"):
        if not isinstance(source, dict):
            return None
        source = source.get(key)
    return source


def _polygon(items: list) -> Polygon:
    points = [_read(Point, item["polygonPoint"]) for item in items if "polygonPoint" in item]
    inside = [_read(Point, item["inPolygonPoint"]) for item in items if "inPolygonPoint" in item]
    return Polygon(points=points, in_point=inside[0] if inside else None)


def _polygons(value: list) -> list[Polygon]:
    if value and isinstance(value[0], list):
        return [_polygon(items) for items in value]
    return [_polygon(value)] if value else []


def _read(cls, source: Any):
    if isinstance(source, str | int | float):
        source = {_text_key(cls): source}
    values = {}
    for name, place in places(cls):
        value = None if place.json is None else _get(source, place.json)
        if value is None:
            continue
        if cls is GeoLocation and name == "polygons":
            value = _polygons(value)
        elif place.many:
            items = value if isinstance(value, list) else [value]
            value = [str(v) if place.item is None else _read(place.item, v) for v in items]
        elif place.item is not None:
            value = _read(place.item, value)
        else:
            value = str(value)
        values[name] = value
    return cls(**values)


def metadata_from_json(attributes: dict) -> Metadata:
    """Read `data.attributes` (or a whole `{"data": ...}` document, which is unwrapped)."""
    if isinstance(attributes.get("data"), dict):
        attributes = attributes["data"].get("attributes", {})
    metadata = _read(Metadata, attributes)
    if metadata.doi is not None:
        metadata.identifier_type = "DOI"
    return metadata
