"""Render the rules as Markdown pages for the documentation site (mkdocs-material).

Each rule becomes a section whose anchor is its ID (`rules/definition.md#DEF-3`), with a level badge,
the statement, rationale, examples, decision and sources.
"""

from __future__ import annotations

import json
import re
import textwrap

from .load import RuleSet, load_register
from .model import Area, Example, Rule

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def prose(text: str) -> str:
    """Escape `<` and `>` outside code spans, so `<blob>` in prose is text, not an HTML tag."""
    pieces, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(text[last : match.start()].replace("<", "&lt;").replace(">", "&gt;"))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(text[last:].replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(pieces)


def _heading(text: str) -> str:
    """Prose for a heading; braces are escaped so attr_list reads only the trailing `{#ID}`."""
    return prose(text).replace("{", "&#123;").replace("}", "&#125;")


def level_badge(level: str) -> str:
    css = level.lower().replace(" ", "-")
    return f'<span class="dj-level dj-level-{css}">{level}</span>'


def _fence(code: str, language: str) -> str:
    return f"```{language}\n{code.rstrip()}\n```"


def _example(example: Example) -> str:
    body = []
    if example.definition:
        body.append(_fence(example.definition, "text"))
    if example.python:
        body.append(_fence(example.python, "python"))
    for dialect, sql in example.sql.items():
        body.append(f"{dialect}:\n\n" + _fence(sql, "sql"))
    if example.result is not None:
        result = example.result if isinstance(example.result, str) else json.dumps(example.result, default=str)
        body.append(f"Result: `{result}`" if "\n" not in result else "Result:\n\n" + _fence(result, "text"))
    if example.error:
        body.append(f"Raises `{example.error}`.")
    if example.note:
        body.append(prose(example.note))
    title = example.title.replace('"', "'")
    return f'??? example "{title}"\n' + textwrap.indent("\n\n".join(body), "    ")


def rule_section(rule: Rule) -> str:
    parts = [
        f"## {rule.id}: {_heading(rule.title)} {{#{rule.id} data-toc-label='{rule.id}'}}",
        f'{level_badge(rule.level)} <span class="dj-status">{rule.status}</span>',
        prose(rule.statement),
        f"**Why.** {prose(rule.rationale)}",
    ]
    parts += [_example(example) for example in rule.examples]
    if rule.decision:
        register = ", ".join(rule.decision.register)
        title = f"Decision ({register})" if register else "Decision"
        text = f"**Adopted:** {prose(rule.decision.adopted)}\n\n**Because:** {prose(rule.decision.because)}"
        if rule.decision.alternatives:
            text += "\n\n**Not adopted:** " + "; ".join(prose(a) for a in rule.decision.alternatives)
        parts.append(f'!!! note "{title}"\n' + textwrap.indent(text, "    "))
    if rule.requires:
        parts.append("**Requires:** " + ", ".join(f"`{capability}`" for capability in rule.requires))
    if rule.knobs:
        parts.append("**Depends on the knobs:** " + ", ".join(f"`{knob}`" for knob in rule.knobs))
    sources = "; ".join(f"`{s.ref}`" + (f" ({prose(s.note)})" if s.note else "") for s in rule.sources)
    parts.append(f"**Sources:** {sources}")
    return "\n\n".join(parts)


def area_page(area: Area) -> str:
    header = f"# {prose(area.title)}\n\n{prose(area.description)}\n\n"
    counts = ", ".join(
        f"{sum(r.level == lvl for r in area.rules)} {lvl}"
        for lvl in ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")
    )
    header += f"{len(area.rules)} rules ({counts}); ID prefixes: {', '.join(area.prefixes)}.\n\n"
    return header + "\n\n---\n\n".join(rule_section(rule) for rule in area.rules) + "\n"


def index_page(ruleset: RuleSet) -> str:
    lines = [
        "# Rule index",
        "",
        f"DataJoint Specs 2.0 has {len(ruleset)} rules in {len(ruleset.areas)} areas. Type in the box to filter "
        "the table by ID, level or words of the title; the search in the header searches the whole site.",
        "",
        '<input id="rule-filter" class="dj-filter" type="search" placeholder="Filter rules, e.g. Q-32, MUST, lineage">',
        "",
        "| ID | Level | Title | Area |",
        "|---|---|---|---|",
    ]
    for area in ruleset.areas:
        for rule in area.rules:
            link = f"[{rule.id}]({area.name}.md#{rule.id})"
            lines.append(f"| {link} | {level_badge(rule.level)} | {prose(rule.title)} | {area.name} |")
    lines += ["", "## Where the sources disagree", "", _register_table(ruleset)]
    return "\n".join(lines) + "\n"


def _register_table(ruleset: RuleSet) -> str:
    settled = {entry: rule for rule in ruleset if rule.decision for entry in rule.decision.register}
    rows = ["| Entry | Topic | Settled by |", "|---|---|---|"]
    for entry, facts in load_register().items():
        rule = settled.get(entry)
        link = f"[{rule.id}]({rule.area}.md#{rule.id})" if rule else "not yet settled"
        rows.append(f"| {entry} | {prose(facts['topic'])} | {link} |")
    return "\n".join(rows)


VERDICT_MARKS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "error": "⚠️ error",
    "not_applicable": "➖ n/a",
    "untested": "· untested",
    "not_testable": "· not testable",
}


def matrix_page(ruleset: RuleSet, certificates: dict[str, dict]) -> str:
    """The conformance matrix: one row per rule, one column per certificate (implementation on backend)."""
    columns = sorted(certificates)
    verdicts = {name: {r["id"]: r["verdict"] for r in cert["rules"]} for name, cert in certificates.items()}
    lines = ["| Rule | Level | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    for rule in ruleset:
        cells = [VERDICT_MARKS.get(verdicts[c].get(rule.id, "untested"), "?") for c in columns]
        lines.append(
            f"| [{rule.id}](rules/{rule.area}.md#{rule.id}) | {level_badge(rule.level)} | " + " | ".join(cells) + " |"
        )
    notes = [
        f"- **{name}**: {certificates[name]['implementation']['name']} {certificates[name]['implementation']['version']} on "
        f"{certificates[name]['backend']['name']} {certificates[name]['backend']['server_version']}, issued "
        f"{certificates[name].get('issued', '?')}, profile {certificates[name].get('profile', '?')}; MUST rules: "
        + ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in certificates[name]["totals"]["MUST"].items() if n)
        + f"; sha256 `{certificates[name]['sha256'][:16]}…`"
        for name in columns
    ]
    findings = [
        f"- [{rule.id}](rules/{rule.area}.md#{rule.id}) ({finding.implementation}"
        + (f", {', '.join(finding.backends)}" if finding.backends else "")
        + f"; {finding.kind}): {finding.note}"
        for rule in ruleset
        for finding in rule.conformance.findings
    ]
    sections = ["## The matrix", "", *notes, "", *lines]
    if findings:
        sections += [
            "",
            "## Findings",
            "",
            "What certification found, rule by rule, and whose fault it is.",
            "",
            *findings,
        ]
    return "\n".join(sections) + "\n"
