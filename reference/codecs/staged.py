"""Staged inserts (CODEC-10): write `<object@>` values straight to their final store paths, then insert the row.

    with Result.staged_insert1 as staged:
        staged.rec["r_id"] = 4
        with staged.open("output", ".bin") as f:
            f.write(data)
        # or zarr.open(staged.store("output", ".zarr"), mode="w", ...)

If the block raises, the staged objects are deleted and no row is inserted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from ..errors import DataJointError
from ..stores import Store, object_path
from .chain import resolve

if TYPE_CHECKING:
    from ..table import Table


class StagedInsert:
    def __init__(self, table: Table):
        self.table, self.rec = table, {}
        self._staged: dict[str, tuple[Store, str, str | None]] = {}  # field → (store, path, ext)

    def _place(self, field: str, ext: str) -> tuple[Store, str]:
        if field in self._staged:
            store, path, _ = self._staged[field]
            return store, path
        heading = self.table.heading
        if field not in heading or heading[field].type.kind != "codec" or heading[field].type.name != "object":
            raise DataJointError(f"{self.table.full_name}.{field} is not an <object@> attribute", rule="CODEC-10")
        key = {k: self.rec[k] for k in heading.primary_key if k in self.rec}
        if len(key) != len(heading.primary_key):
            missing = ", ".join(k for k in heading.primary_key if k not in key)
            raise DataJointError(f"Set the primary key in staged.rec before staging objects; missing {missing}", rule="CODEC-10")  # fmt: skip
        store = Store.configured(self.table.connection.settings, resolve(heading[field].type).store)
        path = object_path(self.table.schema_name, self.table.table_name, field, key, ext or None,
                           schema_prefix=store.spec["schema_prefix"], partition_pattern=store.spec["partition_pattern"],
                           token_length=store.spec["token_length"])  # fmt: skip
        self._staged[field] = (store, path, ext or None)
        return store, path

    def store(self, field: str, ext: str = ""):
        """A key-value mapping (fsspec FSMap) rooted at the field's final path, e.g. for Zarr."""
        store, path = self._place(field, ext)
        return store.mapping(path)

    def open(self, field: str, ext: str = "", mode: str = "wb") -> IO:
        """A file at the field's final path."""
        store, path = self._place(field, ext)
        return store.open(path, mode)

    def _metadata(self, field: str) -> dict[str, Any]:
        store, path, ext = self._staged[field]
        files = store.files(path) if store.isdir(path) else {}
        size = sum(files.values()) if files else (store.size(path) if store.exists(path) else 0)
        return {"path": path, "store": store.name, "size": size, "ext": ext, "is_dir": bool(files),
                "item_count": len(files) if files else None, "timestamp": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip

    def _remove(self) -> None:
        for store, path, _ in self._staged.values():
            store.remove(path)


@contextmanager
def staged_insert1(table: Table) -> Iterator[StagedInsert]:
    staged = StagedInsert(table)
    try:
        yield staged
        table.insert1({**staged.rec, **{field: staged._metadata(field) for field in staged._staged}})
    except BaseException:
        staged._remove()
        raise
