"""Rendering rules as Markdown for the docs site."""

from djspecs.spec import load_rules
from djspecs.spec.markdown import area_page, index_page, prose, rule_section


def test_prose_escapes_tags_outside_code_spans():
    assert prose("a <blob> and `<blob>`") == "a &lt;blob&gt; and `<blob>`"
    assert prose("``x<y`` then <z>") == "``x<y`` then &lt;z&gt;"


def test_rule_section_has_anchor_badge_and_sources():
    rule = load_rules().get("DEF-3")
    section = rule_section(rule)
    assert "{#DEF-3" in section
    assert f'class="dj-level dj-level-{rule.level.lower().replace(" ", "-")}"' in section
    assert rule.sources[0].ref in section
    if rule.decision:
        assert "Decision" in section


def test_area_page_holds_every_rule_of_the_area():
    area = next(a for a in load_rules().areas if a.name == "query")
    page = area_page(area)
    assert all(f"{{#{rule.id} " in page for rule in area.rules)


def test_index_links_every_rule_and_the_register():
    rules = load_rules()
    page = index_page(rules)
    assert all(f"[{rule.id}]({rule.area}.md#{rule.id})" in page for rule in rules)
    assert "DIS-1 " in page and "not yet settled" not in page


def test_braces_in_a_title_do_not_break_the_anchor():
    rule = load_rules().get("STORE-3")
    heading = rule_section(rule).splitlines()[0]
    assert heading.endswith(f"{{#{rule.id} data-toc-label='{rule.id}'}}")
    assert heading.count("{") == 1
