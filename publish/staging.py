"""A bundle being written: a private local folder where every byte is hashed once, as it is written (PUB-2).

The SHA-256 and size of each file, taken while the file is written, feed the BagIt manifests, the
Frictionless `hash`/`bytes`, the RO-Crate `sha256`/`contentSize` and the Croissant `sha256`: nothing is
read back to be hashed.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Written:
    path: str  # relative to the bag root, POSIX, e.g. `data/tables/lab/session.parquet`
    sha256: str
    size: int


class HashingFile(io.RawIOBase):
    """A write-only binary file that hashes what passes through it."""

    def __init__(self, target: io.BufferedWriter):
        self._target, self._hash, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self._hash.update(view)
        self.size += len(view)
        return self._target.write(view)

    def close(self) -> None:
        if not self.closed:
            self._target.close()
        super().close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class Staging:
    """The folder a bundle is assembled in before it is committed to its destination."""

    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, Written] = {}
        root.mkdir(parents=True)

    def open(self, path: str) -> HashingFile:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        return HashingFile(open(target, "wb"))  # noqa: SIM115 - the caller closes it through `record`

    def record(self, path: str, handle: HashingFile) -> Written:
        handle.close()
        self.files[path] = written = Written(path, handle.sha256, handle.size)
        return written

    def write_bytes(self, path: str, data: bytes) -> Written:
        handle = self.open(path)
        handle.write(data)
        return self.record(path, handle)

    def write_text(self, path: str, text: str) -> Written:
        return self.write_bytes(path, text.encode("utf-8"))

    def payload(self) -> list[Written]:
        """Every payload file (under `data/`), in path order."""
        return [w for p, w in sorted(self.files.items()) if p.startswith("data/")]

    def tags(self) -> list[Written]:
        return [w for p, w in sorted(self.files.items()) if not p.startswith("data/")]

    def all_paths(self) -> list[str]:
        return sorted(self.files)

    def size(self) -> int:
        return sum(w.size for w in self.files.values())
