"""`validate`: check a bundle in every role it plays, and report each problem by file and field (PUB-10).

The bag (bagit.txt, every payload and tag file against its manifest, Payload-Oxum), the Data Package
(against the official Frictionless v2 profile, and each resource's hash and size against the bag), every
Parquet file (readable, columns and row count as described, primary keys unique, foreign keys satisfied
inside the bundle), the RO-Crate (descriptor, root entity, parts, sizes and hashes), Croissant if present,
and the DataCite record if present.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import jsonschema

from . import bag, crate_checks, table_checks
from .destination import open_bundle


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


@dataclass
class Report:
    bundle: str
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    rows: int = 0
    tables: int = 0
    objects: int = 0
    doi: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, file: str, field_: str, message: str) -> None:
        self.problems.append(Problem(file, field_, message))


class Bundle:
    """Read access to the files of a bag, folder or zip, local or remote."""

    def __init__(self, url, storage_options=None):
        self.fs, self.root = open_bundle(url, storage_options=storage_options)

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    def exists(self, relative: str) -> bool:
        return self.fs.isfile(self.path(relative))

    def read_text(self, relative: str) -> str:
        with self.fs.open(self.path(relative), "rb") as handle:
            return handle.read().decode("utf-8")

    def open(self, relative: str):
        return self.fs.open(self.path(relative), "rb")

    def listing(self) -> list[str]:
        """Every file, relative to the bag root."""
        prefix = self.root.rstrip("/") + "/"
        return sorted(p.removeprefix(prefix) for p in self.fs.find(self.root) if self.fs.isfile(p))

    def digest(self, relative: str) -> tuple[str, int]:
        sha, size = hashlib.sha256(), 0
        with self.open(relative) as handle:
            while chunk := handle.read(2**20):
                sha.update(chunk)
                size += len(chunk)
        return sha.hexdigest(), size


@cache
def datapackage_profile() -> dict:
    text = files("djspecs.publish").joinpath("profiles/frictionless-2.0-datapackage.json").read_text("utf-8")
    return json.loads(text)


def validate(url, *, storage_options: dict | None = None, deep: bool = True, on_file=None) -> Report:
    """Every problem of the bundle at `url`; `deep` also reads the Parquet columns for key checks."""
    report = Report(str(url))
    bundle = Bundle(url, storage_options)
    listing = bundle.listing()
    actual = _check_bag(bundle, listing, report, on_file)
    package = _read_json(bundle, "data/datapackage.json", report)
    if package is not None:
        _check_package(bundle, package, actual, report, deep=deep)
    crate = _read_json(bundle, "data/ro-crate-metadata.json", report)
    if crate is not None:
        crate_checks.check_crate(crate, actual, report)
    if bundle.exists("data/croissant.json"):
        croissant = _read_json(bundle, "data/croissant.json", report)
        if croissant is not None:
            crate_checks.check_croissant(croissant, actual, report)
    crate_checks.check_datacite(bundle, report)
    return report


def _read_json(bundle: Bundle, relative: str, report: Report):
    if not bundle.exists(relative):
        report.add(relative, "", "missing")
        return None
    try:
        return json.loads(bundle.read_text(relative))
    except (ValueError, UnicodeDecodeError) as error:
        report.add(relative, "", f"not valid JSON: {error}")
        return None


def _check_bag(bundle: Bundle, listing: list[str], report: Report, on_file) -> dict[str, tuple[str, int]]:
    """RFC 8493: declaration, manifests complete and correct. Returns path → (sha256, size) as found."""
    if not bundle.exists("bagit.txt"):
        report.add("bagit.txt", "", "missing: this is not a BagIt bag")
    elif bag.parse_info(bundle.read_text("bagit.txt")).get("BagIt-Version") not in ("1.0", "0.97"):
        report.add("bagit.txt", "BagIt-Version", "must be 1.0")
    actual: dict[str, tuple[str, int]] = {}
    for manifest, wanted in ((bag.MANIFEST, True), (bag.TAG_MANIFEST, False)):
        if not bundle.exists(manifest):
            if wanted:
                report.add(manifest, "", "missing: the payload cannot be checked")
            continue
        entries, problems = bag.parse_manifest(bundle.read_text(manifest), manifest)
        for problem in problems:
            report.add(manifest, "", problem.partition(": ")[2])
        covered = [p for p in listing if p.startswith("data/")] if wanted else [
            p for p in listing if not p.startswith("data/") and not p.startswith("tagmanifest-")
        ]  # fmt: skip
        for path in covered:
            if path not in entries:
                report.add(path, "", f"not listed in {manifest}")
        for path, digest in entries.items():
            if path not in listing:
                report.add(path, "", f"listed in {manifest} but missing")
                continue
            actual[path] = found = bundle.digest(path)
            if on_file:
                on_file(path, found[1])
            if found[0] != digest:
                report.add(path, "sha256", f"is {found[0]}, {manifest} says {digest}")
    payload = [p for p in listing if p.startswith("data/")]
    report.files = len(listing)
    report.bytes = sum(size for p, (_, size) in actual.items() if p.startswith("data/"))
    if bundle.exists("bag-info.txt"):
        oxum = bag.parse_info(bundle.read_text("bag-info.txt")).get("Payload-Oxum")
        total = sum(actual.get(p, ("", 0))[1] for p in payload)
        if oxum and oxum != f"{total}.{len(payload)}":
            report.add("bag-info.txt", "Payload-Oxum", f"says {oxum}, the payload is {total}.{len(payload)}")
    return actual


def _check_package(bundle: Bundle, package: dict, actual: dict, report: Report, *, deep: bool) -> None:
    validator = jsonschema.Draft7Validator(datapackage_profile())
    for error in sorted(validator.iter_errors(package), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        report.add("data/datapackage.json", where, error.message)
    resources = [r for r in package.get("resources", []) if isinstance(r, dict)]
    keys = {}
    for index, resource in enumerate(resources):
        where = f"resources/{index}({resource.get('name', '?')})"
        path = "data/" + str(resource.get("path", ""))
        if path not in actual:
            report.add("data/datapackage.json", f"{where}/path", f"{path} is not a checked file of the bag")
            continue
        digest, size = actual[path]
        if resource.get("hash") != f"sha256:{digest}":
            report.add(
                "data/datapackage.json", f"{where}/hash", f"is {resource.get('hash')}, the file's is sha256:{digest}"
            )
        if resource.get("bytes") != size:
            report.add("data/datapackage.json", f"{where}/bytes", f"is {resource.get('bytes')}, the file has {size}")
        rows, key_values = table_checks.check_parquet(bundle, path, resource, report, deep=deep)
        report.rows += rows
        report.tables += 1
        keys[resource.get("name")] = key_values
    if deep:
        table_checks.check_foreign_keys(resources, keys, report)
    _check_objects(package.get("djspecs:objects"), actual, report)


def _check_objects(entries, actual: dict, report: Report) -> None:
    """PUB-12: each store object the Data Package lists is in the bag with the listed SHA-256 and size."""
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        path = "data/" + str(entry.get("path", "")) if isinstance(entry, dict) else ""
        where = f"djspecs:objects/{index}"
        if path not in actual:
            report.add(path or "data/datapackage.json", where, "store object listed in datapackage.json is missing")
            continue
        digest, size = actual[path]
        if entry.get("hash") != f"sha256:{digest}":
            report.add(
                path, f"{where}/hash", f"datapackage.json says {entry.get('hash')}, the file's is sha256:{digest}"
            )
        if entry.get("bytes") != size:
            report.add(path, f"{where}/bytes", f"datapackage.json says {entry.get('bytes')}, the file has {size}")
        report.objects += 1
