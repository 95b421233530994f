"""DataCite XML (kernel-4, schema 4.7) from and to the model, driven by the fields' declared places."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .fields import Place, attribute_key, places, split_xml
from .model import Description, Metadata

NAMESPACE = "http://datacite.org/schema/kernel-4"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NAMESPACE} https://schema.datacite.org/meta/kernel-4/metadata.xsd"
LINE_BREAK = "<br/>"  # how a `<br/>` inside a description is held in the model and in JSON
MIXED = {"description"}


class XMLFormError(ValueError):
    """The text is not DataCite XML (not XML at all, or another root element)."""


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


# ---- writing ---------------------------------------------------------------------------------------------


# The tree is built with unqualified names and the namespaces declared on the root by hand: ElementTree
# cannot write a default namespace when attributes (rightly) have none.


def _child(parent: ET.Element, parts: list[str]) -> ET.Element:
    """The element at `parts` under parent, created if missing (so text and attributes share one element)."""
    for part in parts:
        found = parent.find(part)
        parent = found if found is not None else ET.SubElement(parent, part)
    return parent


def _set_text(element: ET.Element, text: str, mixed: bool) -> None:
    if not mixed:
        element.text = text
        return
    first, *rest = text.split(LINE_BREAK)
    element.text = first
    for tail in rest:
        ET.SubElement(element, "br").tail = tail


def _write(obj, element: ET.Element) -> None:
    for name, place in places(type(obj)):
        value = getattr(obj, name)
        if place.xml is None or value is None or value == []:
            continue
        parts, attribute = split_xml(place.xml)
        if place.many:
            holder = _child(element, parts[:-1])
            for item in value:
                target = ET.SubElement(holder, parts[-1])
                if place.item is None:
                    target.text = item
                else:
                    _write(item, target)
        elif place.item is not None:
            _write(value, _child(element, parts))
        elif attribute is not None:
            _child(element, parts).set(attribute_key(attribute), value)
        else:
            _set_text(_child(element, parts), value, isinstance(obj, Description))


def _indent(element: ET.Element, level: int = 0) -> None:
    """Indent for people, leaving mixed content (descriptions with `<br/>`) untouched."""
    if len(element) == 0 or element.tag in MIXED:
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        _indent(child, level + 1)
        child.tail = inner
    element[-1].tail = "\n" + "  " * level


def metadata_to_xml(metadata: Metadata) -> str:
    namespaces = {"xmlns": NAMESPACE, "xmlns:xsi": XSI, "xsi:schemaLocation": SCHEMA_LOCATION}
    root = ET.Element("resource", namespaces)
    _write(metadata, root)
    _indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


# ---- reading ---------------------------------------------------------------------------------------------


def _find(element: ET.Element, parts: list[str]) -> ET.Element | None:
    for part in parts:
        element = element.find(_tag(part))
        if element is None:
            return None
    return element


def _text(element: ET.Element, mixed: bool) -> str:
    if not mixed:
        return element.text or ""
    pieces = [element.text or ""]
    for child in element:
        pieces += [LINE_BREAK, child.tail or ""]
    return "".join(pieces)


def _read_field(place: Place, element: ET.Element, mixed: bool):
    parts, attribute = split_xml(place.xml)
    if place.many:
        holder = _find(element, parts[:-1])
        if holder is None:
            return []
        found = holder.findall(_tag(parts[-1]))
        if place.item is None:
            return [item.text or "" for item in found]
        return [_read(place.item, item) for item in found]
    target = _find(element, parts)
    if target is None:
        return None
    if place.item is not None:
        return _read(place.item, target)
    if attribute is not None:
        return target.get(attribute_key(attribute))
    return _text(target, mixed)


def _read(cls, element: ET.Element):
    mixed = cls is Description
    return cls(**{name: _read_field(place, element, mixed) for name, place in places(cls) if place.xml is not None})


def metadata_from_xml(text: str | bytes) -> Metadata:
    try:
        root = ET.fromstring(text.encode() if isinstance(text, str) else text)
    except ET.ParseError as error:
        raise XMLFormError(f"DataCite XML: not well-formed XML ({error})") from error
    if root.tag != _tag("resource"):
        raise XMLFormError(f"DataCite XML: the root element is {root.tag}, expected {{{NAMESPACE}}}resource")
    return _read(Metadata, root)
