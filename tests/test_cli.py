"""The djspecs command line, through click's test runner."""

import json

import pytest
from click.testing import CliRunner

from djspecs.cli import main
from djspecs.spec import load_rules, load_vectors


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_count_prints_the_number_of_rules():
    result = run("rules", "--count")
    assert result.exit_code == 0
    assert int(result.output) == len(load_rules()) >= 150


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (("--area", "query"), lambda r: r["area"] == "query"),
        (("--area", "Q"), lambda r: r["id"].startswith("Q-")),
        (("--level", "MUST"), lambda r: r["level"] == "MUST"),
        (("--capability", "codec.blob"), lambda r: "codec.blob" in r["requires"]),
    ],
)
def test_filters_as_json(args, check):
    result = run("rules", *args, "--json")
    assert result.exit_code == 0
    records = json.loads(result.output)
    assert records and all(check(record) for record in records)


def test_list_shows_a_table_of_rules():
    result = run("rules", "--area", "lineage")
    assert result.exit_code == 0
    assert "LIN-1" in result.output and "LIN-6" in result.output


def test_unknown_area_lists_the_areas():
    result = run("rules", "--area", "quarry")
    assert result.exit_code == 2
    assert "no area 'quarry'" in result.output and "query" in result.output


def test_show_prints_statement_and_sources():
    rule = load_rules().get("Q-32")
    result = run("rules", "show", "q-32")
    assert result.exit_code == 0
    assert "Q-32" in result.output and rule.level in result.output
    assert rule.sources[0].ref in result.output


def test_show_json_round_trips_the_record():
    record = json.loads(run("rules", "show", "DEF-3", "--json").output)
    assert record["id"] == "DEF-3" and record["statement"] == load_rules().get("DEF-3").statement


def test_show_unknown_rule_suggests_nearest_ids():
    result = run("rules", "show", "Q-320")
    assert result.exit_code == 1
    assert "No rule 'Q-320'" in result.output and "Did you mean" in result.output and "Q-32" in result.output


def test_show_nothing_close():
    result = run("rules", "show", "NOPE")
    assert result.exit_code == 1 and "No rule 'NOPE'" in result.output


def test_vectors_count_and_filter():
    assert int(run("vectors", "--count").output) == len(load_vectors())
    result = run("vectors", "--rule", "Q-32")
    assert result.exit_code == 0 and "vec/query/" in result.output
