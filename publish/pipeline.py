"""The pipeline a bundle came from, for machines and people: definitions, a Mermaid diagram, the README and
the provenance the database holds (PUB-6).

Definitions are DataJoint definition text rebuilt from the catalog (DEF-23), with every `->` naming a
table of the bundle by class name, so that `import` can declare them into one schema on any backend.
"""

from __future__ import annotations

from types import SimpleNamespace

from djspecs.reference import catalog
from djspecs.reference import diagram_render as render
from djspecs.reference.describe import describe
from djspecs.reference.naming import class_name, tier_of
from djspecs.reference.settings import config

from .datacite.citation import Citation
from .selection import table_expression


def definition(item, connection) -> str:
    """The definition text of an item; a query result becomes a table of its heading, without foreign keys."""
    heading = item.expression.heading
    if item.base is None:
        key = [f"{a.name} : {a.type.text}" for a in heading if a.in_key]
        rest = [f"{a.name}{' = null' if a.nullable else ''} : {a.type.text}" for a in heading if not a.in_key]
        return "\n".join([*key, "---", *rest]) + "\n"
    schema, table = item.base
    flattened = [catalog.ForeignKey(schema, fk.parent_table, fk.attributes) for fk in item.foreign_keys]
    duck = SimpleNamespace(
        heading=heading,
        comment=catalog.table_comment(connection, schema, table),
        indexes=catalog.indexes(connection, schema, table),
        foreign_keys=flattened,
        schema_name=schema,
    )
    return describe(duck)


def reference_name(sql_name: str) -> str:
    """The name a `->` line uses for a table: its class name, qualified by its master's for a part."""
    tier, master = tier_of(sql_name)
    return f"{class_name(master)}.{class_name(sql_name)}" if tier == "part" else class_name(sql_name)


def definitions_document(items, connection, files: dict) -> dict:
    tables = []
    for item in items:
        heading = item.expression.heading
        tables.append(
            {
                "resource": item.name,
                "path": files[item.name].path.removeprefix("data/"),
                "schema": item.base[0] if item.base else None,
                "table": item.base[1] if item.base else f"_{item.name.replace('.', '_')}",
                "tier": item.tier if item.base else "manual",
                "class": reference_name(item.base[1]) if item.base else class_name(item.name.replace(".", "_")),
                "restricted": bool(item.base) and not item.whole,
                "definition": definition(item, connection),
                "primary_key": list(heading.primary_key),
                "attributes": [
                    {
                        "name": a.name,
                        "type": a.type.text,
                        "nullable": a.nullable,
                        "default": a.default,
                        "comment": a.comment,
                    }
                    for a in heading
                ],
                "foreign_keys": [
                    {"parent": f"{fk.parent_schema}.{fk.parent_table}", "attributes": [list(p) for p in fk.attributes]}
                    for fk in item.foreign_keys
                ],
            }
        )
    return {"format": "djspecs-definitions/1", "tables": tables}


def _drawing(document: dict) -> tuple[list[render.Box], list[render.Arrow]]:
    """The bundled tables in tier colours and the foreign keys between them, for the shared renderer (API-5)."""
    boxes = [
        render.Box(f"{t['schema']}.{t['table']}", t["class"], t["tier"], t["schema"] or "") for t in document["tables"]
    ]
    ids = {box.id for box in boxes}
    arrows = [
        render.Arrow(fk["parent"], f"{t['schema']}.{t['table']}", renamed=any(a != b for a, b in fk["attributes"]))
        for t in document["tables"]
        for fk in t["foreign_keys"]
        if fk["parent"] in ids
    ]
    return boxes, arrows


def mermaid(document: dict) -> str:
    """The bundled tables as a Mermaid flowchart, drawn as `dj.Diagram` draws them."""
    return render.mermaid(*_drawing(document), direction=config["display.diagram_direction"])


def svg(document: dict) -> str:
    return render.svg(*_drawing(document), direction=config["display.diagram_direction"])


def provenance(connection, items) -> dict:
    """What the database says about how the rows came to be: the job tables of the exported tables."""
    jobs = []
    for item in items:
        if not item.base:
            continue
        schema, table = item.base
        name = "~~" + table.lstrip("_")
        if catalog.table_exists(connection, schema, name):
            expression = table_expression(connection, (schema, name))
            wanted = [n for n in ("status", "version", "host", "user", "completed_time") if n in expression.heading]
            rows = expression.to_dicts() if wanted else []
            jobs.append(
                {
                    "table": f"{schema}.{table}",
                    "jobs_table": f"{schema}.{name}",
                    "by_status": _count(rows, "status"),
                    "versions": sorted({str(r["version"]) for r in rows if r.get("version")}),
                    "hosts": sorted({str(r["host"]) for r in rows if r.get("host")}),
                }
            )
    return {
        "backend": connection.backend.name,
        "server_version": connection.server_version(),
        "jobs": jobs,
    }


def _count(rows: list[dict], name: str) -> dict:
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row.get(name))] = counts.get(str(row.get(name)), 0) + 1
    return counts


def readme(citation: Citation, document: dict, stats: dict, diagram: str) -> str:
    parts = [f"# {citation.title}", ""]
    if citation.description:
        parts += [citation.description, ""]
    if citation.doi:
        parts += [f"Cite this dataset as <{citation.link}> (the DOI of this version).", ""]
    parts += [
        "This folder is a BagIt bag. Its `data/` folder is an RO-Crate (`ro-crate-metadata.json`) and a",
        "Frictionless Data Package (`datapackage.json`); `datacite.xml`/`datacite.json` hold the DataCite",
        "record, `CITATION.cff` and `citation.bib` say how to cite it. Check it with `djspecs validate`, load",
        "it into a database with `djspecs import`. Parquet's media type is `application/vnd.apache.parquet`;",
        "`croissant.json`, where present, says `application/x-parquet`, which Croissant readers expect.",
        "",
        "## Tables",
        "",
        "| resource | table | tier | rows | file |",
        "|---|---|---|---|---|",
    ]
    for table in document["tables"]:
        restricted = " (restricted)" if table["restricted"] else ""
        parts.append(
            f"| {table['resource']} | `{table['schema']}.{table['table']}`{restricted} | {table['tier']} | "
            f"{stats[table['resource']]} | `{table['path']}` |"
        )
    parts += ["", "## Diagram", "", "```mermaid", diagram.rstrip(), "```", "", "## Definitions", ""]
    for table in document["tables"]:
        parts += [
            f"### {table['class']} (`{table['resource']}`)",
            "",
            "```text",
            table["definition"].rstrip(),
            "```",
            "",
        ]
    return "\n".join(parts)
