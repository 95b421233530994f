"""Lazy handles to stored objects, returned on fetch by `<object@>`, `<filepath@>` and `<npy@>` (CODEC-7, CODEC-11)."""

from __future__ import annotations

import io
import math
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import DataJointError
from ..stores import Store


class ObjectRef:
    """A stored file or directory; nothing is read until asked. Reads check the recorded size."""

    def __init__(self, metadata: dict, store: Store):
        self.metadata, self.store = dict(metadata), store

    path = property(lambda self: self.metadata["path"])
    size = property(lambda self: self.metadata.get("size"))
    ext = property(lambda self: self.metadata.get("ext"))
    is_dir = property(lambda self: bool(self.metadata.get("is_dir")))
    item_count = property(lambda self: self.metadata.get("item_count"))
    timestamp = property(lambda self: self.metadata.get("timestamp"))

    def __repr__(self) -> str:
        kind = "directory" if self.is_dir else "file"
        return f"ObjectRef({self.store.name}:{self.path}, {kind}, size={self.size})"

    def exists(self) -> bool:
        return self.store.exists(self.path)

    def read(self) -> bytes:
        """The bytes of a file object; a size different from the recorded one is an error."""
        if self.is_dir:
            raise DataJointError(f"{self.path} is a directory; use listdir() and open()")
        data = self.store.get(self.path)
        if self.size is not None and len(data) != self.size:
            raise DataJointError(
                f"Store '{self.store.name}': {self.path} holds {len(data)} bytes, {self.size} were stored; "
                "the object was changed or corrupted",
                rule="STORE-3",
            )
        return data

    def verify(self) -> bool:
        """Whether the object exists with the recorded size (a directory: with the recorded file count)."""
        if not self.exists():
            return False
        if self.is_dir:
            return self.item_count is None or len(self.store.files(self.path)) == self.item_count
        return self.size is None or self.store.size(self.path) == self.size

    def download(self, destination: str | Path) -> Path:
        """Copy the object (a file, or a directory with its files) to a local folder; the local path."""
        target = Path(destination) / PurePosixPath(self.path).name
        if not self.is_dir:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.read())
            return target
        for name in self.listdir():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(self.store.get(f"{self.path}/{name}"))
        return target

    def open(self, subpath: str = "", mode: str = "rb"):
        return self.store.open(f"{self.path}/{subpath}" if subpath else self.path, mode)

    def listdir(self) -> list[str]:
        """Relative names of the files in a directory object."""
        return sorted(name[len(self.path) + 1 :] for name in self.store.files(self.path))


class NpyRef:
    """A stored `.npy` array: shape and dtype from the metadata, data loaded on first use (CODEC-11)."""

    def __init__(self, metadata: dict, store: Store):
        self.metadata, self.store, self._array = dict(metadata), store, None

    path = property(lambda self: self.metadata["path"])
    shape = property(lambda self: tuple(self.metadata["shape"]))
    ndim = property(lambda self: len(self.metadata["shape"]))
    size = property(lambda self: math.prod(self.metadata["shape"]))

    @property
    def dtype(self):
        import numpy as np

        return np.dtype(self.metadata["dtype"])

    @property
    def is_loaded(self) -> bool:
        return self._array is not None

    def load(self):
        import numpy as np

        if self._array is None:
            self._array = np.load(io.BytesIO(self.store.get(self.path)), allow_pickle=False)
            if self._array.shape != self.shape or str(self._array.dtype) != self.metadata["dtype"]:
                raise DataJointError(
                    f"Store '{self.store.name}': {self.path} holds {self._array.dtype}{list(self._array.shape)}, "
                    f"the metadata says {self.metadata['dtype']}{self.metadata['shape']}",
                    rule="CODEC-11",
                )
        return self._array

    def __array__(self, dtype=None, copy=None):
        array = self.load()
        return array.astype(dtype) if dtype is not None else array

    def __getitem__(self, index: Any):
        return self.load()[index]

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-dimensional array")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"NpyRef(shape={self.shape}, dtype={self.dtype}, {'loaded' if self.is_loaded else 'not loaded'})"
