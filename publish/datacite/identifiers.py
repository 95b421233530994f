"""Checks of the persistent identifiers a record carries: DOI, ORCID, ROR and SPDX licence IDs.

Each check returns None for a good value or a sentence saying what is wrong with it.
"""

from __future__ import annotations

import re
from functools import cache

DOI = re.compile(r"^10\.\d{4,9}/[-._;()/:a-zA-Z0-9*~$=]+$")  # the API's own suffix check
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
ROR = re.compile(r"^(?:https?://ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6}\d{2})$")
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def normalize_doi(value: str) -> str:
    """The bare, lower-cased DOI (`10.x/y`) from any of its usual spellings; DOIs are case-insensitive."""
    text = value.strip()
    for prefix in DOI_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    return text.lower()


def doi_problem(value: str) -> str | None:
    if DOI.match(normalize_doi(value)):
        return None
    return f"{value!r} is not a DOI (expected 10.<prefix>/<suffix>)"


def orcid_check_digit(digits: str) -> str:
    """ISO 7064 MOD 11-2 over the first 15 digits, as ORCID defines it."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_problem(value: str) -> str | None:
    match = ORCID.match(value.strip())
    if not match:
        return f"{value!r} is not an ORCID iD (expected https://orcid.org/0000-0000-0000-0000)"
    digits = match.group(1).replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        return f"{value!r} is not an ORCID iD: its check digit is wrong"
    return None


def ror_checksum(body: str) -> int:
    """ROR's two check digits: 98 - (n * 100 mod 97) over the Crockford base-32 value of the 6 characters."""
    number = 0
    for character in body:
        number = number * 32 + CROCKFORD.index(character)
    return 98 - (number * 100) % 97


def ror_problem(value: str) -> str | None:
    match = ROR.match(value.strip().lower())
    if not match:
        return f"{value!r} is not a ROR ID (expected https://ror.org/0xxxxxxNN)"
    identifier = match.group(1)
    if ror_checksum(identifier[1:7]) != int(identifier[7:]):
        return f"{value!r} is not a ROR ID: its checksum is wrong"
    return None


@cache
def _spdx_licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def spdx_problem(value: str) -> str | None:
    """SPDX IDs compare case-insensitively (DataCite's own examples write both cc-by-4.0 and CC-BY-4.0)."""
    result = _spdx_licensing().validate(value.strip())
    if result.errors:
        return f"{value!r} is not an SPDX licence identifier"
    return None


def spdx_normalized(value: str) -> str:
    return _spdx_licensing().validate(value.strip()).normalized_expression or value
