"""Where objects live inside a store: hash-addressed (STORE-3) and schema-addressed (STORE-4) paths."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_UNSAFE = set('/\\:*?"<>|')
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def content_hash(data: bytes) -> str:
    """STORE-3: MD5 of the bytes as lower-case RFC 4648 Base32 without padding (26 characters)."""
    return base64.b32encode(hashlib.md5(data).digest()).decode("ascii").rstrip("=").lower()


def hash_path(digest: str, schema: str, *, hash_prefix: str, subfolding: Sequence[int] | None = None) -> str:
    """STORE-3: `{hash_prefix}/{schema}/[{folds}/]{hash}`."""
    parts = [hash_prefix.strip("/")] if hash_prefix.strip("/") else []
    parts.append(schema)
    position = 0
    for width in subfolding or ():
        parts.append(digest[position : position + int(width)])
        position += int(width)
    return "/".join([*parts, digest])


def token(length: int = 8) -> str:
    """STORE-4: a fresh random token of 4 to 16 URL-safe characters."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(max(4, min(16, length))))


def key_text(value: Any) -> str:
    """STORE-4: a primary-key value as a path segment."""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H-%M-%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if len(text) > 100 or _UNSAFE & set(text):
        if len(text) > 100:
            text = f"{text[:50]}_{hashlib.md5(text.encode()).hexdigest()[:8]}"
        return urllib.parse.quote(text, safe="")
    return text


def object_path(
    schema: str,
    table: str,
    field: str,
    key: Mapping[str, Any],
    ext: str | None,
    *,
    schema_prefix: str,
    partition_pattern: str | None = None,
    token_length: int = 8,
) -> str:
    """STORE-4: `{schema_prefix}/[{partitions}/]{schema}/{table}/{k}={v}/.../{field}_{token}{ext}`."""
    partition = [name for name in _PLACEHOLDER.findall(partition_pattern or "") if name in key]
    parts = [schema_prefix.strip("/")] if schema_prefix.strip("/") else []
    parts += [f"{name}={key_text(key[name])}" for name in partition]
    parts += [schema, table]
    parts += [f"{name}={key_text(value)}" for name, value in key.items() if name not in partition]
    suffix = "" if not ext else ext if ext.startswith(".") else f".{ext}"
    return "/".join([*parts, f"{field}_{token(token_length)}{suffix}"])
