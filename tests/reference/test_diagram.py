"""`dj.Diagram` (API-5) on SQLite, PostgreSQL and MariaDB: sources, algebra, the row views against a real delete,
and the Mermaid and SVG drawings."""

from __future__ import annotations

import subprocess
import sys
from xml.etree import ElementTree

import pytest

import djspecs.reference as dj
from djspecs.reference.diagram_render import TIER_COLOURS, Arrow, Box, mermaid, svg

SVG = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture
def pipeline(schema):
    @schema
    class Species(dj.Lookup):
        definition = "species : varchar(16)"
        contents = [{"species": "mouse"}, {"species": "rat"}]

    @schema
    class Subject(dj.Manual):
        definition = "subject_id : int32\n---\n-> Species"

    @schema
    class Litter(dj.Manual):
        definition = "litter_id : int32\n---\n-> Subject.proj(mother_id='subject_id')"

    @schema
    class Session(dj.Manual):
        definition = "-> Subject\nsession_id : int16"

        class Trial(dj.Part):
            definition = "-> master\ntrial : int32"

    @schema
    class Analysis(dj.Computed):
        definition = "-> Session\n---\nscore : float64"

        def make(self, key):
            self.insert1({**key, "score": 1.0})

    Subject.insert([{"subject_id": i, "species": s} for i, s in ((1, "mouse"), (2, "rat"), (3, "mouse"))])
    Litter.insert1({"litter_id": 1, "mother_id": 1})
    Session.insert(
        [{"subject_id": 1, "session_id": 1}, {"subject_id": 1, "session_id": 2}, {"subject_id": 2, "session_id": 1}]
    )
    Session.Trial.insert([{"subject_id": 1, "session_id": 1, "trial": t} for t in (1, 2)])
    Analysis.populate()
    return {c.__name__: c for c in (Species, Subject, Litter, Session, Session.Trial, Analysis)}


def test_diagram_is_imported_on_first_access():
    code = ("import sys, djspecs.reference as dj; assert 'djspecs.reference.diagram' not in sys.modules; "
            "dj.Diagram; assert 'djspecs.reference.diagram' in sys.modules")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sources_and_membership(schema, pipeline):
    Subject, Session = pipeline["Subject"], pipeline["Session"]
    assert dj.Diagram(Subject).table_names == [Subject.full_table_name] == dj.Diagram(Subject()).table_names
    whole = dj.Diagram(schema)
    assert len(whole) == 6 and Session in whole and "Trial" in whole and Session.Trial in whole
    assert whole.table_names[0] == pipeline["Species"].full_table_name  # parents first
    assert dj.Diagram(dj.virtual_schema(schema.database, connection=schema.connection)).table_names == whole.table_names
    with pytest.raises(dj.DataJointError, match="give a table, a schema or a module"):
        dj.Diagram("subject")


def test_tables_as_operands(schema, pipeline):
    Subject, Session = pipeline["Subject"], pipeline["Session"]
    assert set((dj.Diagram(Subject) + Session).table_names) == {Subject.full_table_name, Session.full_table_name}
    assert Subject not in dj.Diagram(schema) - Subject
    assert len(dj.Diagram(Subject) + 10) == 5  # stops when nothing more is below
    assert (dj.Diagram(Subject) - 1).table_names == [pipeline["Species"].full_table_name, Subject.full_table_name]

    @schema
    class Note(dj.Manual):
        definition = "-> Subject\nnote : varchar(8)"

    assert Note in dj.Diagram(Subject) + Note and Note in dj.Diagram(Subject) + 1


def test_cascade_counts_are_what_delete_removes(schema, pipeline):
    Subject = pipeline["Subject"]
    preview = dj.Diagram.cascade(Subject & {"subject_id": 1}).counts()
    before = {t.full_table_name: len(t()) for t in pipeline.values()}
    (Subject & {"subject_id": 1}).delete(prompt=False)
    removed = {t.full_table_name: before[t.full_table_name] - len(t()) for t in pipeline.values()}
    assert preview == {name: n for name, n in removed.items() if name in preview}
    assert preview[pipeline["Litter"].full_table_name] == 1  # reached through the renamed foreign key
    assert set(removed) - set(preview) == {pipeline["Species"].full_table_name}


def test_views_refuse_what_does_not_apply(schema, pipeline):
    Subject = pipeline["Subject"]
    cascade = dj.Diagram.cascade(Subject & {"subject_id": 1})
    with pytest.raises(dj.DataJointError, match="restrict"):
        cascade.restrict(Subject & {"subject_id": 2})
    with pytest.raises(dj.DataJointError, match="prune"):
        cascade.prune()
    with pytest.raises(dj.DataJointError, match="No rows are selected"):
        dj.Diagram(schema).counts()
    with pytest.raises(dj.DataJointError, match="needs a table"):
        dj.Diagram.trace("subject")
    with pytest.raises(ValueError, match="part_integrity"):
        dj.Diagram.cascade(Subject, part_integrity="all")


def test_trace_gives_restricted_ancestors(pipeline):
    traced = dj.Diagram.trace(pipeline["Analysis"] & {"subject_id": 2, "session_id": 1})
    assert traced["Species"].to_dicts() == [{"species": "rat"}]
    assert len(traced[pipeline["Subject"]]) == 1 and pipeline["Litter"] not in traced
    with pytest.raises(dj.DataJointError, match="not in this diagram"):
        traced["Litter"]
    assert [len(e) for e in traced] == [1, 1, 1, 1]


def test_mermaid_groups_tiers_and_marks_renamed_keys(schema, pipeline):
    text = dj.Diagram(schema).make_mermaid()
    assert text.startswith("flowchart LR\n") and f'subgraph g0["{schema.database}"]' in text
    for tier in ("lookup", "manual", "part", "computed"):
        fill, stroke, colour = TIER_COLOURS[tier]
        assert f"classDef {tier} fill:{fill},stroke:{stroke},color:{colour}" in text
    assert '["Session.Trial"]:::part' in text and '(["Analysis"]):::computed' in text
    assert text.count(" -.-> ") == 1 and text.count(" --> ") == 4  # Litter's renamed key is dashed
    collapsed = (dj.Diagram(schema).collapse() + dj.Diagram(pipeline["Session"])).make_mermaid()
    assert f'[["{schema.database} (5 tables)"]]:::collapsed' in collapsed and '["Session"]:::manual' in collapsed
    previous = schema.connection.settings["display.diagram_direction"]
    schema.connection.settings["display.diagram_direction"] = "TB"
    try:
        assert dj.Diagram(schema).make_mermaid().startswith("flowchart TB\n")
    finally:
        schema.connection.settings["display.diagram_direction"] = previous


def _boxes(drawing) -> dict[str, tuple[float, float, str]]:
    found = {}
    for group in drawing.iterfind("svg:g", SVG):
        rect = group.find("svg:rect", SVG)
        found[group.find("svg:text", SVG).text] = (float(rect.get("x")), float(rect.get("y")), rect.get("fill"))
    return found


def test_svg_places_children_after_parents_in_tier_colours(schema, pipeline, tmp_path):
    diagram = dj.Diagram(schema)
    diagram.save(tmp_path / "pipeline.svg")
    boxes = _boxes(ElementTree.parse(tmp_path / "pipeline.svg").getroot())
    assert boxes["Subject"][2] == TIER_COLOURS["manual"][0] and boxes["Species"][2] == TIER_COLOURS["lookup"][0]
    assert boxes["Species"][0] < boxes["Subject"][0] < boxes["Session"][0] < boxes["Analysis"][0]
    previous = schema.connection.settings["display.diagram_direction"]
    schema.connection.settings["display.diagram_direction"] = "TB"
    try:
        tall = _boxes(ElementTree.fromstring(diagram.svg_string()))
    finally:
        schema.connection.settings["display.diagram_direction"] = previous
    assert tall["Species"][1] < tall["Subject"][1] < tall["Session"][1] < tall["Session.Trial"][1]
    diagram.save(tmp_path / "pipeline.mmd")
    assert (tmp_path / "pipeline.mmd").read_text() == diagram.make_mermaid()
    with pytest.raises(dj.DataJointError, match="Cannot save"):
        diagram.save(tmp_path / "pipeline.png")


def test_renderer_escapes_labels_and_refuses_unknown_directions():
    boxes = [Box("a", 'say "<hi>"', "manual", "s&t"), Box("b", "B", "no such tier")]
    text = mermaid(boxes, [Arrow("a", "b")])
    assert '["say #quot;<hi>#quot;"]:::manual' in text and ":::unknown" in text
    drawing = ElementTree.fromstring(svg(boxes, [Arrow("a", "b")]))  # parses: the label is escaped
    assert [t.text for t in drawing.iter("{http://www.w3.org/2000/svg}text")] == ['say "<hi>"', "B"]
    with pytest.raises(ValueError, match="direction"):
        mermaid(boxes, [], direction="RL")
