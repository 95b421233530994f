"""Search artefacts for secrets: every file under a directory, and captured text, for given strings.

Reusable by any test that handles credentials (database passwords, DataCite credentials): write the logs,
messages, certificates or bundles a run produced into a directory, then `assert find_secrets(folder,
secrets) == []`. Text files are searched as text, every file also as raw bytes, so a secret inside a zip,
a Parquet file or a binary blob is found as long as it is stored uncompressed; compressed members of zip
archives are opened and searched too.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Leak:
    where: str  # a file path (with `!member` for a zip member) or a label of captured text
    secret: str  # the secret, masked: its first two characters and its length

    def __str__(self) -> str:
        return f"{self.where}: holds {self.secret}"


def _mask(secret: str) -> str:
    return f"{secret[:2]}… ({len(secret)} characters)"


def _variants(secret: str) -> list[bytes]:
    """The byte forms a secret can take in a file: UTF-8, UTF-16 and as escaped in JSON or repr."""
    forms = {
        secret,
        secret.encode("unicode_escape").decode("ascii"),  # repr-style escapes
        json.dumps(secret)[1:-1],  # JSON with \\uXXXX escapes
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    return sorted({f.encode(enc) for f in forms for enc in ("utf-8", "utf-16-le")})


def find_in_text(text: str | bytes, secrets: Iterable[str], *, where: str) -> list[Leak]:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return [Leak(where, _mask(s)) for s in secrets if any(v in data for v in _variants(s))]


def find_secrets(folder: Path, secrets: Iterable[str]) -> list[Leak]:
    """Every file under `folder` (recursively) that holds one of `secrets`."""
    secrets = [s for s in secrets if s]
    if not secrets:
        raise ValueError("no secret to search for")
    leaks = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        leaks += find_in_text(path.read_bytes(), secrets, where=str(path))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    leaks += find_in_text(archive.read(member), secrets, where=f"{path}!{member}")
    return leaks
