"""`dj.Diagram` (API-5): the expansion and set algebra, collapse, the cascade, trace and restrict views with their
row counts, pruning, tier colours and the layout direction, on a pipeline with every tier."""

from __future__ import annotations

import colorsys
import re
import types

import pytest

RULE = {"requires": ["python.api", "diagram"]}
TABLES = [
    {"name": "Species", "tier": "lookup", "definition": "species : varchar(16)"},
    {"name": "Subject", "tier": "manual", "definition": "subject_id : int32\n---\n-> Species"},
    {"name": "Note", "tier": "manual", "definition": "-> Subject\nnote_id : int32"},
    {"name": "Session", "tier": "manual", "definition": "-> Subject\nsession_id : int16"},
    {"name": "Trial", "tier": "part", "master": "Session", "definition": "-> master\ntrial : int32"},
    {"name": "Recording", "tier": "imported", "definition": "-> Session\n---\nsamples : int32"},
    {"name": "Analysis", "tier": "computed", "definition": "-> Recording\n---\nscore : float64"},
]


@pytest.fixture
def tables(adapter, schema):
    """The pipeline, filled: subjects 1 and 3 are mice, 2 a rat; subject 1 has two sessions, 2 one, 3 none."""
    tables = adapter.declare(schema, TABLES)
    adapter.insert(tables["Species"], [{"species": "mouse"}, {"species": "rat"}])
    adapter.insert(tables["Subject"], [{"subject_id": 1, "species": "mouse"}, {"subject_id": 2, "species": "rat"},
                                       {"subject_id": 3, "species": "mouse"}])  # fmt: skip
    adapter.insert(tables["Session"], [{"subject_id": 1, "session_id": 1}, {"subject_id": 1, "session_id": 2},
                                       {"subject_id": 2, "session_id": 1}])  # fmt: skip
    adapter.insert(tables["Trial"], [{"subject_id": 1, "session_id": 1, "trial": t} for t in (1, 2)]
                   + [{"subject_id": 2, "session_id": 1, "trial": 1}])  # fmt: skip
    adapter.populate(tables["Recording"], lambda key: [{**key, "samples": 100}])
    adapter.populate(tables["Analysis"], lambda key: [{**key, "score": 0.5}])
    return tables


def shown(adapter, diagram) -> set[str]:
    return set(adapter.diagram_tables(diagram))


def names(tables, *classes) -> set[str]:
    return {tables[c].full_table_name for c in classes}


def counts(tables, **expected) -> dict[str, int]:
    return {tables[name].full_table_name: n for name, n in expected.items()}


@pytest.mark.rules("API-5", **RULE)
def test_expansion_adds_levels_below_and_above(adapter, api, tables):
    Diagram = api.Diagram
    assert shown(adapter, Diagram(tables["Subject"])) == names(tables, "Subject")
    assert shown(adapter, Diagram(tables["Subject"]) + 1) == names(tables, "Subject", "Note", "Session")
    assert shown(adapter, Diagram(tables["Session"]) + 2) == names(tables, "Session", "Trial", "Recording", "Analysis")
    assert shown(adapter, Diagram(tables["Analysis"]) - 2) == names(tables, "Analysis", "Recording", "Session")
    assert shown(adapter, Diagram(tables["Session"]) + 1 - 1) == names(
        tables, "Subject", "Session", "Trial", "Recording"
    )
    assert shown(adapter, Diagram(tables["Species"]) - 1) == names(tables, "Species")  # nothing above


@pytest.mark.rules("API-5", **RULE)
def test_union_difference_and_intersection(adapter, api, schema, tables):
    Diagram, everything = api.Diagram, set(names(tables, *(t["name"] for t in TABLES)))
    assert shown(adapter, Diagram(adapter.api_schema(schema))) == everything
    module = types.ModuleType("pipeline_module")
    module.schema = adapter.api_schema(schema)
    assert shown(adapter, Diagram(module)) == everything
    assert shown(adapter, Diagram(tables["Species"]) + Diagram(tables["Analysis"])) == names(
        tables, "Species", "Analysis"
    )
    assert shown(adapter, Diagram(module) - Diagram(tables["Subject"])) == everything - names(tables, "Subject")
    below, above = Diagram(tables["Subject"]) + 2, Diagram(tables["Analysis"]) - 2
    assert shown(adapter, below * above) == names(tables, "Session", "Recording")


@pytest.mark.rules("API-5", **RULE)
def test_cascade_shows_what_a_delete_would_reach(adapter, api, tables):
    preview = api.Diagram.cascade(tables["Subject"] & {"subject_id": 1})
    assert preview.counts() == counts(tables, Subject=1, Note=0, Session=2, Trial=2, Recording=2, Analysis=2)
    assert shown(adapter, preview) == names(tables, "Subject", "Note", "Session", "Trial", "Recording", "Analysis")
    assert len(tables["Session"] & {"subject_id": 1}) == 2  # a preview deletes nothing
    by_species = api.Diagram.cascade(tables["Species"] & {"species": "mouse"}).counts()
    assert by_species == counts(tables, Species=1, Subject=2, Note=0, Session=2, Trial=2, Recording=2, Analysis=2)


@pytest.mark.rules("API-5", **RULE)
def test_cascade_of_a_part_reaches_its_master_only_when_asked(api, tables):
    trial = tables["Trial"] & {"subject_id": 2, "session_id": 1}
    assert api.Diagram.cascade(trial, part_integrity="ignore").counts() == counts(tables, Trial=1)
    upward = api.Diagram.cascade(trial, part_integrity="cascade").counts()
    assert upward == counts(tables, Session=1, Trial=1, Recording=1, Analysis=1)
    with pytest.raises((ValueError, api.DataJointError)):
        api.Diagram.cascade(trial, part_integrity="sideways")


@pytest.mark.rules("API-5", **RULE)
def test_trace_shows_the_rows_upstream(adapter, api, tables):
    traced = api.Diagram.trace(tables["Analysis"] & {"subject_id": 2})
    assert traced.counts() == counts(tables, Species=1, Subject=1, Session=1, Recording=1, Analysis=1)
    assert shown(adapter, traced) == names(tables, "Species", "Subject", "Session", "Recording", "Analysis")
    mice = api.Diagram.trace(tables["Session"] & {"subject_id": 1}).counts()
    assert mice == counts(tables, Species=1, Subject=1, Session=2)


@pytest.mark.rules("API-5", **RULE)
def test_restrict_selects_rows_matching_every_restricted_parent(api, schema, adapter, tables):
    mice = api.Diagram(adapter.api_schema(schema)).restrict(tables["Species"] & {"species": "mouse"})
    assert mice.counts() == counts(tables, Species=1, Subject=2, Note=0, Session=2, Trial=2, Recording=2, Analysis=2)


@pytest.mark.rules("API-5", **RULE)
def test_restrictions_accumulate_and_prune_drops_tables_without_rows(adapter, api, schema, tables):
    mice = api.Diagram(adapter.api_schema(schema)).restrict(tables["Species"] & {"species": "mouse"})
    third = mice.restrict(tables["Subject"] & {"subject_id": 3})  # a mouse without sessions
    assert third.counts() == counts(tables, Species=1, Subject=1, Note=0, Session=0, Trial=0, Recording=0, Analysis=0)
    assert shown(adapter, third.prune()) == names(tables, "Species", "Subject")


@pytest.mark.rules("API-5", **RULE)
def test_prune_without_restrictions_drops_empty_tables(adapter, api, schema, tables):
    pruned = api.Diagram(adapter.api_schema(schema)).prune()
    assert shown(adapter, pruned) == set(names(tables, *(t["name"] for t in TABLES))) - names(tables, "Note")


# The tier colours of API-5, as hue ranges in degrees (gray: no saturation).
HUES = {"manual": (80, 170), "imported": (180, 250), "computed": (0, 40)}


def _colour(style: str) -> tuple[float, float]:
    """(hue in degrees, saturation) of the stroke of a Mermaid classDef, the colour that marks the tier."""
    stroke = re.search(r"stroke:#([0-9A-Fa-f]{6})", style).group(1)
    red, green, blue = (int(stroke[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, _, saturation = colorsys.rgb_to_hls(red, green, blue)
    return hue * 360, saturation


@pytest.mark.rules("API-5", **RULE)
def test_tables_are_drawn_in_tier_colours_left_to_right(api, schema, adapter, tables):
    assert api.config["display.diagram_direction"] == "LR"
    text = api.Diagram(adapter.api_schema(schema)).make_mermaid()
    assert text.lstrip().startswith("flowchart LR")
    styles = dict(re.findall(r"classDef (\w+) (\S+)", text))
    for tier, (low, high) in HUES.items():
        hue, saturation = _colour(styles[tier])
        assert low <= hue <= high and saturation > 0.3, f"{tier} is drawn in {styles[tier]}"
    assert _colour(styles["lookup"])[1] < 0.1, f"lookup is drawn in {styles['lookup']}"
    nodes = re.findall(r"^(.*):::(\w+)\s*$", text, flags=re.M)  # a node line ends with its class
    by_table = {re.findall(r"[a-z0-9_#]+", node.lower())[-1].strip("_#"): tier for node, tier in nodes}
    expected = {"species": "lookup", "subject": "manual", "recording": "imported", "analysis": "computed"}
    assert {name: by_table.get(name) for name in expected} == expected, text


@pytest.mark.rules("API-5", **RULE)
def test_collapse_draws_a_schema_as_one_node(api, schema, adapter, tables):
    whole = api.Diagram(adapter.api_schema(schema))
    collapsed = whole.collapse().make_mermaid()
    assert "Analysis" not in collapsed and "analysis" not in collapsed
    assert re.search(r"\b7 tables\b", collapsed), collapsed
    mixed = (whole.collapse() + api.Diagram(tables["Session"])).make_mermaid()
    assert re.search(r"\b6 tables\b", mixed) and re.search(r"session", mixed, flags=re.I), mixed
