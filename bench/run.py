"""Run the benchmarks and write bench/results.json and docs/bench.md: `python -m bench [--quick]`.

One process measures every implementation on every backend in turn, on the same servers and the same
rows; each figure is the median of interleaved runs, and every ratio compares medians of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

from rich.console import Console

from . import data, export, impls, report
from .timing import Work, interleave

SERVERS = {
    "sqlite": {},
    "postgresql": {"database.host": os.environ.get("DJ_PG_HOST", "127.0.0.1"), "database.user": os.environ.get("DJ_PG_USER", "postgres")},
    "mysql": {"database.host": os.environ.get("DJ_HOST", "127.0.0.1"), "database.user": os.environ.get("DJ_USER", "root"),
              "database.password": os.environ.get("DJ_PASS", "")},
}  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent
console = Console(stderr=True, width=160)


@dataclass(frozen=True)
class Step:
    operation: str
    size: int
    runs: int
    budget_s: float = 8.0
    impls: tuple[str, ...] = ("reference", "datajoint", "raw")
    bulk_rows: int = 0  # the bulk table holds this many rows before the step (fetches)


def plan(sizes: data.Sizes, quick: bool, growth: bool = True) -> list[Step]:
    n = sizes.n
    small, large = (n // 10, n * 2) if quick else (10_000, 1_000_000)
    steps = [Step("insert", n, 5, 15)]
    steps += [Step(f"fetch_{kind}", n, 5, 8, bulk_rows=n) for kind in ("dicts", "pandas", "arrow")]
    # growth: the same insert and fetch at a tenth and ten times the size (DataJoint is left out at the
    # largest size, where it alone would take most of the run's time)
    steps += [Step("insert", small, 5, 4), Step("fetch_dicts", small, 5, 4, bulk_rows=small)]
    if growth:  # one run each at the largest size, of the reference alone: the slope is the reference's
        steps += [Step("insert", large, 1, 0, ("reference",)),
                  Step("fetch_dicts", large, 1, 0, ("reference",), bulk_rows=large)]  # fmt: skip
    steps.append(Step("restrict_keys", sizes.keys, 7, 6))
    steps += [Step(op, n, 7, 6) for op in ("join3", "aggregate", "union", "universal")]
    steps.append(Step("compile", 5, 400, 3, ("reference", "datajoint")))
    steps.append(Step("cascade_delete", sizes.cascade, 5, 6, ("reference", "datajoint", "raw")))
    steps.append(Step("declare_10", 10, 3, 6, ("reference", "datajoint")))
    steps.append(Step("populate_direct", sizes.jobs, 3, 8, ("reference", "datajoint")))
    steps += [Step(f"populate_reserve_{k}", sizes.jobs, 3, 8, ("reference", "datajoint")) for k in (1, 2, 4)]
    steps += [Step(f"populate_compute_{k}", sizes.computations, 3, 8, ("reference", "datajoint")) for k in (1, 2, 4)]
    if quick:  # two runs of everything (compile: twenty): enough to prove the harness, not to measure
        steps = [replace(s, runs=20 if s.operation == "compile" else 2, budget_s=0) for s in steps]
    return steps


def settings_for(backend: str, workdir: Path) -> dict:
    if backend == "sqlite":
        return {"database.name": str(workdir / f"bench_{os.getpid()}.sqlite")}
    return dict(SERVERS[backend])


def run_backend(backend: str, sizes: data.Sizes, steps: list[Step], workdir: Path, limit_s: float) -> list[dict]:
    """Every step on one backend; a single run taking longer than `limit_s` is recorded as failed."""
    settings = settings_for(backend, workdir)
    try:
        reference = impls.Reference(backend, settings, sizes, impls.unique_name("ref"))
    except Exception as error:
        console.print(f"[red]{backend}: not reachable ({error}); skipped")
        return [{"operation": "*", "backend": backend, "note": f"server not reachable: {error}"}]
    implementations: dict[str, impls.Implementation] = {"reference": reference}
    if backend != "sqlite" and impls.datajoint is not None:
        implementations["datajoint"] = impls.DataJoint(backend, settings, sizes, impls.unique_name("dj"))
    implementations["raw"] = impls.Raw(reference)
    records = []
    try:
        for impl in implementations.values():
            if impl.name != "raw":
                impl.fill_pipeline()
        for step in steps:
            chosen = {name: implementations[name] for name in step.impls if name in implementations}
            if step.bulk_rows:
                for impl in chosen.values():
                    if impl.name != "raw":
                        impl.fill_bulk(step.bulk_rows)
            works: dict[str, Work] = {}
            notes = {}
            for name, impl in chosen.items():
                try:
                    work = impl.work(step.operation, step.size)
                except Exception as error:
                    notes[name] = f"{type(error).__name__}: {error}"
                    continue
                if work is not None:
                    works[name] = work
            started = time.perf_counter()
            interleave(works, step.runs, step.budget_s, limit_s)
            records += _records(step, backend, works, notes)
            console.print(f"{backend:>10} {step.operation:<22} {step.size:>9,}  " + "  ".join(
                f"{n} {w.median * 1000:,.1f} ms" if w.median is not None else f"{n} failed" for n, w in works.items()
            ) + f"  ({time.perf_counter() - started:.1f} s)")  # fmt: skip
    finally:
        for impl in reversed(list(implementations.values())):
            try:
                impl.close()
            except Exception as error:
                console.print(f"[yellow]{backend}: cleaning up {impl.name} failed: {error}")
    return records


def _records(step: Step, backend: str, works: dict[str, Work], notes: dict[str, str]) -> list[dict]:
    records = []
    for name, work in works.items():
        record = {"operation": step.operation, "backend": backend, "size": step.size, "impl": name,
                  "median_s": work.median, "runs": len(work.times),
                  "peak_rss_mb": round(work.peak_mb, 1) if work.sample_memory and work.times else None}  # fmt: skip
        if work.statements is not None:
            record["statements"] = work.statements
        if work.error:
            record["note"] = _availability(work.error)
        records.append(record)
    for name, note in notes.items():
        records.append({"operation": step.operation, "backend": backend, "size": step.size, "impl": name,
                        "median_s": None, "runs": 0, "peak_rss_mb": None, "note": _availability(note)})  # fmt: skip
    return records


def _availability(error: str) -> str:
    lowered = error.lower()
    if "not supported" in lowered or "notimplemented" in lowered or "not available" in lowered:
        return f"not available yet: {error}"
    return f"failed: {error}"


def add_ratios(records: list[dict]) -> None:
    """Time ratios to the other implementations' medians of the same operation, backend and size."""
    medians = {(r["operation"], r["backend"], r.get("size"), r.get("impl")): r.get("median_s") for r in records}
    for record in records:
        if record.get("median_s") is None:
            continue
        for peer in ("datajoint", "raw", "limit"):
            other = medians.get((record["operation"], record["backend"], record.get("size"), peer))
            record[f"ratio_to_{peer}"] = round(record["median_s"] / other, 3) if other else None


def machine() -> dict:
    versions = {}
    for package in (
        "djspecs",
        "datajoint",
        "sqlglot",
        "psycopg",
        "pymysql",
        "pyarrow",
        "pandas",
        "adbc-driver-postgresql",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "versions": versions, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few runs: proves the harness works")
    parser.add_argument("--backends", default="sqlite,postgresql,mysql")
    parser.add_argument("--only", default="", help="comma-separated operations to run (default: all)")
    parser.add_argument("--no-export", action="store_true", help="leave out the export benchmark")
    parser.add_argument("--no-growth", action="store_true", help="leave out the largest size of the growth steps")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--docs", default=str(ROOT / "docs" / "bench.md"), help="the page to write (empty: none)")
    parser.add_argument("--assets", type=Path, default=ROOT / "docs" / "assets" / "bench", help="where plots go")

    args = parser.parse_args(argv)
    sizes = data.QUICK if args.quick else data.FULL
    steps = plan(sizes, args.quick, growth=not args.no_growth)
    if args.only:
        steps = [s for s in steps if s.operation in args.only.split(",")]
    records: list[dict] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        for backend in filter(None, args.backends.split(",")):
            records += run_backend(backend, sizes, steps, Path(workdir), limit_s=60 if args.quick else 600)
    if not args.no_export and (not args.only or "export" in args.only.split(",")):
        records += export.run(SERVERS["postgresql"], quick=args.quick, console=console)
    add_ratios(records)
    results = {"machine": machine(), "quick": args.quick, "seconds": round(time.perf_counter() - started, 1),
               "records": records}  # fmt: skip
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    console.print(f"wrote {args.out} ({len(records)} records, {results['seconds']} s)")
    if args.docs:
        report.write(results, Path(args.docs), args.assets)
        console.print(f"wrote {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
