"""The benchmark harness runs end to end (`python -m bench --quick`) on SQLite and PostgreSQL.

Only that it works is checked: records for every operation and implementation, ratios computed from the
medians of the same run, and a docs page with its plots. Speed is never judged here.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import require

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_writes_records_ratios_and_page(tmp_path):
    pytest.importorskip("matplotlib")
    import djspecs.reference as dj

    try:
        dj.Connection({"database.backend": "postgresql", "database.host": "127.0.0.1"}).server_version()
    except dj.DataJointError as error:
        require(False, f"postgresql server not reachable: {error}")
    out, page = tmp_path / "results.json", tmp_path / "bench.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--backends", "sqlite,postgresql", "--no-export",
         "--out", str(out), "--docs", str(page), "--assets", str(tmp_path / "assets")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    records = results["records"]
    assert results["quick"] and results["machine"]["versions"]["djspecs"]
    measured = {(r["operation"], r["backend"], r["impl"]) for r in records if r.get("median_s")}
    for backend in ("sqlite", "postgresql"):
        for operation in ("insert", "fetch_dicts", "fetch_pandas", "fetch_arrow", "restrict_keys", "join3",
                          "aggregate", "union", "universal", "cascade_delete"):  # fmt: skip
            assert (operation, backend, "reference") in measured
            assert (operation, backend, "raw") in measured
        assert ("compile", backend, "reference") in measured
    datajoint = {op for op, backend, impl in measured if impl == "datajoint"}
    assert {"insert", "fetch_dicts", "declare_10"} <= datajoint
    for record in records:
        if record.get("median_s") and record["impl"] == "reference" and record.get("ratio_to_raw"):
            raw = next(r for r in records if r["impl"] == "raw" and r["operation"] == record["operation"]
                       and r["backend"] == record["backend"] and r["size"] == record["size"])  # fmt: skip
            assert record["ratio_to_raw"] == pytest.approx(record["median_s"] / raw["median_s"], rel=1e-2)
    declared = [r for r in records if r["operation"] == "declare_10" and r.get("median_s")]
    assert all(r["statements"] > 10 for r in declared)  # ten CREATE TABLEs at least
    text = page.read_text()
    assert "## Targets" in text and "fetch 100k as dicts" in text
    assert (tmp_path / "assets" / "vs-datajoint.png").stat().st_size > 1000


def test_a_run_that_hangs_is_recorded_as_failed_and_its_workers_ended():
    import multiprocessing
    import time

    from bench.timing import Work

    def hang():
        worker = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(60,))
        worker.start()
        worker.join()

    work = Work(run=hang, sample_memory=False)
    started = time.perf_counter()
    work.once(limit_s=2)
    assert work.error.startswith("RunTimeout: no result after 2 s") and not work.times
    assert time.perf_counter() - started < 30 and not multiprocessing.active_children()
