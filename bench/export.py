"""Export to Parquet: the reference's export against the limit, each run in its own process for a clean peak RSS.

The limit is the fastest path this machine has from PostgreSQL into a Parquet file: ADBC (which reads
with COPY in binary form) into an Arrow table, then `pyarrow.parquet.write_table`. The reference's export
is measured through `djspecs.publish.export(query, path)`, the bundle writer with its checksums and descriptors.

    python -m bench.export --impl limit --rows 1000000 --schema S --path out.parquet   # one run, prints JSON
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlglot
from sqlglot import exp

from . import impls, raw

COLUMNS = ("bulk_id", "x", "y", "name")


def _query(schema: str, rows: int) -> exp.Select:
    return (
        exp.select(*(exp.column(exp.to_identifier(c, quoted=True)) for c in COLUMNS))
        .from_(raw.table("postgresql", schema, "bulk"))
        .where(exp.column("bulk_id") < exp.Literal.number(rows))
        .order_by(exp.column("bulk_id"))
    )


def limit(settings: dict, schema: str, rows: int, path: Path) -> None:
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow.parquet as pq

    uri = f"postgresql://{settings['database.user']}@{settings['database.host']}/postgres?sslmode=disable"
    with adbc.connect(uri) as connection, connection.cursor() as cursor:
        cursor.execute(raw.render("postgresql", _query(schema, rows)))
        pq.write_table(cursor.fetch_arrow_table(), path, compression="zstd")


def reference(settings: dict, schema: str, rows: int, path: Path) -> None:
    import djspecs.reference as dj
    from djspecs.publish import export

    connection = dj.Connection({"database.backend": "postgresql", **settings})
    module = dj.virtual_schema(schema, connection=connection)
    export(module.Bulk & f"bulk_id < {rows}", path, overwrite=True)


def run(settings: dict, *, quick: bool, console) -> list[dict]:
    """Fill a table once on the server, then export 1M and 5M rows (quick: 20k, 100k) with both, interleaved."""
    sizes, runs = ((20_000, 100_000), 1) if quick else ((1_000_000, 5_000_000), 3)
    try:
        holder = impls.Reference("postgresql", settings, impls.data.QUICK, impls.unique_name("export"))
    except Exception as error:
        return [{"operation": "export", "backend": "postgresql", "note": f"server not reachable: {error}"}]
    records = []
    try:
        fill = sqlglot.parse_one(
            "INSERT INTO t (bulk_id, x, y, name) SELECT g, random(), floor(random() * 1000)::int, 'row ' || g"
            " FROM generate_series(0, :last) AS g",
            read="postgres",
        )
        fill = exp.replace_placeholders(fill, last=exp.Literal.number(max(sizes) - 1))
        fill.find(exp.Table).replace(holder.target("bulk"))
        raw.execute(holder.loader, "postgresql", fill)
        with tempfile.TemporaryDirectory() as workdir:
            for rows in sizes:
                results: dict[str, list] = {"limit": [], "reference": []}
                notes = {}
                for _ in range(runs):
                    for impl in results:
                        if impl in notes:
                            continue
                        outcome = _one(impl, settings, holder.schema_name, rows, Path(workdir) / f"{impl}.parquet")
                        if "error" in outcome:
                            notes[impl] = outcome["error"]
                        else:
                            results[impl].append(outcome)
                for impl, outcomes in results.items():
                    times = sorted(o["seconds"] for o in outcomes)
                    record = {"operation": "export", "backend": "postgresql", "size": rows, "impl": impl,
                              "median_s": times[len(times) // 2] if times else None, "runs": len(times),
                              "peak_rss_mb": max((o["peak_rss_mb"] for o in outcomes), default=None)}  # fmt: skip
                    if impl in notes:
                        record["note"] = notes[impl]
                    records.append(record)
                console.print(f"postgresql export {rows:>9,}  " + "  ".join(
                    f"{r['impl']} {r['median_s']:.2f} s {r['peak_rss_mb']} MB" if r["median_s"] else f"{r['impl']}: {r.get('note', '')[:60]}"
                    for r in records[-2:]))  # fmt: skip
    finally:
        holder.close()
    return records


def _one(impl: str, settings: dict, schema: str, rows: int, path: Path) -> dict:
    arguments = [sys.executable, "-m", "bench.export", "--impl", impl, "--rows", str(rows), "--schema", schema,
                 "--path", str(path), "--settings", json.dumps(settings)]  # fmt: skip
    done = subprocess.run(arguments, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {
            "error": ("not available yet: " if "ImportError" in last or "cannot import" in last else "failed: ") + last
        }
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=("limit", "reference"), required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--path", type=Path, required=True)
    parser.add_argument("--settings", default="{}")
    args = parser.parse_args()
    settings = json.loads(args.settings)
    work = {"limit": limit, "reference": reference}[args.impl]
    before = _high_water_kb()
    start = time.perf_counter()
    work(settings, args.schema, args.rows, args.path)
    seconds = time.perf_counter() - start
    peak = _high_water_kb()
    print(
        json.dumps({"seconds": seconds, "peak_rss_mb": round(peak / 1024, 1), "import_rss_mb": round(before / 1024, 1)})
    )


def _high_water_kb() -> int:
    """This process's peak resident memory (VmHWM). Unlike ru_maxrss it starts afresh at exec, so a child does
    not report the peak of the (large) benchmark process it was forked from."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
