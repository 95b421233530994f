"""One configured store as an fsspec file system, addressed by paths relative to the store's location."""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import DataJointError, MissingExternalFile
from .adapters import get_storage_adapter
from .config import store_spec

log = logging.getLogger("djspecs.reference")
# The objects written since `journal()` began, so that a failed insert can remove what it wrote.
_written: ContextVar[list | None] = ContextVar("written", default=None)


@contextmanager
def journal() -> Iterator[list[tuple[Store, str]]]:
    """Record the (store, path) of every object written inside the block; on an exception, remove them."""
    written: list[tuple[Store, str]] = []
    token = _written.set(written)
    try:
        yield written
    except BaseException:
        for store, path in reversed(written):
            try:
                store.remove(path)
            except Exception as error:  # keep the original error; say what could not be cleaned
                log.warning("Could not remove %s from store %r after a failed insert: %s", path, store.name, error)
        raise
    finally:
        _written.reset(token)


def _record(store: Store, path: str) -> None:
    written = _written.get()
    if written is not None:
        written.append((store, path))


class Store:
    """Reads and writes objects of one store; `path` arguments are relative to its location (STORE-1)."""

    def __init__(self, spec: Mapping[str, Any]):
        self.spec = dict(spec)
        self.name, self.protocol = self.spec["name"], self.spec["protocol"]

    @classmethod
    def configured(cls, settings: Mapping[str, Any], name: str | None, *, filepath: bool = False) -> Store:
        return cls(store_spec(settings, name, filepath=filepath))

    def __repr__(self) -> str:
        return f"Store({self.name!r}, {self.protocol}:{self.full('')})"

    @cached_property
    def adapter(self):
        """API-1: the storage adapter of the store's protocol builds its file system and its paths."""
        return get_storage_adapter(self.protocol)

    @cached_property
    def fs(self):
        return self.adapter.create_filesystem(self.spec)

    def full(self, path: str) -> str:
        return self.adapter.full_path(self.spec, path)

    def _fail(self, action: str, path: str, error: Exception) -> DataJointError:
        return DataJointError(f"Store '{self.name}': cannot {action} {path}: {error}")

    def put(self, path: str, data: bytes, *, record: bool = True) -> None:
        try:
            self.fs.pipe_file(self.full(path), bytes(data))
        except Exception as error:
            raise self._fail("write", path, error) from None
        if record:
            _record(self, path)

    def get(self, path: str) -> bytes:
        try:
            return self.fs.cat_file(self.full(path))
        except FileNotFoundError:
            raise MissingExternalFile(f"Store '{self.name}': the object {path} is missing", rule="STORE-3") from None
        except Exception as error:
            raise self._fail("read", path, error) from None

    def put_folder(self, local: Path, path: str) -> None:
        """Upload a directory recursively; the journal records the folder as one object."""
        _record(self, path)
        for item in sorted(local.rglob("*")):
            if item.is_file():
                self.put(f"{path}/{item.relative_to(local).as_posix()}", item.read_bytes(), record=False)

    def mapping(self, path: str):
        """A key-value view of everything under `path` (fsspec FSMap), e.g. for Zarr."""
        return self.fs.get_mapper(self.full(path), create=True)

    def open(self, path: str, mode: str = "rb"):
        return self.fs.open(self.full(path), mode)

    def exists(self, path: str) -> bool:
        return self.fs.exists(self.full(path))

    def isdir(self, path: str) -> bool:
        return self.fs.isdir(self.full(path))

    def size(self, path: str) -> int:
        return int(self.fs.size(self.full(path)))

    def remove(self, path: str) -> None:
        """Delete an object, or a directory object with everything under it."""
        full = self.full(path)
        if self.fs.isdir(full):
            self.fs.rm(full, recursive=True)
        elif self.fs.exists(full):
            self.fs.rm_file(full)

    def files(self, section: str) -> dict[str, int]:
        """Every file under `section`, as relative path → size; empty when the section does not exist."""
        base = self.full(section).rstrip("/")
        self.fs.invalidate_cache()  # listings of S3 are cached by s3fs; objects may have changed since
        if not self.fs.exists(base):
            return {}
        root = self.full("").rstrip("/")
        found = self.fs.find(base, detail=True)
        return {
            posixpath.relpath("/" + name.lstrip("/"), "/" + root.lstrip("/")): int(info.get("size") or 0)
            for name, info in found.items()
        }
