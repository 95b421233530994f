"""`Record`: a DataCite 4.7 metadata record that reads and writes XML, REST JSON and a plain dict form."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field, fields

from .dict_form import expand
from .identifiers import normalize_doi
from .json_form import metadata_from_json, metadata_to_json
from .model import Metadata
from .validation import problems
from .xml_form import metadata_from_xml, metadata_to_xml
from .xsd import xsd_path, xsd_problems


@dataclass
class Record(Metadata):
    """One DataCite record. Build it with `from_dict`, `from_xml` or `from_json`; check it with `problems()`."""

    input_problems: list[str] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def _of(cls, metadata: Metadata, input_problems: list[str] | None = None) -> Record:
        values = {f.name: getattr(metadata, f.name) for f in fields(Metadata)}
        return cls(**values, input_problems=input_problems or [])

    @classmethod
    def from_dict(cls, source: dict) -> Record:
        """Read the plain dict form (the REST JSON form plus shorthands; see `dict_form`)."""
        attributes, unknown = expand(source)
        return cls._of(metadata_from_json(attributes), unknown)

    @classmethod
    def from_json(cls, attributes: dict) -> Record:
        """Read REST API JSON: `data.attributes`, or the whole `{"data": ...}` response."""
        return cls._of(metadata_from_json(attributes))

    @classmethod
    def from_xml(cls, text: str | bytes) -> Record:
        return cls._of(metadata_from_xml(text))

    def to_json(self) -> dict:
        """The REST API's `data.attributes` form (without `event`; the client adds it)."""
        return metadata_to_json(self)

    def to_xml(self) -> str:
        """DataCite 4.7 XML (namespace kernel-4)."""
        return metadata_to_xml(self)

    def problems(self) -> list[str]:
        """Every problem at once, each starting with the field it concerns; empty when the record is good."""
        return [*self.input_problems, *problems(self)]

    def xsd_problems(self, xsd: str | os.PathLike | None = None) -> list[str]:
        """Violations of the official XSD (argument or `DJSPECS_DATACITE_XSD`); empty if no XSD is set."""
        path = xsd_path(xsd)
        return xsd_problems(self.to_xml(), path) if path else []

    def with_doi(self, doi: str) -> Record:
        """A copy carrying this DOI (lower-cased, without a resolver prefix)."""
        copied = copy.deepcopy(self)
        copied.doi, copied.identifier_type = normalize_doi(doi), "DOI"
        return copied
