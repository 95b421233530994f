"""Publishing bundles of databases the implementation wrote: the bag, the hashes, the Parquet files, the
descriptions, the citation facts and atomic writing (PUB-1, PUB-2, PUB-3, PUB-6, PUB-8, PUB-9).

Who declares `publish.bundle`: an implementation whose databases djspecs.publish exports, found through
introspection alone (spec/capabilities.yaml). The reference declares it because djspecs ships the publisher;
the DataJoint 2.x adapter declares it because DataJoint's databases are exportable, which is the
interoperability claim these tests check. Every test declares tables and inserts rows through the adapter,
then exports the schema with djspecs.publish over a connection of its own (`publisher`) and checks the bundle
with code of its own (hashes, manifests, descriptors), not with the exporter's helpers.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pyarrow.parquet as pq
import pytest

from djspecs.conformance.publishing import fresh_schema

from .pipeline import pipeline

PUBLISH = ["publish.bundle"]
TAG_FILES = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt"]
JOIN = {"join": [{"table": "Session"}, {"table": "Subject"}]}
DOI, ORCID, PUBLISHED = "10.80507/djspecs-conformance", "https://orcid.org/0000-0002-1825-0097", 2024


@pytest.fixture
def written(adapter, conformance):
    """The suite's small pipeline declared and filled through the adapter: (schema name, table handles)."""
    with fresh_schema(adapter, conformance) as (name, schema):
        yield name, pipeline(adapter, schema)


def export(publisher, name: str, target: Path, **options):
    from djspecs.publish import export

    return export(publisher.schema(name), target, **options)


def sha256(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def listed(bag: Path, manifest: str) -> dict[str, str]:
    """path → SHA-256 of a BagIt manifest (RFC 8493 §2.1.3: `<digest> <path>`)."""
    lines = (bag / manifest).read_text("utf-8").splitlines()
    return {path.strip(): digest for digest, path in (line.split(maxsplit=1) for line in lines if line)}


def payload(bag: Path) -> list[str]:
    return sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file())


def valid(target: Path) -> list[str]:
    from djspecs.publish.validate import validate

    return [str(p) for p in validate(target).problems]


@pytest.mark.rules("PUB-1", requires=PUBLISH)
@pytest.mark.parametrize("zipped", [False, True], ids=["folder", "zip"])
def test_a_bundle_is_a_bagit_bag(written, publisher, tmp_path, zipped):
    name, _ = written
    target = tmp_path / ("bundle.zip" if zipped else "bundle")
    export(publisher, name, target)
    bag = target
    if zipped:
        with zipfile.ZipFile(target) as archive:
            assert {n.split("/")[0] for n in archive.namelist()} == {"bundle"}  # one top-level folder, the bag
            archive.extractall(tmp_path / "unzipped")
        bag = tmp_path / "unzipped" / "bundle"
    assert sorted(p.name for p in bag.iterdir()) == sorted(["data", *TAG_FILES, "tagmanifest-sha256.txt"])
    assert (bag / "bagit.txt").read_text("utf-8").splitlines() == [
        "BagIt-Version: 1.0",
        "Tag-File-Character-Encoding: UTF-8",
    ]
    files = payload(bag)
    assert listed(bag, "manifest-sha256.txt") == {path: sha256(bag / path)[0] for path in files}
    info = dict(line.split(": ", 1) for line in (bag / "bag-info.txt").read_text("utf-8").splitlines() if line)
    assert info["Payload-Oxum"] == f"{sum(sha256(bag / p)[1] for p in files)}.{len(files)}"
    assert listed(bag, "tagmanifest-sha256.txt") == {path: sha256(bag / path)[0] for path in TAG_FILES}
    assert valid(target) == []


@pytest.mark.rules("PUB-2", requires=PUBLISH)
def test_every_description_of_a_file_states_the_same_hash_and_size(written, publisher, tmp_path):
    name, _ = written
    export(publisher, name, tmp_path / "bundle", croissant=True)
    bag = tmp_path / "bundle"
    actual = {path: sha256(bag / path) for path in payload(bag)}
    manifest = listed(bag, "manifest-sha256.txt")
    package = json.loads((bag / "data/datapackage.json").read_text())
    crate = json.loads((bag / "data/ro-crate-metadata.json").read_text())["@graph"]
    croissant = json.loads((bag / "data/croissant.json").read_text())["distribution"]
    assert manifest == {path: digest for path, (digest, _) in actual.items()}
    tables = {f"data/{r['path']}": (r["hash"], r["bytes"]) for r in package["resources"]}
    assert tables and tables == {p: (f"sha256:{d}", n) for p, (d, n) in actual.items() if p in tables}
    files = {f"data/{unquote(e['@id'])}": (e["sha256"], int(e["contentSize"])) for e in crate if e["@type"] == "File"}
    assert files == {p: found for p, found in actual.items() if p != "data/ro-crate-metadata.json"}
    objects = {f"data/{e['contentUrl']}": e["sha256"] for e in croissant if e["@type"] == "cr:FileObject"}
    assert objects == {p: actual[p][0] for p in tables}


@pytest.mark.rules("PUB-3", requires=PUBLISH)
def test_one_parquet_file_per_table_in_key_order_and_bounded_row_groups(written, adapter, publisher, tmp_path):
    from djspecs.publish import export

    name, tables = written
    sources = [publisher.schema(name), publisher.expression(name, JOIN)]
    summary = export(sources, tmp_path / "bundle", row_group_rows=2)
    files = sorted((tmp_path / "bundle/data/tables").glob("*.parquet"))
    assert sorted(f"data/{t.path.removeprefix('data/')}" for t in summary.tables) == sorted(
        f.relative_to(tmp_path / "bundle").as_posix() for f in files
    )
    expected = {f"{name}.{adapter.describe(t).sql_name}": (adapter.describe(t), tier)
                for t, tier in ((tables["Subject"], "manual"), (tables["Session"], "manual"), (tables["Trial"], "part"))}  # fmt: skip
    query = adapter.fetch(adapter.expression(tables, JOIN))
    assert len(files) == len(expected) + 1  # three tables and the query result
    for path in files:
        parquet = pq.ParquetFile(path)
        described = json.loads(parquet.schema_arrow.metadata[b"dj:table"])
        assert described["resource"] == path.name.removesuffix(".parquet")
        if described["table"] is None:
            key, rows = query.primary_key, query.rows
        else:
            info, tier = expected.pop(described["table"])
            assert described["tier"] == tier
            key = info.primary_key
            rows = adapter.fetch(adapter.expression(tables, {"table": _class_of(tables, adapter, info)})).rows
        assert described["primary_key"] == key
        keys = [tuple(row[k] for k in key) for row in pq.read_table(path).to_pylist()]
        assert keys == sorted(tuple(row[k] for k in key) for row in rows)  # every row, in primary-key order
        metadata = parquet.metadata
        assert metadata.num_row_groups == math.ceil(len(rows) / 2)
        for group in range(metadata.num_row_groups):
            chunk = metadata.row_group(group)
            assert chunk.num_rows <= 2
            assert {chunk.column(c).compression for c in range(chunk.num_columns)} == {"ZSTD"}
    assert expected == {}


def _class_of(tables: dict, adapter, info) -> str:
    return next(n for n, t in tables.items() if adapter.describe(t).sql_name == info.sql_name)


def datacite_record():
    from djspecs.publish.datacite import Record

    return Record.from_dict(
        {"doi": "10.80507/djspecs-conformance", "title": "Conformance pipeline", "publisher": "djspecs",
         "creators": [{"name": "Doe, Ann", "givenName": "Ann", "familyName": "Doe", "orcid": ORCID[-19:]}],
         "publicationYear": PUBLISHED, "resourceTypeGeneral": "Dataset", "version": "1.0.0", "rights": ["CC-BY-4.0"],
         "description": "Rows the conformance suite wrote."}
    )  # fmt: skip


@pytest.mark.rules("PUB-6", requires=PUBLISH)
def test_the_payload_describes_itself(written, adapter, conformance, publisher, tmp_path):
    import jsonschema

    from djspecs.publish.validate import datapackage_profile

    name, tables = written
    export(publisher, name, tmp_path / "bundle", metadata=datacite_record())
    data = tmp_path / "bundle/data"
    for file in ("pipeline/diagram.mmd", "README.md", "CITATION.cff", "citation.bib", "datacite.xml"):
        assert (data / file).is_file() and (data / file).stat().st_size > 0, file
    record = json.loads((data / "datacite.json").read_text())  # REST API form, with or without its envelope
    assert record.get("data", {}).get("attributes", record)["doi"] == DOI
    package = json.loads((data / "datapackage.json").read_text())
    assert list(jsonschema.Draft7Validator(datapackage_profile()).iter_errors(package)) == []
    resources = {r["path"]: r for r in package["resources"]}
    assert sorted(resources) == sorted(p.relative_to(data).as_posix() for p in (data / "tables").glob("*.parquet"))
    info = {n: adapter.describe(t) for n, t in tables.items()}
    resource_of = {n: next(r["name"] for r in resources.values() if r["_djTable"] == f"{name}.{i.sql_name}")
                   for n, i in info.items()}  # fmt: skip
    for class_name, described in info.items():
        resource = next(r for r in resources.values() if r["name"] == resource_of[class_name])
        assert (resource["type"], resource["mediatype"]) == ("table", "application/vnd.apache.parquet")
        assert resource["hash"].startswith("sha256:") and resource["bytes"] > 0
        schema = resource["schema"]
        assert [f["name"] for f in schema["fields"]] == [a.name for a in described.heading]
        assert all(f.get("type") for f in schema["fields"]) and schema["primaryKey"] == described.primary_key
        wanted = sorted([list(fk.attributes), resource_of[fk.parent], list(fk.attributes.values())]
                        for fk in described.foreign_keys)  # fmt: skip
        found = sorted([k["fields"], k["reference"]["resource"], k["reference"]["fields"]]
                       for k in schema.get("foreignKeys", []))  # fmt: skip
        assert found == wanted, class_name
    graph = json.loads((data / "ro-crate-metadata.json").read_text())["@graph"]
    descriptor = next(e for e in graph if e["@id"] == "ro-crate-metadata.json")
    assert descriptor["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.2"}
    root = next(e for e in graph if e["@id"] == descriptor["about"]["@id"])
    assert root["datePublished"]
    others = [p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()]
    assert sorted(unquote(part["@id"]) for part in root["hasPart"]) == sorted(set(others) - {"ro-crate-metadata.json"})
    definitions = json.loads((data / "pipeline/definitions.json").read_text())["tables"]
    assert sorted(d["table"] for d in definitions) == sorted(i.sql_name for i in info.values())
    redeclared = _redeclare(adapter, conformance, definitions)
    assert redeclared == {n: ([a.name for a in i.heading], i.primary_key) for n, i in info.items()}


@pytest.mark.rules("PUB-8", requires=PUBLISH)
def test_citation_facts_come_from_the_datacite_record(written, publisher, tmp_path):
    import yaml

    name, _ = written
    export(publisher, name, tmp_path / "bundle", metadata=datacite_record(), croissant=True)
    data, link = tmp_path / "bundle/data", f"https://doi.org/{DOI}"
    title, description, spdx = "Conformance pipeline", "Rows the conformance suite wrote.", "CC-BY-4.0"
    cff = yaml.safe_load((data / "CITATION.cff").read_text())
    assert (cff["title"], cff["doi"], cff["version"], cff["license"]) == (title, DOI, "1.0.0", spdx)
    assert cff["authors"] == [{"family-names": "Doe", "given-names": "Ann", "orcid": ORCID}]
    assert str(cff.get("date-released", PUBLISHED)).startswith(str(PUBLISHED))  # never a date of another year
    bib = dict(re.findall(r"^\s*(\w+) = \{(.*)\},$", (data / "citation.bib").read_text(), re.MULTILINE))
    assert (bib["title"], bib["year"], bib["doi"], bib["version"]) == (f"{{{title}}}", str(PUBLISHED), DOI, "1.0.0")
    assert bib["author"] == "Doe, Ann"
    graph = {e["@id"]: e for e in json.loads((data / "ro-crate-metadata.json").read_text())["@graph"]}
    root = graph["./"]
    assert (root["name"], root["description"], root["identifier"]) == (title, description, link)
    assert root["license"] == {"@id": f"https://spdx.org/licenses/{spdx}"} and root.get("version", "1.0.0") == "1.0.0"
    assert root["datePublished"].startswith(str(PUBLISHED)) and root["author"] == [{"@id": ORCID}]
    assert graph[ORCID]["name"] == "Doe, Ann"
    package = json.loads((data / "datapackage.json").read_text())
    assert (package["title"], package["description"], package["id"], package["version"]) == (
        title, description, link, "1.0.0",
    )  # fmt: skip
    assert [entry["name"] for entry in package["licenses"]] == [spdx]
    croissant = json.loads((data / "croissant.json").read_text())
    assert (croissant["name"], croissant["description"], croissant["url"], croissant["version"]) == (
        title, description, link, "1.0.0",
    )  # fmt: skip
    assert croissant["datePublished"].startswith(str(PUBLISHED)) and spdx in croissant["license"]
    readme = (data / "README.md").read_text()
    assert readme.startswith(f"# {title}") and description in readme and link in readme


def _redeclare(adapter, conformance, definitions: list[dict]) -> dict:
    """The bundled definitions declared through the adapter in a fresh schema: headings and keys by class."""
    specs = []
    for table in definitions:
        master, _, part = table["class"].rpartition(".")
        spec = {"name": part, "tier": table["tier"], "definition": table["definition"]}
        specs.append({**spec, "master": master} if master else spec)
    with fresh_schema(adapter, conformance) as (_, schema):
        declared = adapter.declare(schema, specs)
        described = {n: adapter.describe(t) for n, t in declared.items()}
    return {n: ([a.name for a in i.heading], i.primary_key) for n, i in described.items()}


class _Interrupt(Exception):
    """Stands for the server going away in the middle of an export."""


def _interrupting(after_tables: int):
    from djspecs.publish import Progress

    class Interrupting(Progress):
        started = 0

        def table(self, item, total):
            self.started += 1

        def rows(self, count):
            if self.started > after_tables:
                raise _Interrupt

    return Interrupting()


def snapshot(path: Path) -> dict[str, bytes]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {p.relative_to(path.parent).as_posix(): p.read_bytes() for p in files}


@pytest.mark.rules("PUB-9", requires=PUBLISH)
@pytest.mark.parametrize("destination", ["bundle", "bundle.zip"])
def test_an_interrupted_export_leaves_no_bundle(written, publisher, tmp_path, destination):
    name, _ = written
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(_Interrupt):
        export(publisher, name, out / destination, progress=_interrupting(after_tables=1))
    assert list(out.iterdir()) == []  # neither the bundle nor a partial one


@pytest.mark.rules("PUB-9", requires=PUBLISH)
@pytest.mark.parametrize("destination", ["bundle", "bundle.zip"])
def test_an_existing_bundle_stays_as_it_was(written, publisher, tmp_path, destination):
    name, _ = written
    target = tmp_path / destination
    export(publisher, name, target)
    before = snapshot(target)
    with pytest.raises(Exception, match="exists"):  # the rule says refused, not with which class
        export(publisher, name, target)  # not asked to replace it
    with pytest.raises(_Interrupt):
        export(publisher, name, target, overwrite=True, progress=_interrupting(after_tables=1))
    assert snapshot(target) == before and sorted(p.name for p in tmp_path.iterdir()) == [destination]
