"""Values of the vector files: plain YAML scalars, or `{type, value}` tags for what JSON cannot carry exactly."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

_DECODERS = {
    "decimal": Decimal,
    "uuid": UUID,
    "date": lambda value: value if isinstance(value, date) else date.fromisoformat(value),
    "datetime": lambda value: value if isinstance(value, datetime) else datetime.fromisoformat(value),
    "bytes": base64.b64decode,
    "json": lambda value: value,
    "float": float,
}


def decode_value(value: Any) -> Any:
    """The Python value of a vector value (spec/vectors/README.md, Values)."""
    if isinstance(value, dict):
        return _DECODERS[value["type"]](value["value"])
    return value


def decode_row(row: dict[str, Any]) -> dict[str, Any]:
    return {name: decode_value(value) for name, value in row.items()}
