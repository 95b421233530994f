"""Store objects in a bundle (PUB-12): copied in at export, checked by validate, restored at import.

The objects a store-backed codec column references (`<blob@>`, `<hash@>`, `<attach@>`, `<object@>`, ...) go
under `data/objects/<store>/<path inside the store>`, hashed once as they are copied, so the BagIt manifest,
the RO-Crate and the Data Package's `djspecs:objects` list carry their SHA-256 and size. Import writes them to
the target's store of the same name at the same relative path, so the stored metadata of each row (which
names store and path) decodes there to the same value.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import pyarrow.parquet as pq

from djspecs.reference.codecs.chain import resolve
from djspecs.reference.errors import DataJointError
from djspecs.reference.stores import Store
from djspecs.reference.types import DeclaredType, classify

OBJECTS = "objects"  # under data/
PACKAGE_KEY = "djspecs:objects"
CHUNK = 2**20
MANIFEST_SUFFIX = ".manifest.json"  # the sidecar listing a folder object's files


def in_store(declared: DeclaredType) -> bool:
    """Whether a column of this type keeps its values in an object store."""
    return declared.kind == "codec" and resolve(declared).store is not None


def store_columns(types: dict[str, DeclaredType]) -> list[str]:
    return [name for name, declared in types.items() if in_store(declared)]


def references(stored) -> list[tuple[str, str]]:
    """(store, path) of a stored value: the JSON metadata that store codecs keep in the column."""
    if stored is None:
        return []
    if isinstance(stored, bytes | str):
        try:
            stored = json.loads(stored)
        except ValueError:
            return []
    if isinstance(stored, dict) and stored.get("path") and stored.get("store"):
        return [(stored["store"], stored["path"].lstrip("/"))]
    return []


def bundle_path(store: str, path: str) -> str:
    return f"data/{OBJECTS}/{store}/{path}"


def copy_objects(staging, settings, parquet_path: str, columns: list[str], copied: dict[str, dict]) -> None:
    """Copy every object the `columns` of a written Parquet file reference into the bundle, once each.

    `copied` maps bundle path → its `djspecs:objects` entry, shared across tables (hash-addressed objects
    may be referenced by many rows and tables).
    """
    stores: dict[str, Store] = {}
    table = pq.read_table(staging.root / parquet_path, columns=columns)
    for column in columns:
        for stored in table.column(column).to_pylist():
            for name, path in references(stored):
                store = stores.get(name) or stores.setdefault(name, Store.configured(settings, name))
                files = _object_files(store, path)
                for file in files:
                    target = bundle_path(name, file)
                    if target not in copied:
                        copied[target] = _copy(staging, store, file, target)


def _object_files(store: Store, path: str) -> list[str]:
    """The files of one stored object: a file, or a folder's files and its `.manifest.json` sidecar if the
    writer left one beside it (DataJoint 2.x does, and checks a folder against it)."""
    if not store.isdir(path):
        return [path]
    sidecar = f"{path}{MANIFEST_SUFFIX}"
    return [f"{path}/{rel}" for rel in sorted(_relative(store, path))] + ([sidecar] if store.exists(sidecar) else [])


def _relative(store: Store, folder: str) -> list[str]:
    prefix = folder.rstrip("/") + "/"
    return [p.removeprefix(prefix) for p in store.files(folder)]


def _copy(staging, store: Store, path: str, target: str) -> dict:
    handle = staging.open(target)
    try:
        with store.open(path) as source:
            shutil.copyfileobj(source, handle, CHUNK)
    except FileNotFoundError:
        handle.close()
        raise DataJointError(f"Store '{store.name}': the object {path} is missing; it cannot be exported") from None
    written = staging.record(target, handle)
    return {"path": target.removeprefix("data/"), "store": store.name, "hash": f"sha256:{written.sha256}",
            "bytes": written.size}  # fmt: skip


def restore_objects(bundle, entries: list[dict], manifest: dict[str, str], settings) -> int:
    """Write each object of the bundle to the configured store of its name; its SHA-256 is checked against the
    bag manifest as it is copied, and a mismatch removes the object again. Returns the bytes written."""
    stores: dict[str, Store] = {}
    total = 0
    for entry in entries:
        source = "data/" + entry["path"]
        name = entry["store"]
        relative = source.removeprefix(f"data/{OBJECTS}/{name}/")
        try:
            store = stores.get(name) or stores.setdefault(name, Store.configured(settings, name))
        except DataJointError as error:
            raise DataJointError(f"{source}: the bundle's objects need store '{name}' in the target: {error}") from None
        digest = hashlib.sha256()
        with bundle.open(source) as reader, store.open(relative, "wb") as writer:
            while chunk := reader.read(CHUNK):
                digest.update(chunk)
                writer.write(chunk)
                total += len(chunk)
        if digest.hexdigest() != manifest.get(source):
            store.remove(relative)
            raise DataJointError(f"{source}: sha256 {digest.hexdigest()} does not match the bag manifest")
    return total


def column_types(table: dict) -> dict[str, DeclaredType]:
    """The declared types of a bundled table's attributes (from definitions.json)."""
    return {a["name"]: bundled_type(a["type"]) for a in table["attributes"]}


def bundled_type(text: str) -> DeclaredType:
    """A declared type, or a native type as the source's catalog spelled it: DataJoint 2.x writes no `:type:`
    comment on foreign-key columns, so a bundle of its database may hold PostgreSQL's `character varying(8)`."""
    try:
        return classify(text)
    except DataJointError:
        return DeclaredType(text, "native", text.lower())
