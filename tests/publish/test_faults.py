"""Bad bundles are refused with every problem named by file and field (PUB-10); an interrupted export leaves
nothing at its destination (PUB-9); a refused import declares nothing (PUB-11)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest

from djspecs.publish import export, transfer
from djspecs.publish.importer import BundleError, import_bundle
from djspecs.publish.validate import validate
from djspecs.reference.errors import DataJointError
from tests.publish.conftest import datacite_record, declare_pipeline


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory):
    """One valid bundle; each test works on its own copy."""
    import djspecs.reference as dj
    from tests.publish.conftest import connect

    schema = dj.Schema(f"djspecs_pub_faults_{os.getpid()}", connection=connect("sqlite"))
    try:
        declare_pipeline(schema)
        path = tmp_path_factory.mktemp("good") / "bundle"
        export(schema, path, metadata=datacite_record(), croissant=True)
    finally:
        schema.drop()
    return path


@pytest.fixture
def bundle(good_bundle, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(good_bundle, copy)
    return copy


def problems(path) -> list[str]:
    return [str(p) for p in validate(path).problems]


def session_file(bundle) -> str:
    return glob.glob(f"{bundle}/data/tables/*.manual.session.parquet")[0]


def test_good_bundle_is_valid_for_bagit_python_too(good_bundle):
    """PUB-1: our own validator and the Library of Congress's bagit-python both accept the bag."""
    bagit = pytest.importorskip("bagit")
    assert problems(good_bundle) == []
    assert bagit.Bag(str(good_bundle)).validate()


def test_flipped_byte_is_named_in_every_description(bundle):
    """PUB-10: one flipped byte in a table is reported by the bag, the package, the crate and Croissant."""
    path = session_file(bundle)
    data = bytearray(Path(path).read_bytes())
    data[len(data) // 2] ^= 0x01
    Path(path).write_bytes(bytes(data))
    found = problems(bundle)
    relative = path.removeprefix(f"{bundle}/")
    assert any(p.startswith(f"{relative}: sha256: is ") for p in found)
    assert any(p.startswith("data/datapackage.json: resources/1(") and "/hash: " in p for p in found)
    assert any(p.startswith("data/ro-crate-metadata.json: ") and "/sha256: " in p for p in found)
    assert any(p.startswith("data/croissant.json: distribution/1(") for p in found)


def test_missing_file_and_unlisted_file(bundle):
    """PUB-10: a removed payload file and a file added to the payload are both problems."""
    os.remove(f"{bundle}/data/citation.bib")
    Path(f"{bundle}/data/extra.txt").write_text("sneaked in")
    found = problems(bundle)
    assert "data/citation.bib: listed in manifest-sha256.txt but missing" in found
    assert "data/extra.txt: not listed in manifest-sha256.txt" in found
    assert any(p.startswith("bag-info.txt: Payload-Oxum: says ") for p in found)


def test_edited_manifest_is_caught_by_the_tag_manifest(bundle):
    """PUB-10: changing a line of the manifest makes the manifest itself fail its tag-manifest hash."""
    path = f"{bundle}/manifest-sha256.txt"
    lines = Path(path).read_text().splitlines()
    lines[0] = "0" * 64 + lines[0][64:]
    Path(path).write_text("\n".join(lines) + "\n")
    found = problems(bundle)
    assert any(p.startswith("manifest-sha256.txt: sha256: is ") for p in found)
    assert any(p.startswith(lines[0][66:] + ": sha256: is ") for p in found)


def test_descriptor_checked_against_the_frictionless_profile(bundle):
    """PUB-6, PUB-10: a descriptor that breaks the official v2 profile is reported with the JSON path; the tag
    manifest then reports the edit as well."""
    path = f"{bundle}/data/datapackage.json"
    package = json.loads(Path(path).read_text())
    package["resources"][0]["hash"] = "sha256:not-hex"
    del package["resources"][1]["path"]
    Path(path).write_text(json.dumps(package))
    found = problems(bundle)
    assert any(p.startswith("data/datapackage.json: resources/0/hash: 'sha256:not-hex' does not match") for p in found)
    assert any(p.startswith("data/datapackage.json: resources/1: ") for p in found)
    assert any(p.startswith("data/datapackage.json: sha256: is ") for p in found)


def test_truncated_parquet_is_not_parquet(bundle):
    path = session_file(bundle)
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: len(data) - 10])
    relative = path.removeprefix(f"{bundle}/")
    assert f"{relative}: not a Parquet file (the PAR1 magic is missing)" in problems(bundle)


def test_datacite_xml_and_json_must_agree(bundle):
    path = f"{bundle}/data/datacite.xml"
    text = Path(path).read_text()
    Path(path).write_text(text.replace("djspecs-test-1", "other"))
    assert any(p.startswith("data/datacite.xml: identifier: is '10.80507/other'") for p in problems(bundle))


def test_import_refuses_a_damaged_bundle_and_declares_nothing(bundle, new_schema):
    """PUB-11: checksums first; nothing is declared when the bundle does not validate."""
    os.remove(f"{bundle}/data/README.md")
    target = new_schema("sqlite")
    with pytest.raises(BundleError, match="does not validate; nothing was imported"):
        import_bundle(bundle, target)
    assert target.list_tables() == []


def test_import_needs_an_empty_schema(good_bundle, new_schema):
    target = new_schema("sqlite")
    declare_pipeline(target)
    with pytest.raises(BundleError, match="already holds tables"):
        import_bundle(good_bundle, target)


@pytest.mark.parametrize("destination", ["folder", "bundle.zip"])
def test_interrupted_export_leaves_nothing(destination, new_schema, tmp_path, monkeypatch):
    """PUB-9: a failure after the first batch of the second table leaves no bundle and no staging folder."""
    tables = declare_pipeline(new_schema("sqlite"))
    calls = []
    original = transfer.record_batches

    def failing(expression, **options):
        calls.append(expression)
        for batch in original(expression, **options):
            yield batch
            if len(calls) == 2:
                raise ConnectionError("the server went away")

    monkeypatch.setattr(transfer, "record_batches", failing)
    target = tmp_path / "out" / destination
    with pytest.raises(ConnectionError):
        export(tables["Session"], target)
    assert len(calls) == 2 and not target.exists()
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == []
    assert glob.glob(os.path.join(tempfile.gettempdir(), f".{target.stem}.partial-*")) == []


def test_existing_destination_is_not_overwritten(good_bundle, new_schema):
    tables = declare_pipeline(new_schema("sqlite"))
    before = sorted(os.listdir(good_bundle))
    with pytest.raises(DataJointError, match="exists"):
        export(tables["Subject"], good_bundle)
    assert sorted(os.listdir(good_bundle)) == before


def test_enum_value_outside_declaration_is_refused():
    """PUB-4: enum dictionaries come from the declaration; an undeclared value is an error, not a new entry."""
    from djspecs.publish.types import to_arrow
    from djspecs.reference.types import classify

    column = to_arrow(["sad", None, "happy"], classify("enum('happy','sad')"))
    assert column.dictionary.to_pylist() == ["happy", "sad"] and column.indices.to_pylist() == [1, None, 0]
    with pytest.raises(ValueError, match="outside the declared enum"):
        to_arrow(pa.array(["angry"]), classify("enum('happy','sad')"))


def test_datacite_record_problems_and_disagreement(bundle):
    """PUB-10: an edited title in the XML, and a JSON record without its mandatory titles, are both named."""
    xml = Path(f"{bundle}/data/datacite.xml")
    xml.write_text(xml.read_text().replace("Mice &amp; sessions", "Rats"))
    found = problems(bundle)
    assert "data/datacite.xml: describes another record than datacite.json" in found
    record = Path(f"{bundle}/data/datacite.json")
    attributes = json.loads(record.read_text())
    del attributes["titles"]
    record.write_text(json.dumps(attributes))
    assert any(p.startswith("data/datacite.json: titles: ") for p in problems(bundle))
