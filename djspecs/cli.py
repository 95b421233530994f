"""The `djspecs` command line: one subcommand per library call, output drawn with rich.

Later parts add subcommands (`certify`, `export`, `validate`, ...) as further `@main.command()` or
`@main.group()` functions; each stays a thin wrapper over a library function.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import asdict

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table

from djspecs import SPEC_VERSION, __version__, cli_doi
from djspecs.spec import LEVELS, Rule, SpecFileError, load_rules, load_vectors, load_vocabulary

console = Console()
LEVEL_STYLES = {"MUST": "bold red", "MUST NOT": "bold red", "SHOULD": "yellow", "SHOULD NOT": "yellow", "MAY": "green"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, prog_name="djspecs", message=f"%(prog)s %(version)s (DataJoint Specs {SPEC_VERSION})"
)
def main() -> None:
    """DataJoint Specs 2.0 made executable: rules, conformance, reference, publishing."""


cli_doi.register(main)  # mint, cite


def _load_rules_or_exit():
    try:
        return load_rules()
    except SpecFileError as error:
        raise click.ClickException(str(error)) from error


def _rule_record(rule: Rule) -> dict:
    record = asdict(rule)
    record["examples"] = [
        {k: v for k, v in example.items() if v not in ("", None, {})} for example in record["examples"]
    ]
    return record


@main.group(invoke_without_command=True)
@click.option("--area", help="Only rules of this area (file name, e.g. query) or ID prefix (e.g. Q).")
@click.option("--level", type=click.Choice(LEVELS, case_sensitive=False), help="Only rules of this level.")
@click.option("--capability", help="Only rules that require this capability.")
@click.option("--count", is_flag=True, help="Print the number of matching rules only.")
@click.option("--json", "as_json", is_flag=True, help="Print the matching rules as JSON.")
@click.pass_context
def rules(ctx: click.Context, area, level, capability, count, as_json) -> None:
    """List the rules of the spec, or filter them; `rules show ID` shows one."""
    if ctx.invoked_subcommand:
        return
    ruleset = _load_rules_or_exit()
    known_areas = {a.name for a in ruleset.areas} | {p.lower() for a in ruleset.areas for p in a.prefixes}
    if area and area.lower() not in known_areas:
        names = ", ".join(a.name for a in ruleset.areas)
        raise click.BadParameter(f"no area '{area}'; areas are: {names}", param_hint="--area")
    if capability and capability not in load_vocabulary().capabilities:
        raise click.BadParameter(f"no capability '{capability}'", param_hint="--capability")
    selected = ruleset.filter(area=area, level=level, capability=capability)
    if count:
        click.echo(len(selected))
    elif as_json:
        click.echo(json.dumps([_rule_record(rule) for rule in selected], indent=2, default=str))
    else:
        table = Table("ID", "Level", "Title", "Area", title=f"DataJoint Specs {SPEC_VERSION}: {len(selected)} rules")
        for rule in selected:
            table.add_row(rule.id, f"[{LEVEL_STYLES[rule.level]}]{rule.level}[/]", rule.title, rule.area)
        console.print(table)


@rules.command("show")
@click.argument("rule_id")
@click.option("--json", "as_json", is_flag=True, help="Print the rule as JSON.")
def show(rule_id: str, as_json: bool) -> None:
    """Show one rule: statement, rationale, examples, decision and sources."""
    ruleset = _load_rules_or_exit()
    try:
        rule = ruleset.get(rule_id)
    except KeyError:
        near = ruleset.nearest(rule_id)
        hint = f" Did you mean {', '.join(near)}?" if near else ""
        raise click.ClickException(f"No rule {rule_id!r} in DataJoint Specs {SPEC_VERSION}.{hint}") from None
    if as_json:
        click.echo(json.dumps(_rule_record(rule), indent=2, default=str))
        return
    console.print(Panel(Markdown(_rule_markdown(rule)), title=f"{rule.id} [{LEVEL_STYLES[rule.level]}]{rule.level}[/]"))


def _rule_markdown(rule: Rule) -> str:
    parts = [f"**{rule.title}** ({rule.status})", rule.statement, f"*Why:* {rule.rationale}"]
    for example in rule.examples:
        parts.append(f"*Example: {example.title}*")
        for code, lang in ((example.definition, "text"), (example.python, "python")):
            if code:
                parts.append(f"```{lang}\n{code.rstrip()}\n```")
        parts += [f"```sql\n-- {dialect}\n{sql.rstrip()}\n```" for dialect, sql in example.sql.items()]
        if example.result is not None:
            parts.append(f"→ `{json.dumps(example.result, default=str)}`")
        if example.error:
            parts.append(f"→ raises `{example.error}`")
    if rule.decision:
        parts.append(f"*Decision:* {rule.decision.adopted} *Because:* {rule.decision.because}")
    if rule.requires:
        parts.append("*Requires:* " + ", ".join(rule.requires))
    parts.append("*Sources:* " + "; ".join(f"{s.ref} {s.note}".strip() for s in rule.sources))
    return "\n\n".join(parts)


@main.command()
@click.option("--area", help="Only vectors of this area.")
@click.option("--rule", "rule_id", help="Only vectors that exercise this rule.")
@click.option("--count", is_flag=True, help="Print the number of matching vectors only.")
def vectors(area, rule_id, count) -> None:
    """List the language-neutral test vectors."""
    try:
        selected = [
            v
            for v in load_vectors()
            if (area is None or v.area == area) and (rule_id is None or rule_id.upper() in v.rules)
        ]
    except SpecFileError as error:
        raise click.ClickException(str(error)) from error
    if count:
        click.echo(len(selected))
        return
    table = Table("ID", "Rules", "Description", title=f"{len(selected)} vectors")
    for vector in selected:
        table.add_row(vector.id, ", ".join(vector.rules), vector.description)
    console.print(table)


from djspecs.cli_certify import certify  # noqa: E402

main.add_command(certify)


main.add_command(importlib.import_module("djspecs.cli_worker").worker)
for command in importlib.import_module("djspecs.cli_publish").COMMANDS:
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
