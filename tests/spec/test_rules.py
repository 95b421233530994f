"""The rule files: format, coverage of the digest, and the errors bad files produce."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from djspecs.spec import SpecFileError, load_register, load_rules, load_vocabulary, spec_dir

# The areas of DataJoint Specs 2.0 (the digest's sections) and the rule ID prefixes each holds.
AREAS = {
    "naming": {"PIPE", "NAME", "SYS"},
    "definition": {"DEF"},
    "types": {"TYPE"},
    "codecs": {"CODEC"},
    "storage": {"STORE"},
    "blob": {"BLOB"},
    "query": {"Q"},
    "lineage": {"LIN"},
    "fetch": {"FETCH"},
    "dml": {"DML"},
    "populate": {"POP"},
    "jobs": {"JOB"},
    "backends": {"BE"},
    "config": {"CFG"},
    "api": {"API"},
    "publish": {"PUB"},
}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_at_least_150_rules(rules):
    assert len(rules) >= 150


def test_every_area_of_the_digest_is_present(rules):
    assert {area.name: set(area.prefixes) for area in rules.areas} == AREAS


def test_every_file_validates_with_jsonschema():
    schemas = [json.loads(p.read_text()) for p in spec_dir().glob("*.schema.json")]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    file_schema = next(s for s in schemas if s["$id"].endswith("/rule-file.schema.json"))
    validator = Draft202012Validator(file_schema, registry=registry)
    for path in sorted((spec_dir() / "rules").glob("*.yaml")):
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path.name


def test_ids_are_unique_and_match_their_prefix(rules):
    ids = [rule.id for rule in rules]
    assert len(ids) == len(set(ids))
    for area in rules.areas:
        assert all(rule.prefix in area.prefixes for rule in area.rules), area.name


def test_every_must_rule_has_an_example(rules):
    assert [rule.id for rule in rules if rule.is_mandatory and not rule.examples] == []


def test_requires_names_declared_capabilities(rules):
    capabilities = load_vocabulary().capabilities
    assert {c for rule in rules for c in rule.requires} <= set(capabilities)


def test_sources_in_this_project_name_files_that_exist(rules):
    root = spec_dir().parent
    cited = {s.ref.removeprefix("djspecs:") for rule in rules for s in rule.sources if s.ref.startswith("djspecs:")}
    assert sorted(path for path in cited if not (root / path).is_file()) == []


def test_every_register_entry_is_settled_by_a_decision(rules):
    settled = {entry for rule in rules if rule.decision for entry in rule.decision.register}
    assert set(load_register()) - settled == set()


def test_conflicting_rules_carry_a_decision(rules):
    statuses = ("conflict-decided", "source-defect", "backend-decision")
    assert [rule.id for rule in rules if rule.status in statuses and rule.decision is None] == []


def test_lookup_is_case_insensitive_and_suggests(rules):
    assert rules.get("def-3").id == "DEF-3"
    with pytest.raises(KeyError):
        rules.get("NOPE-1")
    assert "Q-32" in rules.nearest("Q-320")


def test_filters(rules):
    musts = rules.filter(area="query", level="must")
    assert musts and all(r.area == "query" and r.level == "MUST" for r in musts)
    assert rules.filter(area="Q") == rules.filter(area="query")
    assert all("codec.blob" in r.requires for r in rules.filter(capability="codec.blob"))


# --- bad input: a copy of the spec with one broken rule file ---------------------------------------


@pytest.fixture
def spec_copy(tmp_path):
    """A writable copy of the spec folder (rules and vocabularies), to break on purpose."""
    target = tmp_path / "spec"
    shutil.copytree(spec_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__", "vectors"))
    return target


def _edit_rule(spec, area, rule_id, edit):
    path = spec / "rules" / f"{area}.yaml"
    data = yaml.safe_load(path.read_text())
    rule = next(r for r in data["rules"] if r["id"] == rule_id)
    edit(data, rule)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_missing_field_names_file_rule_and_field(spec_copy):
    path = _edit_rule(spec_copy, "definition", "DEF-3", lambda data, rule: rule.pop("statement"))
    with pytest.raises(SpecFileError) as caught:
        load_rules(spec_copy)
    assert (caught.value.file, caught.value.record, caught.value.field) == (str(path), "DEF-3", "statement")
    assert "definition.yaml: DEF-3: field 'statement'" in str(caught.value)


def test_duplicate_id_in_one_file(spec_copy):
    _edit_rule(spec_copy, "definition", "DEF-3", lambda data, rule: data["rules"].append(dict(rule)))
    with pytest.raises(SpecFileError, match=r"definition\.yaml: DEF-3: field 'id': duplicate ID"):
        load_rules(spec_copy)


def test_duplicate_id_across_files(spec_copy):
    def move(data, rule):
        rule["id"] = "Q-32"
        data["prefixes"].append("Q")

    _edit_rule(spec_copy, "lineage", "LIN-1", move)
    with pytest.raises(SpecFileError, match=r"Q-32: field 'id': duplicate ID, also defined in .*"):
        load_rules(spec_copy)


def test_unknown_capability_is_named_with_a_suggestion(spec_copy):
    _edit_rule(spec_copy, "codecs", "CODEC-1", lambda data, rule: rule.update(requires=["codec.blobb"]))
    with pytest.raises(SpecFileError) as caught:
        load_rules(spec_copy)
    message = str(caught.value)
    assert "codecs.yaml: CODEC-1: field 'requires': unknown capability 'codec.blobb'" in message
    assert "codec.blob" in message.split("did you mean")[1]


def test_wrong_level_keyword_is_refused(spec_copy):
    _edit_rule(spec_copy, "query", "Q-32", lambda data, rule: rule.update(level="SHOULD"))
    with pytest.raises(SpecFileError, match=r"Q-32: field 'statement': .*must use SHOULD"):
        load_rules(spec_copy)


def test_invalid_level_value_is_refused(spec_copy):
    _edit_rule(spec_copy, "query", "Q-1", lambda data, rule: rule.update(level="MUSTY"))
    with pytest.raises(SpecFileError, match=r"query\.yaml: Q-1: field 'level': 'MUSTY' is not one of"):
        load_rules(spec_copy)


def test_broken_yaml_names_the_file(spec_copy):
    (spec_copy / "rules" / "query.yaml").write_text("rules: [unclosed\n")
    with pytest.raises(SpecFileError, match=r"query\.yaml: not valid YAML"):
        load_rules(spec_copy)


def test_every_rule_a_committed_certificate_fails_carries_a_finding(rules):
    """The docs say so: each fail or error of another implementation is explained under `conformance.findings`."""
    certificates = Path(__file__).resolve().parents[2] / "docs" / "certificates"
    unexplained = []
    for path in sorted(certificates.glob("*/*.json")):
        certificate = json.loads(path.read_text())
        if certificate["implementation"]["name"] == "djspecs-reference":
            assert all(r["verdict"] not in ("fail", "error") for r in certificate["rules"]), path.name
            continue
        backend = path.stem
        for entry in certificate["rules"]:
            findings = rules.get(entry["id"]).conformance.findings
            if entry["verdict"] in ("fail", "error") and not any(backend in f.backends for f in findings):
                unexplained.append(f"{path.parent.name}/{path.name}: {entry['id']}")
    assert unexplained == []
