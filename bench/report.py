"""The docs page of a benchmark run: the targets met and missed, every figure, and three plots."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

SERVERS = ("postgresql", "mysql")
FETCHES = ("fetch_dicts", "fetch_pandas", "fetch_arrow")
VERSUS_DATAJOINT = ("restrict_keys", "join3", "aggregate", "union", "universal", "cascade_delete", "declare_10",
                    "populate_direct", "compile")  # fmt: skip
LABELS = {"fetch_dicts": "fetch 100k as dicts", "fetch_pandas": "fetch as DataFrame", "fetch_arrow": "fetch as Arrow",
          "insert": "insert", "restrict_keys": "restrict by 1,000 keys", "join3": "3-table join + restriction",
          "aggregate": "aggregate (count, avg)", "union": "union", "universal": "U(y) & Trial",
          "cascade_delete": "cascade delete, 3 levels", "declare_10": "declare 10 tables", "compile": "compile 5 operators",
          "populate_direct": "populate (direct)", "export": "export to Parquet"}  # fmt: skip


class Figures:
    def __init__(self, records: list[dict]):
        self.records = records
        self.by_key = {(r["operation"], r["backend"], r.get("size"), r.get("impl")): r for r in records if "impl" in r}

    def main_size(self, operation: str) -> int | None:
        """The size an operation is judged at: the size with a DataJoint figure, else the middle one."""
        sizes = sorted({r.get("size") for r in self.records if r["operation"] == operation and r.get("size")})
        with_dj = [
            s for s in sizes if any(k[0] == operation and k[2] == s and k[3] == "datajoint" for k in self.by_key)
        ]
        return max(with_dj) if with_dj else (sizes[len(sizes) // 2] if sizes else None)

    def get(self, operation: str, backend: str, impl: str, size: int | None = None) -> dict | None:
        size = size if size is not None else self.main_size(operation)
        return self.by_key.get((operation, backend, size, impl))


def _fmt(value, digits=2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def targets(figures: Figures) -> list[tuple[str, str, str, str]]:
    """(target, where, measured, verdict) rows."""
    rows = []

    def judge(name, where, value, limit, *, shown=None, below=True, record=None):
        if value is None:
            note = (record or {}).get("note", "not measured").split(":")[0]
            rows.append((name, where, note, "–"))
            return
        ok = value <= limit if below else value >= limit
        rows.append((name, where, shown or _fmt(value), "met" if ok else "missed"))

    backends = sorted({r["backend"] for r in figures.records})
    for operation in FETCHES:
        for backend in backends:
            record = figures.get(operation, backend, "reference")
            judge(f"{LABELS[operation]}: ≤ 1.5× raw", backend, record and record.get("ratio_to_raw"), 1.5)
    for backend in SERVERS:
        record = figures.get("insert", backend, "reference")
        judge("insert 100k: ≤ 0.3× DataJoint", backend, record and record.get("ratio_to_datajoint"), 0.3)
    for operation in VERSUS_DATAJOINT:
        for backend in SERVERS:
            record = figures.get(operation, backend, "reference")
            judge(f"{LABELS[operation]}: ≤ 1.0× DataJoint", backend, record and record.get("ratio_to_datajoint"), 1.0)
    for backend in SERVERS:
        ours, theirs = figures.get("declare_10", backend, "reference"), figures.get("declare_10", backend, "datajoint")
        if ours and theirs and ours.get("statements") and theirs.get("statements"):
            share = ours["statements"] / theirs["statements"]
            judge("declare 10 tables: ≤ ⅓ of DataJoint's statements", backend, share, 1 / 3,
                  shown=f"{ours['statements']} vs {theirs['statements']} ({share:.2f})")  # fmt: skip
        else:
            judge("declare 10 tables: ≤ ⅓ of DataJoint's statements", backend, None, 0)
    for backend in backends:
        record = figures.get("compile", backend, "reference")
        judge("compile 5 operators: ≤ 0.5 ms", backend, record and record["median_s"] and record["median_s"] * 1000, 0.5,
              shown=record and record["median_s"] and f"{record['median_s'] * 1000:.3f} ms")  # fmt: skip
    exports = sorted({r.get("size") for r in figures.records if r["operation"] == "export" and r.get("size")})
    for size in exports:
        record = figures.get("export", "postgresql", "reference", size)
        judge(f"export {size:,} rows: ≥ 0.8× the limit (time ≤ 1.25×)", "postgresql",
              record and record.get("ratio_to_limit"), 1.25, record=record)  # fmt: skip
    if len(exports) >= 2:
        small, large = (figures.get("export", "postgresql", "reference", s) for s in (exports[0], exports[-1]))
        growth = (
            small
            and large
            and small.get("peak_rss_mb")
            and large.get("peak_rss_mb")
            and large["peak_rss_mb"] / small["peak_rss_mb"]
        )
        judge(f"export peak memory {exports[-1]:,} vs {exports[0]:,} rows: ≤ 1.2×", "postgresql", growth or None, 1.2,
              record=large)  # fmt: skip
    for backend in SERVERS:
        for operation, makes in (("populate_reserve", "1-ms makes"), ("populate_compute", "5-ms computing makes")):
            one = figures.get(f"{operation}_1", backend, "reference")
            for k in (2, 4):
                more = figures.get(f"{operation}_{k}", backend, "reference")
                value = (
                    one and more and one.get("median_s") and more.get("median_s") and more["median_s"] / one["median_s"]
                )
                judge(f"populate, {k} workers faster than 1, {makes} (time ratio < 1)", backend, value or None, 0.999,
                      record=more)  # fmt: skip
    for operation in ("insert", "fetch_dicts"):
        for backend in backends:
            slope = growth_slope(figures, operation, backend, "reference")
            judge(f"growth of {operation} from 10k to 1M: linear (log-log slope ≤ 1.15)", backend, slope, 1.15)
    return rows


def growth_slope(figures: Figures, operation: str, backend: str, impl: str) -> float | None:
    """Least-squares slope of log(time) against log(size): 1.0 is linear."""
    points = [(math.log(r["size"]), math.log(r["median_s"])) for k, r in figures.by_key.items()
              if k[0] == operation and k[1] == backend and k[3] == impl and r.get("median_s")]  # fmt: skip
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else None


def plots(figures: Figures, folder: Path) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    operations = ["insert", *FETCHES, *VERSUS_DATAJOINT]
    figure, axes = plt.subplots(figsize=(9, 5.5))
    for offset, backend in ((-0.2, "postgresql"), (0.2, "mysql")):
        values = [(figures.get(op, backend, "reference") or {}).get("ratio_to_datajoint") for op in operations]
        axes.barh([i + offset for i in range(len(operations))], [v or 0 for v in values], height=0.4, label=backend)
    axes.axvline(1.0, color="black", linewidth=0.8)
    axes.set_xscale("log")
    axes.set_yticks(range(len(operations)), [LABELS[o] for o in operations])
    axes.invert_yaxis()
    axes.set_xlabel("reference time ÷ DataJoint time (log scale; left of 1 is faster)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(folder / "vs-datajoint.png", dpi=110)
    plt.close(figure)
    made.append(("vs-datajoint.png", "Reference time as a fraction of DataJoint's, same run"))

    backends = sorted({r["backend"] for r in figures.records if r["operation"] in FETCHES})
    figure, axes = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / max(1, len(backends))
    for i, backend in enumerate(backends):
        values = [(figures.get(op, backend, "reference") or {}).get("ratio_to_raw") or 0 for op in FETCHES]
        axes.bar([j + (i - (len(backends) - 1) / 2) * width for j in range(len(FETCHES))], values, width, label=backend)
    axes.axhline(1.5, color="red", linewidth=0.8, linestyle="--", label="target 1.5")
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_xticks(range(len(FETCHES)), [LABELS[o] for o in FETCHES])
    axes.set_ylabel("reference ÷ raw driver")
    axes.legend()
    figure.tight_layout()
    figure.savefig(folder / "fetch-vs-raw.png", dpi=110)
    plt.close(figure)
    made.append(("fetch-vs-raw.png", "Fetch time of the reference over the raw driver's for the same SQL"))

    figure, panels = plt.subplots(1, 2, figsize=(10, 4))
    for panel, operation in zip(panels, ("insert", "fetch_dicts"), strict=True):
        series = defaultdict(list)
        for (op, backend, size, impl), record in figures.by_key.items():
            if op == operation and record.get("median_s"):
                series[(backend, impl)].append((size, record["median_s"]))
        for (backend, impl), points in sorted(series.items()):
            points.sort()
            panel.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                       linestyle="-" if impl == "reference" else ":", label=f"{impl} · {backend}")  # fmt: skip
        panel.set_xscale("log")
        panel.set_yscale("log")
        panel.set_title(operation)
        panel.set_xlabel("rows")
        panel.set_ylabel("seconds")
    panels[1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(folder / "growth.png", dpi=110)
    plt.close(figure)
    made.append(("growth.png", "Time against size, log-log: a slope of 1 is linear"))
    return made


def write(results: dict, page: Path, assets: Path) -> None:
    figures = Figures(results["records"])
    images = plots(figures, assets)
    lines = [
        "# Benchmarks",
        "",
        "The reference implementation against DataJoint 2.x and the raw drivers (psycopg 3, PyMySQL, sqlite3) running",
        "the same SQL, on the same servers and the same rows, in one run of `nox -s bench` (`python -m bench`).",
        "Every figure is a median of interleaved runs; every ratio is a time ratio between medians of the same run",
        "(below 1.0 is faster). The machine is small and shared, so absolute times are noisy; the ratios are what",
        "count. Peak memory is the growth of resident memory during a run (sampled), or for the export the peak of",
        "the process that ran it.",
        "",
        f"Run of {results['machine']['date']} on {results['machine']['cpus']} CPUs, Python {results['machine']['python']}"
        + (" (quick mode: tiny sizes, not a measurement)" if results.get("quick") else "")
        + "; versions: "
        + ", ".join(f"{k} {v}" for k, v in results["machine"]["versions"].items() if v)
        + ".",
        "",
        "## Targets",
        "",
        "| target | backend | measured | verdict |",
        "|---|---|---:|---|",
    ]
    lines += [f"| {t} | {w} | {m} | {v} |" for t, w, m, v in targets(figures)]
    lines += ["", "## Plots", ""]
    lines += [f"![{caption}](assets/bench/{name})" + "\n" for name, caption in images]
    notes = Path(__file__).with_name("notes.md")
    if notes.exists():  # the findings behind the figures, written by hand after a run
        lines += [notes.read_text().strip(), ""]
    lines += ["## Every figure", "", "| operation | backend | rows | implementation | median ms | peak MB | ÷ DataJoint | ÷ raw | ÷ limit | note |",
              "|---|---|---:|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for r in results["records"]:
        if "impl" not in r:
            lines.append(f"| {r['operation']} | {r['backend']} | | | | | | | | {r.get('note', '')} |")
            continue
        median = r["median_s"] * 1000 if r.get("median_s") is not None else None
        note = r.get("note", "") + (f" {r['statements']} statements" if "statements" in r else "")
        lines.append(f"| {r['operation']} | {r['backend']} | {r.get('size') or '':,} | {r['impl']} | {_fmt(median, 1)} | "
                     f"{_fmt(r.get('peak_rss_mb'), 1)} | {_fmt(r.get('ratio_to_datajoint'))} | {_fmt(r.get('ratio_to_raw'))} | "
                     f"{_fmt(r.get('ratio_to_limit'))} | {note.strip()} |")  # fmt: skip
    page.write_text("\n".join(lines) + "\n")
