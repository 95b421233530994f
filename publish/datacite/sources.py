"""Where `djspecs mint` and `djspecs cite` find a record, its bundle version key and its receipt.

A bundle (a BagIt directory) holds its record at `data/datacite.json` (REST attributes) or
`data/datacite.xml`, and its key in `bag-info.txt` (`External-Identifier`). The receipt of what was minted is
a tag file at the bag's root, `datacite-receipt.json`, outside the payload: publishing changes the DOI's state
but not one checksummed byte. A metadata file (DataCite XML, REST JSON, or the dict form in JSON or YAML)
keeps its receipt next to it, as `<name>.doi-receipt.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .client import Receipt
from .record import Record

RECEIPT_NAME = "datacite-receipt.json"


@dataclass
class Source:
    record: Record
    key: str
    receipt_path: Path

    def receipt(self) -> Receipt | None:
        if self.receipt_path.exists():
            return Receipt.from_dict(json.loads(self.receipt_path.read_text(encoding="utf-8")))
        return None

    def keep(self, receipt: Receipt) -> None:
        """Write the receipt atomically: a crash leaves the old one or the new one, never half of one."""
        partial = self.receipt_path.with_name(self.receipt_path.name + ".partial")
        partial.write_text(json.dumps(receipt.to_dict(), indent=2) + "\n", encoding="utf-8")
        os.replace(partial, self.receipt_path)


def read_metadata(path: Path) -> Record:
    """A record from DataCite XML, REST JSON (bare attributes or the `{"data": ...}` document), or the dict form."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".xml" or text.lstrip().startswith("<"):
        return Record.from_xml(text)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: neither DataCite XML, JSON nor YAML ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object of DataCite properties")
    if isinstance(data.get("data"), dict):
        return Record.from_json(data)
    return Record.from_dict(data)


def _bag_key(bundle: Path) -> str | None:
    info = bundle / "bag-info.txt"
    if not info.exists():
        return None
    for line in info.read_text(encoding="utf-8").splitlines():
        label, _, value = line.partition(":")
        if label.strip().lower() == "external-identifier" and value.strip().startswith("urn:uuid:"):
            return value.strip()
    return None


def open_source(path: str | os.PathLike, key: str | None = None) -> Source:
    path = Path(path)
    if path.is_dir():
        found = [path / "data" / name for name in ("datacite.json", "datacite.xml") if (path / "data" / name).exists()]
        if not found:
            raise ValueError(f"{path}: no data/datacite.json or data/datacite.xml in this bundle")
        return Source(read_metadata(found[0]), key or _bag_key(path) or path.resolve().name, path / RECEIPT_NAME)
    record = read_metadata(path)
    default_key = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return Source(record, key or default_key, path.with_name(path.name + ".doi-receipt.json"))
