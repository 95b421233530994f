"""Where a bundle goes, through fsspec: a local folder, a zip file, memory, S3 or any fsspec URL (PUB-9).

Writing is atomic. A bundle is assembled in a private staging folder and only then committed: a local
folder by one rename; a zip written under a temporary name and renamed; a remote folder uploaded with
`bagit.txt` last (without it nothing there is a bag) and removed again if the upload fails. An interrupted
export therefore leaves no bundle at the destination.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem

from djspecs.reference.errors import DataJointError

from .staging import Staging


class Destination:
    def __init__(self, url: str | os.PathLike, *, storage_options: dict | None = None, overwrite: bool = False):
        self.url = str(url)
        self.fs, self.path = fsspec.core.url_to_fs(self.url, **(storage_options or {}))
        self.is_zip = self.path.endswith(".zip")
        self.local = isinstance(self.fs, LocalFileSystem)
        self.overwrite = overwrite
        self.name = posixpath.basename(self.path.rstrip("/")).removesuffix(".zip") or "bundle"

    def check_free(self) -> None:
        if self.fs.exists(self.path) and not self.overwrite:
            raise DataJointError(f"the destination {self.url} exists; remove it or pass overwrite=True")

    def staging(self) -> Staging:
        """A staging folder next to a local destination (so committing is a rename), else in the temp folder."""
        parent = Path(self.path).parent if self.local and not self.is_zip else Path(tempfile.gettempdir())
        parent.mkdir(parents=True, exist_ok=True)
        return Staging(parent / f".{self.name}.partial-{uuid.uuid4().hex}")

    def commit(self, staging: Staging) -> None:
        if self.is_zip:
            self._commit_zip(staging)
        elif self.local:
            if self.overwrite and os.path.exists(self.path):
                shutil.rmtree(self.path)
            os.rename(staging.root, self.path)
        else:
            self._upload(staging)

    def abort(self, staging: Staging) -> None:
        shutil.rmtree(staging.root, ignore_errors=True)

    def _commit_zip(self, staging: Staging) -> None:
        """RFC 8493 §4: the archive holds one top-level folder, the bag. Parquet is compressed already."""
        archive = staging.root.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as bundle:
            for path in staging.all_paths():
                bundle.write(staging.root / path, f"{self.name}/{path}")
        try:
            if self.local:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                os.replace(archive, self.path)
            else:
                partial = f"{self.path}.partial-{uuid.uuid4().hex}"
                self.fs.put_file(str(archive), partial)
                self.fs.mv(partial, self.path)
        finally:
            archive.unlink(missing_ok=True)
            shutil.rmtree(staging.root, ignore_errors=True)

    def _upload(self, staging: Staging) -> None:
        paths = [p for p in staging.all_paths() if p != "bagit.txt"] + ["bagit.txt"]
        if self.overwrite and self.fs.exists(self.path):
            self.fs.rm(self.path, recursive=True)
        try:
            for path in paths:
                target = posixpath.join(self.path, path)
                self.fs.makedirs(posixpath.dirname(target), exist_ok=True)
                self.fs.put_file(str(staging.root / path), target)
        except BaseException:
            if self.fs.exists(self.path):
                self.fs.rm(self.path, recursive=True)
            raise
        finally:
            shutil.rmtree(staging.root, ignore_errors=True)


def open_bundle(
    url: str | os.PathLike, *, storage_options: dict | None = None
) -> tuple[fsspec.AbstractFileSystem, str]:
    """(filesystem, root folder of the bag) for a bundle folder or zip, local or remote."""
    fs, path = fsspec.core.url_to_fs(str(url), **(storage_options or {}))
    if path.endswith(".zip"):
        zipped = fsspec.filesystem("zip", fo=fs.open(path, "rb"))
        tops = {p.split("/")[0] for p in zipped.find("")}
        if len(tops) != 1:
            raise DataJointError(
                f"{url}: a zipped bag holds exactly one top-level folder, this one holds {sorted(tops)}"
            )
        return zipped, tops.pop()
    if not fs.isdir(path):
        raise DataJointError(f"{url}: no bundle there (neither a folder nor a .zip)")
    return fs, path.rstrip("/")
