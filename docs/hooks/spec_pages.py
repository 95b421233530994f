"""mkdocs hook: generate the rule pages from spec/rules/*.yaml at build time.

Adds `rules/index.md` (the rule index) and one page per area to the site and to the navigation, so the
pages can never fall out of step with the YAML files.
"""

from mkdocs.structure.files import File

from djspecs.spec import load_rules
from djspecs.spec.markdown import area_page, index_page, prose


def _rules_section(nav):
    for item in nav:
        if isinstance(item, dict) and "The rules" in item:
            return item["The rules"]
    raise ValueError("mkdocs.yml needs a 'The rules' section in nav")


def on_config(config):
    section = _rules_section(config["nav"])
    section[1:] = [{prose(area.title): f"rules/{area.name}.md"} for area in load_rules().areas]
    return config


def on_files(files, config):
    ruleset = load_rules()
    files.append(File.generated(config, "rules/index.md", content=index_page(ruleset)))
    for area in ruleset.areas:
        files.append(File.generated(config, f"rules/{area.name}.md", content=area_page(area)))
    return files


def on_page_markdown(markdown, page, config, files):
    """Fill the vectors page from spec/vectors/README.md; append the matrix to the conformance page."""
    if page.file.src_uri == "conformance.md":
        return markdown + "\n" + _matrix(config)
    if page.file.src_uri != "vectors.md":
        return markdown
    from collections import Counter

    from djspecs.spec import load_vectors, spec_dir

    counts = Counter(vector.area for vector in load_vectors())
    table = "\n".join(["| Area | Vectors |", "|---|---:|", *(f"| {a} | {n} |" for a, n in sorted(counts.items()))])
    readme = (spec_dir() / "vectors" / "README.md").read_text(encoding="utf-8")
    return readme + f"\n## Vectors in this release\n\n{table}\n\nTotal: {sum(counts.values())}.\n"


def _matrix(config) -> str:
    """The committed certificates under docs/certificates/<implementation>/<backend>.json, as a matrix."""
    import json
    from pathlib import Path

    from djspecs.spec.markdown import matrix_page

    folder = Path(config["docs_dir"]) / "certificates"
    certificates = {f"{p.parent.name} / {p.stem}": json.loads(p.read_text()) for p in sorted(folder.glob("*/*.json"))}
    return matrix_page(load_rules(), certificates)
