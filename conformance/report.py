"""The files a certification run leaves: certificate.json and certificate.html (JUnit XML comes from pytest)."""

from __future__ import annotations

import html
from pathlib import Path

from djspecs.spec import LEVELS, load_rules

from .certificate import VERDICTS, build_certificate, write_certificate


def write_reports(suite, outcomes, folder) -> Path:
    from hypothesis import settings

    rules = load_rules()
    current = settings()
    certificate = build_certificate(
        rules,
        outcomes.verdicts(rules),
        implementation={"name": suite.adapter.name, "version": str(suite.adapter.version), "adapter": suite.impl},
        backend={"name": suite.backend, "server_version": suite.server_version},
        profile=suite.profile,
        seed=suite.seed,
        extra={
            "capabilities": sorted(suite.capabilities),
            "knobs": suite.knobs,
            "hypothesis": {"max_examples": current.max_examples, "derandomize": current.derandomize},
        },
    )
    out = Path(folder)
    path = write_certificate(certificate, out)
    (out / "certificate.html").write_text(render_html(certificate), encoding="utf-8")
    return path


def render_html(certificate: dict) -> str:
    """A standalone page: who was certified on what, totals by level, and one row per rule."""
    implementation, backend = certificate["implementation"], certificate["backend"]
    title = f"{implementation['name']} {implementation['version']} on {backend['name']}"
    totals = "".join(
        f"<tr><th>{level}</th>" + "".join(f"<td>{certificate['totals'][level][v]}</td>" for v in VERDICTS) + "</tr>"
        for level in LEVELS
    )
    rows = "".join(
        f'<tr class="{r["verdict"]}"><td>{r["id"]}</td><td>{r["level"]}</td><td>{r["verdict"]}</td>'
        f"<td>{r['tests']}</td><td><pre>{html.escape(r.get('example', ''))}</pre></td></tr>"
        for r in certificate["rules"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Certificate: {html.escape(title)}</title>
<style>body{{font-family:sans-serif}} td,th{{border:1px solid #ccc;padding:2px 6px;vertical-align:top}}
table{{border-collapse:collapse}} .pass{{background:#e6f4ea}} .fail{{background:#fce8e6}}
.error{{background:#fef7e0}} .not_applicable,.untested,.not_testable{{color:#777}} pre{{margin:0;white-space:pre-wrap;max-width:60em}}</style>
</head><body>
<h1>DataJoint Specs {certificate["spec_version"]} conformance: {html.escape(title)}</h1>
<p>Server {html.escape(backend["server_version"])}; suite {certificate["suite_version"]}; profile
{certificate["profile"]}; seed {certificate["seed"]}; issued {certificate["issued"]}; SHA-256 <code>{certificate["sha256"]}</code></p>
<table><tr><th>level</th>{"".join(f"<th>{v}</th>" for v in VERDICTS)}</tr>{totals}</table>
<h2>Rules</h2>
<table><tr><th>rule</th><th>level</th><th>verdict</th><th>tests</th><th>example</th></tr>{rows}</table>
</body></html>
"""
