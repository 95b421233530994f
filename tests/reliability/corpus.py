"""The hostile-input corpus kept in corpus/*.json, decoded into Python values.

JSON cannot hold every hostile value directly, so some are tagged: `{"$bytes": hex}` (with `"$bytearray":
true` for a bytearray), `{"$float": "nan"}`, `{"$int": "1000…"}` for integers past 64 bits, `{"$dict":
[[key, value], …]}` for mappings whose keys are hostile, and `{"$concat": [...]}` of strings and
`{"$repeat": c, "$times": n}` runs for huge strings. Lone surrogates travel as JSON escapes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "corpus"


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$bytes" in value:
        data = bytes.fromhex(value["$bytes"])
        return bytearray(data) if value.get("$bytearray") else data
    if "$float" in value:
        return float(value["$float"])
    if "$int" in value:
        return int(value["$int"])
    if "$dict" in value:
        return {decode(k): decode(v) for k, v in value["$dict"]}
    if "$repeat" in value:
        return value["$repeat"] * value["$times"]
    if "$concat" in value:
        return "".join(decode(part) for part in value["$concat"])
    return {k: decode(v) for k, v in value.items()}


def load(name: str) -> Any:
    """The decoded content of corpus/<name>.json."""
    return decode(json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8")))
