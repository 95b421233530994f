"""Validation against the official DataCite 4.7 XSD, when one is at hand.

djspecs does not ship DataCite's XSD; point `DJSPECS_DATACITE_XSD` (or the `xsd` argument) at
`kernel-4.7/metadata.xsd` from DataCite's schema repository to have every written record checked by it.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

XSD_SETTING = "DJSPECS_DATACITE_XSD"


def xsd_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The XSD to validate with: the argument, else the `DJSPECS_DATACITE_XSD` setting, else none."""
    chosen = explicit or os.environ.get(XSD_SETTING)
    return Path(chosen) if chosen else None


@cache
def _schema(path: Path):
    import xmlschema

    return xmlschema.XMLSchema(str(path))


def xsd_problems(xml: str, xsd: str | os.PathLike) -> list[str]:
    """Every XSD violation of the document, each with its element path."""
    schema = _schema(Path(xsd).resolve())
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(xml)]
