"""DataCite 4.7's controlled lists, read from `vocabulary.yaml` (the enumerations of the official XSD)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml


@cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    """List name (the XSD simple type, e.g. `relationType`) -> allowed values, in the XSD's order."""
    text = files(__package__).joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    return {name: tuple(values) for name, values in yaml.safe_load(text)["lists"].items()}


def allowed(list_name: str, value: str) -> bool:
    return value in vocabulary()[list_name]
