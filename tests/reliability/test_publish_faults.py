"""Publish faults (PUB-9, PUB-10, PUB-11) not already covered by tests/publish/test_faults.py: an export that
fails at a random write of its writer leaves nothing at the destination, for a folder and a zip; a bundle with
a flipped byte or an edited manifest is refused by `import` (validate's refusals and the import of a bundle
with a missing file are tested in tests/publish/test_faults.py) and nothing is declared.
"""

from __future__ import annotations

import glob
import os
import random
import tempfile
from pathlib import Path

import pytest

from djspecs.publish import export, staging
from djspecs.publish.importer import BundleError, import_bundle
from djspecs.publish.validate import validate
from tests.publish.conftest import declare_pipeline, new_schema  # noqa: F401  (fixture)
from tests.publish.test_faults import bundle, good_bundle, session_file  # noqa: F401  (fixtures)
from tests.reliability.conftest import scale
from tests.reliability.harness import TALLY


class WriterFault(Exception):
    """The injected failure."""


def count_writes(schema, folder: Path) -> int:
    """How many times the bundle writer writes in a clean export of `schema`."""
    calls = 0
    original = staging.HashingFile.write

    def counting(self, data):
        nonlocal calls
        calls += 1
        return original(self, data)

    staging.HashingFile.write = counting
    try:
        export(schema, folder / "clean")
    finally:
        staging.HashingFile.write = original
    return calls


@pytest.mark.parametrize("destination", ["folder", "bundle.zip"])
def test_export_interrupted_at_random_writes_leaves_no_bundle(destination, new_schema, tmp_path, monkeypatch):  # noqa: F811  (PUB-9)
    schema = new_schema("sqlite")
    declare_pipeline(schema)
    writes = count_writes(schema, tmp_path)
    assert writes > 10
    rng = random.Random(f"export-{destination}")
    original = staging.HashingFile.write
    for attempt, fail_at in enumerate(sorted(rng.sample(range(1, writes + 1), scale(4, 25)))):
        calls = 0

        def failing(self, data, fail_at=fail_at):
            nonlocal calls
            calls += 1
            if calls == fail_at:
                original(self, bytes(data)[: len(data) // 2])  # half of the bytes reach the file, then it fails
                raise WriterFault(f"disk failed at write {fail_at}")
            return original(self, data)

        monkeypatch.setattr(staging.HashingFile, "write", failing)
        out = tmp_path / f"out{attempt}"
        target = out / destination
        with pytest.raises(WriterFault):
            export(schema, target)
        monkeypatch.setattr(staging.HashingFile, "write", original)
        TALLY["publish: exports interrupted"] += 1
        assert not target.exists(), f"a bundle was left after a failure at write {fail_at} of {writes}"
        assert not out.exists() or list(out.iterdir()) == []
        assert glob.glob(os.path.join(tempfile.gettempdir(), f".{target.name}.partial-*")) == []
    export(schema, tmp_path / "after" / destination)  # the writer works again: the failures left no state
    assert (tmp_path / "after" / destination).exists()


def flip_a_byte(folder: Path) -> None:
    path = Path(session_file(folder))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def edit_the_manifest(folder: Path) -> None:
    manifest = folder / "manifest-sha256.txt"
    lines = manifest.read_text().splitlines()
    digest, name = lines[0].split(maxsplit=1)
    lines[0] = f"{'0' * len(digest)}  {name}"
    manifest.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("damage", [flip_a_byte, edit_the_manifest])
def test_import_refuses_a_flipped_byte_or_an_edited_manifest(damage, bundle, new_schema):  # noqa: F811  (PUB-10, PUB-11)
    damage(bundle)
    TALLY["publish: damaged bundles"] += 1
    assert validate(bundle).problems, "validate accepted a damaged bundle"
    target = new_schema("sqlite")
    with pytest.raises(BundleError, match="does not validate; nothing was imported"):
        import_bundle(bundle, target)
    assert target.list_tables() == []
