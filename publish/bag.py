"""The BagIt 1.0 tag files (RFC 8493): bagit.txt, bag-info.txt, the payload and tag manifests (PUB-1).

Written by hand from the hashes taken while the payload was written (bagit-python's make_bag would move
the files and hash them again).
"""

from __future__ import annotations

import datetime as dt
import uuid

from .staging import Staging

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"


def encode_path(path: str) -> str:
    """RFC 8493 §2.1.3: CR, LF and % in a manifest path are percent-encoded."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_path(path: str) -> str:
    return path.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def manifest_text(entries) -> str:
    return "".join(f"{w.sha256}  {encode_path(w.path)}\n" for w in entries)


def write_tag_files(staging: Staging, info: dict[str, str]) -> None:
    """Write the manifest, bag-info.txt, bagit.txt and, last, the tag manifest that covers them."""
    payload = staging.payload()
    staging.write_text(MANIFEST, manifest_text(payload))
    labels = {
        "Bagging-Date": dt.date.today().isoformat(),
        "External-Identifier": f"urn:uuid:{uuid.uuid4()}",
        **info,
        "Payload-Oxum": f"{sum(w.size for w in payload)}.{len(payload)}",
    }
    staging.write_text("bag-info.txt", "".join(f"{label}: {_one_line(value)}\n" for label, value in labels.items()))
    staging.write_text("bagit.txt", BAGIT_TXT)
    staging.write_text(TAG_MANIFEST, manifest_text(staging.tags()))


def _one_line(value: str) -> str:
    """A bag-info value on one line (continuation lines are legal, but one line reads everywhere)."""
    return " ".join(str(value).split())


def parse_manifest(text: str, name: str) -> tuple[dict[str, str], list[str]]:
    """(path → sha256, problems) of a manifest's text; each malformed line is a problem naming its number."""
    entries, problems = {}, []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, _, path = line.partition(" ")
        path = path.lstrip(" ")
        if len(digest) != 64 or not path or any(c not in "0123456789abcdefABCDEF" for c in digest):
            problems.append(f"{name}, line {number}: not `<sha256>  <path>`: {line!r}")
            continue
        entries[decode_path(path)] = digest.lower()
    return entries, problems


def parse_info(text: str) -> dict[str, str]:
    info: dict[str, str] = {}
    label = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and label:
            info[label] += " " + line.strip()
        elif ":" in line:
            label, _, value = line.partition(":")
            info[label.strip()] = value.strip()
    return info
