"""DataCite 4.7 metadata (XML and REST JSON) and a DOI client for the DataCite REST API.

`Record` is the metadata model; `identifiers` checks ORCID, ROR, SPDX and DOI values; the DOI client and the
local test server live in their own modules.
"""

from .record import Record

__all__ = ["Record"]
