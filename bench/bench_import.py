"""Benchmark: import a 100,000-row CP949 standard-data CSV into a fresh store.

Prints rows per second and peak memory; the target on the reference machine
(2 cores) is at least 5,000 rows/s and under 500 MB. A second import of the
same file must change nothing, and is timed too.

Baseline, in the same run: a bare `sqlite-utils insert --csv --encoding cp949`
of the same file into an empty database (no normalising, placing, duplicate
search or quarantine). The pipeline should take at most 2.0x the bare insert;
the machine is shared, so the ratio is the figure that holds, not the seconds.

    .venv/bin/python bench/bench_import.py [--rows 100000] [--with-demo] [--trace] [--profile]

`--with-demo` first imports the bundled public lists, so the import also
runs the cross-list duplicate search (a fresh store skips it: one list
cannot hold cross-list duplicates). `--trace` adds tracemalloc's peak of the
Python heap (it slows Python down and adds its own memory, so the timed
figures of a traced run are not the benchmark's). `--profile` runs the first
import under cProfile and prints the top entries.
"""
from __future__ import annotations

import argparse
import os
import cProfile
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory.store import connect  # noqa: E402
from importers import import_file  # noqa: E402

TARGET_ROWS_PER_S = 5000
TARGET_PEAK_MB = 500
TARGET_RATIO = 2.0


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_insert(csv_path: Path, workdir: Path) -> dict:
    """Time `sqlite-utils insert --csv` of the file into an empty database, in a child process."""
    target = workdir / "bare.db"
    target.unlink(missing_ok=True)
    cli = Path(sys.executable).with_name("sqlite-utils")
    command = [str(cli), "insert", str(target), "rows", str(csv_path), "--csv", "--encoding", "cp949"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"bare_s": wall, "bare_cpu_s": cpu, "bare_peak_mb": after.ru_maxrss / 1024}


def run(rows: int, workdir: Path, profile: bool = False, trace: bool = False, with_demo: bool = False) -> dict:
    """Generate, import twice, and return the figures."""
    csv_path = workdir / f"standard_{rows}.csv"
    started = time.perf_counter()
    # In a child process, so the generator's memory does not count as the importer's.
    subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from bench.synth import write_standard_csv; "
         "write_standard_csv(sys.argv[2], int(sys.argv[3]), encoding='cp949')", str(ROOT), str(csv_path), str(rows)],
        check=True,
    )
    generated = time.perf_counter() - started
    bare = bare_insert(csv_path, workdir)
    db = connect(workdir / "bench.db")
    if with_demo:
        from importers.demo import DEMO_FILES

        for path in DEMO_FILES:
            import_file(db, path)
    rss_before = peak_rss_mb()
    if trace:
        tracemalloc.start()
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    first = import_file(db, csv_path)
    if profiler:
        profiler.disable()
    first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    started, cpu = time.perf_counter(), time.process_time()
    second = import_file(db, csv_path)
    second_s, second_cpu = time.perf_counter() - started, time.process_time() - cpu
    agencies = db.execute("SELECT count(*) FROM agencies").fetchone()[0]
    db.conn.close()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return {
        "rows": rows, "csv_mb": csv_path.stat().st_size / 2**20, "generate_s": generated,
        "import_s": first_s, "rows_per_s": rows / first_s, "import_cpu_s": first_cpu,
        "reimport_s": second_s, "reimport_cpu_s": second_cpu, "reimport_rows_per_s": rows / second_s, "traced_peak_mb": traced_peak,
        "peak_rss_mb": peak_rss_mb(), "rss_before_mb": rss_before, "agencies": agencies,
        "first": {k: v for k, v in first.as_dict().items() if k not in ("errors", "merges")},
        "second": {k: v for k, v in second.as_dict().items() if k not in ("errors", "merges")},
        **bare,
    }


def main(argv=None) -> int:
    """Print the figures; exit status 1 when a target is missed or re-importing changed something."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the first import")
    parser.add_argument("--trace", action="store_true", help="also measure the Python heap with tracemalloc (slow)")
    parser.add_argument("--with-demo", action="store_true", help="import into a store that holds the demo lists")
    parser.add_argument("--dir", help="work folder (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="yeongye-bench-") as tmp:
        workdir = Path(args.dir) if args.dir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for stale in workdir.glob("bench.db*"):
            stale.unlink()
        f = run(args.rows, workdir, profile=args.profile, trace=args.trace, with_demo=args.with_demo)
    print(f"store:            {'holding the demo lists' if args.with_demo else 'fresh'}")
    print(f"rows:             {f['rows']:,} (CP949 CSV, {f['csv_mb']:.1f} MB, generated in {f['generate_s']:.1f} s)")
    print(f"first import:     {f['import_s']:.1f} s = {f['rows_per_s']:,.0f} rows/s "
          f"(target >= {TARGET_ROWS_PER_S:,}{', with tracemalloc on' if f['traced_peak_mb'] is not None else ''}); "
          f"CPU {f['import_cpu_s']:.1f} s = {f['rows'] / f['import_cpu_s']:,.0f} rows per CPU-second")
    print(f"  summary:        {f['first']}")
    print(f"re-import:        {f['reimport_s']:.1f} s = {f['reimport_rows_per_s']:,.0f} rows/s; "
          f"CPU {f['reimport_cpu_s']:.1f} s")
    print(f"  summary:        {f['second']}")
    ratio = f["import_s"] / f["bare_s"]
    print(f"baseline:         sqlite-utils insert --csv of the same file {f['bare_s']:.1f} s "
          f"(CPU {f['bare_cpu_s']:.1f} s, peak {f['bare_peak_mb']:.0f} MB); "
          f"pipeline / bare = {ratio:.2f}x wall, {f['import_cpu_s'] / max(f['bare_cpu_s'], 1e-9):.2f}x CPU "
          f"(target <= {TARGET_RATIO}x)")
    print(f"load average:     {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows the wall-clock figures, not the CPU ones)")
    if f["traced_peak_mb"] is not None:
        print(f"peak Python heap: {f['traced_peak_mb']:.0f} MB (tracemalloc, during the first import)")
    print(f"peak RSS:         {f['peak_rss_mb']:.0f} MB (whole process; {f['rss_before_mb']:.0f} MB before importing; "
          f"target < {TARGET_PEAK_MB})")
    print(f"agencies:         {f['agencies']:,}")
    second = f["second"]
    ok = (f["rows_per_s"] >= TARGET_ROWS_PER_S and f["peak_rss_mb"] < TARGET_PEAK_MB and ratio <= TARGET_RATIO
          and second["imported"] == 0 and second["updated"] == 0 and second["merged"] == 0)
    if f["traced_peak_mb"] is not None:
        print("result:           traced run: tracemalloc slows the import and adds memory of its own; "
              "judge the targets on a run without --trace")
        return 0
    print("result:           " + ("targets met" if ok else "TARGET MISSED or re-import changed something"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
